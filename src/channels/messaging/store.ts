import type { Selectable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { ConvReceiptsTable } from '../../storage/schema.js';

export const inboundStore = {
  async seen(db: Executor, accountSid: string, channelMessageSid: string): Promise<boolean> {
    const row = await db.selectFrom('channel_inbound').select('seq').where('account_sid', '=', accountSid).where('channel_message_sid', '=', channelMessageSid).executeTakeFirst();
    return row !== undefined;
  },
  async record(db: Executor, row: { account_sid: string; provider: string; channel_message_sid: string; message_sid: string; date_created: number }): Promise<void> {
    await db.insertInto('channel_inbound').values(row).execute();
  },
};

export const carrierReceiptsStore = {
  /** The receipt a carrier's message SID belongs to (status callbacks). */
  byChannelSid(db: Executor, accountSid: string, channelMessageSid: string): Promise<Selectable<ConvReceiptsTable> | undefined> {
    return db.selectFrom('conv_receipts').selectAll().where('account_sid', '=', accountSid).where('channel_message_sid', '=', channelMessageSid).executeTakeFirst();
  },
};

/** A unique-index violation on either engine, on the named table's keys. */
export function isUniqueViolation(err: unknown, table: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e.code !== '23505' && e.code !== 'SQLITE_CONSTRAINT_UNIQUE') return false;
  return `${e.constraint ?? ''} ${e.message ?? ''}`.includes(table);
}
