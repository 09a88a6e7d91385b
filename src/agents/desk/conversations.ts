import { Errors } from '../../platform/errors.js';
import { checkChannelLimits } from '../../media/limits.js';
import type { MediaMeta } from '../../media/store.js';
import { interactionsStore } from '../../interactions/store.js';
import type { Conversation } from '../../conversations/conversation/service.js';
import type { AgentSession } from '../session.js';
import { parseObject, renderConversation, renderMessage, renderParticipant, renderTask } from './render.js';
import type { Desk } from './service.js';

type Json = Record<string, unknown>;

/** How much of a transcript one read returns, and how many earlier conversations the history holds. */
const MAX_MESSAGES = 500;
const MAX_EARLIER = 10;

/**
 * Conversations as the agent desktop reads them: a transcript with
 * participants, media and delivery, the customer's earlier conversations, and
 * the customer's context. An agent reads the conversations of tasks they were
 * offered or held, and the earlier conversations of the customers of tasks they
 * hold now; supervisors and admins read any in their account.
 */
export class DeskConversations {
  constructor(private readonly desk: Desk) {}

  private get deps() {
    return this.desk.deps;
  }

  private async find(accountSid: string, sid: string): Promise<Conversation | undefined> {
    const row = await this.deps.storage.db.selectFrom('conv_conversations').select(['service_sid']).where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
    if (!row) return undefined;
    return this.deps.conversations.conversations.get(accountSid, row.service_sid, sid);
  }

  /** The conversation if this session may read it, else 20404 (as if it did not exist). */
  async readable(s: AgentSession, sid: string): Promise<Conversation> {
    const conv = await this.find(s.accountSid, sid);
    const notFound = Errors.notFound(`/agent-api/v1/Conversations/${sid}`);
    if (!conv) throw notFound;
    if (s.role === 'supervisor' || s.role === 'admin') return conv;
    if (s.agent.worker_sid === null) throw notFound;
    if ((await this.ownConversations(s)).has(sid)) return conv;
    const customers = await this.liveCustomers(s);
    const members = await this.deps.conversations.participants.allOf(s.accountSid, sid);
    if (members.some((m) => (m.binding_address !== null && customers.has(m.binding_address)) || (m.identity !== null && customers.has(m.identity)))) return conv;
    throw notFound;
  }

  /** Conversations of every task the agent was in (Flex participants), or holds or is offered now. */
  private async ownConversations(s: AgentSession): Promise<Set<string>> {
    const db = this.deps.storage.db;
    const rows = await db
      .selectFrom('fx_participants as p')
      .innerJoin('fx_channels as c', 'c.sid', 'p.channel_sid')
      .select('c.conversation_sid')
      .where('p.account_sid', '=', s.accountSid)
      .where('p.worker_sid', '=', s.agent.worker_sid)
      .execute();
    const out = new Set(rows.map((r) => r.conversation_sid));
    for (const t of await this.liveTasks(s)) {
      const c = parseObject(t.attributes).conversationSid;
      if (typeof c === 'string') out.add(c);
    }
    return out;
  }

  private async liveTasks(s: AgentSession) {
    const ws = await this.desk.workspace(s);
    const held = (await this.desk.held(s)).map((h) => h.task);
    const offered = await this.deps.taskrouter.reservations.list(ws, { workerSid: this.desk.workerSid(s) }, { status: 'pending' });
    for (const r of offered) {
      const t = await this.deps.taskrouter.tasks.get(ws, r.row.task_sid).catch(() => undefined);
      if (t) held.push(t);
    }
    return held;
  }

  private async liveCustomers(s: AgentSession): Promise<Set<string>> {
    const out = new Set<string>();
    for (const h of await this.desk.held(s)) {
      const a = parseObject(h.task.attributes).customerAddress;
      if (typeof a === 'string') out.add(a);
    }
    return out;
  }

  /** The whole transcript: conversation, participants, messages with media and delivery. */
  async transcript(s: AgentSession, sid: string): Promise<Json> {
    const conv = await this.readable(s, sid);
    return this.render(conv);
  }

  private async render(conv: Conversation): Promise<Json> {
    const { accountSid } = { accountSid: conv.row.account_sid };
    const { participants, messages } = this.deps.conversations;
    const members = await participants.allOf(accountSid, conv.row.sid);
    const last = conv.row.last_message_index;
    const window = last >= MAX_MESSAGES ? { ascending: false, limit: MAX_MESSAGES } : { ascending: true, limit: MAX_MESSAGES };
    let list = await messages.list(accountSid, conv.row.service_sid, conv.row.sid, window);
    if (!window.ascending) list = list.reverse();
    return {
      conversation: renderConversation(conv),
      participants: members.map((m) => renderParticipant(m, parseObject(this.deps.cipher.decrypt(m.attributes)))),
      messages: list.map(renderMessage),
      truncated: last + 1 > list.length,
    };
  }

