import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { ConvCredentialsTable } from '../../storage/schema.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';

export type CredentialRow = Selectable<ConvCredentialsTable>;

export const credentialsStore = {
  get(db: Executor, accountSid: string, sid: string): Promise<CredentialRow | undefined> {
    return db.selectFrom('conv_credentials').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
  },
  list(db: Executor, accountSid: string, w: KeysetWindow): Promise<CredentialRow[]> {
    return keyset(db.selectFrom('conv_credentials').selectAll().where('account_sid', '=', accountSid), w).execute();
  },
  async insert(db: Executor, row: Insertable<ConvCredentialsTable>): Promise<void> {
    await db.insertInto('conv_credentials').values(row).execute();
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<ConvCredentialsTable>): Promise<void> {
    await db.updateTable('conv_credentials').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  /** Deletes the credential and the push bindings that could only be served through it. */
  async deleteCascade(db: Executor, accountSid: string, sid: string): Promise<void> {
    await db.deleteFrom('conv_bindings').where('account_sid', '=', accountSid).where('credential_sid', '=', sid).execute();
    await db.deleteFrom('conv_credentials').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
};
