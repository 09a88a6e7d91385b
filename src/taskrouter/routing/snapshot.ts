import type { Cipher } from '../../platform/crypto.js';
import type { Engine, Executor } from '../../storage/db.js';
import { placeholders, rawQuery, statementText } from '../../storage/bulk.js';
import { lookupPath, parseExpression, parseOrderBy, type Expression, type KeySegment, type WorkerFacts } from '../expressions/index.js';
import { activitiesStore, type ActivityRow } from '../activities/store.js';
import { parseAttributes, targetWorkersMatcher } from '../workers/facts.js';
import { taskQueuesStore, type TaskQueueRow } from '../task-queues/store.js';
import type { TaskChannelRow } from '../task-channels/store.js';
import type { WorkspaceRow } from '../workspaces/store.js';
import type { WorkflowRow } from '../workflows/store.js';
import { tasksStore, type TaskRow } from '../tasks/store.js';
import { LOAD_STATUSES } from '../reservations/store.js';
import type { CompiledFilter, CompiledTarget, Placement, Snapshot, SnapshotQueue, SnapshotTask, SnapshotWorker, SnapshotWorkflow } from './model.js';

/**
 * What a workspace's routing passes keep between passes, so a pass reads and
 * decodes only what changed: worker attributes by worker version, task
 * attributes by task version, compiled queues and workflows by their last
 * update, and queue membership per worker version. Rows are still read every
 * pass (cheap columns first), so the snapshot always equals the database.
 */
export class SnapshotCache {
  /** The workspace routing counter and epoch the worker model below reflects (-1: never loaded). */
  rseq = -1;
  epoch = -1;
  /** Workers and their channel settings, refreshed from rows stamped after `rseq`. */
  readonly workers = new Map<string, CachedWorker>();
  /**
   * Inverted indexes over worker attributes (path → value → workers), built when a
   * queue whose TargetWorkers is a plain `key == value` / `key HAS value` first
   * needs its members, so seeding a thousand skill queues costs one scan, not a
   * thousand. Dropped whenever any worker changes.
   */
  readonly indexes = new Map<string, Map<string, Set<string>>>();
  /** Per-worker views handed to the matcher, reused between passes (see loadSnapshot). */
  readonly views = new Map<string, CachedView>();
  passes = 0;
  /** Workers refreshed since queue member sets were last brought up to date. */
  readonly unapplied = new Set<string>();
  /** TaskQueue and Workflow rows as of `configEpoch` (they change rarely; any write bumps it). */
  configEpoch = -1;
  queueRows: TaskQueueRow[] = [];
  workflowRows: WorkflowRow[] = [];
  channelRows: TaskChannelRow[] = [];
  /**
   * Reservations holding capacity (pending, accepted, wrapping), refreshed the same
   * way, with the counts routing needs kept in step as they come and go.
   */
  readonly live = new Map<string, LiveReservation>();
  /** Worker SID → task channel SID → reservations holding capacity there. */
  readonly loadByWorkerChannel = new Map<string, Map<string, number>>();
  readonly loadByWorker = new Map<string, number>();
  readonly pendingByTask = new Map<string, Set<string>>();

