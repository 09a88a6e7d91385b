import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { ConvBindingsTable } from '../../storage/schema.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';

export type BindingRow = Selectable<ConvBindingsTable>;

export interface BindingFilter {
  bindingTypes?: string[];
  identities?: string[];
}

export const bindingsStore = {
  get(db: Executor, accountSid: string, serviceSid: string, sid: string): Promise<BindingRow | undefined> {
    return db.selectFrom('conv_bindings').selectAll().where('account_sid', '=', accountSid).where('service_sid', '=', serviceSid).where('sid', '=', sid).executeTakeFirst();
  },
  byEndpoint(db: Executor, accountSid: string, serviceSid: string, endpoint: string, identity: string): Promise<BindingRow | undefined> {
    return db
      .selectFrom('conv_bindings')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('service_sid', '=', serviceSid)
      .where('endpoint', '=', endpoint)
      .where('identity', '=', identity)
      .executeTakeFirst();
  },
  list(db: Executor, accountSid: string, serviceSid: string, f: BindingFilter, w: KeysetWindow): Promise<BindingRow[]> {
    let q = db.selectFrom('conv_bindings').selectAll().where('account_sid', '=', accountSid).where('service_sid', '=', serviceSid);
    if (f.bindingTypes?.length) q = q.where('binding_type', 'in', f.bindingTypes);
    if (f.identities?.length) q = q.where('identity', 'in', f.identities);
    return keyset(q, w).execute();
  },
  async insert(db: Executor, row: Insertable<ConvBindingsTable>): Promise<void> {
    await db.insertInto('conv_bindings').values(row).execute();
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<ConvBindingsTable>): Promise<void> {
    await db.updateTable('conv_bindings').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  async delete(db: Executor, accountSid: string, sid: string): Promise<void> {
    await db.deleteFrom('conv_bindings').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
};
