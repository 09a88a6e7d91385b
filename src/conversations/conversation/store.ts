import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { ConvConversationsTable } from '../../storage/schema.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';
import { looksLikeSid } from '../../platform/sid.js';

export type ConversationRow = Selectable<ConvConversationsTable>;

export interface ConversationFilter {
  state?: string;
  startDate?: number;
  endDate?: number;
}

export const conversationsStore = {
  /** By SID or unique name, within a service. */
  find(db: Executor, accountSid: string, serviceSid: string, sidOrUniqueName: string): Promise<ConversationRow | undefined> {
    const q = db.selectFrom('conv_conversations').selectAll().where('account_sid', '=', accountSid).where('service_sid', '=', serviceSid);
    return (looksLikeSid(sidOrUniqueName) ? q.where('sid', '=', sidOrUniqueName) : q.where('unique_name', '=', sidOrUniqueName)).executeTakeFirst();
  },
  bySid(db: Executor, accountSid: string, sid: string): Promise<ConversationRow | undefined> {
    return db.selectFrom('conv_conversations').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
  },
  byUniqueName(db: Executor, accountSid: string, serviceSid: string, uniqueName: string): Promise<ConversationRow | undefined> {
    return db.selectFrom('conv_conversations').selectAll().where('account_sid', '=', accountSid).where('service_sid', '=', serviceSid).where('unique_name', '=', uniqueName).executeTakeFirst();
  },
  list(db: Executor, accountSid: string, serviceSid: string, f: ConversationFilter, w: KeysetWindow): Promise<ConversationRow[]> {
    let q = db.selectFrom('conv_conversations').selectAll().where('account_sid', '=', accountSid).where('service_sid', '=', serviceSid);
    if (f.state !== undefined) q = q.where('state', '=', f.state);
    if (f.startDate !== undefined) q = q.where('date_created', '>=', f.startDate);
    if (f.endDate !== undefined) q = q.where('date_created', '<=', f.endDate);
    return keyset(q, w).execute();
  },
  async insert(db: Executor, row: Insertable<ConvConversationsTable>): Promise<void> {
    await db.insertInto('conv_conversations').values(row).execute();
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<ConvConversationsTable>): Promise<void> {
    await db.updateTable('conv_conversations').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  /** Releases the address+proxy bindings of a closing conversation. */
  async releaseBindings(db: Executor, accountSid: string, sid: string): Promise<void> {
    await db.updateTable('conv_participants').set({ open_binding_key: null }).where('account_sid', '=', accountSid).where('conversation_sid', '=', sid).execute();
  },
  async deleteCascade(db: Executor, accountSid: string, sid: string): Promise<void> {
    // Media attached to the conversation's messages goes with them.
    await db
      .deleteFrom('media')
      .where('account_sid', '=', accountSid)
      .where('message_sid', 'in', db.selectFrom('conv_messages').select('sid').where('account_sid', '=', accountSid).where('conversation_sid', '=', sid))
      .execute();
    for (const table of ['conv_receipts', 'conv_messages', 'conv_participants', 'conv_webhooks'] as const) {
      await db.deleteFrom(table).where('account_sid', '=', accountSid).where('conversation_sid', '=', sid).execute();
    }
    await db.deleteFrom('conv_conversations').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  /**
   * Atomically reserves the next message index of a conversation and returns the
   * row as it now stands (the update also locks it for the rest of the transaction).
   */
  takeMessageIndex(db: Executor, accountSid: string, sid: string): Promise<ConversationRow | undefined> {
    return db
      .updateTable('conv_conversations')
      .set((eb) => ({ last_message_index: eb('last_message_index', '+', 1) }))
      .where('account_sid', '=', accountSid)
      .where('sid', '=', sid)
      .returningAll()
      .executeTakeFirst();
  },

};
