import { Errors } from '../../platform/errors.js';
import { isoDate } from '../../platform/clock.js';
import { newSid, SidPrefix } from '../../platform/sid.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { Executor } from '../../storage/db.js';
import type { MediaService, MessageMedia } from '../../media/service.js';
import type { ActionSource, ConversationsDeps } from '../deps.js';
import type { ConversationHooks, Delivery, WebhookParams } from '../hooks.js';
import type { ConversationsService } from '../conversation/service.js';
import { conversationsStore, type ConversationRow } from '../conversation/store.js';
import { messagesStore, receiptsStore, type MessageRow } from './store.js';
import { participantsStore } from '../participants/store.js';
import { summarize, type DeliverySummary } from './receipts.js';

/** Chat bodies may be 32 KB; anything fanned out to SMS/WhatsApp stops at 1600 characters (reference §6). */
const CHAT_BODY_MAX_BYTES = 32 * 1024;
const CARRIER_BODY_MAX_CHARS = 1600;
const CARRIER_CHANNELS = ['sms', 'mms', 'whatsapp'];
const ATTRIBUTES_MAX_BYTES = 4 * 1024;
const SUBJECT_MAX = 256;

export interface Message {
  row: MessageRow;
  body: string | null;
  attributes: string;
  subject: string | null;
  media: MessageMedia[] | null;
  /** Null for chat-only conversations. */
  delivery: DeliverySummary | null;
}

/**
 * A message arriving from a customer's channel (SMS, WhatsApp…) rather than from
 * an API caller: its author is the customer's participant, its media came from
 * the channel (so the fan-out limits of §6 do not refuse it here; the outbound
 * adapter applies them per recipient) and it may carry several files (MMS).
 */
export interface ChannelOrigin {
  participantSid: string;
  mediaSids: string[];
  /** Runs inside the message's transaction (e.g. the adapter's de-duplication record). */
  within?: (tx: Executor, message: MessageRow) => Promise<void>;
}

export interface MessageInput {
  author?: string;
  body?: string;
  attributes?: string;
  mediaSid?: string;
  contentSid?: string;
  contentVariables?: string;
  subject?: string;
  dateCreated?: number;
  dateUpdated?: number;
}

export class MessagesService {
  constructor(
    private readonly deps: ConversationsDeps,
    private readonly conversations: ConversationsService,
    private readonly hooks: ConversationHooks,
    private readonly media: MediaService,
  ) {}

  async get(accountSid: string, serviceSid: string, conversation: string, sid: string): Promise<Message> {
    const c = await this.conversations.get(accountSid, serviceSid, conversation);
    const row = await messagesStore.find(this.deps.storage.db, accountSid, c.row.sid, sid);
    if (!row) throw Errors.notFound(`/Conversations/${conversation}/Messages/${sid}`);
    return (await this.decorate(accountSid, c.row.sid, [row]))[0]!;
  }

  async list(accountSid: string, serviceSid: string, conversation: string, w: KeysetWindow): Promise<Array<Message & { seq: number }>> {
    const c = await this.conversations.get(accountSid, serviceSid, conversation);
    const rows = await messagesStore.list(this.deps.storage.db, accountSid, c.row.sid, w);
    return (await this.decorate(accountSid, c.row.sid, rows)).map((m) => ({ ...m, seq: m.row.seq }));
  }

