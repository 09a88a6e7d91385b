import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { ConvUsersTable } from '../../storage/schema.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';
import { isSid, SidPrefix } from '../../platform/sid.js';

export type UserRow = Selectable<ConvUsersTable>;

export const usersStore = {
  /** By SID or identity, within a service. */
  find(db: Executor, accountSid: string, serviceSid: string, sidOrIdentity: string): Promise<UserRow | undefined> {
    const q = db.selectFrom('conv_users').selectAll().where('account_sid', '=', accountSid).where('service_sid', '=', serviceSid);
    return (isSid(sidOrIdentity, SidPrefix.User) ? q.where('sid', '=', sidOrIdentity) : q.where('identity', '=', sidOrIdentity)).executeTakeFirst();
  },
  byIdentity(db: Executor, accountSid: string, serviceSid: string, identity: string): Promise<UserRow | undefined> {
    return db.selectFrom('conv_users').selectAll().where('account_sid', '=', accountSid).where('service_sid', '=', serviceSid).where('identity', '=', identity).executeTakeFirst();
  },
  list(db: Executor, accountSid: string, serviceSid: string, w: KeysetWindow): Promise<UserRow[]> {
    return keyset(db.selectFrom('conv_users').selectAll().where('account_sid', '=', accountSid).where('service_sid', '=', serviceSid), w).execute();
  },
  /** Inserts unless the identity is taken in the service (the unique key decides, so racing creates cannot both win). */
  async insertUnique(db: Executor, row: Insertable<ConvUsersTable>): Promise<boolean> {
    const r = await db
      .insertInto('conv_users')
      .values(row)
      .onConflict((oc) => oc.columns(['account_sid', 'service_sid', 'identity']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<ConvUsersTable>): Promise<void> {
    await db.updateTable('conv_users').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  async delete(db: Executor, accountSid: string, sid: string): Promise<void> {
    await db.deleteFrom('conv_users').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  async hasPushBinding(db: Executor, accountSid: string, serviceSid: string, identity: string): Promise<boolean> {
    const row = await db
      .selectFrom('conv_bindings')
      .select('sid')
      .where('account_sid', '=', accountSid)
      .where('service_sid', '=', serviceSid)
      .where('identity', '=', identity)
      .where('binding_type', 'in', ['apn', 'gcm', 'fcm'])
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  },
  async defaultRoleSid(db: Executor, accountSid: string, serviceSid: string): Promise<string | null> {
    const row = await db.selectFrom('conv_services').select('default_chat_service_role_sid').where('account_sid', '=', accountSid).where('sid', '=', serviceSid).executeTakeFirst();
    return row?.default_chat_service_role_sid ?? null;
  },
};