  /** Adds (+1) or removes (-1) a live reservation from the counts. */
  count(r: LiveReservation, sign: 1 | -1): void {
    if (sign < 0) this.roomMayHaveFreed();
    const bump = (m: Map<string, number>, k: string) => {
      const n = (m.get(k) ?? 0) + sign;
      if (n === 0) m.delete(k);
      else m.set(k, n);
    };
    let channels = this.loadByWorkerChannel.get(r.worker_sid);
    if (!channels) this.loadByWorkerChannel.set(r.worker_sid, (channels = new Map()));
    bump(channels, r.task_channel_sid);
    bump(this.loadByWorker, r.worker_sid);
    if (r.status !== 'pending') return;
    let set = this.pendingByTask.get(r.task_sid);
    if (sign > 0) {
      if (!set) this.pendingByTask.set(r.task_sid, (set = new Set()));
      set.add(r.worker_sid);
    } else if (set) {
      set.delete(r.worker_sid);
      if (set.size === 0) this.pendingByTask.delete(r.task_sid);
    }
  }
  readonly workerAttributes = new Map<string, { version: number; attributes: unknown }>();
  readonly taskAttributes = new Map<string, { version: number; attributes: unknown }>();
  /** Queue SID → compiled TargetWorkers and its member set, kept current worker by worker. */
  readonly queues = new Map<string, { key: string; matches: (w: WorkerFacts) => boolean; members: Set<string> | null; ordered: string[] | null }>();
  readonly workflows = new Map<string, { key: string; compiled: SnapshotWorkflow }>();
  /**
   * Queue|channel → how many workers at the head of the queue's default order are
   * certainly busy on that channel. Offers only make workers busier, so the count
   * stays true until something frees capacity (a reservation ends, a worker or the
   * configuration changes), which clears it: a queue whose longest-idle workers are
   * all on tasks is not walked from the top for every task.
   */
  readonly busyHead = new Map<string, number>();
  /** The workspace's MultiTaskEnabled when busyHead was filled (turning it on frees workers). */
  busyHeadMultiTask: boolean | undefined;
  /**
   * True when every pending task has been offered all the room there was, and
   * nothing has made room since: a pass that only adds new tasks then needs to
   * look at those (and at tasks whose time came), not at the whole backlog again.
   */
  backlogSettled = false;

  /** Something may have freed capacity (a reservation ended, a worker or the configuration changed). */
  roomMayHaveFreed(): void {
    this.busyHead.clear();
    this.backlogSettled = false;
  }
  /** The task rows the current pass's snapshot was made of (read in its transaction): applying the plan needs no second read. */
  taskRows = new Map<string, TaskRow>();
  /**
   * The workspace's activities as of routing epoch `activitiesEpoch`: a rename bumps
   * the epoch, and a new one is read when a worker refreshed into it is not here.
   */
  activities = new Map<string, ActivityRow>();
  activitiesEpoch = -1;
}

const IN_CHUNK = 500;

// Every pass refreshes the worker model with these: written by hand (see storage/bulk.ts).
const WORKERS = 'select "sid", "friendly_name", "activity_sid", "available", "idle_since", "version", "attributes" from "tr_workers" where "account_sid" = ? and "workspace_sid" = ?';
const RESERVATIONS = 'select "sid", "task_sid", "worker_sid", "task_channel_sid", "status" from "tr_reservations" where "account_sid" = ? and "workspace_sid" = ?';
const CHANNELS = 'select "worker_sid", "task_channel_sid", "capacity", "available" from "tr_worker_channels" where "account_sid" = ? and "workspace_sid" = ?';
// A full load reads every worker and the reservations holding capacity; a refresh, what was stamped since.
const WORKERS_SINCE = `${WORKERS} and "rseq" > ?`;
const RESERVATIONS_LIVE = `${RESERVATIONS} and "status" in (${placeholders(LOAD_STATUSES.length)})`;
const RESERVATIONS_SINCE = `${RESERVATIONS} and "rseq" > ?`;
type WorkerModelRow = Omit<CachedWorker, 'channels'>;
type ChannelModelRow = { worker_sid: string; task_channel_sid: string; capacity: number; available: number };

/** A matcher view of a cached worker: `row` tells whether it is still current, `pass` when it was last reset. */
type CachedView = SnapshotWorker & { row: CachedWorker; pass: number; activity_name: string };

interface LiveReservation {
  sid: string;
  task_sid: string;
  worker_sid: string;
  task_channel_sid: string;
  status: string;
}

interface CachedWorker {
  sid: string;
  friendly_name: string;
  activity_sid: string;
  /** As stored (encrypted): what an offer's events carry. */
  attributes: string;
  available: number;
  idle_since: number;
  version: number;
  channels: Map<string, { capacity: number; available: boolean }>;
}

/**
 * Brings the cached worker and reservation model up to date: everything on first
 * use or after an epoch change (something deleted), else only rows stamped after
 * the last pass. Returns the workers that changed (for queue membership).
 */
