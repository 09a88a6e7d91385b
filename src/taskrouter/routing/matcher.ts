import { evaluate, filterScope, lookupPath, longestIdleFirst, skipIfScope, targetScope, workerComparator, type WorkerCounts } from '../expressions/index.js';
import type { CompiledTarget, Placement, Snapshot, SnapshotQueue, SnapshotTask, SnapshotWorker, SnapshotWorkflow } from './model.js';

/** Twilio cancels a task that went from pending to reserved this many times. */
export const MAX_ASSIGNMENT_COUNT = 1000;

export type MoveEvent =
  | { type: 'workflow.entered' }
  | { type: 'workflow.target-matched'; filterName: string; stepIndex: number }
  | { type: 'task-queue.entered'; queueSid: string }
  | { type: 'task-queue.moved'; fromQueueSid: string; toQueueSid: string }
  | { type: 'task-queue.timeout'; queueSid: string }
  | { type: 'workflow.skipped' };

export interface TaskMove {
  taskSid: string;
  to: Placement | null;
  events: MoveEvent[];
}

export interface NewReservation {
  taskSid: string;
  workerSid: string;
  channelSid: string;
  queueSid: string | null;
}

export interface TaskCancel {
  taskSid: string;
  reason: string;
  /** The workflow event that caused it, if any. */
  event?: 'workflow.timeout' | 'workflow.skipped';
  events: MoveEvent[];
}

export interface RoutingPlan {
  moves: TaskMove[];
  reservations: NewReservation[];
  cancels: TaskCancel[];
}

/**
 * One routing pass over a workspace: place tasks in their workflow, advance
 * steps whose timeout passed, skip steps whose skip_if holds, and offer tasks to
 * eligible workers in priority-then-age order, never beyond free capacity.
 */
export function planRouting(s: Snapshot): RoutingPlan {
  const plan: RoutingPlan = { moves: [], reservations: [], cancels: [] };
  let lookup = s.worker;
  if (!lookup) {
    const byId = new Map(s.workers.map((w) => [w.sid, w]));
    lookup = (sid) => byId.get(sid);
  }
  const indexed: Indexed = { ...s, byId: lookup };
  for (const task of orderTasks(s)) routeTask(indexed, task, plan);
  return plan;
}

/** A snapshot with a worker lookup by SID. */
type Indexed = Snapshot & { byId: (sid: string) => SnapshotWorker | undefined };

function inQueue(queue: SnapshotQueue, w: SnapshotWorker): boolean {
  return queue.members ? queue.members.has(w.sid) : queue.matches(w);
}

/** The workers a queue can offer to: its precomputed members, else everyone (filtered later). */
function poolOf(s: Indexed, queue: SnapshotQueue): SnapshotWorker[] {
  if (!queue.members) return s.workers;
  const pool: SnapshotWorker[] = [];
  for (const sid of queue.members) {
    const w = s.byId(sid);
    if (w) pool.push(w);
  }
  return pool;
}

