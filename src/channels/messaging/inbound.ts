import type { Clock } from '../../platform/clock.js';
import type { Storage } from '../../storage/db.js';
import type { ConversationsProduct } from '../../conversations/index.js';
import type { InboundResult } from '../../conversations/addresses/inbound.js';
import { bindingType } from '../../conversations/participants/binding.js';
import type { MessagingCarrier, StoredMediaRef } from './carrier.js';
import { inboundStore, isUniqueViolation } from './store.js';

/** A file of an inbound message: hosted by the carrier (MediaUrlN) or handed over directly (simulator upload). */
export type InboundMedia = { url: string; contentType?: string } | { data: Buffer; contentType: string; filename?: string };

export interface CarrierInboundMessage {
  /** The Parley account it is for. */
  accountSid: string;
  /** The carrier's message SID: retries of one message carry the same. */
  channelMessageSid: string;
  from: string;
  to: string;
  body?: string;
  media: InboundMedia[];
}

export interface InboundOutcome extends InboundResult {
  /** A retry of a message already taken in: nothing was stored. */
  duplicate: boolean;
  media: StoredMediaRef[];
}

const GENERIC_TYPES = ['', 'application/octet-stream', 'binary/octet-stream'];

/**
 * The carrier-independent inbound path: de-duplicate by the carrier's message
 * SID, decide where the message goes, only then fetch its media into Parley's
 * media store (in that conversation's service), and hand it to Conversations.
 */
export class InboundPipeline {
  constructor(
    private readonly deps: { storage: Storage; clock: Clock },
    private readonly conversations: ConversationsProduct,
  ) {}

  async receive(carrier: MessagingCarrier, msg: CarrierInboundMessage): Promise<InboundOutcome> {
    const { accountSid } = msg;
    const db = this.deps.storage.db;
    const nothing = { conversationSid: null, participantSid: null, messageSid: null, media: [] };
    if (await inboundStore.seen(db, accountSid, msg.channelMessageSid)) return { outcome: 'ignored', reason: 'duplicate', duplicate: true, ...nothing };
    const type = bindingType(msg.from);
    const route = await this.conversations.inbound.route(accountSid, type, msg.from, msg.to);
    if (route.kind === 'none') return { outcome: 'ignored', reason: route.reason, duplicate: false, ...nothing };
    const media: StoredMediaRef[] = [];
    for (const item of msg.media) {
      const file = 'url' in item ? await carrier.fetchMedia(item.url) : item;
      // The webhook's MediaContentTypeN is the better word when the download is untyped.
      const contentType = 'url' in item && item.contentType && GENERIC_TYPES.includes(file.contentType.split(';')[0]!.trim().toLowerCase()) ? item.contentType : file.contentType;
      const stored = await this.conversations.media.upload(accountSid, route.serviceSid, { contentType, data: file.data, author: msg.from, ...(file.filename ? { filename: file.filename } : {}) });
      media.push({ sid: stored.sid, serviceSid: stored.service_sid, contentType: stored.content_type, size: stored.size });
    }
    try {
      const result = await this.conversations.inbound.receive(
        accountSid,
        { type, from: msg.from, to: msg.to, ...(msg.body !== undefined ? { body: msg.body } : {}), media: media.map((m) => m.sid), channelMessageSid: msg.channelMessageSid },
        {
          within: (tx, message) =>
            inboundStore.record(tx, { account_sid: accountSid, provider: carrier.provider, channel_message_sid: msg.channelMessageSid, message_sid: message.sid, date_created: this.deps.clock.now() }),
        },
      );
      return { ...result, duplicate: false, media };
    } catch (err) {
      // A concurrent retry of the same message won the race: its copy stands.
      if (isUniqueViolation(err, 'channel_inbound')) return { outcome: 'ignored', reason: 'duplicate', duplicate: true, ...nothing };
      throw err;
    }
  }
}
