import type { Insertable } from 'kysely';
import type { Executor } from '../storage/db.js';
import type { TrEventsTable } from '../storage/schema-taskrouter.js';
import type { DomainEvent, RefResolver } from '../events/outbox.js';
import { newSid } from '../platform/sid.js';
import { bulkInsert } from '../storage/bulk.js';
import type { Actor, TaskRouterDeps } from './deps.js';
import type { TaskRouterOutboxData } from './callbacks.js';

/** Every TaskRouter event type (reference §4.3). */
export const EVENT_TYPES = [
  'activity.created', 'activity.updated', 'activity.deleted',
  'reservation.created', 'reservation.accepted', 'reservation.rejected', 'reservation.timeout', 'reservation.canceled', 'reservation.rescinded', 'reservation.completed', 'reservation.failed', 'reservation.wrapup',
  'task.created', 'task.updated', 'task.canceled', 'task.wrapup', 'task.completed', 'task.deleted', 'task.system-deleted', 'task.transfer-initiated', 'task.transfer-attempt-failed', 'task.transfer-failed', 'task.transfer-canceled', 'task.transfer-completed',
  'task-channel.created', 'task-channel.updated', 'task-channel.deleted',
  'task-queue.created', 'task-queue.deleted', 'task-queue.entered', 'task-queue.timeout', 'task-queue.moved', 'task-queue.expression.updated',
  'worker.created', 'worker.activity.update', 'worker.attributes.update', 'worker.capacity.update', 'worker.channel.availability.update', 'worker.deleted',
  'workflow.created', 'workflow.updated', 'workflow.deleted', 'workflow.target-matched', 'workflow.entered', 'workflow.timeout', 'workflow.skipped',
  'workspace.created', 'workspace.updated', 'workspace.deleted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const TASKROUTER_EVENT_PREFIX = 'taskrouter.';

export interface TaskRouterEvent {
  accountSid: string;
  workspaceSid: string;
  type: EventType;
  resourceType: 'activity' | 'reservation' | 'task' | 'task_channel' | 'task_queue' | 'worker' | 'workflow' | 'workspace';
  resourceSid: string;
  actor: Actor;
  description: string;
  /**
   * The event's data, in the callback's PascalCase parameter names (TaskSid,
   * TaskAttributes, WorkerSid, WorkerActivityName…); the Events API renders it as
   * snake_case event_data.
   */
  data: Record<string, string | number | boolean | null | undefined>;
  /** Indexed columns for the Events list filters. */
  taskSid?: string;
  workerSid?: string;
  reservationSid?: string;
  taskQueueSid?: string;
  workflowSid?: string;
  taskChannel?: string;
}

/**
 * Events recorded inside a batch (a routing pass) are held and written together
 * when the batch ends, two multi-row inserts instead of two inserts per event.
 * Keyed by the transaction, so nothing outside that transaction is affected.
 * Events of a batch with the same data (a task entering its workflow and its
 * queue carry the same fields) share one sealed copy: the stored forms then tell
 * that two events of one pass had equal data, which their types already do.
 */
interface EventBatch {
  held: Array<{ row: Insertable<TrEventsTable>; outbox: DomainEvent }>;
  /** Event data as JSON → its sealed form. */
  sealed: Map<string, string>;
}
const batches = new WeakMap<object, EventBatch>();

export async function withEventBatch<T>(deps: Pick<TaskRouterDeps, 'outbox' | 'storage'>, tx: Executor, fn: () => Promise<T>): Promise<T> {
  const held: EventBatch['held'] = [];
  batches.set(tx, { held, sealed: new Map() });
  try {
    const out = await fn();
    await writeEvents(deps, tx, held);
    return out;
  } finally {
    batches.delete(tx);
  }
}

/** Writes events' rows and their outbox references (200 to a statement), and keeps them for their dispatch. */
async function writeEvents(deps: Pick<TaskRouterDeps, 'outbox' | 'storage'>, tx: Executor, held: EventBatch['held']): Promise<void> {
  for (let i = 0; i < held.length; i += 200) {
    const chunk = held.slice(i, i + 200);
    await bulkInsert(tx, deps.storage.engine, 'tr_events', Object.keys(chunk[0]!.row), chunk.map((h) => h.row as Record<string, unknown>));
    await deps.outbox.write(tx, chunk.map((h) => h.outbox));
    for (const h of chunk) remember(h.row);
  }
}

/**
 * Records a TaskRouter event in the caller's transaction: a row for the Events
 * API and statistics, and an outbox entry so the workspace's EventCallbackUrl
 * (and in-process subscribers) hear of it after commit.
 */
export async function recordEvent(deps: Pick<TaskRouterDeps, 'cipher' | 'clock' | 'outbox' | 'storage'>, tx: Executor, e: TaskRouterEvent): Promise<string> {
  const sid = newSid('EV');
  const now = deps.clock.now();
  const batch = batches.get(tx);
  // JSON leaves out the keys whose value is undefined.
  const json = JSON.stringify(e.data);
  let sealed = batch?.sealed.get(json);
  if (sealed === undefined) {
    sealed = deps.cipher.encrypt(json);
    batch?.sealed.set(json, sealed);
  }
  const row: Insertable<TrEventsTable> = {
    sid,
    account_sid: e.accountSid,
    workspace_sid: e.workspaceSid,
    event_type: e.type,
    resource_type: e.resourceType,
    resource_sid: e.resourceSid,
    actor_type: e.actor.type,
    actor_sid: e.actor.sid,
    description: e.description,
    event_data: sealed,
    event_date: now,
    source: e.actor.source,
    source_ip_address: e.actor.ip ?? null,
    task_sid: e.taskSid ?? null,
    worker_sid: e.workerSid ?? null,
    reservation_sid: e.reservationSid ?? null,
    task_queue_sid: e.taskQueueSid ?? null,
    workflow_sid: e.workflowSid ?? null,
    task_channel: e.taskChannel ?? null,
  };
  // The row holds everything: the outbox keeps a reference, resolved by eventRefs() on dispatch.
  const outbox: DomainEvent = { type: TASKROUTER_EVENT_PREFIX + e.type, accountSid: e.accountSid, data: {}, ref: sid };
  if (batch) batch.held.push({ row, outbox });
  else await writeEvents(deps, tx, [{ row, outbox }]);
  return sid;
}

/**
 * Events this node wrote lately, by SID, until their dispatch picks them up:
 * the dispatcher would otherwise read back, moments later, rows it just wrote.
 * Safe without knowing whether the write committed: the dispatcher only asks for
 * events whose outbox rows did (SIDs are never reused), and one written by
 * another node, or evicted, is read from the table. Bounded.
 */
const recent = new Map<string, Insertable<TrEventsTable>>();
const MAX_RECENT = 10_000;
function remember(row: Insertable<TrEventsTable>): void {
  if (recent.size >= MAX_RECENT) recent.delete(recent.keys().next().value as string);
  recent.set(row.sid, row);
}

/**
 * Loads TaskRouter events written to the outbox by reference, in the shape its
 * consumers read: `{eventSid, workspaceSid, type, resourceType, resourceSid,
 * description, timestamp, workerSid, sealedData, data}` with `data` in the
 * callback's parameter names. `data` is decrypted on first use: most consumers
 * never look (the realtime log stores `sealedData` as it is; Flex reads the
 * attributes of a few event types; callbacks only where a workspace has a URL).
 */
export function eventRefs(deps: Pick<TaskRouterDeps, 'cipher'>): RefResolver {
  return async (tx, sids) => {
    const out = new Map<string, Record<string, unknown>>();
    const unknown: string[] = [];
    for (const sid of sids) {
      const row = recent.get(sid);
      if (row) {
        recent.delete(sid);
        out.set(sid, resolvedEvent(deps.cipher, row) as unknown as Record<string, unknown>);
      } else unknown.push(sid);
    }
    for (let i = 0; i < unknown.length; i += 500) {
      const rows = await tx
        .selectFrom('tr_events')
        .select(['sid', 'workspace_sid', 'event_type', 'resource_type', 'resource_sid', 'description', 'event_date', 'worker_sid', 'event_data'])
        .where('sid', 'in', unknown.slice(i, i + 500))
        .execute();
      for (const r of rows) out.set(r.sid, resolvedEvent(deps.cipher, r) as unknown as Record<string, unknown>);
    }
    return out;
  };
}

function resolvedEvent(cipher: TaskRouterDeps['cipher'], r: { sid: string; workspace_sid: string; event_type: string; resource_type: string; resource_sid: string; description: string; event_date: number | string; worker_sid?: string | null; event_data: string }): TaskRouterOutboxData {
  let data: TaskRouterOutboxData['data'] | undefined;
  return {
    eventSid: r.sid,
    workspaceSid: r.workspace_sid,
    type: r.event_type,
    resourceType: r.resource_type,
    resourceSid: r.resource_sid,
    description: r.description,
    timestamp: Number(r.event_date),
    workerSid: r.worker_sid ?? null,
    sealedData: r.event_data,
    // An own enumerable getter: spreads and JSON.stringify still see `data`.
    get data() {
      return (data ??= JSON.parse(cipher.decrypt(r.event_data)) as TaskRouterOutboxData['data']);
    },
  };
}
