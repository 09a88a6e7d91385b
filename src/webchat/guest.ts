import { Errors } from '../platform/errors.js';
import type { Storage } from '../storage/db.js';
import type { ConversationsProduct } from '../conversations/index.js';
import type { Message } from '../conversations/messages/service.js';
import type { MediaMeta } from '../media/store.js';
import { baseContentType } from '../media/limits.js';
import { realtimeStore } from '../realtime/store.js';
import { stream } from '../realtime/streams.js';
import type { SessionRow } from './store.js';

/** How much history a snapshot carries; older messages stay in Conversations. */
export const SNAPSHOT_MESSAGES = 200;

/**
 * What a guest may attach: a chat is not a file drop, so the types a customer
 * reasonably sends (pictures, PDFs, plain text) and at most 10 MB each — the
 * agent desktop shows them inline — rather than Parley's 20 MB storage cap.
 */
export const GUEST_MEDIA_MAX_BYTES = 10 * 1024 * 1024;
export const GUEST_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'] as const;

export interface SnapshotMessage {
  index: number;
  sid: string;
  author: string;
  participantSid: string | null;
  body: string | null;
  media: Array<{ sid: string; contentType: string; filename: string | null; size: number }>;
  dateCreated: number;
}

export interface SnapshotParticipant {
  sid: string;
  identity: string | null;
  friendlyName: string | null;
  lastReadMessageIndex: number | null;
  self: boolean;
}

export interface Snapshot {
  conversationSid: string;
  identity: string;
  state: string;
  /** The conversation stream's head before the rest was read: subscribe after it, de-duplicating by index. */
  seq: number;
  messages: SnapshotMessage[];
  participants: SnapshotParticipant[];
}

export interface GuestDeps {
  storage: Storage;
  conversations: Pick<ConversationsProduct, 'conversations' | 'messages' | 'participants' | 'users' | 'media'>;
}

/** What a guest reads and uploads in its own conversation. */
export class GuestConversation {
  constructor(private readonly deps: GuestDeps) {}

  async snapshot(session: SessionRow): Promise<Snapshot> {
    const { account_sid: accountSid, service_sid: serviceSid, conversation_sid: sid } = session;
    const { conversations, messages, participants, users } = this.deps.conversations;
    // Read the head first: anything committed later arrives on the socket, possibly again (same index).
    const seq = await realtimeStore.head(this.deps.storage.db, accountSid, stream.conversation(sid));
    const conv = await conversations.get(accountSid, serviceSid, sid);
    const recent = (await messages.list(accountSid, serviceSid, sid, { ascending: false, limit: SNAPSHOT_MESSAGES })).reverse();
    const members = await participants.list(accountSid, serviceSid, sid, { ascending: true, limit: 1000 });
    const people: SnapshotParticipant[] = [];
    for (const p of members) {
      let friendlyName = nameFrom(p.attributes);
      if (friendlyName === null && p.row.identity !== null && p.row.identity !== session.identity) {
        friendlyName = (await users.find(accountSid, serviceSid, p.row.identity).catch(() => undefined))?.friendly_name ?? null;
      }
      people.push({ sid: p.row.sid, identity: p.row.identity, friendlyName, lastReadMessageIndex: p.row.last_read_message_index, self: p.row.identity === session.identity });
    }
    return { conversationSid: sid, identity: session.identity, state: conv.row.state, seq, messages: recent.map(renderMessage), participants: people };
  }

  async upload(session: SessionRow, contentType: string, data: Buffer, filename: string | undefined): Promise<MediaMeta> {
    const type = baseContentType(contentType);
    if (!(GUEST_MEDIA_TYPES as readonly string[]).includes(type)) throw Errors.mediaTypeNotAllowed(type, 'web chat', GUEST_MEDIA_TYPES.join(', '));
    if (data.length > GUEST_MEDIA_MAX_BYTES) throw Errors.mediaTooLarge(GUEST_MEDIA_MAX_BYTES, 'web chat');
    const conv = await this.deps.conversations.conversations.get(session.account_sid, session.service_sid, session.conversation_sid);
    if (conv.row.state === 'closed') throw Errors.conversationClosed(session.conversation_sid);
    return this.deps.conversations.media.upload(session.account_sid, session.service_sid, { contentType: type, data, author: session.identity, ...(filename ? { filename } : {}) });
  }

  /** Media of the guest's conversation, or the guest's own upload not attached yet; anything else is not found. */
  async content(session: SessionRow, mediaSid: string): Promise<{ contentType: string; filename: string | null; data: Buffer }> {
    const { media } = this.deps.conversations;
    const meta = await media.get(session.account_sid, session.service_sid, mediaSid).catch(() => undefined);
    const mine = meta && (meta.channel_sid === session.conversation_sid || (meta.message_sid === null && meta.author === session.identity));
    if (!meta || !mine) throw Errors.notFound(`/Sessions/${session.conversation_sid}/Media/${mediaSid}`);
    return media.content(session.account_sid, session.service_sid, mediaSid);
  }
}

function renderMessage(m: Message): SnapshotMessage {
  return {
    index: m.row.idx,
    sid: m.row.sid,
    author: m.row.author,
    participantSid: m.row.participant_sid,
    body: m.body,
    media: (m.media ?? []).map((x) => ({ sid: x.sid, contentType: x.content_type, filename: x.filename, size: x.size })),
    dateCreated: m.row.date_created,
  };
}

function nameFrom(attributes: string): string | null {
  try {
    const a = JSON.parse(attributes) as Record<string, unknown>;
    for (const k of ['friendlyName', 'friendly_name', 'full_name', 'name']) if (typeof a[k] === 'string' && a[k] !== '') return a[k] as string;
  } catch {
    /* attributes are JSON by contract; a bad one just has no name */
  }
  return null;
}
