import type { Executor } from '../../storage/db.js';

export interface EmailMessageRecord {
  account_sid: string;
  direction: 'inbound' | 'outbound';
  message_id: string;
  conversation_sid: string;
  message_sid: string;
  subject: string | null;
  date_created: number;
}

/** The Message-IDs a conversation's emails carried (threading) and their subjects (encrypted by the caller). */
export const emailMessagesStore = {
  async record(db: Executor, row: EmailMessageRecord): Promise<void> {
    await db.insertInto('channel_email_messages').values(row).execute();
  },
  /** The conversation an email with one of these Message-IDs belongs to (latest first). */
  async conversationOf(db: Executor, accountSid: string, messageIds: string[]): Promise<string | undefined> {
    if (messageIds.length === 0) return undefined;
    const row = await db
      .selectFrom('channel_email_messages')
      .select('conversation_sid')
      .where('account_sid', '=', accountSid)
      .where('message_id', 'in', messageIds)
      .orderBy('seq', 'desc')
      .executeTakeFirst();
    return row?.conversation_sid;
  },
  /** The conversation's latest emails, oldest first. */
  async thread(db: Executor, accountSid: string, conversationSid: string, limit = 20): Promise<Array<{ direction: string; message_id: string; subject: string | null }>> {
    const rows = await db
      .selectFrom('channel_email_messages')
      .select(['direction', 'message_id', 'subject'])
      .where('account_sid', '=', accountSid)
      .where('conversation_sid', '=', conversationSid)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse();
  },
  async has(db: Executor, accountSid: string, messageId: string): Promise<boolean> {
    const row = await db.selectFrom('channel_email_messages').select('seq').where('account_sid', '=', accountSid).where('message_id', '=', messageId).executeTakeFirst();
    return row !== undefined;
  },
};
