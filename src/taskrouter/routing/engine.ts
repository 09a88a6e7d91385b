import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Insertable } from 'kysely';
import type { TrTasksTable } from '../../storage/schema-taskrouter.js';
import { Errors } from '../../platform/errors.js';
import type { TaskRouterDeps, Actor } from '../deps.js';
import type { Executor } from '../../storage/db.js';
import { recordEvent, withEventBatch } from '../events.js';
import { workspacesStore, type WorkspaceRow } from '../workspaces/store.js';
import { tasksStore, type TaskPlacement, type TaskRow } from '../tasks/store.js';
import { bulkInsert } from '../../storage/bulk.js';
import { reservationsStore } from '../reservations/store.js';
import { lockWorkspace } from './lock.js';
import { loadSnapshot, refreshConfig, SnapshotCache } from './snapshot.js';
import { planRouting, type MoveEvent, type RoutingPlan } from './matcher.js';
import { ASSIGNMENT_CALLBACK_JOB, EVALUATE_JOB, Lifecycle, RESERVATION_TIMEOUT_JOB, routingActor, taskData, OfferBatch } from './lifecycle.js';
import type { Placement, Snapshot } from './model.js';

/** A task created through the API, inserted by the next routing pass. */
export interface NewTask {
  actor: Actor;
  row: Insertable<TrTasksTable>;
}

interface AssignmentCallbackPayload {
  workspaceSid: string;
  reservationSid: string;
  url: string;
  fallbackUrl: string | null;
  params: Record<string, string>;
}

/** When a step's timeout moves the task on; a step without one (or the default filter) has none. */
function stepDeadline(s: Snapshot, task: TaskRow, p: Placement | null): number | null {
  const workflow = task.workflow_sid ? s.workflows.get(task.workflow_sid) : undefined;
  const target = p && workflow && p.filterIndex >= 0 ? workflow.filters[p.filterIndex]?.targets[p.stepIndex] : undefined;
  return target?.timeout ? p!.enteredAt + target.timeout * 1000 : null;
}

/** Runs an `IN (...)` read in chunks small enough for every engine's parameter limit. */
async function inChunks<T>(sids: string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < sids.length; i += 500) out.push(...(await read(sids.slice(i, i + 500))));
  return out;
}

/** Default reservation timeout when a task has no workflow (direct routing). */
const DEFAULT_RESERVATION_TIMEOUT_S = 120;

/**
 * Runs routing passes. A pass locks the workspace, reads a snapshot, asks the
 * pure matcher for a plan and applies it in the same transaction. Triggers
 * (task created, worker available, capacity freed, timers) coalesce: one pass
 * per workspace at a time, another if something changed meanwhile.
 */
export class RoutingEngine {
  private lanes = new Map<string, { running: Promise<void> | null; waiters: Array<{ resolve: (created?: TaskRow) => void; reject: (err: unknown) => void; insert?: NewTask }>; cache: SnapshotCache }>();
  private stopped = false;

  constructor(
    private readonly deps: TaskRouterDeps,
    private readonly lifecycle: Lifecycle,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    deps.jobs.handle(EVALUATE_JOB, async (job) => {
      await this.evaluate(job.accountSid, String(job.payload.workspaceSid));
    });
    deps.jobs.handle(ASSIGNMENT_CALLBACK_JOB, (job) => this.assignmentCallback(job.accountSid, job.payload as unknown as AssignmentCallbackPayload));
    deps.jobs.handle(RESERVATION_TIMEOUT_JOB, async (job) => {
      const workspaceSid = String(job.payload.workspaceSid);
      const timedOut = await this.inWorkspace(job.accountSid, workspaceSid, async (tx, ws) => {
        const r = await reservationsStore.find(tx, job.accountSid, workspaceSid, String(job.payload.reservationSid));
        return r ? this.lifecycle.timeout(tx, ws, r) : false;
      });
      if (timedOut) await this.evaluate(job.accountSid, workspaceSid);
    });
  }

