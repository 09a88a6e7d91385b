import { isoDate } from '../platform/clock.js';
import type { TaskView } from '../taskrouter/tasks/service.js';
import type { ChannelRow, InteractionRow, InviteRow, ParticipantRow, TransferRow } from './store.js';

/** `<product base>/v1` of the request: url/links are absolute. */
export type Base = string;

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.floor(ms / 1000));

/**
 * A task as Flex embeds it in `routing.properties`: dates as epoch seconds,
 * `queue_*`/`workflow_name` names, `assignmentCounter` in camel case, and
 * `reason` an empty string until there is one (reference §3.1, OAI examples).
 */
export function taskProperties(v: TaskView, now: number): Record<string, unknown> {
  const r = v.row;
  return {
    account_sid: r.account_sid,
    workspace_sid: r.workspace_sid,
    sid: r.sid,
    date_created: seconds(r.date_created),
    date_updated: seconds(r.date_updated),
    task_queue_entered_date: seconds(r.task_queue_entered_date),
    attributes: v.attributes,
    assignment_status: r.assignment_status,
    workflow_sid: r.workflow_sid,
    workflow_name: v.workflowName,
    queue_sid: r.task_queue_sid,
    queue_name: v.queueName,
    task_channel_sid: r.task_channel_sid,
    task_channel_unique_name: v.channelUniqueName,
    priority: r.priority,
    age: Math.max(0, Math.floor((now - r.date_created) / 1000)),
    age_in_queue: r.task_queue_entered_date === null ? 0 : Math.max(0, Math.floor((now - r.task_queue_entered_date) / 1000)),
    reason: r.reason ?? '',
    timeout: r.timeout,
    assignmentCounter: r.assignment_counter,
    routing_target: r.routing_target,
    addons: r.addons,
  };
}

export function taskRouting(v: TaskView, now: number): Record<string, unknown> {
  return { reservation: null, properties: taskProperties(v, now) };
}

export interface InteractionView {
  row: InteractionRow;
  routing: unknown;
  channel: ChannelRow | undefined;
}

export function renderInteraction(v: InteractionView, base: Base): Record<string, unknown> {
  const url = `${base}/Interactions/${v.row.sid}`;
  return {
    sid: v.row.sid,
    channel: v.channel ? { type: v.channel.type, sid: v.channel.sid } : null,
    routing: v.routing,
    interaction_context_sid: v.row.interaction_context_sid,
    webhook_ttid: v.row.webhook_ttid,
    url,
    links: { channels: `${url}/Channels` },
  };
}

export function renderChannel(c: ChannelRow, base: Base): Record<string, unknown> {
  const url = `${base}/Interactions/${c.interaction_sid}/Channels/${c.sid}`;
  return {
    sid: c.sid,
    interaction_sid: c.interaction_sid,
    type: c.type,
    status: c.status,
    error_code: c.error_code,
    error_message: c.error_message,
    url,
    links: { participants: `${url}/Participants`, invites: `${url}/Invites`, transfers: `${url}/Transfers` },
  };
}

function channelUrl(base: Base, row: { interaction_sid: string; channel_sid: string }): string {
  return `${base}/Interactions/${row.interaction_sid}/Channels/${row.channel_sid}`;
}

/** Twilio returns no status for a channel participant; routing_properties only when it has some. */
export function renderParticipant(p: ParticipantRow, base: Base): Record<string, unknown> {
  return {
    sid: p.sid,
    type: p.type,
    interaction_sid: p.interaction_sid,
    channel_sid: p.channel_sid,
    routing_properties: p.routing_properties === null ? null : (JSON.parse(p.routing_properties) as unknown),
    url: `${channelUrl(base, p)}/Participants/${p.sid}`,
  };
}

export function renderInvite(i: InviteRow, routing: unknown, base: Base): Record<string, unknown> {
  return {
    sid: i.sid,
    interaction_sid: i.interaction_sid,
    channel_sid: i.channel_sid,
    routing,
    url: `${channelUrl(base, i)}/Invites/${i.sid}`,
  };
}

export function renderTransfer(t: TransferRow, base: Base): Record<string, unknown> {
  return {
    sid: t.sid,
    instance_sid: null,
    account_sid: t.account_sid,
    interaction_sid: t.interaction_sid,
    channel_sid: t.channel_sid,
    execution_sid: null,
    type: t.type,
    status: t.status,
    from: t.from_participant_sid,
    to: t.to_sid,
    note_sid: t.note_sid,
    summary_sid: t.summary_sid,
    date_created: isoDate(t.date_created),
    date_updated: isoDate(t.date_updated),
    url: `${channelUrl(base, t)}/Transfers/${t.sid}`,
  };
}