function routeTask(s: Indexed, task: SnapshotTask, plan: RoutingPlan): void {
  if (s.now >= task.createdAt + task.timeout * 1000) {
    plan.cancels.push({ taskSid: task.sid, reason: 'Task TTL Exceeded', events: [] });
    return;
  }
  if (task.assignmentCounter >= MAX_ASSIGNMENT_COUNT) {
    plan.cancels.push({ taskSid: task.sid, reason: 'Max Assignment Count Exceeded', events: [] });
    return;
  }
  if (task.routingTarget?.startsWith('WK')) {
    reserveDirect(s, task, task.routingTarget, plan);
    return;
  }
  const workflow = task.workflowSid ? s.workflows.get(task.workflowSid) : undefined;
  const events: MoveEvent[] = [];
  const original = task.placement;
  let p = original;

  if (task.routingTarget?.startsWith('WQ')) {
    if (!p) {
      p = { filterIndex: -1, stepIndex: 0, queueSid: task.routingTarget, enteredAt: s.now, checked: true };
      events.push({ type: 'task-queue.entered', queueSid: task.routingTarget });
    }
  } else {
    if (!workflow) return;
    if (!p) {
      p = place(s, task, workflow, 0, events);
      if (!p) return; // matches no filter and there is no default: the task waits unrouted
    }
    // Step timeouts that passed while nobody accepted move the task on.
    for (let guard = 0; guard < 100; guard++) {
      const target = targetOf(workflow, p);
      if (!target?.timeout || s.now < p.enteredAt + target.timeout * 1000) break;
      events.push({ type: 'task-queue.timeout', queueSid: p.queueSid });
      const next = nextStep(s, workflow, p, events);
      if (!next) {
        plan.cancels.push({ taskSid: task.sid, reason: 'Workflow Timeout', event: 'workflow.timeout', events });
        return;
      }
      p = next;
    }
  }

  for (let guard = 0; guard < 100; guard++) {
    const created = reserve(s, task, p, workflow, plan);
    if (p.checked) break;
    p = { ...p, checked: true };
    // Twilio skips a step only when no reservation is made on entering it; a step
    // that offered the task (or still holds its offers) is never skipped later.
    if (created > 0 || task.reservedWorkers.size > 0) break;
    const target = workflow ? targetOf(workflow, p) : undefined;
    if (!workflow || !target?.skipIf || !evaluate(target.skipIf, skipIfScope({ counts: queueCounts(s, p.queueSid), taskAttributes: task.attributes, now: s.now }))) break;
    const next = nextStep(s, workflow, p, events);
    if (next) {
      p = next;
      continue;
    }
    // Skipping the last step counts as not matching the filter: later filters, then the default.
    events.push({ type: 'workflow.skipped' });
    const fallback = place(s, task, workflow, p.filterIndex + 1, events);
    if (!fallback) {
      plan.cancels.push({ taskSid: task.sid, reason: 'Workflow Skipped', event: 'workflow.skipped', events });
      return;
    }
    p = fallback;
  }
  if (!samePlacement(original, p) || events.length > 0) plan.moves.push({ taskSid: task.sid, to: p, events });
}

/** The first filter (from `from`) whose expression matches, else the default filter. */
function place(s: Snapshot, task: SnapshotTask, workflow: SnapshotWorkflow, from: number, events: MoveEvent[]): Placement | null {
  const before = events.length;
  if (from === 0) events.push({ type: 'workflow.entered' });
  const i = firstMatchingFilter(s, task, workflow, Math.max(0, from));
  if (i >= 0) {
    const filter = workflow.filters[i]!;
    const target = filter.targets[0]!;
    events.push({ type: 'workflow.target-matched', filterName: filter.name, stepIndex: 0 }, { type: 'task-queue.entered', queueSid: target.queue });
    return { filterIndex: i, stepIndex: 0, queueSid: target.queue, enteredAt: s.now, checked: false };
  }
  if (workflow.defaultQueue) {
    events.push({ type: 'workflow.target-matched', filterName: 'Default Filter', stepIndex: 0 }, { type: 'task-queue.entered', queueSid: workflow.defaultQueue });
    return { filterIndex: -1, stepIndex: 0, queueSid: workflow.defaultQueue, enteredAt: s.now, checked: true };
  }
  if (from === 0) events.length = before;
  return null;
}

/**
 * The first filter at or after `from` whose expression matches the task (-1 for
 * none). Equality filters are looked up by the task's attribute values; only the
 * other filters above that candidate are evaluated — same answer as evaluating
 * every filter top-down.
 */
