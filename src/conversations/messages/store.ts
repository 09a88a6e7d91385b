import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { ConvMessagesTable, ConvReceiptsTable } from '../../storage/schema.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';

export type MessageRow = Selectable<ConvMessagesTable>;
export type ReceiptRow = Selectable<ConvReceiptsTable>;

export const messagesStore = {
  find(db: Executor, accountSid: string, conversationSid: string, sid: string): Promise<MessageRow | undefined> {
    return db.selectFrom('conv_messages').selectAll().where('account_sid', '=', accountSid).where('conversation_sid', '=', conversationSid).where('sid', '=', sid).executeTakeFirst();
  },
  bySid(db: Executor, accountSid: string, sid: string, lock = false): Promise<MessageRow | undefined> {
    const q = db.selectFrom('conv_messages').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid);
    return (lock ? q.forUpdate() : q).executeTakeFirst();
  },
  list(db: Executor, accountSid: string, conversationSid: string, w: KeysetWindow): Promise<MessageRow[]> {
    return keyset(db.selectFrom('conv_messages').selectAll().where('account_sid', '=', accountSid).where('conversation_sid', '=', conversationSid), w).execute();
  },
  insert(db: Executor, row: Insertable<ConvMessagesTable>): Promise<MessageRow> {
    return db.insertInto('conv_messages').values(row).returningAll().executeTakeFirstOrThrow();
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<ConvMessagesTable>): Promise<void> {
    await db.updateTable('conv_messages').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  async delete(db: Executor, accountSid: string, sid: string): Promise<void> {
    await db.deleteFrom('conv_receipts').where('account_sid', '=', accountSid).where('message_sid', '=', sid).execute();
    await db.deleteFrom('media').where('account_sid', '=', accountSid).where('message_sid', '=', sid).execute();
    await db.deleteFrom('conv_messages').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },

  /** Binding types of the conversation's non-chat participants (sms, whatsapp, …), deduplicated. */
  async nonChatChannels(db: Executor, accountSid: string, conversationSid: string): Promise<string[]> {
    const rows = await db
      .selectFrom('conv_participants')
      .select('binding_type')
      .distinct()
      .where('account_sid', '=', accountSid)
      .where('conversation_sid', '=', conversationSid)
      .where('binding_type', 'is not', null)
      .where('binding_type', '!=', 'chat')
      .execute();
    return rows.map((r) => r.binding_type!.toLowerCase());
  },
};

export const receiptsStore = {
  find(db: Executor, accountSid: string, messageSid: string, sid: string): Promise<ReceiptRow | undefined> {
    return db.selectFrom('conv_receipts').selectAll().where('account_sid', '=', accountSid).where('message_sid', '=', messageSid).where('sid', '=', sid).executeTakeFirst();
  },
  byParticipant(db: Executor, accountSid: string, messageSid: string, participantSid: string): Promise<ReceiptRow | undefined> {
    return db
      .selectFrom('conv_receipts')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('message_sid', '=', messageSid)
      .where('participant_sid', '=', participantSid)
      .executeTakeFirst();
  },
  list(db: Executor, accountSid: string, messageSid: string, w: KeysetWindow): Promise<ReceiptRow[]> {
    return keyset(db.selectFrom('conv_receipts').selectAll().where('account_sid', '=', accountSid).where('message_sid', '=', messageSid), w).execute();
  },
  async insert(db: Executor, row: Insertable<ConvReceiptsTable>): Promise<void> {
    await db.insertInto('conv_receipts').values(row).execute();
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<ConvReceiptsTable>): Promise<void> {
    await db.updateTable('conv_receipts').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  /** Receipt counts per (message, status) for a set of messages. */
  async statusCounts(db: Executor, accountSid: string, messageSids: string[]): Promise<Array<{ message_sid: string; status: string; n: number }>> {
    if (messageSids.length === 0) return [];
    const rows = await db
      .selectFrom('conv_receipts')
      .select((eb) => ['message_sid', 'status', eb.fn.countAll<number | string>().as('n')])
      .where('account_sid', '=', accountSid)
      .where('message_sid', 'in', messageSids)
      .groupBy(['message_sid', 'status'])
      .execute();
    return rows.map((r) => ({ message_sid: r.message_sid, status: r.status, n: Number(r.n) }));
  },
};