async function refreshModel(tx: Executor, engine: Engine, cipher: Cipher, workspace: WorkspaceRow, cache: SnapshotCache): Promise<{ changed: string[]; full: boolean }> {
  const full = cache.epoch !== workspace.routing_epoch || cache.rseq < 0;
  const since = cache.rseq;
  const scope = [workspace.account_sid, workspace.sid];
  const rows = await rawQuery<WorkerModelRow>(tx, engine, full ? WORKERS : WORKERS_SINCE, full ? scope : [...scope, since]);
  if (full) {
    cache.workers.clear();
    cache.views.clear();
    cache.workerAttributes.clear();
    cache.queues.clear();
    cache.live.clear();
    cache.loadByWorkerChannel.clear();
    cache.loadByWorker.clear();
    cache.pendingByTask.clear();
  }
  const reservations = await rawQuery<LiveReservation>(tx, engine, full ? RESERVATIONS_LIVE : RESERVATIONS_SINCE, full ? [...scope, ...LOAD_STATUSES] : [...scope, since]);
  for (const r of reservations) {
    const before = cache.live.get(r.sid);
    if (before) cache.count(before, -1);
    if ((LOAD_STATUSES as readonly string[]).includes(r.status)) {
      cache.live.set(r.sid, r);
      cache.count(r, 1);
    } else cache.live.delete(r.sid);
  }
  for (const r of rows) {
    cache.workers.set(r.sid, { sid: r.sid, friendly_name: r.friendly_name, activity_sid: r.activity_sid, attributes: r.attributes, available: r.available, idle_since: r.idle_since, version: r.version, channels: new Map() });
    if (cache.workerAttributes.get(r.sid)?.version !== r.version) cache.workerAttributes.set(r.sid, { version: r.version, attributes: parseAttributes(cipher.decrypt(r.attributes)) });
  }
  const sids = rows.map((r) => r.sid);
  const channelRows = full ? await rawQuery<ChannelModelRow>(tx, engine, CHANNELS, scope) : [];
  for (let i = 0; !full && i < sids.length; i += IN_CHUNK) {
    const chunk = sids.slice(i, i + IN_CHUNK);
    channelRows.push(...(await rawQuery<ChannelModelRow>(tx, engine, statementText(`snapshot.channels|${chunk.length}`, () => `${CHANNELS} and "worker_sid" in (${placeholders(chunk.length)})`), [...scope, ...chunk])));
  }
  for (const c of channelRows) cache.workers.get(c.worker_sid)?.channels.set(c.task_channel_sid, { capacity: c.capacity, available: c.available === 1 });
  if (rows.length > 0 || full) {
    cache.indexes.clear();
    cache.roomMayHaveFreed();
  }
  for (const r of rows) cache.unapplied.add(r.sid);
  if (full) cache.unapplied.clear();
  cache.rseq = workspace.rseq;
  cache.epoch = workspace.routing_epoch;
  return { changed: sids, full };
}

/** Re-reads the workspace's queues, workflows and task channels when its config epoch moved. */
export async function refreshConfig(db: Executor, workspace: WorkspaceRow, cache: SnapshotCache): Promise<void> {
  if (cache.configEpoch === workspace.config_epoch) return;
  const [queues, workflows, channels] = await Promise.all([
    taskQueuesStore.all(db, workspace.account_sid, workspace.sid),
    db.selectFrom('tr_workflows').selectAll().where('account_sid', '=', workspace.account_sid).where('workspace_sid', '=', workspace.sid).execute(),
    db.selectFrom('tr_task_channels').selectAll().where('account_sid', '=', workspace.account_sid).where('workspace_sid', '=', workspace.sid).execute(),
  ]);
  cache.queueRows = queues;
  cache.workflowRows = workflows;
  cache.channelRows = channels;
  cache.configEpoch = workspace.config_epoch;
  cache.roomMayHaveFreed();
}

/**
 * Reads everything routing needs about one workspace, inside the routing
 * transaction. `newTasks`: tasks the pass creates, not stored yet (the pass
 * writes them once routed). `onlyNew`: nothing but their creation asked for
 * this pass, so a settled backlog may be left out.
 */