function firstMatchingFilter(s: Snapshot, task: SnapshotTask, workflow: SnapshotWorkflow, from: number): number {
  const matches = (i: number) => evaluate(workflow.filters[i]!.expression, filterScope({ taskAttributes: task.attributes, now: s.now }));
  const index = workflow.index;
  if (!index) {
    for (let i = from; i < workflow.filters.length; i++) if (matches(i)) return i;
    return -1;
  }
  let candidate = Infinity;
  for (const { path, byValue } of index.paths.values()) {
    const v = lookupPath(task.attributes, path);
    if (v === null || typeof v === 'object') continue;
    const hits = byValue.get(`${typeof v}:${String(v)}`);
    const first = hits?.find((i) => i >= from);
    if (first !== undefined && first < candidate) candidate = first;
  }
  for (const i of index.general) {
    if (i >= candidate) break;
    if (i >= from && matches(i)) return i;
  }
  return candidate === Infinity ? -1 : candidate;
}

function nextStep(s: Snapshot, workflow: SnapshotWorkflow, p: Placement, events: MoveEvent[]): Placement | null {
  if (p.filterIndex < 0) return null;
  const filter = workflow.filters[p.filterIndex];
  const target = filter?.targets[p.stepIndex + 1];
  if (!filter || !target) return null;
  events.push({ type: 'workflow.target-matched', filterName: filter.name, stepIndex: p.stepIndex + 1 });
  if (target.queue !== p.queueSid) events.push({ type: 'task-queue.moved', fromQueueSid: p.queueSid, toQueueSid: target.queue });
  return { filterIndex: p.filterIndex, stepIndex: p.stepIndex + 1, queueSid: target.queue, enteredAt: s.now, checked: false };
}

function targetOf(workflow: SnapshotWorkflow, p: Placement): CompiledTarget | undefined {
  return p.filterIndex >= 0 ? workflow.filters[p.filterIndex]?.targets[p.stepIndex] : undefined;
}

/** Offers the task to as many eligible workers as its queue's MaxReservedWorkers allows. */
function reserve(s: Indexed, task: SnapshotTask, p: Placement, workflow: SnapshotWorkflow | undefined, plan: RoutingPlan): number {
  const queue = s.queues.get(p.queueSid);
  if (!queue) return 0;
  const slots = queue.maxReservedWorkers - task.reservedWorkers.size;
  if (slots <= 0) return 0;
  const target = workflow ? targetOf(workflow, p) : undefined;
  const order = workerComparator<SnapshotWorker>(target?.orderBy ?? [], longestIdleFirst((w) => w.idleSince));
  let chosen: SnapshotWorker[];
  if (slots === 1 && queue.ordered && !target?.orderBy.length) {
    // Default order kept by the loader: the first eligible worker is the one.
    chosen = [];
    const ordered = queue.ordered;
    for (let i = task.ignoreCapacity ? 0 : (s.firstMaybeFree?.(queue.sid, task.channelSid) ?? 0); i < ordered.length; i++) {
      const sid = ordered[i]!;
      if (!task.ignoreCapacity && s.busy?.(sid, task.channelSid)) continue;
      const w = s.byId(sid);
      if (w && eligible(s, task, w, queue, target)) {
        chosen = [w];
        break;
      }
    }
  } else if (slots === 1) {
    // The usual single offer: one pass for the best eligible worker, no sort.
    let best: SnapshotWorker | undefined;
    for (const w of poolOf(s, queue)) if (eligible(s, task, w, queue, target) && (best === undefined || order(w, best) < 0)) best = w;
    chosen = best ? [best] : [];
  } else {
    chosen = poolOf(s, queue)
      .filter((w) => eligible(s, task, w, queue, target))
      .sort(order)
      .slice(0, slots);
  }
  if (chosen.length === 0) return 0;
  for (const w of chosen) take(task, w, p.queueSid, plan);
  return chosen.length;
}

/** RoutingTarget = a worker: that worker only, once it has room (or regardless, with IgnoreCapacity). */
function reserveDirect(s: Indexed, task: SnapshotTask, workerSid: string, plan: RoutingPlan): void {
  if (task.reservedWorkers.size > 0) return;
  const w = s.byId(workerSid);
  if (!w || !w.available || !hasRoom(s, task, w)) return;
  take(task, w, task.placement?.queueSid ?? null, plan);
}