  /** The customer of a held task: who, on which channel, their earlier conversations and their dispositions. */
  async context(s: AgentSession, taskSid: string): Promise<Json> {
    const h = await this.desk.heldTask(s, taskSid);
    const a = parseObject(h.task.attributes);
    const earlier = await this.earlier(s, a);
    const previous: Json[] = [];
    for (const c of earlier) previous.push({ ...renderConversation(c), dispositions: await this.dispositions(s, c.row.sid) });
    return {
      task: renderTask(h.task, h.reservation, this.desk.now()),
      channel_type: a.channelType ?? null,
      customer: { address: a.customerAddress ?? null, name: a.customerName ?? null, details: a.customers ?? null },
      conversation_sid: a.conversationSid ?? null,
      previous_conversations: previous,
    };
  }

  /** Transcripts of the customer's earlier conversations, most recent first. */
  async history(s: AgentSession, taskSid: string): Promise<Json[]> {
    const h = await this.desk.heldTask(s, taskSid);
    const out: Json[] = [];
    for (const c of await this.earlier(s, parseObject(h.task.attributes))) out.push(await this.render(c));
    return out;
  }

  /** Other conversations in which the task's customer (address or chat identity) took part. */
  private async earlier(s: AgentSession, attributes: Json): Promise<Conversation[]> {
    const address = attributes.customerAddress;
    const current = attributes.conversationSid;
    if (typeof address !== 'string' || typeof current !== 'string') return [];
    const conv = await this.find(s.accountSid, current);
    if (!conv) return [];
    const { participants } = this.deps.conversations;
    const window = { ascending: false, limit: 50 };
    const byAddress = await participants.participantConversations(s.accountSid, conv.row.service_sid, { address }, window);
    const byIdentity = await participants.participantConversations(s.accountSid, conv.row.service_sid, { identity: address }, window);
    const seen = new Set<string>([current]);
    const out: Conversation[] = [];
    for (const pc of [...byAddress, ...byIdentity].sort((x, y) => y.conversation.row.date_created - x.conversation.row.date_created)) {
      if (seen.has(pc.conversation.row.sid)) continue;
      seen.add(pc.conversation.row.sid);
      out.push(pc.conversation);
      if (out.length >= MAX_EARLIER) break;
    }
    return out;
  }

  /** The dispositions agents gave the tasks of a conversation. */
  private async dispositions(s: AgentSession, conversationSid: string): Promise<string[]> {
    const db = this.deps.storage.db;
    const out: string[] = [];
    const channels = await db.selectFrom('fx_channels').select('sid').where('account_sid', '=', s.accountSid).where('conversation_sid', '=', conversationSid).execute();
    for (const c of channels) {
      for (const invite of await interactionsStore.allInvites(db, s.accountSid, c.sid)) {
        if (!invite.task_sid) continue;
        const ws = await this.deps.taskrouter.workspaces.get(s.accountSid, invite.workspace_sid).catch(() => undefined);
        const task = ws ? await this.deps.taskrouter.tasks.get(ws, invite.task_sid).catch(() => undefined) : undefined;
        const d = task ? parseObject(task.attributes).disposition : undefined;
        if (typeof d === 'string') out.push(d);
      }
    }
    return out;
  }

  /**
   * Stores a file for a message in the conversation, refusing what its
   * SMS/WhatsApp participants could not receive before anything is sent.
   */
  async upload(s: AgentSession, sid: string, file: { contentType: string; filename?: string; data: Buffer }): Promise<Json> {
    const conv = await this.readable(s, sid);
    if (conv.row.state === 'closed') throw Errors.conversationClosed(sid);
    const members = await this.deps.conversations.participants.allOf(s.accountSid, sid);
    const channels = [...new Set(members.filter((m) => m.binding_address !== null).map((m) => m.binding_type ?? 'sms'))];
    checkChannelLimits({ content_type: file.contentType, size: file.data.length }, channels);
    const who = await this.desk.identity.of(s.agent);
    const meta = await this.deps.conversations.media.upload(s.accountSid, conv.row.service_sid, { ...file, author: who.identity });
    return { sid: meta.sid, content_type: meta.content_type, filename: meta.filename, size: meta.size, url: `/agent-api/v1/Media/${meta.sid}` };
  }

  /** A file the session may see: attached to a readable conversation's message, or uploaded by this agent. */
  async media(s: AgentSession, mediaSid: string): Promise<{ meta: MediaMeta; data: Buffer }> {
    const db = this.deps.storage.db;
    const row = await db.selectFrom('media').select(['service_sid', 'message_sid', 'author']).where('account_sid', '=', s.accountSid).where('sid', '=', mediaSid).executeTakeFirst();
    const notFound = Errors.notFound(`/agent-api/v1/Media/${mediaSid}`);
    if (!row) throw notFound;
    if (row.message_sid !== null) {
      const msg = await db.selectFrom('conv_messages').select('conversation_sid').where('account_sid', '=', s.accountSid).where('sid', '=', row.message_sid).executeTakeFirst();
      if (!msg) throw notFound;
      await this.readable(s, msg.conversation_sid);
    } else {
      const who = await this.desk.identity.of(s.agent);
      if (row.author !== who.identity) throw notFound;
    }
    const { media } = this.deps.conversations;
    const meta = await media.get(s.accountSid, row.service_sid, mediaSid);
    const file = await media.content(s.accountSid, row.service_sid, mediaSid);
    return { meta, data: file.data };
  }
}