  async create(actor: ActionSource, serviceSid: string, conversation: string, input: MessageInput, origin?: ChannelOrigin): Promise<Message> {
    const { storage, clock, cipher } = this.deps;
    validateInput(input);
    const c = await this.conversations.get(actor.accountSid, serviceSid, conversation);
    if (c.row.state === 'closed') throw Errors.conversationClosed(c.row.sid);
    const conversationSid = c.row.sid;
    // Inbound channel messages were already accepted by their channel: only the chat limits apply.
    const channels = origin ? [] : await messagesStore.nonChatChannels(storage.db, actor.accountSid, conversationSid);
    // A content template replaces body and media (Twilio ignores them when ContentSid is set).
    const templated = input.contentSid !== undefined;
    const body = templated ? undefined : input.body;
    const mediaSids = templated ? [] : [...(input.mediaSid !== undefined ? [input.mediaSid] : []), ...(origin?.mediaSids ?? [])];
    if (!body && mediaSids.length === 0 && !templated) throw Errors.invalidParameter('A message needs a Body, a MediaSid or a ContentSid');
    checkBody(body, channels);
    const media: MessageMedia[] = [];
    for (const m of mediaSids) media.push(await this.media.describe(storage.db, actor.accountSid, serviceSid, m, channels));
    const author = input.author ?? 'system';
    const authorParticipant = origin?.participantSid ?? (await authorParticipantSid(storage.db, actor.accountSid, conversationSid, author));
    const pre = await this.hooks.pre(actor, serviceSid, 'onMessageAdd', {
      ConversationSid: conversationSid,
      Body: body,
      Author: author,
      ParticipantSid: authorParticipant ?? undefined,
      Attributes: input.attributes ?? '{}',
      Media: media.length > 0 ? mediaParam(media) : undefined,
    });
    const final = applyPre(pre, { body, author, attributes: input.attributes ?? '{}' });
    checkBody(final.body, channels);
    checkAttributes(final.attributes);
    const sid = newSid(SidPrefix.Message);
    const row = await storage.transaction(async (tx) => {
      // Taking the index locks the conversation row and returns its current state.
      const current = await conversationsStore.takeMessageIndex(tx, actor.accountSid, conversationSid);
      if (!current) throw Errors.notFound(`/Conversations/${conversation}`);
      const index = current.last_message_index;
      await this.conversations.touch(tx, actor, current);
      const attached: MessageMedia[] = [];
      for (const m of mediaSids) attached.push(await this.media.attach(tx, actor.accountSid, serviceSid, m, sid, channels));
      const created = input.dateCreated ?? clock.now();
      const stored = await messagesStore.insert(tx, {
        sid,
        account_sid: actor.accountSid,
        service_sid: serviceSid,
        conversation_sid: conversationSid,
        idx: index,
        author: final.author,
        body: final.body !== undefined && final.body !== '' ? cipher.encrypt(final.body) : null,
        attributes: cipher.encrypt(final.attributes),
        participant_sid: final.author === author || origin ? authorParticipant : await authorParticipantSid(tx, actor.accountSid, conversationSid, final.author),
        media: attached.length > 0 ? JSON.stringify(attached) : null,
        subject: input.subject !== undefined ? cipher.encrypt(input.subject) : null,
        content_sid: input.contentSid ?? null,
        content_variables: templated && input.contentVariables !== undefined ? cipher.encrypt(input.contentVariables) : null,
        date_created: created,
        date_updated: input.dateUpdated ?? null,
      });
      await this.hooks.post(tx, actor, { event: 'onMessageAdded', serviceSid, conversationSid, params: this.eventParams(stored, current, final.body ?? null, final.attributes) });
      await origin?.within?.(tx, stored);
      return stored;
    });
    this.deps.outbox.committed();
    // A new message has no receipts yet: its summary is all-none where a carrier is involved.
    const carrier = origin ? true : channels.length > 0;
    return { ...this.decode(row), delivery: carrier ? summarize({}) : null };
  }

  async update(actor: ActionSource, serviceSid: string, conversation: string, sid: string, input: MessageInput): Promise<Message> {
    const { storage, clock, cipher } = this.deps;
    validateInput(input);
    const current = await this.get(actor.accountSid, serviceSid, conversation, sid);
    const conversationSid = current.row.conversation_sid;
    const channels = await messagesStore.nonChatChannels(storage.db, actor.accountSid, conversationSid);
    checkBody(input.body, channels);
    const pre = await this.hooks.pre(actor, serviceSid, 'onMessageUpdate', {
      ...this.hookParams(current),
      Body: input.body ?? current.body ?? undefined,
      Author: input.author ?? current.row.author,
      Attributes: input.attributes ?? current.attributes,
    });
    const final = applyPre(pre, { body: input.body, author: input.author, attributes: input.attributes });
    checkBody(final.body, channels);
    if (final.attributes !== undefined) checkAttributes(final.attributes);
    const body = final.body !== undefined ? final.body : (current.body ?? undefined);
    if (!body && !current.row.media && !current.row.content_sid) throw Errors.invalidParameter('A message needs a Body, a MediaSid or a ContentSid');
    const row = await storage.transaction(async (tx) => {
      const conv = await this.conversations.forWrite(tx, actor.accountSid, serviceSid, conversationSid);
      const before = await messagesStore.find(tx, actor.accountSid, conversationSid, sid);
      if (!before) throw Errors.notFound(`/Conversations/${conversation}/Messages/${sid}`);
      const author = final.author ?? before.author;
      await messagesStore.update(tx, actor.accountSid, sid, {
        author,
        ...(final.author !== undefined ? { participant_sid: await authorParticipantSid(tx, actor.accountSid, conversationSid, author) } : {}),
        ...(final.body !== undefined ? { body: final.body !== '' ? cipher.encrypt(final.body) : null } : {}),
        ...(final.attributes !== undefined ? { attributes: cipher.encrypt(final.attributes) } : {}),
        ...(input.subject !== undefined ? { subject: cipher.encrypt(input.subject) } : {}),
        ...(input.dateCreated !== undefined ? { date_created: input.dateCreated } : {}),
        date_updated: input.dateUpdated ?? clock.now(),
      });
      const stored = (await messagesStore.bySid(tx, actor.accountSid, sid))!;
      const plain = this.decode(stored);
      await this.hooks.post(tx, actor, {
        event: 'onMessageUpdated',
        serviceSid,
        conversationSid,
        params: { ...this.eventParams(stored, conv, plain.body, plain.attributes), DateUpdated: isoDate(stored.date_updated) ?? undefined },
      });
      return stored;
    });
    this.deps.outbox.committed();
    return (await this.decorate(actor.accountSid, conversationSid, [row]))[0]!;
  }

