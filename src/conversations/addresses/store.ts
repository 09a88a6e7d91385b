import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { ConvAddressesTable } from '../../storage/schema.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';

export type AddressRow = Selectable<ConvAddressesTable>;

export const addressesStore = {
  bySid(db: Executor, accountSid: string, sid: string): Promise<AddressRow | undefined> {
    return db.selectFrom('conv_addresses').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
  },
  /** The oldest configuration whose address is one of the given spellings (any type unless given). */
  byAddress(db: Executor, accountSid: string, spellings: string[], type?: string): Promise<AddressRow | undefined> {
    let q = db.selectFrom('conv_addresses').selectAll().where('account_sid', '=', accountSid).where('address', 'in', spellings);
    if (type !== undefined) q = q.where('type', '=', type);
    return q.orderBy('seq').limit(1).executeTakeFirst();
  },
  list(db: Executor, accountSid: string, type: string | undefined, w: KeysetWindow): Promise<AddressRow[]> {
    let q = db.selectFrom('conv_addresses').selectAll().where('account_sid', '=', accountSid);
    if (type !== undefined) q = q.where('type', '=', type);
    return keyset(q, w).execute();
  },
  async insert(db: Executor, row: Insertable<ConvAddressesTable>): Promise<void> {
    await db.insertInto('conv_addresses').values(row).execute();
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<ConvAddressesTable>): Promise<void> {
    await db.updateTable('conv_addresses').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  async delete(db: Executor, accountSid: string, sid: string): Promise<void> {
    await db.deleteFrom('conv_addresses').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
};