function take(task: SnapshotTask, w: SnapshotWorker, queueSid: string | null, plan: RoutingPlan): void {
  const ch = w.channels.get(task.channelSid);
  if (ch) ch.load += 1;
  w.totalLoad += 1;
  task.reservedWorkers.add(w.sid);
  plan.reservations.push({ taskSid: task.sid, workerSid: w.sid, channelSid: task.channelSid, queueSid });
}

function eligible(s: Snapshot, task: SnapshotTask, w: SnapshotWorker, queue: SnapshotQueue, target: CompiledTarget | undefined): boolean {
  if (!w.available || task.reservedWorkers.has(w.sid) || !hasRoom(s, task, w) || !inQueue(queue, w)) return false;
  if (target?.knownWorkerSid && w.sid !== lookupPath(task.attributes, target.knownWorkerSid)) return false;
  if (target?.knownWorkerFriendlyName && w.friendly_name !== lookupPath(task.attributes, target.knownWorkerFriendlyName)) return false;
  if (target?.expression && !evaluate(target.expression, targetScope({ taskAttributes: task.attributes, worker: w, now: s.now }))) return false;
  return true;
}

/**
 * Free capacity on the task's channel. Without multitasking a worker holds one
 * task at a time whatever the channel; IgnoreCapacity skips the load check only.
 */
function hasRoom(s: Snapshot, task: SnapshotTask, w: SnapshotWorker): boolean {
  const ch = w.channels.get(task.channelSid);
  if (!ch || !ch.available || ch.capacity <= 0) return false;
  if (task.ignoreCapacity) return true;
  return s.multiTaskEnabled ? ch.load < ch.capacity : w.totalLoad === 0;
}

/** skip_if variables, over the workers in the step's queue. */
function queueCounts(s: Indexed, queueSid: string): WorkerCounts {
  const queue = s.queues.get(queueSid);
  const counts = { available: 0, unavailable: 0, byActivity: {} as Record<string, number> };
  if (!queue) return counts;
  for (const w of poolOf(s, queue)) {
    if (!inQueue(queue, w)) continue;
    if (w.available) counts.available += 1;
    else counts.unavailable += 1;
    counts.byActivity[w.activity_sid] = (counts.byActivity[w.activity_sid] ?? 0) + 1;
  }
  return counts;
}

/**
 * Priority first (higher wins); then tasks in queues of the workspace's
 * PrioritizeQueueOrder kind before the other kind (unplaced tasks count as that
 * kind); then age: FIFO oldest first, LIFO newest first. One key per task, so the
 * order is total and never depends on the order tasks were read in.
 */
export function orderTasks(s: Snapshot): SnapshotTask[] {
  const kind = (t: SnapshotTask) => (t.placement ? s.queues.get(t.placement.queueSid)?.taskOrder : undefined) ?? s.prioritizeQueueOrder;
  // A workflow target's `priority` replaces the task's own while the task is in that step.
  const priority = (t: SnapshotTask) => {
    const p = t.placement;
    const workflow = p && p.filterIndex >= 0 && t.workflowSid ? s.workflows.get(t.workflowSid) : undefined;
    return workflow?.filters[p!.filterIndex]?.targets[p!.stepIndex]?.priority ?? t.priority;
  };
  return [...s.tasks].sort((a, b) => {
    const pa = priority(a);
    const pb = priority(b);
    if (pa !== pb) return pb - pa;
    const ka = kind(a);
    if (ka !== kind(b)) return ka === s.prioritizeQueueOrder ? -1 : 1;
    const age = a.virtualStartTime - b.virtualStartTime;
    if (age !== 0) return ka === 'FIFO' ? age : -age;
    return a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0;
  });
}

function samePlacement(a: Placement | null, b: Placement | null): boolean {
  if (a === null || b === null) return a === b;
  return a.filterIndex === b.filterIndex && a.stepIndex === b.stepIndex && a.queueSid === b.queueSid && a.enteredAt === b.enteredAt && a.checked === b.checked;
}

