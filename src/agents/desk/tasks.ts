import { Errors } from '../../platform/errors.js';
import { interactionsStore, type ChannelRow, type ParticipantRow } from '../../interactions/store.js';
import type { AgentSession } from '../session.js';
import { parseObject, renderTask } from './render.js';
import type { Desk, HeldTask } from './service.js';

type Json = Record<string, unknown>;

export const OUTBOUND_CHANNELS = ['sms', 'whatsapp', 'email'] as const;
export const TRANSFER_KINDS = ['cold', 'warm'] as const;
const MAX_DISPOSITION = 256;

/** The Flex side of a task: its interaction channel and the agent's participant in it. */
interface FlexPart {
  channel: ChannelRow;
  /** The agent's active participant (absent once they left, or before the orchestrator added them). */
  me: ParticipantRow | undefined;
  others: ParticipantRow[];
}

function dispositionParam(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '' || v.length > MAX_DISPOSITION) throw Errors.invalidParameter(`Disposition must be 1 to ${MAX_DISPOSITION} characters`);
  return v;
}

/**
 * What an agent does with a task they hold, through Flex Interactions as the
 * Flex UI does: wrap up (leave the conversation; the last agent out closes the
 * interaction channel, and with it the conversation), complete with a
 * disposition, transfer, invite another agent, start an outbound conversation.
 */
export class DeskTasks {
  constructor(private readonly desk: Desk) {}

  private async flex(h: HeldTask): Promise<FlexPart | undefined> {
    const channelSid = parseObject(h.task.attributes).flexInteractionChannelSid;
    if (typeof channelSid !== 'string') return undefined;
    const db = this.desk.deps.storage.db;
    const channel = await interactionsStore.channelBySid(db, h.ws.account_sid, channelSid);
    if (!channel) return undefined;
    const all = await interactionsStore.allParticipants(db, h.ws.account_sid, channel.sid);
    const me = all.find((p) => p.type === 'agent' && p.status === 'active' && p.task_sid === h.task.row.sid && p.worker_sid === h.workerSid);
    const others = all.filter((p) => p.type === 'agent' && p.status === 'active' && p !== me);
    return { channel, me, others };
  }

  private async setDisposition(s: AgentSession, h: HeldTask, disposition: string | undefined): Promise<void> {
    if (disposition === undefined) return;
    const attributes = { ...parseObject(h.task.attributes), disposition };
    await this.desk.deps.taskrouter.tasks.update(this.desk.actor(s), h.ws, h.task.row.sid, { attributes: JSON.stringify(attributes) });
  }

  /**
   * Ends the agent's part in the conversation; the task moves to wrapping.
   * With `keepOpen` unset and nobody else on it, the interaction channel closes
   * (the conversation is closed, its transcript kept), as Flex's "End chat".
   */
  async wrapup(s: AgentSession, taskSid: string, input: { disposition?: string; keepOpen?: boolean }): Promise<Json> {
    const disposition = dispositionParam(input.disposition);
    const h = await this.desk.heldTask(s, taskSid);
    if (h.task.row.assignment_status !== 'assigned') throw Errors.invalidParameter(`Task ${taskSid} is ${h.task.row.assignment_status}: only an assigned task wraps up`);
    await this.setDisposition(s, h, disposition);
    await this.leave(s, h, input.keepOpen === true);
    return this.render(s, taskSid);
  }

  private async leave(s: AgentSession, h: HeldTask, keepOpen: boolean): Promise<void> {
    const { interactions, taskrouter } = this.desk.deps;
    const flex = await this.flex(h);
    const open = flex && (flex.channel.status === 'active' || flex.channel.status === 'inactive' || flex.channel.status === 'setup');
    if (flex && open && !keepOpen && flex.others.length === 0) {
      await interactions.channels.update(s.accountSid, flex.channel.interaction_sid, flex.channel.sid, { status: 'closed' });
    } else if (flex && open && flex.me) {
      await interactions.participants.update(s.accountSid, flex.channel.interaction_sid, flex.channel.sid, flex.me.sid, 'wrapup');
    }
    const now = await taskrouter.tasks.get(h.ws, h.task.row.sid);
    if (now.row.assignment_status === 'assigned') {
      await taskrouter.reservations.update(this.desk.actor(s), h.ws, { workerSid: h.workerSid }, h.reservation.sid, { reservationStatus: 'wrapping' });
    }
  }

