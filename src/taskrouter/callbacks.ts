import type { DurableHandler } from '../events/dispatcher.js';
import type { TaskRouterDeps } from './deps.js';
import { TASKROUTER_EVENT_PREFIX } from './events.js';

/** The outbox payload recordEvent() writes for every TaskRouter event. */
export interface TaskRouterOutboxData {
  eventSid: string;
  workspaceSid: string;
  type: string;
  resourceType: string;
  resourceSid: string;
  description: string;
  timestamp: number;
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
 * at dispatch, inside the dispatch transaction, so the delivery job commits with
 * the outbox row being marked dispatched — exactly once per event. An event whose
 * workspace is gone (workspace.deleted) has nowhere to go.
 */
export function eventCallbacks(deps: Pick<TaskRouterDeps, 'webhooks'>): DurableHandler {
  return async (tx, event) => {
    if (!event.type.startsWith(TASKROUTER_EVENT_PREFIX)) return;
    const e = event.data as unknown as TaskRouterOutboxData;
    const ws = await tx
      .selectFrom('tr_workspaces')
      .select(['friendly_name', 'event_callback_url', 'events_filter'])
      .where('account_sid', '=', event.accountSid)
      .where('sid', '=', e.workspaceSid)
      .executeTakeFirst();
    if (!ws?.event_callback_url || !passesEventsFilter(ws.events_filter, e.type)) return;
    await deps.webhooks.enqueue(tx, { accountSid: event.accountSid, url: ws.event_callback_url, method: 'POST', params: callbackParams(event.accountSid, ws.friendly_name, e) });
  };
}