export async function loadSnapshot(tx: Executor, engine: Engine, cipher: Cipher, workspace: WorkspaceRow, now: number, cache = new SnapshotCache(), newTasks: TaskRow[] = [], onlyNew = false): Promise<Snapshot> {
  const accountSid = workspace.account_sid;
  const ws = workspace.sid;
  const base = {
    now,
    workspaceSid: ws,
    multiTaskEnabled: workspace.multi_task_enabled === 1,
    prioritizeQueueOrder: (workspace.prioritize_queue_order === 'LIFO' ? 'LIFO' : 'FIFO') as 'FIFO' | 'LIFO',
  };
  // The worker model is kept current on every pass, so the first task after a
  // quiet spell (or a burst of worker changes) finds it warm.
  const { changed: refreshed } = await refreshModel(tx, engine, cipher, workspace, cache);
  if (cache.activitiesEpoch !== workspace.routing_epoch || refreshed.some((sid) => !cache.activities.has(cache.workers.get(sid)!.activity_sid))) {
    cache.activities = await activitiesStore.all(tx, accountSid, ws);
    cache.activitiesEpoch = workspace.routing_epoch;
  }
  await refreshConfig(tx, workspace, cache);
  if (cache.busyHeadMultiTask !== base.multiTaskEnabled) {
    cache.roomMayHaveFreed();
    cache.busyHeadMultiTask = base.multiTaskEnabled;
  }
  const multiOffer = cache.queueRows.filter((q) => q.max_reserved_workers > 1).map((q) => q.sid);
  // A pass for new tasks alone, over a backlog that found no room and got none since, skips that backlog.
  const taskRows = await tasksStore.routable(tx, engine, accountSid, ws, now, multiOffer, onlyNew && cache.backlogSettled, newTasks);
  cache.taskRows = new Map(taskRows.map((t) => [t.sid, t]));
  // Nothing waits: nothing to route, nothing else to read.
  if (taskRows.length === 0) return { ...base, workers: [], queues: new Map(), workflows: new Map(), tasks: [], activities: new Map() };

  const { activities } = cache;
  const { queueRows, workflowRows } = cache;

  const { pendingByTask, loadByWorkerChannel, loadByWorker } = cache;
  // Worker views are made on demand and kept for the pass (the matcher adds the
  // load of the offers it plans to them), with the channels waiting tasks are on.
  const taskChannels = [...new Set(taskRows.map((t) => t.task_channel_sid))];
  const facts = (row: CachedWorker): WorkerFacts => ({
    sid: row.sid,
    friendly_name: row.friendly_name,
    activity_sid: row.activity_sid,
    activity_name: activities.get(row.activity_sid)?.friendly_name ?? '',
    attributes: cache.workerAttributes.get(row.sid)?.attributes ?? {},
  });
  // Views are reused across passes (rebuilt when the worker changed) and reset
  // the first time each pass touches them: no allocation per worker per pass.
  const passNo = ++cache.passes;
  const worker = (sid: string): SnapshotWorker | undefined => {
    const row = cache.workers.get(sid);
    if (!row) return undefined;
    let view = cache.views.get(sid);
    if (!view || view.row !== row) {
      view = { ...facts(row), available: row.available === 1, idleSince: row.idle_since, channels: new Map(), totalLoad: 0, row, pass: 0 };
      cache.views.set(sid, view);
    }
    if (view.pass !== passNo) {
      // Activity names only change with a rename, which reloads everything (routing epoch).
      view.pass = passNo;
      view.totalLoad = loadByWorker.get(sid) ?? 0;
      const loads = loadByWorkerChannel.get(sid);
      for (const tc of taskChannels) {
        const c = row.channels.get(tc);
        if (!c) continue;
        const load = loads?.get(tc) ?? 0;
        const ch = view.channels.get(tc);
        if (ch) {
          ch.capacity = c.capacity;
          ch.available = c.available;
          ch.load = load;
        } else view.channels.set(tc, { capacity: c.capacity, available: c.available, load });
      }
    }
    return view;
  };

  // Queue membership moves only for the workers refreshed this pass; a queue new
  // to the cache (or with a new TargetWorkers) is computed once, when first needed.
  const changed = [...cache.unapplied].map((sid) => cache.workers.get(sid)).filter((w): w is CachedWorker => w !== undefined).map(facts);
  cache.unapplied.clear();
  // Entries whose TargetWorkers changed start over; the others follow the workers that changed.
  if (changed.length > 0) {
    for (const entry of cache.queues.values()) {
      if (!entry.members) continue;
      for (const w of changed) {
        const was = entry.members.has(w.sid);
        if (entry.matches(w)) entry.members.add(w.sid);
        else entry.members.delete(w.sid);
        // A member that changed may have a new idle time; one that came or went changes the order.
        if (was || entry.members.has(w.sid)) entry.ordered = null;
      }
    }
  }
  // Views are made only for the queues this pass asks about (a thousand queues, a handful waiting).
  const pass: QueuePass = { cache, facts, everyone: undefined };
  const rowsBySid = new Map(queueRows.map((q) => [q.sid, q]));
  const queues = new LazyMap<string, SnapshotQueue>((sid) => {
    const q = rowsBySid.get(sid);
    if (!q) return undefined;
    let entry = cache.queues.get(q.sid);
    if (!entry || entry.key !== q.target_workers) {
      entry = { key: q.target_workers, matches: targetWorkersMatcher(q.target_workers), members: null, ordered: null };
      cache.queues.set(q.sid, entry);
    }
    return new QueueView(q, entry, pass);
  });
  if (queueRows.length < cache.queues.size) {
    const live = new Set(queueRows.map((q) => q.sid));
    for (const sid of cache.queues.keys()) if (!live.has(sid)) cache.queues.delete(sid);
  }

  const workflows = new Map<string, SnapshotWorkflow>();
  for (const w of workflowRows) {
    let cached = cache.workflows.get(w.sid);
    if (!cached || cached.key !== w.configuration + '|' + w.friendly_name) cache.workflows.set(w.sid, (cached = { key: w.configuration + '|' + w.friendly_name, compiled: compileWorkflow(w) }));
    workflows.set(w.sid, cached.compiled);
  }

  const tasks = taskRows.map((t) => {
    let attrs = cache.taskAttributes.get(t.sid);
    if (!attrs || attrs.version !== t.version) cache.taskAttributes.set(t.sid, (attrs = { version: t.version, attributes: parseAttributes(cipher.decrypt(t.attributes)) }));
    return snapshotTask(t, attrs.attributes, new Set(pendingByTask.get(t.sid)));
  });
  if (cache.taskAttributes.size > taskRows.length * 2 + 1000) {
    const live = new Set(taskRows.map((t) => t.sid));
    for (const sid of cache.taskAttributes.keys()) if (!live.has(sid)) cache.taskAttributes.delete(sid);
  }

  const busy = (sid: string, channelSid: string): boolean => {
    const row = cache.workers.get(sid);
    const c = row?.channels.get(channelSid);
    if (!row || row.available !== 1 || !c || !c.available || c.capacity <= 0) return true;
    return base.multiTaskEnabled ? (loadByWorkerChannel.get(sid)?.get(channelSid) ?? 0) >= c.capacity : (loadByWorker.get(sid) ?? 0) > 0;
  };
  const firstMaybeFree = (queueSid: string, channelSid: string): number => {
    const ordered = queues.get(queueSid)?.ordered;
    if (!ordered) return 0;
    const key = `${queueSid}|${channelSid}`;
    let i = cache.busyHead.get(key) ?? 0;
    while (i < ordered.length && busy(ordered[i]!, channelSid)) i++;
    cache.busyHead.set(key, i);
    return i;
  };
  return { ...base, workers: [], worker, busy, firstMaybeFree, queues, workflows, tasks, activities: new Map([...activities.values()].map((a) => [a.sid, a.available === 1])) };
}

