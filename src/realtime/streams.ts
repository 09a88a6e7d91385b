import type { Executor } from '../storage/db.js';
import type { CommittedEvent } from '../events/outbox.js';
import { CONVERSATION_EVENT_PREFIX, type ConversationEventData } from '../conversations/hooks.js';
import { TASKROUTER_EVENT_PREFIX } from '../taskrouter/events.js';
import type { TaskRouterOutboxData } from '../taskrouter/callbacks.js';
import { SUPERVISION_EVENT_PREFIX } from '../supervision/events.js';
import { realtimeStore } from './store.js';

/**
 * Streams a client can subscribe to. Each has its own gapless sequence:
 * - conversation:<CH> — every Conversations event of one conversation, and its whispers (staff only);
 * - worker:<WK>      — an agent's reservations, the tasks they hold, their own worker changes;
 * - workspace:<WS>   — every TaskRouter event of a workspace (supervisors), plus live statistics.
 */
export type StreamKind = 'conversation' | 'worker' | 'workspace';

export interface StreamRef {
  kind: StreamKind;
  sid: string;
  name: string;
}

const PREFIX: Record<StreamKind, string> = { conversation: 'CH', worker: 'WK', workspace: 'WS' };

export const stream = {
  conversation: (sid: string) => `conversation:${sid}`,
  worker: (sid: string) => `worker:${sid}`,
  workspace: (sid: string) => `workspace:${sid}`,
};

export function parseStream(name: string): StreamRef | undefined {
  const m = /^(conversation|worker|workspace):([A-Z]{2}[0-9a-f]{32})$/.exec(name);
  if (!m) return undefined;
  const kind = m[1] as StreamKind;
  const sid = m[2]!;
  return sid.startsWith(PREFIX[kind]) ? { kind, sid, name } : undefined;
}

/**
 * What one committed domain event becomes on the sockets: the streams it goes to
 * and the frame's data. With `sealed`, `data` is only the frame's plaintext
 * envelope and the rest is `sealed` (data encrypted where the event is stored):
 * the log keeps both as they are, and a frame merges them when it is sent.
 */
export interface Routed {
  streams: string[];
  data: Record<string, unknown>;
  sealed?: string;
  /**
   * The event is stored in full elsewhere (a TaskRouter event row, under this
   * SID): the log's rows keep only the reference, and a read loads it back
   * through the outbox's resolvers and `sealedFrame`.
   */
  ref?: string;
}

/**
 * Routes a committed outbox event to its streams. Runs in the dispatch
 * transaction, so a task's holders are read as of dispatch (a moment after the
 * event), which is what an agent looking at the task now needs.
 */
export async function routeEvent(tx: Executor, event: CommittedEvent): Promise<Routed | undefined> {
  if (event.type.startsWith(CONVERSATION_EVENT_PREFIX)) {
    const d = event.data as unknown as ConversationEventData;
    // A ReplayAfter re-send of a past event is for one webhook only, not news for clients.
    if (!d.conversationSid || (d as { replay?: boolean }).replay === true) return undefined;
    // The webhook's parameters, as an SDK client would see them; never the webhook destinations.
    const data = defined({ EventType: d.event, AccountSid: event.accountSid, ChatServiceSid: d.serviceSid, Source: d.source, ClientIdentity: d.clientIdentity, ...d.params });
    return { streams: [stream.conversation(d.conversationSid)], data };
  }
  if (event.type.startsWith(TASKROUTER_EVENT_PREFIX)) {
    const e = event.data as unknown as TaskRouterOutboxData;
    const streams = [stream.workspace(e.workspaceSid)];
    const toWorker = (sid: string) => {
      const name = stream.worker(sid);
      if (!streams.includes(name)) streams.push(name);
    };
    if (e.resourceType === 'worker') toWorker(e.resourceSid);
    if (e.workerSid) toWorker(e.workerSid);
    // A new task has no holder yet (its offers arrive as reservation.created); later task events go to its holders.
    if (e.resourceType === 'task' && e.type !== 'task.created') for (const w of await realtimeStore.taskWorkers(tx, event.accountSid, e.resourceSid)) toWorker(w);
    const { data, sealed } = sealedFrame(event.accountSid, e);
    return { streams, data, sealed, ref: e.eventSid };
  }
  if (event.type.startsWith(SUPERVISION_EVENT_PREFIX)) {
    // Whispers: on the conversation's stream, delivered to staff subscribers only (Peer.admits).
    const sid = event.data.ConversationSid;
    return typeof sid === 'string' ? { streams: [stream.conversation(sid)], data: event.data } : undefined;
  }
  return undefined;
}

/**
 * A TaskRouter event's frame: the envelope, which the event row keeps in plain
 * columns, and the event's own data still sealed as stored.
 */
export function sealedFrame(accountSid: string, e: TaskRouterOutboxData): { data: Record<string, unknown>; sealed: string } {
  const data = {
    EventType: e.type,
    AccountSid: accountSid,
    WorkspaceSid: e.workspaceSid,
    ResourceType: e.resourceType,
    ResourceSid: e.resourceSid,
    EventDescription: e.description,
    Timestamp: Math.floor(e.timestamp / 1000),
    Sid: e.eventSid,
  };
  return { data, sealed: e.sealedData };
}

export function defined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) out[k] = v;
  return out;
}
