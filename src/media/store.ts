import type { Insertable } from 'kysely';
import type { Executor } from '../storage/db.js';
import type { MediaTable } from '../storage/schema.js';

/** Media metadata without the (large, encrypted) content. */
export interface MediaMeta {
  sid: string;
  account_sid: string;
  service_sid: string;
  content_type: string;
  filename: string | null;
  size: number;
  author: string | null;
  message_sid: string | null;
  /** The conversation of the message it is attached to (MCS `channel_sid`). */
  channel_sid: string | null;
  date_created: number;
}

export const mediaStore = {
  async meta(db: Executor, accountSid: string, serviceSid: string, sid: string): Promise<MediaMeta | undefined> {
    const row = await db
      .selectFrom('media')
      .leftJoin('conv_messages', (j) => j.onRef('conv_messages.sid', '=', 'media.message_sid').onRef('conv_messages.account_sid', '=', 'media.account_sid'))
      .select([
        'media.sid',
        'media.account_sid',
        'media.service_sid',
        'media.content_type',
        'media.filename',
        'media.size',
        'media.author',
        'media.message_sid',
        'media.date_created',
        'conv_messages.conversation_sid as channel_sid',
      ])
      .where('media.account_sid', '=', accountSid)
      .where('media.service_sid', '=', serviceSid)
      .where('media.sid', '=', sid)
      .executeTakeFirst();
    return row ? { ...row, size: Number(row.size), channel_sid: row.channel_sid ?? null } : undefined;
  },
  async content(db: Executor, accountSid: string, serviceSid: string, sid: string): Promise<{ content_type: string; filename: string | null; data: Buffer } | undefined> {
    return db
      .selectFrom('media')
      .select(['content_type', 'filename', 'data'])
      .where('account_sid', '=', accountSid)
      .where('service_sid', '=', serviceSid)
      .where('sid', '=', sid)
      .executeTakeFirst();
  },
  async insert(db: Executor, row: Insertable<MediaTable>): Promise<void> {
    await db.insertInto('media').values(row).execute();
  },
  /** Claims unattached media for a message; false when it is missing or already taken. */
  async attach(db: Executor, accountSid: string, serviceSid: string, sid: string, messageSid: string): Promise<boolean> {
    const res = await db
      .updateTable('media')
      .set({ message_sid: messageSid })
      .where('account_sid', '=', accountSid)
      .where('service_sid', '=', serviceSid)
      .where('sid', '=', sid)
      .where('message_sid', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },
};
