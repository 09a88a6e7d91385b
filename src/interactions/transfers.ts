import { Errors } from '../platform/errors.js';
import { newSid } from '../platform/sid.js';
import type { InteractionsDeps } from './deps.js';
import { routingProperties, type RoutingInput } from './input.js';
import { channelOpen } from './membership.js';
import { interactionsStore, type ChannelRow, type TransferRow } from './store.js';
import type { ChannelTasks } from './tasks.js';
import type { ChannelsService } from './channels.js';
import type { InvitesService } from './invites.js';
import type { ChannelParticipantsService } from './participants.js';

export const TRANSFER_TYPES = ['warm', 'cold'] as const;

interface TransferInput {
  type: (typeof TRANSFER_TYPES)[number];
  from: string;
  to: string;
  noteSid?: string;
  summarySid?: string;
  routing: RoutingInput;
}

type Json = Record<string, unknown>;

/**
 * Twilio declares the Transfers body as a JSON object without documented
 * properties; twilio-node sends whatever it is given under `body`. Parley reads
 * `{type, from, to, note_sid?, summary_sid?, attributes?, priority?, timeout?}`,
 * at the top level or under `body`.
 */
function transferBody(raw: unknown): Json {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw Errors.invalidParameter('The request body must be a JSON object');
  const o = raw as Json;
  const inner = o.body;
  if (Object.keys(o).length === 1 && inner !== null && typeof inner === 'object' && !Array.isArray(inner)) return inner as Json;
  return o;
}

function optionalSid(o: Json, key: string, prefix: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(v)) throw Errors.invalidParameter(`${key} must be a ${prefix} SID`);
  return v;
}

function parseTransfer(raw: unknown): TransferInput {
  const o = transferBody(raw);
  if (typeof o.type !== 'string' || !(TRANSFER_TYPES as readonly string[]).includes(o.type)) throw Errors.invalidParameter('type must be one of warm, cold');
  const from = optionalSid(o, 'from', 'UT');
  if (from === undefined) throw Errors.invalidParameter('from (the transferring agent participant, UT…) is required');
  if (typeof o.to !== 'string' || !/^(WK|WQ|WW)[0-9a-fA-F]{32}$/.test(o.to)) throw Errors.invalidParameter('to must be a Worker (WK), TaskQueue (WQ) or Workflow (WW) SID');
  const routing = routingProperties('Transfer', { attributes: o.attributes, priority: o.priority, timeout: o.timeout });
  const noteSid = optionalSid(o, 'note_sid', 'KQ');
  const summarySid = optionalSid(o, 'summary_sid', 'KQ');
  return { type: o.type as TransferInput['type'], from, to: o.to, routing, ...(noteSid ? { noteSid } : {}), ...(summarySid ? { summarySid } : {}) };
}

/**
 * Transfers move a conversation from one agent to another worker, queue or
 * workflow through a new task for the same channel. Warm: the transferring
 * agent stays until they leave. Cold: they leave (their task wraps up) when the
 * new reservation is accepted. The transfer is `active` while its task waits,
 * `completed` on accept, `failed` if the task is canceled first.
 */
export class TransfersService {
  constructor(
    private readonly deps: InteractionsDeps,
    private readonly channels: ChannelsService,
    private readonly tasks: ChannelTasks,
    private readonly invites: InvitesService,
    private readonly participants: ChannelParticipantsService,
  ) {}

  async get(accountSid: string, interactionSid: string, channelSid: string, sid: string): Promise<TransferRow> {
    await this.channels.get(accountSid, interactionSid, channelSid);
    const row = await interactionsStore.transfer(this.deps.storage.db, accountSid, channelSid, sid);
    if (!row) throw Errors.notFound(`/Interactions/${interactionSid}/Channels/${channelSid}/Transfers/${sid}`);
    return row;
  }

