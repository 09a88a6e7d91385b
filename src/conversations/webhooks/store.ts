import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { ConvWebhooksTable } from '../../storage/schema.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';

export type ScopedWebhookRow = Selectable<ConvWebhooksTable>;

export const scopedWebhooksStore = {
  get(db: Executor, accountSid: string, conversationSid: string, sid: string): Promise<ScopedWebhookRow | undefined> {
    return db
      .selectFrom('conv_webhooks')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('conversation_sid', '=', conversationSid)
      .where('sid', '=', sid)
      .executeTakeFirst();
  },
  list(db: Executor, accountSid: string, conversationSid: string, w: KeysetWindow): Promise<ScopedWebhookRow[]> {
    return keyset(db.selectFrom('conv_webhooks').selectAll().where('account_sid', '=', accountSid).where('conversation_sid', '=', conversationSid), w).execute();
  },
  async count(db: Executor, accountSid: string, conversationSid: string): Promise<number> {
    const r = await db
      .selectFrom('conv_webhooks')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('account_sid', '=', accountSid)
      .where('conversation_sid', '=', conversationSid)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
  async insert(db: Executor, row: Insertable<ConvWebhooksTable>): Promise<void> {
    await db.insertInto('conv_webhooks').values(row).execute();
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<ConvWebhooksTable>): Promise<void> {
    await db.updateTable('conv_webhooks').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  async delete(db: Executor, accountSid: string, sid: string): Promise<void> {
    await db.deleteFrom('conv_webhooks').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
};

/**
 * Serializes writers on one conversation so the per-conversation webhook cap
 * holds under concurrency: a row lock on PostgreSQL; SQLite runs one
 * transaction at a time already.
 */
export async function lockConversation(db: Executor, engine: 'sqlite' | 'postgres', accountSid: string, conversationSid: string): Promise<void> {
  if (engine !== 'postgres') return;
  await db.selectFrom('conv_conversations').select('sid').where('account_sid', '=', accountSid).where('sid', '=', conversationSid).forUpdate().execute();
}
