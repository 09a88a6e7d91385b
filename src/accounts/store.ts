import type { Executor } from '../storage/db.js';
import type { AccountsTable, ApiKeysTable } from '../storage/schema.js';
import type { Selectable } from 'kysely';
import { keyset, type KeysetWindow } from '../storage/keyset.js';

export type AccountRow = Selectable<AccountsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;

export const accountsStore = {
  async bySid(db: Executor, sid: string): Promise<AccountRow | undefined> {
    return db.selectFrom('accounts').selectAll().where('sid', '=', sid).executeTakeFirst();
  },
  async list(db: Executor, ownerSid: string, w: KeysetWindow, filter: { friendlyName?: string; status?: string }): Promise<AccountRow[]> {
    let q = db.selectFrom('accounts').selectAll().where((eb) => eb.or([eb('owner_account_sid', '=', ownerSid), eb('sid', '=', ownerSid)]));
    if (filter.friendlyName !== undefined) q = q.where('friendly_name', '=', filter.friendlyName);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    return keyset(q, w).execute();
  },
  async insert(db: Executor, row: Omit<AccountRow, 'seq'>): Promise<void> {
    await db.insertInto('accounts').values(row).execute();
  },
  async update(db: Executor, sid: string, patch: Partial<Pick<AccountRow, 'friendly_name' | 'status' | 'date_updated'>>): Promise<void> {
    await db.updateTable('accounts').set(patch).where('sid', '=', sid).execute();
  },
  async keyBySid(db: Executor, sid: string): Promise<ApiKeyRow | undefined> {
    return db.selectFrom('api_keys').selectAll().where('sid', '=', sid).executeTakeFirst();
  },
  async listKeys(db: Executor, accountSid: string, w: KeysetWindow): Promise<ApiKeyRow[]> {
    return keyset(db.selectFrom('api_keys').selectAll().where('account_sid', '=', accountSid), w).execute();
  },
  async insertKey(db: Executor, row: Omit<ApiKeyRow, 'seq'>): Promise<void> {
    await db.insertInto('api_keys').values(row).execute();
  },
  async updateKey(db: Executor, accountSid: string, sid: string, patch: Partial<Pick<ApiKeyRow, 'friendly_name' | 'date_updated'>>): Promise<void> {
    await db.updateTable('api_keys').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  async deleteKey(db: Executor, accountSid: string, sid: string): Promise<number> {
    const r = await db.deleteFrom('api_keys').where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
    return Number(r.numDeletedRows);
  },
};