  /** Completes the task (wrapping it up first if it is still assigned), with its disposition in the attributes. */
  async complete(s: AgentSession, taskSid: string, input: { disposition?: string }): Promise<Json> {
    const disposition = dispositionParam(input.disposition);
    let h = await this.desk.heldTask(s, taskSid);
    if (h.task.row.assignment_status === 'assigned') {
      await this.leave(s, h, false);
      h = await this.desk.heldTask(s, taskSid);
    }
    const attributes = disposition !== undefined ? JSON.stringify({ ...parseObject(h.task.attributes), disposition }) : undefined;
    const task = await this.desk.deps.taskrouter.tasks.update(this.desk.actor(s), h.ws, taskSid, { ...(attributes !== undefined ? { attributes } : {}), assignmentStatus: 'completed', reason: disposition ?? 'Completed by the agent' });
    return renderTask(task, { ...h.reservation, status: 'completed' }, this.desk.now());
  }

  /** A cold or warm transfer of the conversation to another worker (WK) or a queue (WQ). */
  async transfer(s: AgentSession, taskSid: string, input: { to: string; kind?: string }): Promise<Json> {
    const kind = input.kind ?? 'cold';
    if (!(TRANSFER_KINDS as readonly string[]).includes(kind)) throw Errors.invalidParameter('Type must be cold or warm');
    const h = await this.desk.heldTask(s, taskSid);
    const flex = await this.flexOrRefuse(h, 'transferred');
    if (!flex.me) throw Errors.invalidParameter(`You are not in the conversation of task ${taskSid} (yet): it cannot be transferred`);
    const t = await this.desk.deps.interactions.transfers.create(s.accountSid, flex.channel.interaction_sid, flex.channel.sid, { type: kind, from: flex.me.sid, to: input.to });
    return { sid: t.sid, type: t.type, status: t.status, to: t.to_sid, task_sid: t.task_sid, interaction_sid: t.interaction_sid, channel_sid: t.channel_sid };
  }

  /** Brings a second agent (WK) or someone of a queue (WQ) into the conversation with a task of their own. */
  async invite(s: AgentSession, taskSid: string, input: { to: string }): Promise<Json> {
    const h = await this.desk.heldTask(s, taskSid);
    const flex = await this.flexOrRefuse(h, 'shared');
    const target = input.to.startsWith('WK') ? { worker_sid: input.to } : input.to.startsWith('WQ') ? { queue_sid: input.to } : undefined;
    if (!target || !/^(WK|WQ)[0-9a-fA-F]{32}$/.test(input.to)) throw Errors.invalidParameter('To must be a Worker (WK) or TaskQueue (WQ) SID');
    if (input.to === h.workerSid) throw Errors.invalidParameter('You are already in this conversation');
    const who = await this.desk.identity.of(s.agent);
    const routing = {
      properties: {
        workspace_sid: h.ws.sid,
        ...target,
        ...(h.task.channelUniqueName ? { task_channel_unique_name: h.task.channelUniqueName } : {}),
        attributes: { invitedBy: who.identity, invitingTaskSid: taskSid },
      },
    };
    const invite = await this.desk.deps.interactions.invites.create(s.accountSid, flex.channel.interaction_sid, flex.channel.sid, JSON.stringify(routing));
    return { sid: invite.row.sid, task_sid: invite.row.task_sid, interaction_sid: invite.row.interaction_sid, channel_sid: invite.row.channel_sid };
  }

  private async flexOrRefuse(h: HeldTask, verb: string): Promise<FlexPart> {
    const flex = await this.flex(h);
    if (!flex) throw Errors.invalidParameter(`Task ${h.task.row.sid} is not a Flex interaction task: it cannot be ${verb}`);
    if (flex.channel.status === 'closed' || flex.channel.status === 'failed') throw Errors.flexChannelNotOpen(flex.channel.sid, flex.channel.status);
    return flex;
  }

