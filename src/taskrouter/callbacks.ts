import type { DurableBatchHandler } from '../events/dispatcher.js';
import type { TaskRouterDeps } from './deps.js';
import { TASKROUTER_EVENT_PREFIX } from './events.js';
import { workspacesStore, type WorkspaceRow } from './workspaces/store.js';

/** The outbox payload recordEvent() writes for every TaskRouter event. */
export interface TaskRouterOutboxData {
  eventSid: string;
  workspaceSid: string;
  type: string;
  resourceType: string;
  resourceSid: string;
  description: string;
  timestamp: number;
  /** The worker the event concerns (a worker or reservation event), from the event row's column. */
  workerSid: string | null;
  /** `data` as stored, encrypted: what the realtime log keeps, without decrypting or encrypting again. */
  sealedData: string;
  /** Decrypted on first access. */
  data: Record<string, string | number | boolean | null>;
}

/** EventsFilter: a comma list of event types; empty or absent means every type. */
export function passesEventsFilter(filter: string | null, type: string): boolean {
  const types = (filter ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
  return types.length === 0 || types.includes(type);
}

/** The form parameters of an event callback (reference §4.3): the common ones, then the event's data. */
export function callbackParams(accountSid: string, workspaceName: string, e: TaskRouterOutboxData): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.data)) if (v !== null && v !== undefined) params[k] = String(v);
  return Object.assign(params, {
    EventType: e.type,
    AccountSid: accountSid,
    WorkspaceSid: e.workspaceSid,
    WorkspaceName: workspaceName,
    EventDescription: e.description,
    ResourceType: e.resourceType,
    ResourceSid: e.resourceSid,
    Timestamp: String(Math.floor(e.timestamp / 1000)),
    Sid: e.eventSid,
  });
}

/**
 * A durable outbox reaction: each committed TaskRouter event becomes a signed,
 * retried POST to its workspace's EventCallbackUrl. The URL and filter are read
 * at dispatch, inside the dispatch transaction (once per workspace per batch),
 * so the delivery job commits with the outbox row being marked dispatched —
 * exactly once per event. An event whose workspace is gone (workspace.deleted)
 * has nowhere to go.
 */
export function eventCallbacks(deps: Pick<TaskRouterDeps, 'webhooks' | 'storage'>): DurableBatchHandler {
  return async (tx, events) => {
    const workspaces = new Map<string, WorkspaceRow | undefined>();
    for (const event of events) {
      if (!event.type.startsWith(TASKROUTER_EVENT_PREFIX)) continue;
      const e = event.data as unknown as TaskRouterOutboxData;
      const key = `${event.accountSid}|${e.workspaceSid}`;
      if (!workspaces.has(key)) workspaces.set(key, await workspacesStore.find(tx, deps.storage.engine, event.accountSid, e.workspaceSid));
      const ws = workspaces.get(key);
      if (!ws?.event_callback_url || !passesEventsFilter(ws.events_filter, e.type)) continue;
      await deps.webhooks.enqueue(tx, { accountSid: event.accountSid, url: ws.event_callback_url, method: 'POST', params: callbackParams(event.accountSid, ws.friendly_name, e) });
    }
  };
}