  /**
   * Tells the workflow's AssignmentCallbackUrl (else its fallback) about a new
   * reservation and follows the instruction in its JSON answer: `accept`, or
   * `reject` (optionally with `activity_sid`). Any other answer leaves the offer
   * pending for the worker to answer, as Twilio does.
   */
  private async assignmentCallback(accountSid: string, p: AssignmentCallbackPayload): Promise<void> {
    let res = await this.deps.webhooks.send({ accountSid, url: p.url, method: 'POST', params: p.params });
    if ((res.status < 200 || res.status >= 300) && p.fallbackUrl) res = await this.deps.webhooks.send({ accountSid, url: p.fallbackUrl, method: 'POST', params: p.params });
    if (res.status < 200 || res.status >= 300 || res.body.trim() === '') return;
    let answer: { instruction?: unknown; activity_sid?: unknown };
    try {
      answer = JSON.parse(res.body) as typeof answer;
    } catch {
      return;
    }
    const actor: Actor = { type: 'workflow', sid: String(p.params.WorkflowSid ?? ''), source: 'API' };
    const changed = await this.inWorkspace(accountSid, p.workspaceSid, async (tx, ws) => {
      const r = await reservationsStore.find(tx, accountSid, p.workspaceSid, p.reservationSid);
      if (!r || r.status !== 'pending') return false;
      if (answer.instruction === 'accept') await this.lifecycle.accept(tx, ws, r, actor);
      else if (answer.instruction === 'reject') await this.lifecycle.reject(tx, ws, r, actor, typeof answer.activity_sid === 'string' ? answer.activity_sid : undefined);
      else return false;
      return true;
    });
    if (changed) this.schedule(accountSid, p.workspaceSid);
  }

  /** Runs fn in a transaction holding the workspace's routing lock. */
  async inWorkspace<T>(accountSid: string, workspaceSid: string, fn: (tx: Executor, ws: WorkspaceRow) => Promise<T>): Promise<T | undefined> {
    const out = await this.deps.storage.transaction(async (tx) => {
      await lockWorkspace(tx, this.deps.storage.engine, workspaceSid);
      const ws = await workspacesStore.find(tx, this.deps.storage.engine, accountSid, workspaceSid);
      return ws ? fn(tx, ws) : undefined;
    });
    this.deps.outbox.committed();
    return out;
  }

  /** Asks for a pass soon without waiting for it. */
  schedule(accountSid: string, workspaceSid: string): void {
    if (this.stopped) return;
    this.evaluate(accountSid, workspaceSid).catch(() => undefined); // reported through onError
  }