  /**
   * An agent-initiated conversation (Flex's outbound): an interaction whose
   * conversation reaches `to` from one of the account's addresses, routed to this
   * agent, whose reservation is accepted at once. An email's Subject becomes the
   * conversation's friendly name, which the email channel sends as the subject.
   */
  async outbound(s: AgentSession, input: { channel: string; to: string; from?: string; body?: string; subject?: string }): Promise<Json> {
    const { deps } = this.desk;
    if (!(OUTBOUND_CHANNELS as readonly string[]).includes(input.channel)) throw Errors.invalidParameter(`Channel must be one of ${OUTBOUND_CHANNELS.join(', ')}`);
    const type = input.channel as 'sms' | 'whatsapp' | 'email';
    const to = type === 'whatsapp' && !input.to.startsWith('whatsapp:') ? `whatsapp:${input.to}` : input.to.trim();
    if (type === 'email') {
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(to)) throw Errors.invalidParameter(`To must be an email address, got "${input.to}"`);
    } else if (!/^(whatsapp:)?\+[1-9]\d{6,14}$/.test(to)) throw Errors.invalidParameter(`To must be a phone number in E.164 form (+15551234567), got "${input.to}"`);
    if (input.subject !== undefined && type !== 'email') throw Errors.invalidParameter('Subject is for email only');
    const from = input.from ?? (await deps.conversations.addresses.list(s.accountSid, type, { ascending: true, limit: 1 }))[0]?.row.address;
    if (from === undefined) throw Errors.invalidParameter(`This account has no ${type} address to send from: configure one first`);
    if (input.from !== undefined && !(await deps.conversations.addresses.findByAddress(s.accountSid, type, input.from))) throw Errors.invalidParameter(`From ${input.from} is not a ${type} address of this account`);
    const workerSid = this.desk.workerSid(s);
    const ws = await this.desk.workspace(s);
    const queueSid = await this.queueFor(s);
    const who = await this.desk.identity.of(s.agent);
    const view = await deps.interactions.interactions.create(s.accountSid, {
      channel: JSON.stringify({ type, initiated_by: 'agent', participants: [{ address: to, proxy_address: from }] }),
      routing: JSON.stringify({ properties: { workspace_sid: ws.sid, worker_sid: workerSid, queue_sid: queueSid, task_channel_unique_name: type, attributes: { from: who.identity, customerAddress: to } } }),
    });
    const taskSid = (view.routing as { properties?: { sid?: string } }).properties?.sid;
    const conversationSid = view.channel?.conversation_sid ?? null;
    if (taskSid) {
      const pending = (await deps.taskrouter.reservations.list(ws, { workerSid }, { status: 'pending' })).find((r) => r.row.task_sid === taskSid);
      if (pending) await deps.taskrouter.reservations.update(this.desk.actor(s), ws, { workerSid }, pending.row.sid, { reservationStatus: 'accepted' });
      if (input.subject !== undefined && input.subject.trim() !== '' && conversationSid && view.channel) {
        await deps.conversations.conversations.update({ accountSid: s.accountSid, source: 'API', webhooksEnabled: false }, view.channel.service_sid, conversationSid, { friendlyName: input.subject.trim() });
      }
      if (input.body !== undefined && input.body.trim() !== '' && conversationSid && view.channel) {
        await deps.conversations.messages.create({ accountSid: s.accountSid, source: 'API', webhooksEnabled: false }, view.channel.service_sid, conversationSid, { author: who.identity, body: input.body });
      }
    }
    const task = taskSid ? await deps.taskrouter.tasks.get(ws, taskSid) : undefined;
    return { interaction_sid: view.row.sid, conversation_sid: conversationSid, task: task ? renderTask(task, undefined, this.desk.now()) : null };
  }

  /** The queue an outbound task is counted in: the Flex defaults' when it is this workspace's, else the first. */
  private async queueFor(s: AgentSession): Promise<string> {
    const defaults = await this.desk.deps.flexDefaults(s.accountSid);
    if (defaults && defaults.workspaceSid === s.agent.workspace_sid) return defaults.queueSid;
    const [first] = await this.desk.deps.taskrouter.taskQueues.list(s.accountSid, s.agent.workspace_sid, {}, { ascending: true, limit: 1 });
    if (!first) throw Errors.invalidParameter('The workspace has no TaskQueue for outbound tasks');
    return first.row.sid;
  }

  private async render(s: AgentSession, taskSid: string): Promise<Json> {
    const h = (await this.desk.held(s)).find((x) => x.task.row.sid === taskSid);
    if (h) return renderTask(h.task, h.reservation, this.desk.now());
    const ws = await this.desk.workspace(s);
    return renderTask(await this.desk.deps.taskrouter.tasks.get(ws, taskSid), undefined, this.desk.now());
  }
}
