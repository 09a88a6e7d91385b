import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { ConvRolesTable } from '../../storage/schema.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';

export type RoleRow = Selectable<ConvRolesTable>;

export const rolesStore = {
  get(db: Executor, accountSid: string, serviceSid: string, sid: string): Promise<RoleRow | undefined> {
    return db.selectFrom('conv_roles').selectAll().where('account_sid', '=', accountSid).where('service_sid', '=', serviceSid).where('sid', '=', sid).executeTakeFirst();
  },
  list(db: Executor, accountSid: string, serviceSid: string, w: KeysetWindow): Promise<RoleRow[]> {
    return keyset(db.selectFrom('conv_roles').selectAll().where('account_sid', '=', accountSid).where('service_sid', '=', serviceSid), w).execute();
  },
  /** Inserts unless the friendly name is taken in the service; returns whether it inserted. */
  async insertUnique(db: Executor, row: Insertable<ConvRolesTable>): Promise<boolean> {
    const r = await db
      .insertInto('conv_roles')
      .values(row)
      .onConflict((oc) => oc.columns(['account_sid', 'service_sid', 'friendly_name']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  },
  async updatePermissions(db: Executor, accountSid: string, sid: string, permissions: string, now: number): Promise<void> {
    await db.updateTable('conv_roles').set({ permissions, date_updated: now }).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  async delete(db: Executor, accountSid: string, sid: string): Promise<void> {
    await db.deleteFrom('conv_roles').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  /** What still points at a role: a user, a participant, or the service's default role settings. */
  async usage(db: Executor, accountSid: string, serviceSid: string, sid: string): Promise<'user' | 'participant' | 'service configuration' | undefined> {
    const service = await db
      .selectFrom('conv_services')
      .select(['default_conversation_creator_role_sid', 'default_conversation_role_sid', 'default_chat_service_role_sid'])
      .where('account_sid', '=', accountSid)
      .where('sid', '=', serviceSid)
      .executeTakeFirst();
    if (service && [service.default_conversation_creator_role_sid, service.default_conversation_role_sid, service.default_chat_service_role_sid].includes(sid)) {
      return 'service configuration';
    }
    const user = await db.selectFrom('conv_users').select('sid').where('account_sid', '=', accountSid).where('service_sid', '=', serviceSid).where('role_sid', '=', sid).limit(1).executeTakeFirst();
    if (user) return 'user';
    const participant = await db
      .selectFrom('conv_participants')
      .select('sid')
      .where('account_sid', '=', accountSid)
      .where('service_sid', '=', serviceSid)
      .where('role_sid', '=', sid)
      .limit(1)
      .executeTakeFirst();
    return participant ? 'participant' : undefined;
  },
};
