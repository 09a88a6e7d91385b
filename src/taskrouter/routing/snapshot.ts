import type { Cipher } from '../../platform/crypto.js';
import type { Executor } from '../../storage/db.js';
import { parseExpression, parseOrderBy } from '../expressions/index.js';
import { activitiesStore } from '../activities/store.js';
import { workersStore } from '../workers/store.js';
import { parseAttributes, targetWorkersMatcher, workerFacts } from '../workers/facts.js';
import { taskQueuesStore } from '../task-queues/store.js';
import type { WorkspaceRow } from '../workspaces/store.js';
import type { WorkflowRow } from '../workflows/store.js';
import { tasksStore, type TaskRow } from '../tasks/store.js';
import { reservationsStore } from '../reservations/store.js';
import type { CompiledFilter, CompiledTarget, Placement, Snapshot, SnapshotQueue, SnapshotTask, SnapshotWorker, SnapshotWorkflow } from './model.js';

/** Reads everything routing needs about one workspace, inside the routing transaction. */
export async function loadSnapshot(tx: Executor, cipher: Cipher, workspace: WorkspaceRow, now: number): Promise<Snapshot> {
  const accountSid = workspace.account_sid;
  const ws = workspace.sid;
  const [activities, workerRows, channelRows, load, queueRows, workflowRows, taskRows] = await Promise.all([
    activitiesStore.all(tx, accountSid, ws),
    workersStore.all(tx, accountSid, ws),
    tx.selectFrom('tr_worker_channels').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', ws).execute(),
    reservationsStore.load(tx, accountSid, ws),
    taskQueuesStore.all(tx, accountSid, ws),
    tx.selectFrom('tr_workflows').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', ws).execute(),
    tasksStore.routable(tx, accountSid, ws),
  ]);

  const pendingByTask = new Map<string, Set<string>>();
  const loadByWorkerChannel = new Map<string, number>();
  for (const r of load) {
    loadByWorkerChannel.set(`${r.worker_sid}|${r.task_channel_sid}`, (loadByWorkerChannel.get(`${r.worker_sid}|${r.task_channel_sid}`) ?? 0) + 1);
    if (r.status === 'pending') {
      const set = pendingByTask.get(r.task_sid) ?? new Set<string>();
      set.add(r.worker_sid);
      pendingByTask.set(r.task_sid, set);
    }
  }

  const workers: SnapshotWorker[] = workerRows.map((row) => {
    const channels = new Map<string, { capacity: number; available: boolean; load: number }>();
    let totalLoad = 0;
    for (const c of channelRows) {
      if (c.worker_sid !== row.sid) continue;
      const l = loadByWorkerChannel.get(`${row.sid}|${c.task_channel_sid}`) ?? 0;
      totalLoad += l;
      channels.set(c.task_channel_sid, { capacity: c.capacity, available: c.available === 1, load: l });
    }
    return { ...workerFacts(row, activities, cipher), available: row.available === 1, idleSince: row.idle_since, channels, totalLoad };
  });

  const queues = new Map<string, SnapshotQueue>();
  for (const q of queueRows) {
    queues.set(q.sid, { sid: q.sid, friendlyName: q.friendly_name, matches: targetWorkersMatcher(q.target_workers), maxReservedWorkers: q.max_reserved_workers, taskOrder: q.task_order === 'LIFO' ? 'LIFO' : 'FIFO' });
  }
  const workflows = new Map<string, SnapshotWorkflow>();
  for (const w of workflowRows) workflows.set(w.sid, compileWorkflow(w));

  return {
    now,
    workspaceSid: ws,
    multiTaskEnabled: workspace.multi_task_enabled === 1,
    prioritizeQueueOrder: workspace.prioritize_queue_order === 'LIFO' ? 'LIFO' : 'FIFO',
    workers,
    queues,
    workflows,
    tasks: taskRows.map((t) => snapshotTask(t, cipher, pendingByTask.get(t.sid) ?? new Set())),
    activities: new Map([...activities.values()].map((a) => [a.sid, a.available === 1])),
  };
}

function snapshotTask(t: TaskRow, cipher: Cipher, reservedWorkers: Set<string>): SnapshotTask {
  return {
    sid: t.sid,
    attributes: parseAttributes(cipher.decrypt(t.attributes)),
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

export function placementOf(t: TaskRow): Placement | null {
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
  return { sid: w.sid, friendlyName: w.friendly_name, filters, ...(defaultQueue ? { defaultQueue } : {}) };
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
