import { Errors } from '../platform/errors.js';
import { newSid, SidPrefix } from '../platform/sid.js';
import type { Storage, Executor } from '../storage/db.js';
import type { Cipher } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';
import { MEDIA_MAX_BYTES, checkChannelLimits } from './limits.js';
import { mediaStore, type MediaMeta } from './store.js';

export interface MediaDeps {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
}

export interface MediaUpload {
  contentType: string;
  filename?: string;
  author?: string;
  data: Buffer;
}

/** How a message renders its media (Message `media[]`). */
export interface MessageMedia {
  sid: string;
  size: number;
  content_type: string;
  filename: string | null;
}

/** The Media Content Service: files stored encrypted, attached to at most one message. */
export class MediaService {
  constructor(private readonly deps: MediaDeps) {}

  async upload(accountSid: string, serviceSid: string, input: MediaUpload): Promise<MediaMeta> {
    const contentType = input.contentType.trim();
    if (contentType === '' || !/^[\w.+-]+\/[\w.+-]+/.test(contentType)) throw Errors.invalidParameter('Media needs a Content-Type such as image/png');
    if (input.data.length === 0) throw Errors.invalidParameter('Media content is empty');
    if (input.data.length > MEDIA_MAX_BYTES) throw Errors.mediaTooLarge(MEDIA_MAX_BYTES);
    if (input.filename !== undefined && input.filename.length > 256) throw Errors.invalidParameter('Filename must be at most 256 characters');
    const sid = newSid(SidPrefix.Media);
    await mediaStore.insert(this.deps.storage.db, {
      sid,
      account_sid: accountSid,
      service_sid: serviceSid,
      content_type: contentType,
      filename: input.filename || null,
      size: input.data.length,
      data: this.deps.cipher.encryptBytes(input.data),
      author: input.author ?? null,
      message_sid: null,
      date_created: this.deps.clock.now(),
    });
    return this.get(accountSid, serviceSid, sid);
  }

  async get(accountSid: string, serviceSid: string, sid: string): Promise<MediaMeta> {
    const meta = await mediaStore.meta(this.deps.storage.db, accountSid, serviceSid, sid);
    if (!meta) throw Errors.notFound(`/Services/${serviceSid}/Media/${sid}`);
    return meta;
  }

  async content(accountSid: string, serviceSid: string, sid: string): Promise<{ contentType: string; filename: string | null; data: Buffer }> {
    const row = await mediaStore.content(this.deps.storage.db, accountSid, serviceSid, sid);
    if (!row) throw Errors.notFound(`/Services/${serviceSid}/Media/${sid}/Content`);
    return { contentType: row.content_type, filename: row.filename, data: this.deps.cipher.decryptBytes(Buffer.from(row.data)) };
  }

  /**
   * Checks that media may go on a new message: it belongs to the same account and
   * service, is not attached yet, and suits the conversation's non-chat channels.
   */
  async describe(db: Executor, accountSid: string, serviceSid: string, mediaSid: string, channels: readonly string[]): Promise<MessageMedia> {
    const meta = await mediaStore.meta(db, accountSid, serviceSid, mediaSid);
    if (!meta) throw Errors.invalidParameter(`MediaSid ${mediaSid} does not name media of this Conversations service`);
    if (meta.message_sid !== null) throw Errors.invalidParameter(`Media ${mediaSid} is already attached to message ${meta.message_sid}`);
    checkChannelLimits(meta, channels);
    return { sid: meta.sid, size: meta.size, content_type: meta.content_type, filename: meta.filename };
  }

  /** Attaches media to a message inside the message's transaction (re-checked: another message may have taken it). */
  async attach(tx: Executor, accountSid: string, serviceSid: string, mediaSid: string, messageSid: string, channels: readonly string[]): Promise<MessageMedia> {
    const media = await this.describe(tx, accountSid, serviceSid, mediaSid, channels);
    if (!(await mediaStore.attach(tx, accountSid, serviceSid, mediaSid, messageSid))) {
      throw Errors.invalidParameter(`Media ${mediaSid} is already attached to another message`);
    }
    return media;
  }
}