function snapshotTask(t: TaskRow, attributes: unknown, reservedWorkers: Set<string>): SnapshotTask {
  return {
    sid: t.sid,
    attributes,
    priority: t.priority,
    virtualStartTime: t.virtual_start_time,
    createdAt: t.date_created,
    timeout: t.timeout,
    channelSid: t.task_channel_sid,
    status: t.assignment_status === 'reserved' ? 'reserved' : 'pending',
    workflowSid: t.workflow_sid,
    placement: placementOf(t),
    reservedWorkers,
    routingTarget: t.routing_target,
    ignoreCapacity: t.ignore_capacity === 1,
    assignmentCounter: t.assignment_counter,
  };
}

function placementOf(t: TaskRow): Placement | null {
  if (t.filter_index === null || t.step_index === null || t.task_queue_sid === null) return null;
  return { filterIndex: t.filter_index, stepIndex: t.step_index, queueSid: t.task_queue_sid, enteredAt: t.step_entered_at ?? t.date_created, checked: t.step_checked === 1 };
}

/**
 * A stored workflow configuration, compiled. It was validated on write; anything
 * that no longer parses compiles to "matches nothing" rather than failing routing.
 */
export function compileWorkflow(w: WorkflowRow): SnapshotWorkflow {
  let doc: { task_routing?: { filters?: unknown[]; default_filter?: { queue?: string } } } = {};
  try {
    doc = JSON.parse(w.configuration) as typeof doc;
  } catch {
    /* validated on write */
  }
  const filters: CompiledFilter[] = [];
  for (const raw of doc.task_routing?.filters ?? []) {
    const f = raw as { filter_friendly_name?: string; expression?: string; targets?: Array<Record<string, unknown>> };
    const compiled = safe(() => parseExpression(f.expression ?? '', 'filter'));
    if (!compiled || !f.targets?.length) continue;
    const targets: CompiledTarget[] = [];
    let queue = '';
    for (const t of f.targets) {
      queue = typeof t.queue === 'string' && t.queue ? t.queue : queue;
      const target: CompiledTarget = { queue, orderBy: typeof t.order_by === 'string' ? (safe(() => parseOrderBy(t.order_by as string)) ?? []) : [] };
      if (typeof t.expression === 'string') target.expression = safe(() => parseExpression(t.expression as string, 'target')) ?? parseExpression('1==2', 'target');
      if (typeof t.skip_if === 'string') {
        const skip = safe(() => parseExpression(t.skip_if as string, 'skip_if'));
        if (skip) target.skipIf = skip;
      }
      if (typeof t.timeout === 'number') target.timeout = t.timeout;
      if (typeof t.priority === 'number') target.priority = t.priority;
      if (typeof t.known_worker_sid === 'string') target.knownWorkerSid = taskPath(t.known_worker_sid);
      if (typeof t.known_worker_friendly_name === 'string') target.knownWorkerFriendlyName = taskPath(t.known_worker_friendly_name);
      targets.push(target);
    }
    filters.push({ name: f.filter_friendly_name ?? `Filter ${filters.length + 1}`, expression: compiled, targets });
  }
  const defaultQueue = doc.task_routing?.default_filter?.queue;
  return { sid: w.sid, friendlyName: w.friendly_name, filters, ...(defaultQueue ? { defaultQueue } : {}), ...(filters.length > 8 ? { index: filterIndex(filters) } : {}) };
}