  async delete(actor: ActionSource, serviceSid: string, conversation: string, sid: string): Promise<void> {
    const current = await this.get(actor.accountSid, serviceSid, conversation, sid);
    const conversationSid = current.row.conversation_sid;
    await this.hooks.pre(actor, serviceSid, 'onMessageRemove', this.hookParams(current));
    const now = this.deps.clock.now();
    await this.deps.storage.transaction(async (tx) => {
      const conv = await this.conversations.forWrite(tx, actor.accountSid, serviceSid, conversationSid);
      const before = await messagesStore.find(tx, actor.accountSid, conversationSid, sid);
      if (!before) throw Errors.notFound(`/Conversations/${conversation}/Messages/${sid}`);
      await messagesStore.delete(tx, actor.accountSid, sid);
      const plain = this.decode(before);
      await this.hooks.post(tx, actor, {
        event: 'onMessageRemoved',
        serviceSid,
        conversationSid,
        params: { ...this.eventParams(before, conv, plain.body, plain.attributes), DateUpdated: isoDate(before.date_updated) ?? undefined, DateRemoved: isoDate(now)! },
      });
    });
    this.deps.outbox.committed();
  }

  decode(row: MessageRow): Omit<Message, 'delivery'> {
    const { cipher } = this.deps;
    return {
      row,
      body: row.body !== null ? cipher.decrypt(row.body) : null,
      attributes: cipher.decrypt(row.attributes),
      subject: row.subject !== null ? cipher.decrypt(row.subject) : null,
      media: row.media ? (JSON.parse(row.media) as MessageMedia[]) : null,
    };
  }

  /** Decrypts rows and adds their delivery summaries (two queries per page, not per row). */
  private async decorate(accountSid: string, conversationSid: string, rows: MessageRow[]): Promise<Message[]> {
    const db = this.deps.storage.db;
    const carrier = (await messagesStore.nonChatChannels(db, accountSid, conversationSid)).length > 0;
    const counts = new Map<string, Record<string, number>>();
    for (const c of await receiptsStore.statusCounts(db, accountSid, rows.map((r) => r.sid))) {
      const entry = counts.get(c.message_sid) ?? {};
      entry[c.status] = c.n;
      counts.set(c.message_sid, entry);
    }
    return rows.map((row) => {
      const receipts = counts.get(row.sid);
      return { ...this.decode(row), delivery: receipts || carrier ? summarize(receipts ?? {}) : null };
    });
  }

  /** Replays onMessageAdded for messages at or after `fromIndex` to one destination (scoped webhook ReplayAfter). */
  async replayAdded(tx: Executor, conv: ConversationRow, fromIndex: number, to: Delivery): Promise<void> {
    const rows = await tx
      .selectFrom('conv_messages')
      .selectAll()
      .where('account_sid', '=', conv.account_sid)
      .where('conversation_sid', '=', conv.sid)
      .where('idx', '>=', fromIndex)
      .orderBy('idx')
      .execute();
    for (const row of rows) {
      const plain = this.decode(row);
      await this.hooks.replay(tx, conv.account_sid, { event: 'onMessageAdded', serviceSid: conv.service_sid, conversationSid: conv.sid, source: 'API', params: this.eventParams(row, conv, plain.body, plain.attributes) }, to);
    }
  }