  async create(accountSid: string, interactionSid: string, channelSid: string, body: unknown): Promise<TransferRow> {
    const input = parseTransfer(body);
    const channel = await this.channels.get(accountSid, interactionSid, channelSid);
    channelOpen(channel);
    const db = this.deps.storage.db;
    const from = await interactionsStore.participant(db, accountSid, channelSid, input.from);
    if (!from || from.type !== 'agent' || from.status !== 'active') throw Errors.invalidParameter(`from ${input.from} is not an active agent participant of channel ${channelSid}`);
    if (input.to === from.worker_sid) throw Errors.invalidParameter('A transfer cannot target the transferring worker');
    const fromTask = from.task_sid ? await this.tasks.task(accountSid, channel.workspace_sid, from.task_sid) : undefined;
    const routing: RoutingInput = { ...input.routing, workspaceSid: fromTask?.row.workspace_sid ?? channel.workspace_sid };
    routing.attributes = { transferTargetType: input.to.startsWith('WK') ? 'worker' : input.to.startsWith('WQ') ? 'queue' : 'workflow', ...routing.attributes };
    if (fromTask) {
      routing.taskChannel = fromTask.row.task_channel_sid;
      routing.priority ??= fromTask.row.priority;
    }
    if (input.to.startsWith('WK')) {
      routing.workerSid = input.to;
      if (fromTask?.row.task_queue_sid) routing.queueSid = fromTask.row.task_queue_sid;
    } else if (input.to.startsWith('WQ')) routing.queueSid = input.to;
    else routing.workflowSid = input.to;
    // A transfer carries the conversation's context over: the transferring task's attributes.
    const inherited = fromTask ? (JSON.parse(fromTask.attributes) as Json) : {};
    const sid = newSid('UX');
    const now = this.deps.clock.now();
    await interactionsStore.insertTransfer(db, {
      sid,
      account_sid: accountSid,
      interaction_sid: interactionSid,
      channel_sid: channelSid,
      type: input.type,
      status: 'active',
      from_participant_sid: from.sid,
      to_sid: input.to,
      from_task_sid: from.task_sid,
      task_sid: null,
      note_sid: input.noteSid ?? null,
      summary_sid: input.summarySid ?? null,
      date_created: now,
      date_updated: now,
    });
    try {
      const routed = await this.invites.routeChannel(channel, routing, sid, inherited);
      await interactionsStore.updateTransfer(db, accountSid, sid, { task_sid: routed.task.row.sid, date_updated: this.deps.clock.now() });
    } catch (err) {
      await interactionsStore.deleteTransfer(db, accountSid, sid);
      throw err;
    }
    return (await interactionsStore.transfer(db, accountSid, channelSid, sid))!;
  }

  /** `{"status":"failed"}` withdraws a transfer nobody accepted yet; note and summary SIDs may be attached. */
  async update(accountSid: string, interactionSid: string, channelSid: string, sid: string, raw: unknown): Promise<TransferRow> {
    const o = transferBody(raw);
    const status = o.status;
    if (status !== undefined && status !== 'failed') throw Errors.invalidParameter('status can only be set to failed');
    const noteSid = optionalSid(o, 'note_sid', 'KQ');
    const summarySid = optionalSid(o, 'summary_sid', 'KQ');
    const row = await this.get(accountSid, interactionSid, channelSid, sid);
    const db = this.deps.storage.db;
    if (status === 'failed' && row.status !== 'failed') {
      if (row.status !== 'active') throw Errors.invalidParameter(`Transfer ${sid} is ${row.status} and cannot fail`);
      const channel = await this.channels.get(accountSid, interactionSid, channelSid);
      const task = row.task_sid ? await this.tasks.task(accountSid, channel.workspace_sid, row.task_sid) : undefined;
      if (task && task.row.assignment_status !== 'pending' && task.row.assignment_status !== 'reserved') throw Errors.invalidParameter(`Transfer ${sid} was already accepted`);
      await interactionsStore.updateTransfer(db, accountSid, sid, { status: 'failed', date_updated: this.deps.clock.now() });
      if (task) await this.tasks.end(accountSid, task, 'completed', 'Transfer withdrawn');
    }
    if (noteSid !== undefined || summarySid !== undefined) {
      await interactionsStore.updateTransfer(db, accountSid, sid, { ...(noteSid ? { note_sid: noteSid } : {}), ...(summarySid ? { summary_sid: summarySid } : {}), date_updated: this.deps.clock.now() });
    }
    return this.get(accountSid, interactionSid, channelSid, sid);
  }

  /** The transfer's task was accepted: completed; a cold transfer's transferring agent leaves. */
  async accepted(channel: ChannelRow, transferSid: string): Promise<void> {
    const db = this.deps.storage.db;
    const t = await interactionsStore.transferBySid(db, channel.account_sid, transferSid);
    if (!t || t.status !== 'active') return;
    await interactionsStore.updateTransfer(db, channel.account_sid, t.sid, { status: 'completed', date_updated: this.deps.clock.now() });
    if (t.type !== 'cold') return;
    const from = await interactionsStore.participant(db, channel.account_sid, channel.sid, t.from_participant_sid);
    if (from && from.status === 'active') await this.participants.leave(channel, from, 'wrapup');
  }

  /** The transfer's task ended before anyone accepted it. */
  async failed(accountSid: string, transferSid: string): Promise<void> {
    const db = this.deps.storage.db;
    const t = await interactionsStore.transferBySid(db, accountSid, transferSid);
    if (t && t.status === 'active') await interactionsStore.updateTransfer(db, accountSid, t.sid, { status: 'failed', date_updated: this.deps.clock.now() });
  }
}