/** Indexes a workflow's `key == value` filters (see SnapshotWorkflow.index). */
function filterIndex(filters: CompiledFilter[]): NonNullable<SnapshotWorkflow['index']> {
  const paths = new Map<string, { path: KeySegment[]; byValue: Map<string, number[]> }>();
  const general: number[] = [];
  filters.forEach((f, i) => {
    const eq = equalityShape(f.expression, 'task');
    if (!eq || eq.has) {
      general.push(i);
      return;
    }
    const pathKey = JSON.stringify(eq.path);
    let entry = paths.get(pathKey);
    if (!entry) paths.set(pathKey, (entry = { path: eq.path, byValue: new Map() }));
    const key = valueKey(eq.value);
    entry.byValue.set(key, [...(entry.byValue.get(key) ?? []), i]);
  });
  return { paths, general };
}

/**
 * `skill == 'billing'`, `worker.tier == 2` or `languages HAS 'es'` over a worker
 * attribute (not a built-in such as sid or activity_name): the shape an index can
 * answer exactly as the evaluator would.
 */
export function equalityOf(targetWorkers: string): { path: KeySegment[]; value: string | number | boolean; has: boolean } | undefined {
  const expr = safe(() => parseExpression(targetWorkers, 'target_workers'));
  return expr ? equalityShape(expr, 'worker') : undefined;
}

/** The `key == literal` / `key HAS literal` shape over one namespace's attributes, if that is what the expression is. */
function equalityShape(expr: Expression, namespace: 'worker' | 'task'): { path: KeySegment[]; value: string | number | boolean; has: boolean } | undefined {
  if (expr.kind !== 'compare' || (expr.operator !== '==' && expr.operator !== 'HAS')) return undefined;
  const { left, right } = expr;
  if (left.kind !== 'key' || right.kind !== 'literal' || right.value === null) return undefined;
  if (left.path[0] === 'taskrouter' || left.path[0] === (namespace === 'worker' ? 'task' : 'worker')) return undefined;
  const path = left.path[0] === namespace ? left.path.slice(1) : left.path;
  if (path.length === 0) return undefined;
  if (namespace === 'worker' && ['sid', 'friendly_name', 'activity_sid', 'activity_name'].includes(String(path[0]))) return undefined;
  return { path, value: right.value as string | number | boolean, has: expr.operator === 'HAS' };
}

