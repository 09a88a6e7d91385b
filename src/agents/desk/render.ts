import { isoDate } from '../../platform/clock.js';
import type { TaskView } from '../../taskrouter/tasks/service.js';
import type { ReservationRow } from '../../taskrouter/reservations/store.js';
import type { Message } from '../../conversations/messages/service.js';
import type { ParticipantRow } from '../../conversations/participants/store.js';
import type { Conversation } from '../../conversations/conversation/service.js';
import { AGENT_API } from '../session.js';

type Json = Record<string, unknown>;

export function parseObject(text: string | null | undefined): Json {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** What the desktop needs of a task: its Flex keys pulled out of the attributes. */
export function renderTask(t: TaskView, reservation: ReservationRow | undefined, now: number): Json {
  const a = parseObject(t.attributes);
  return {
    sid: t.row.sid,
    assignment_status: t.row.assignment_status,
    reservation_sid: reservation?.sid ?? null,
    reservation_status: reservation?.status ?? null,
    task_channel: t.channelUniqueName,
    queue_name: t.queueName,
    priority: t.row.priority,
    age: Math.max(0, Math.floor((now - t.row.date_created) / 1000)),
    channel_type: str(a.channelType),
    direction: str(a.direction),
    customer_address: str(a.customerAddress),
    customer_name: str(a.customerName),
    conversation_sid: str(a.conversationSid),
    interaction_sid: str(a.flexInteractionSid),
    interaction_channel_sid: str(a.flexInteractionChannelSid),
    disposition: str(a.disposition),
    transfer_target_type: str(a.transferTargetType),
    attributes: a,
    date_created: isoDate(t.row.date_created),
    date_updated: isoDate(t.row.date_updated),
  };
}

export function renderReservation(r: ReservationRow, task: TaskView, now: number): Json {
  return {
    sid: r.sid,
    status: r.status,
    task_sid: r.task_sid,
    worker_sid: r.worker_sid,
    timeout_date: isoDate(r.timeout_at),
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    task: renderTask(task, r, now),
  };
}

/** Media are fetched through the agent API (the session cookie), never the Basic-auth MCS. */
export function mediaUrl(sid: string): string {
  return `${AGENT_API}/Media/${sid}`;
}

export function renderMessage(m: Message): Json {
  return {
    sid: m.row.sid,
    index: m.row.idx,
    author: m.row.author,
    participant_sid: m.row.participant_sid,
    body: m.body,
    attributes: parseObject(m.attributes),
    media: (m.media ?? []).map((x) => ({ sid: x.sid, content_type: x.content_type, filename: x.filename, size: x.size, url: mediaUrl(x.sid) })),
    delivery: m.delivery,
    date_created: isoDate(m.row.date_created),
    date_updated: isoDate(m.row.date_updated),
  };
}

export function renderParticipant(p: ParticipantRow, attributes: Json): Json {
  return {
    sid: p.sid,
    identity: p.identity,
    address: p.binding_address,
    proxy_address: p.binding_proxy_address,
    channel: p.binding_type ?? 'chat',
    last_read_message_index: p.last_read_message_index,
    attributes,
    date_created: isoDate(p.date_created),
  };
}

export function renderConversation(c: Conversation): Json {
  return {
    sid: c.row.sid,
    service_sid: c.row.service_sid,
    friendly_name: c.row.friendly_name,
    state: c.row.state,
    attributes: parseObject(c.attributes),
    last_message_index: c.row.last_message_index,
    date_created: isoDate(c.row.date_created),
    date_updated: isoDate(c.row.date_updated),
  };
}