  /** Parameters of onMessageAdded/Updated/Removed (reference §2.8). */
  private eventParams(row: MessageRow, conv: ConversationRow, body: string | null, attributes: string): WebhookParams {
    const media = row.media ? (JSON.parse(row.media) as MessageMedia[]) : null;
    return {
      ConversationSid: row.conversation_sid,
      MessageSid: row.sid,
      MessagingServiceSid: conv.messaging_service_sid ?? undefined,
      Index: String(row.idx),
      DateCreated: isoDate(row.date_created)!,
      Body: body ?? undefined,
      Author: row.author,
      ParticipantSid: row.participant_sid ?? undefined,
      Attributes: attributes,
      Media: media ? mediaParam(media) : undefined,
    };
  }

  /** Parameters of the pre-action onMessageUpdate/onMessageRemove calls. */
  private hookParams(m: Message): WebhookParams {
    return {
      ConversationSid: m.row.conversation_sid,
      MessageSid: m.row.sid,
      Index: String(m.row.idx),
      DateCreated: isoDate(m.row.date_created)!,
      DateUpdated: isoDate(m.row.date_updated) ?? undefined,
      Body: m.body ?? undefined,
      Author: m.row.author,
      ParticipantSid: m.row.participant_sid ?? undefined,
      Attributes: m.attributes,
      Media: m.media ? mediaParam(m.media) : undefined,
    };
  }
}

/** Webhooks carry media as a JSON string array of {Sid, Filename, ContentType, Size}. */
function mediaParam(media: MessageMedia[]): string {
  return JSON.stringify(media.map((m) => ({ Sid: m.sid, Filename: m.filename, ContentType: m.content_type, Size: m.size })));
}

/** A pre-action webhook's JSON reply may replace body, author and attributes. */
function applyPre<T extends { body: string | undefined; author: string | undefined; attributes: string | undefined }>(pre: Record<string, unknown>, values: T): T {
  return {
    ...values,
    ...(typeof pre.body === 'string' ? { body: pre.body } : {}),
    ...(typeof pre.author === 'string' ? { author: pre.author } : {}),
    ...(typeof pre.attributes === 'string' ? { attributes: pre.attributes } : {}),
  };
}

function checkBody(body: string | undefined, channels: readonly string[]): void {
  if (body === undefined) return;
  if (channels.some((c) => CARRIER_CHANNELS.includes(c)) && [...body].length > CARRIER_BODY_MAX_CHARS) {
    throw Errors.invalidParameter(`Body must be at most ${CARRIER_BODY_MAX_CHARS} characters in a conversation with SMS or WhatsApp participants`);
  }
  if (Buffer.byteLength(body, 'utf8') > CHAT_BODY_MAX_BYTES) throw Errors.invalidParameter(`Body must be at most ${CHAT_BODY_MAX_BYTES} bytes`);
}

function checkAttributes(attributes: string): void {
  try {
    JSON.parse(attributes);
  } catch {
    throw Errors.invalidParameter('Attributes must be a valid JSON string');
  }
  if (Buffer.byteLength(attributes, 'utf8') > ATTRIBUTES_MAX_BYTES) throw Errors.invalidParameter(`Attributes must be at most ${ATTRIBUTES_MAX_BYTES} bytes`);
}

function validateInput(input: MessageInput): void {
  if (input.attributes !== undefined) checkAttributes(input.attributes);
  if (input.author !== undefined && (input.author.length === 0 || input.author.length > 256)) throw Errors.invalidParameter('Author must be 1 to 256 characters');
  if (input.subject !== undefined && input.subject.length > SUBJECT_MAX) throw Errors.invalidParameter(`Subject must be at most ${SUBJECT_MAX} characters`);
  if (input.mediaSid !== undefined && !/^ME[0-9a-fA-F]{32}$/.test(input.mediaSid)) throw Errors.invalidParameter('MediaSid must be an ME SID');
  if (input.contentSid !== undefined && !/^HX[0-9a-fA-F]{32}$/.test(input.contentSid)) throw Errors.invalidParameter('ContentSid must be an HX SID');
  if (input.contentVariables !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input.contentVariables);
    } catch {
      throw Errors.invalidParameter('ContentVariables must be a valid JSON string');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw Errors.invalidParameter('ContentVariables must be a JSON object');
  }
}


/** The participant a message is attributed to: the one whose identity equals the author. */
async function authorParticipantSid(db: Executor, accountSid: string, conversationSid: string, author: string): Promise<string | null> {
  return (await participantsStore.byIdentity(db, accountSid, conversationSid, author))?.sid ?? null;
}
