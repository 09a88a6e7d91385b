import type { Executor } from './db.js';

/** The `settings` table: small process-wide values (bootstrap account, provisioning marks, signing keys). */
export const settings = {
  async get(db: Executor, key: string): Promise<string | undefined> {
    return (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;
  },
  async put(db: Executor, key: string, value: string): Promise<void> {
    await db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  },
  /** Sets `key` to `next` only if it still holds `expected` (absent when undefined); true when it did. */
  async swap(db: Executor, key: string, expected: string | undefined, next: string): Promise<boolean> {
    if (expected === undefined) {
      const r = await db.insertInto('settings').values({ key, value: next }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    }
    const r = await db.updateTable('settings').set({ value: next }).where('key', '=', key).where('value', '=', expected).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
};