export function valueKey(v: unknown): string {
  return `${typeof v}:${String(v)}`;
}

export function buildIndex(workers: WorkerFacts[], path: KeySegment[], has: boolean): Map<string, Set<string>> {
  const index = new Map<string, Set<string>>();
  const add = (v: unknown, sid: string) => {
    if (v === null || typeof v === 'object') return;
    const k = valueKey(v);
    let set = index.get(k);
    if (!set) index.set(k, (set = new Set()));
    set.add(sid);
  };
  for (const w of workers) {
    const v = lookupPath(w.attributes, path);
    if (has) {
      if (Array.isArray(v)) for (const item of v) add(item, w.sid);
    } else if (!Array.isArray(v)) add(v, w.sid);
  }
  return index;
}

/** `task.agent.sid` (or a bare `agent.sid`) → the attribute path. */
function taskPath(text: string): string[] {
  const parts = text.trim().split('.');
  return parts[0] === 'task' ? parts.slice(1) : parts;
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** A Map that makes its values on first `get` (only `get`/`has` are meant to be used). */
class LazyMap<K, V> extends Map<K, V> {
  constructor(private readonly make: (key: K) => V | undefined) {
    super();
  }
  override get(key: K): V | undefined {
    if (super.has(key)) return super.get(key);
    const value = this.make(key);
    if (value !== undefined) super.set(key, value);
    return value;
  }
  override has(key: K): boolean {
    return this.get(key) !== undefined;
  }
}

type QueueEntry = SnapshotCache['queues'] extends Map<string, infer E> ? E : never;

/** What a pass's queue views share: the cache and the worker facts of this pass. */
interface QueuePass {
  cache: SnapshotCache;
  facts: (row: CachedWorker) => WorkerFacts;
  everyone: WorkerFacts[] | undefined;
}

/** A queue as the matcher sees it; members and order are computed when first needed and kept in the cache. */
class QueueView implements SnapshotQueue {
  readonly sid: string;
  readonly friendlyName: string;
  readonly matches: (w: WorkerFacts) => boolean;
  readonly maxReservedWorkers: number;
  readonly taskOrder: 'FIFO' | 'LIFO';

  constructor(
    q: TaskQueueRow,
    private readonly e: QueueEntry,
    private readonly pass: QueuePass,
  ) {
    this.sid = q.sid;
    this.friendlyName = q.friendly_name;
    this.matches = e.matches;
    this.maxReservedWorkers = q.max_reserved_workers;
    this.taskOrder = q.task_order === 'LIFO' ? 'LIFO' : 'FIFO';
  }

  /** Longest idle first, then SID: the matcher's default order, kept while nothing moves it. */
  get ordered(): readonly string[] {
    const { e, pass } = this;
    if (!e.ordered) {
      const rows = [...this.members].map((sid) => pass.cache.workers.get(sid)).filter((w): w is CachedWorker => w !== undefined);
      rows.sort((a, b) => (a.idle_since !== b.idle_since ? a.idle_since - b.idle_since : a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0));
      e.ordered = rows.map((w) => w.sid);
    }
    return e.ordered;
  }

  /** Computed over everyone the first time a pass needs the queue, then kept current. */
  get members(): ReadonlySet<string> {
    const { e, pass } = this;
    if (!e.members) {
      const everyone = () => (pass.everyone ??= [...pass.cache.workers.values()].map(pass.facts));
      const eq = equalityOf(e.key);
      if (eq) {
        const pathKey = JSON.stringify(eq.path) + (eq.has ? '[]' : '');
        let index = pass.cache.indexes.get(pathKey);
        if (!index) pass.cache.indexes.set(pathKey, (index = buildIndex(everyone(), eq.path, eq.has)));
        e.members = new Set(index.get(valueKey(eq.value)) ?? []);
      } else {
        e.members = new Set(everyone().filter((w) => e.matches(w)).map((w) => w.sid));
      }
    }
    return e.members;
  }
}
