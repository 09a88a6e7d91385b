import { Errors } from '../platform/errors.js';
import { isoDate } from '../platform/clock.js';
import type { MessageMedia } from '../media/service.js';
import type { SupervisionDeps } from './deps.js';
import { supervisionStore } from './store.js';

/** Enough history to follow a conversation; older messages are in the Conversations API. */
const MESSAGES_MAX = 200;

/**
 * Silent monitoring: what a supervisor sees of a conversation without joining
 * it — its participants, recent messages with their attachments, and the
 * whispers. Read from the stores directly: the supervisor is no participant, and
 * nothing here writes (no read horizon moves, no event fires).
 */
export class ConversationMonitor {
  constructor(private readonly deps: SupervisionDeps) {}

  async snapshot(accountSid: string, conversationSid: string) {
    const { storage, cipher } = this.deps;
    const db = storage.db;
    const c = await supervisionStore.conversation(db, accountSid, conversationSid);
    if (!c) throw Errors.notFound(`/Conversations/${conversationSid}`);
    const [participants, messages] = await Promise.all([supervisionStore.participants(db, accountSid, c.sid), supervisionStore.messages(db, accountSid, c.sid, MESSAGES_MAX)]);
    return {
      conversation: {
        sid: c.sid,
        chat_service_sid: c.service_sid,
        friendly_name: c.friendly_name,
        unique_name: c.unique_name,
        state: c.state,
        attributes: cipher.decrypt(c.attributes),
        date_created: isoDate(c.date_created),
        date_updated: isoDate(c.date_updated),
      },
      participants: participants.map((p) => ({
        sid: p.sid,
        identity: p.identity,
        channel: p.binding_type ?? 'chat',
        address: p.binding_address,
        proxy_address: p.binding_proxy_address,
        date_created: isoDate(p.date_created),
      })),
      messages: messages.map((m) => ({
        sid: m.sid,
        index: Number(m.idx),
        author: m.author,
        participant_sid: m.participant_sid,
        body: m.body !== null ? cipher.decrypt(m.body) : null,
        media: m.media ? (JSON.parse(m.media) as MessageMedia[]) : null,
        date_created: isoDate(m.date_created),
      })),
    };
  }

  /** An attachment's bytes, only through the conversation its message belongs to. */
  async media(accountSid: string, conversationSid: string, mediaSid: string): Promise<{ contentType: string; filename: string | null; data: Buffer }> {
    const where = await supervisionStore.mediaConversation(this.deps.storage.db, accountSid, mediaSid);
    if (!where || where.conversation_sid !== conversationSid) throw Errors.notFound(`/Conversations/${conversationSid}/Media/${mediaSid}`);
    return this.deps.media.content(accountSid, where.service_sid, mediaSid);
  }
}
