import { Errors } from '../platform/errors.js';
import { isoDate } from '../platform/clock.js';
import { newSid } from '../platform/sid.js';
import type { AgentRow } from '../agents/store.js';
import type { SupervisionDeps } from './deps.js';
import { supervisionStore, type WhisperRow } from './store.js';
import { WHISPER_EVENT, type WhisperEventData } from './events.js';

/** Parley's own prefix: whispers have no Twilio counterpart. */
export const WHISPER_SID_PREFIX = 'WP';
const BODY_MAX_CHARS = 4096;
const LIST_MAX = 200;

export interface Whisper {
  sid: string;
  account_sid: string;
  conversation_sid: string;
  author: string;
  author_role: string;
  body: string;
  date_created: string;
}

/** Who is whispering: a logged-in agent account and the chat identity it speaks with. */
export interface WhisperAuthor {
  agent: AgentRow;
  identity: string;
}

/**
 * Whispers: notes on a conversation that only its agents and supervisors see.
 * They are not Conversations messages — nothing in the Conversations product
 * stores, fans out or hooks them — so no customer channel, webhook or Studio flow
 * can ever carry one. Stored encrypted; delivered on the conversation's realtime
 * stream to staff subscribers only.
 */
export class WhispersService {
  constructor(private readonly deps: SupervisionDeps) {}

  /**
   * Who may whisper in (and read the whispers of) a conversation: supervisors and
   * admins, and agents who take part in it (a participant with their identity).
   * Unknown conversations answer 20404, before any role check, as elsewhere.
   */
  async authorize(agent: AgentRow, conversationSid: string): Promise<WhisperAuthor> {
    const db = this.deps.storage.db;
    if (!(await supervisionStore.conversation(db, agent.account_sid, conversationSid))) throw Errors.notFound(`/Conversations/${conversationSid}`);
    const { identity } = await this.deps.identity.of(agent);
    if (agent.role === 'supervisor' || agent.role === 'admin') return { agent, identity };
    if (await supervisionStore.hasParticipant(db, agent.account_sid, conversationSid, identity)) return { agent, identity };
    throw Errors.permissionDenied(`Only supervisors and the agents of ${conversationSid} may whisper in it`);
  }

  async create(author: WhisperAuthor, conversationSid: string, body: string | undefined): Promise<Whisper> {
    const text = (body ?? '').trim();
    if (text.length === 0) throw Errors.invalidParameter('Body is required');
    if (text.length > BODY_MAX_CHARS) throw Errors.invalidParameter(`Body must be at most ${BODY_MAX_CHARS} characters`);
    const { storage, cipher, clock, outbox } = this.deps;
    const accountSid = author.agent.account_sid;
    const row: WhisperRow = {
      seq: 0,
      sid: newSid(WHISPER_SID_PREFIX),
      account_sid: accountSid,
      conversation_sid: conversationSid,
      author_identity: author.identity,
      author_agent_sid: author.agent.sid,
      author_role: author.agent.role,
      body: cipher.encrypt(text),
      date_created: clock.now(),
    };
    const whisper = render(row, text);
    const data: WhisperEventData = {
      EventType: 'onWhisperAdded',
      AccountSid: accountSid,
      ConversationSid: conversationSid,
      WhisperSid: row.sid,
      Body: text,
      Author: row.author_identity,
      AuthorRole: row.author_role,
      DateCreated: whisper.date_created,
    };
    await storage.transaction(async (tx) => {
      const { seq: _seq, ...insert } = row;
      await supervisionStore.insertWhisper(tx, insert);
      await outbox.write(tx, [{ type: WHISPER_EVENT, accountSid, data }]);
    });
    outbox.committed();
    return whisper;
  }

  /** The newest whispers of a conversation (at most 200), oldest first. */
  async list(accountSid: string, conversationSid: string, limit = 50): Promise<Whisper[]> {
    const rows = await supervisionStore.whispers(this.deps.storage.db, accountSid, conversationSid, Math.max(1, Math.min(LIST_MAX, limit)));
    return rows.map((r) => render(r, this.deps.cipher.decrypt(r.body)));
  }
}

function render(r: WhisperRow, body: string): Whisper {
  return {
    sid: r.sid,
    account_sid: r.account_sid,
    conversation_sid: r.conversation_sid,
    author: r.author_identity,
    author_role: r.author_role,
    body,
    date_created: isoDate(r.date_created)!,
  };
}