  /**
   * Resolves once a routing pass that started after this call has finished.
   * Requests arriving while a pass runs share the next one ("group commit"), so
   * a burst of task creations costs a few passes, not one each.
   */
  /** With `insert`, resolves with the new task's row as the pass left it (in its queue, reserved if a worker was free). */
  evaluate(accountSid: string, workspaceSid: string, insert?: NewTask): Promise<TaskRow | undefined> {
    const key = `${accountSid}|${workspaceSid}`;
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { running: null, waiters: [], cache: new SnapshotCache() }));
    const l = lane;
    return new Promise<TaskRow | undefined>((resolve, reject) => {
      l.waiters.push({ resolve, reject, ...(insert ? { insert } : {}) });
      if (!l.running) {
        l.running = (async () => {
          for (;;) {
            const batch = l.waiters.splice(0);
            try {
              // Only task creations asked for this pass: a settled backlog may be skipped.
              const insertOnly = batch.every((w) => w.insert !== undefined);
              const created = await this.pass(accountSid, workspaceSid, l.cache, batch.flatMap((w) => (w.insert ? [w.insert] : [])), insertOnly);
              for (const w of batch) w.resolve(w.insert ? created.get(w.insert.row.sid) : undefined);
            } catch (err) {
              // A failed pass leaves the cache unsure of what it saw: start over next time.
              l.cache = new SnapshotCache();
              this.onError(err);
              for (const w of batch) w.reject(err);
            }
            // Let the callers this pass answered come back before deciding the lane
            // is idle: otherwise the first to ask again runs alone while the rest
            // queue behind it (passes of 1, then 15, then 1, …).
            await nextTurn();
            if (l.waiters.length === 0) break;
          }
          l.running = null;
        })();
      }
    });
  }

  /**
   * The workspace's queues, workflows and task channels as of its config epoch,
   * from the routing cache when current (request validation reads no rows then).
   */
  async config(ws: WorkspaceRow): Promise<Pick<SnapshotCache, 'queueRows' | 'workflowRows' | 'channelRows'>> {
    const key = `${ws.account_sid}|${ws.sid}`;
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { running: null, waiters: [], cache: new SnapshotCache() }));
    await refreshConfig(this.deps.storage.db, ws, lane.cache);
    return lane.cache;
  }

  /** Resolves when no pass is running or queued (tests, shutdown). */
  async settle(): Promise<void> {
    for (;;) {
      const running = [...this.lanes.values()].map((l) => l.running).filter((r): r is Promise<void> => r !== null);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.settle();
  }

  /**
   * One routing pass over a workspace, with the tasks created since the last one.
   * Those are routed from their rows in memory and written once routed, in the
   * state the pass leaves them in: one insert each, not an insert, a placement
   * update and a reservation update (and their index entries moved twice).
   */
  private async pass(accountSid: string, workspaceSid: string, cache: SnapshotCache, inserts: NewTask[], insertOnly = false): Promise<Map<string, TaskRow>> {
    const done = await this.inWorkspace(accountSid, workspaceSid, (tx, ws) =>
      withEventBatch(this.deps, tx, async () => {
        const fresh: TaskRow[] = [];
        for (const t of inserts) {
          // `seq` comes from the insert, below.
          const row = { ...t.row, seq: 0, step_deadline: null } as TaskRow;
          fresh.push(row);
          await this.lifecycle.taskEvent(tx, ws, row, 'task.created', t.actor, `Task ${row.sid} created`);
        }
        const unstored = new Set(fresh.map((t) => t.sid));
        // What a new task's row holds: the columns the create gave, and the step deadline.
        const columns = inserts.length > 0 ? [...new Set([...Object.keys(inserts[0]!.row), 'step_deadline'])] : [];
        const snapshot = await loadSnapshot(tx, this.deps.storage.engine, this.deps.cipher, ws, this.deps.clock.now(), cache, fresh, insertOnly);
        // Tasks whose rows the pass changed other than through its own copies (canceled): read back below.
        const stale = new Set<string>();
        if (snapshot.tasks.length > 0) {
          const offers = new OfferBatch();
          const plan = planRouting(snapshot);
          for (const c of plan.cancels) stale.add(c.taskSid);
          // Canceling a task updates its stored row: new tasks the plan cancels are written first.
          if (plan.cancels.some((c) => unstored.has(c.taskSid))) await this.store(tx, fresh, unstored, columns);
          await this.apply(tx, ws, snapshot, plan, cache, offers, unstored);
          await offers.flush(this.deps, tx, ws, unstored);
        }
        await this.store(tx, fresh, unstored, columns);
        // Every pending task had its chance at all the room there was.
        cache.backlogSettled = true;
        await this.armWake(tx, ws);
        // The new tasks as this pass left them: the pass kept its copies of their rows
        // in step with what it wrote (placement, offers); any other is read back.
        const out = new Map<string, TaskRow>();
        const unsure: string[] = [];
        for (const t of fresh) {
          const row = stale.has(t.sid) ? undefined : cache.taskRows.get(t.sid);
          if (row) out.set(t.sid, row);
          else unsure.push(t.sid);
        }
        for (const t of await inChunks(unsure, (chunk) => tasksStore.bySids(tx, ws.account_sid, chunk))) out.set(t.sid, t);
        return out;
      }),
    );
    // The workspace is gone: the tasks of this batch cannot exist.
    if (done === undefined && inserts.length > 0) throw Errors.notFound(`/Workspaces/${workspaceSid}`);
    return done ?? new Map();
  }

  /** Writes the pass's new tasks not written yet, as they stand, and numbers them. */
  private async store(tx: Executor, fresh: TaskRow[], unstored: Set<string>, columns: readonly string[]): Promise<void> {
    const rows = fresh.filter((t) => unstored.has(t.sid));
    unstored.clear();
    if (rows.length === 0) return;
    const numbered = await bulkInsert<{ sid: string; seq: number }>(tx, this.deps.storage.engine, 'tr_tasks', columns, rows as unknown as Array<Record<string, unknown>>, { chunk: 100, tail: 'returning "sid", "seq"' });
    const seqs = new Map(numbered.map((r) => [r.sid, Number(r.seq)]));
    for (const t of rows) t.seq = seqs.get(t.sid)!;
  }

  /**
   * One timer per workspace wakes routing at the next deadline of any waiting
   * task (its TTL or its step's timeout), instead of one timer per task.
   */
  private async armWake(tx: Executor, ws: WorkspaceRow): Promise<void> {
    const at = (await tasksStore.nextDeadline(tx, this.deps.storage.engine, ws.account_sid, ws.sid)) ?? Infinity;
    const key = `tr-wake:${ws.sid}`;
    if (at === Infinity) await this.deps.jobs.cancel(tx, key);
    else await this.deps.jobs.schedule(tx, { accountSid: ws.account_sid, kind: EVALUATE_JOB, dedupeKey: key, runAt: at, payload: { workspaceSid: ws.sid }, maxAttempts: 10, plain: true, unlessArmed: true });
  }

  private async apply(tx: Executor, ws: WorkspaceRow, s: Snapshot, plan: RoutingPlan, cache: SnapshotCache, offers: OfferBatch, unstored: ReadonlySet<string>): Promise<void> {
    const now = s.now;
    // The plan only names tasks and workers of the snapshot, which this pass already read.
    const tasks = cache.taskRows;
    const workers = cache.workers;
    const queues = new Map(cache.queueRows.map((q) => [q.sid, q]));
    const workflows = new Map(cache.workflowRows.map((w) => [w.sid, w]));

    for (const c of plan.cancels) {
      const task = tasks.get(c.taskSid);
      if (!task) continue;
      await this.moveEvents(tx, ws, task, c.events);
      if (c.event) await this.workflowEvent(tx, ws, task, c.event, `Task ${task.sid} ${c.event === 'workflow.timeout' ? 'timed out of' : 'skipped every step of'} its workflow`);
      await this.lifecycle.cancel(tx, ws, task, c.reason, routingActor(task));
    }
    for (const m of plan.moves) {
      const task = tasks.get(m.taskSid);
      if (!task) continue;
      await this.place(tx, ws, task, m.to, now, stepDeadline(s, task, m.to), !unstored.has(task.sid));
      await this.moveEvents(tx, ws, task, m.events);
    }
    for (const r of plan.reservations) {
      const task = tasks.get(r.taskSid);
      const worker = workers.get(r.workerSid);
      if (!task || !worker) continue;
      const workflow = task.workflow_sid ? workflows.get(task.workflow_sid) : undefined;
      const callback = workflow?.assignment_callback_url ? { url: workflow.assignment_callback_url, fallbackUrl: workflow.fallback_assignment_callback_url } : undefined;
      await this.lifecycle.offer(tx, ws, offers, task, worker, r.queueSid ? queues.get(r.queueSid) : undefined, workflow?.task_reservation_timeout ?? DEFAULT_RESERVATION_TIMEOUT_S, callback);
    }
  }

  /** Stores a new workflow position (unless the task is not stored yet), and keeps the caller's row in step with it. */
  private async place(tx: Executor, ws: WorkspaceRow, task: TaskRow, p: Placement | null, now: number, deadline: number | null, stored: boolean): Promise<void> {
    const patch: TaskPlacement = {
      step_deadline: deadline,
      filter_index: p?.filterIndex ?? null,
      step_index: p?.stepIndex ?? null,
      step_entered_at: p?.enteredAt ?? null,
      step_checked: p?.checked ? 1 : 0,
      task_queue_sid: p?.queueSid ?? task.task_queue_sid,
      task_queue_entered_date: p && p.queueSid !== task.task_queue_sid ? now : task.task_queue_entered_date,
      date_updated: now,
    };
    if (stored) await tasksStore.place(tx, this.deps.storage.engine, ws.account_sid, task.sid, patch);
    Object.assign(task, patch, { version: task.version + 1 });
  }

  private async moveEvents(tx: Executor, ws: WorkspaceRow, task: TaskRow, events: MoveEvent[]): Promise<void> {
    for (const e of events) {
      switch (e.type) {
        case 'workflow.entered':
          await this.workflowEvent(tx, ws, task, 'workflow.entered', `Task ${task.sid} entered workflow`);
          break;
        case 'workflow.target-matched':
          await this.workflowEvent(tx, ws, task, 'workflow.target-matched', `Task ${task.sid} matched ${e.filterName}, step ${e.stepIndex}`, { WorkflowFilterName: e.filterName, WorkflowFilterTargetIndex: e.stepIndex });
          break;
        case 'workflow.skipped':
          await this.workflowEvent(tx, ws, task, 'workflow.skipped', `Task ${task.sid} skipped a workflow filter`);
          break;
        case 'task-queue.entered':
          await this.queueEvent(tx, ws, task, e.queueSid, 'task-queue.entered', `Task ${task.sid} entered TaskQueue ${e.queueSid}`);
          break;
        case 'task-queue.moved':
          await this.queueEvent(tx, ws, task, e.toQueueSid, 'task-queue.moved', `Task ${task.sid} moved from TaskQueue ${e.fromQueueSid} to ${e.toQueueSid}`, { TaskQueueSidFrom: e.fromQueueSid });
          break;
        case 'task-queue.timeout':
          await this.queueEvent(tx, ws, task, e.queueSid, 'task-queue.timeout', `Task ${task.sid} timed out of TaskQueue ${e.queueSid}`);
          break;
      }
    }
  }

  private async workflowEvent(tx: Executor, ws: WorkspaceRow, task: TaskRow, type: 'workflow.entered' | 'workflow.target-matched' | 'workflow.skipped' | 'workflow.timeout', description: string, extra: Record<string, string | number> = {}): Promise<void> {
    if (!task.workflow_sid) return;
    await recordEvent(this.deps, tx, {
      accountSid: ws.account_sid,
      workspaceSid: ws.sid,
      type,
      resourceType: 'workflow',
      resourceSid: task.workflow_sid,
      actor: routingActor(task),
      description,
      data: { ...taskData(this.deps, task, this.deps.clock.now()), ...extra },
      taskSid: task.sid,
      workflowSid: task.workflow_sid,
      ...(task.task_queue_sid ? { taskQueueSid: task.task_queue_sid } : {}),
      taskChannel: task.task_channel_sid,
    });
  }

  private async queueEvent(tx: Executor, ws: WorkspaceRow, task: TaskRow, queueSid: string, type: 'task-queue.entered' | 'task-queue.moved' | 'task-queue.timeout', description: string, extra: Record<string, string> = {}): Promise<void> {
    const actor: Actor = routingActor(task);
    await recordEvent(this.deps, tx, {
      accountSid: ws.account_sid,
      workspaceSid: ws.sid,
      type,
      resourceType: 'task_queue',
      resourceSid: queueSid,
      actor,
      description,
      data: { ...taskData(this.deps, { ...task, task_queue_sid: queueSid }, this.deps.clock.now()), TaskQueueSid: queueSid, ...extra },
      taskSid: task.sid,
      taskQueueSid: queueSid,
      ...(task.workflow_sid ? { workflowSid: task.workflow_sid } : {}),
      taskChannel: task.task_channel_sid,
    });
  }
}
