import { Errors } from '../../platform/errors.js';
import { newSid } from '../../platform/sid.js';
import type { Executor } from '../../storage/db.js';
import type { Actor, TaskRouterDeps } from '../deps.js';
import { recordEvent, type EventType } from '../events.js';
import { activitiesStore } from '../activities/store.js';
import { bulkInsert, placeholders, rawQuery, statementText } from '../../storage/bulk.js';
import { stampWorkers, workersStore, type WorkerRow } from '../workers/store.js';
import type { WorkersService } from '../workers/service.js';
import type { WorkspaceRow } from '../workspaces/store.js';
import { tasksStore, type TaskRow } from '../tasks/store.js';
import { reservationsStore, type ReservationRow } from '../reservations/store.js';
import { nextStamp } from './stamps.js';

export const RESERVATION_TIMEOUT_JOB = 'taskrouter.reservation-timeout';
export const EVALUATE_JOB = 'taskrouter.evaluate';
export const ASSIGNMENT_CALLBACK_JOB = 'taskrouter.assignment-callback';

/** Where a new reservation is announced: the workflow's assignment callback, if any. */
export interface OfferCallback {
  url: string;
  fallbackUrl: string | null;
}

/** What an offer needs of its worker (a routing pass has it cached). */
export type OfferedWorker = Pick<WorkerRow, 'sid' | 'friendly_name' | 'attributes' | 'activity_sid'>;

// Every pass that offers runs it: written by hand (see storage/bulk.ts).
const reserveTasks = (n: number) =>
  statementText(
    `tasks.reserve|${n}`,
    () => `update "tr_tasks" set "assignment_status" = 'reserved', "assignment_counter" = "assignment_counter" + 1, "version" = "version" + 1, "date_updated" = ? where "account_sid" = ? and "sid" in (${placeholders(n)})`,
  );

/**
 * The offers of one routing pass, written together when the pass has planned
 * them all: the reservations (one routing stamp for all), the tasks they
 * reserve, and their timeout timers. Nothing in the pass reads reservations
 * after offering.
 */
export class OfferBatch {
  readonly reservations: Array<Omit<ReservationRow, 'seq' | 'rseq'>> = [];
  readonly timers: Array<{ accountSid: string; kind: string; dedupeKey: string; runAt: number; payload: Record<string, unknown>; maxAttempts: number; plain: boolean }> = [];
  /** The pass's rows of the tasks it reserved: the flush keeps them in step with what it writes. */
  readonly reservedTasks: TaskRow[] = [];

  /** Writes the batch; tasks in `unstored` (new, written later by the pass) change in memory only. */
  async flush(deps: Pick<TaskRouterDeps, 'jobs' | 'clock' | 'storage'>, tx: Executor, ws: WorkspaceRow, unstored: ReadonlySet<string>): Promise<void> {
    if (this.reservations.length === 0) return;
    const rseq = await nextStamp(tx, deps.storage.engine, ws.sid);
    const rows = this.reservations.map((r) => ({ ...r, rseq }));
    await bulkInsert(tx, deps.storage.engine, 'tr_reservations', Object.keys(rows[0]!), rows, { chunk: 100 });
    const now = deps.clock.now();
    const stored = this.reservedTasks.filter((t) => !unstored.has(t.sid));
    for (let i = 0; i < stored.length; i += 500) {
      const sids = stored.slice(i, i + 500).map((t) => t.sid);
      await rawQuery(tx, deps.storage.engine, reserveTasks(sids.length), [now, ws.account_sid, ...sids]);
    }
    for (const t of this.reservedTasks) {
      t.version += 1;
      t.date_updated = now;
    }
    await deps.jobs.scheduleMany(tx, this.timers);
  }
}

/**
 * The state machine of tasks and reservations. Every function runs inside a
 * transaction that already holds the workspace lock (routing/lock.ts), checks the
 * current state it acts on, and records its events — so an accept racing a
 * timeout or a cancel resolves to exactly one outcome: the first to commit wins,
 * the others find the reservation no longer pending and fail cleanly.
 */
export class Lifecycle {
  constructor(
    private readonly deps: TaskRouterDeps,
    private readonly workers: WorkersService,
  ) {}

  async offer(
    tx: Executor,
    ws: WorkspaceRow,
    batch: OfferBatch,
    task: TaskRow,
    worker: OfferedWorker,
    queue: { sid: string; friendly_name: string; reservation_activity_sid: string | null } | undefined,
    timeoutSeconds: number,
    callback?: OfferCallback,
  ): Promise<ReservationRow> {
    const now = this.deps.clock.now();
    const sid = newSid('WR');
    const row: ReservationRow = {
      seq: 0,
      rseq: 0,
      sid,
      account_sid: ws.account_sid,
      workspace_sid: ws.sid,
      task_sid: task.sid,
      worker_sid: worker.sid,
      task_channel_sid: task.task_channel_sid,
      status: 'pending',
      timeout_at: now + timeoutSeconds * 1000,
      version: 0,
      date_created: now,
      date_updated: now,
    };
    const { seq: _seq, rseq: _rseq, ...insert } = row;
    const timer = { accountSid: ws.account_sid, kind: RESERVATION_TIMEOUT_JOB, dedupeKey: `tr-res:${sid}`, runAt: row.timeout_at!, payload: { workspaceSid: ws.sid, reservationSid: sid }, maxAttempts: 10, plain: true };
    // The task shows its new state to the rest of the pass; the batch writes it.
    if (task.assignment_status === 'pending') {
      task.assignment_status = 'reserved';
      task.assignment_counter += 1;
      batch.reservedTasks.push(task);
    }
    batch.reservations.push(insert);
    batch.timers.push(timer);
    await this.reservationEvent(tx, ws, row, task, worker, 'reservation.created', routingActor(task), `Reservation ${sid} created for Worker ${worker.friendly_name}`);
    if (callback) {
      const params = {
        AccountSid: ws.account_sid,
        WorkspaceSid: ws.sid,
        WorkflowSid: task.workflow_sid ?? '',
        TaskQueueSid: queue?.sid ?? task.task_queue_sid ?? '',
        TaskSid: task.sid,
        TaskAttributes: this.deps.cipher.decrypt(task.attributes),
        TaskAge: String(Math.floor((now - task.date_created) / 1000)),
        TaskPriority: String(task.priority),
        ReservationSid: sid,
        WorkerSid: worker.sid,
        WorkerAttributes: this.deps.cipher.decrypt(worker.attributes),
      };
      await this.deps.jobs.schedule(tx, { accountSid: ws.account_sid, kind: ASSIGNMENT_CALLBACK_JOB, runAt: now, payload: { workspaceSid: ws.sid, reservationSid: sid, url: callback.url, fallbackUrl: callback.fallbackUrl, params }, maxAttempts: 1 });
    }
    if (queue?.reservation_activity_sid) await this.workers.setActivity(tx, routingActor(task), ws, worker.sid, queue.reservation_activity_sid);
    return row;
  }

  /** pending → accepted: the task is assigned; its other pending reservations are rescinded. */
  async accept(tx: Executor, ws: WorkspaceRow, r: ReservationRow, actor: Actor): Promise<void> {
    this.expect(r, ['pending'], 'accepted');
    const task = await this.task(tx, ws, r.task_sid);
    const now = this.deps.clock.now();
    await reservationsStore.setStatus(tx, this.deps.storage.engine, ws.account_sid, ws.sid, r.sid, 'accepted', now);
    await this.deps.jobs.cancel(tx, `tr-res:${r.sid}`);
    await tasksStore.update(tx, ws.account_sid, task.sid, { assignment_status: 'assigned', date_updated: now });
    const worker = await this.worker(tx, ws, r.worker_sid);
    await this.reservationEvent(tx, ws, { ...r, status: 'accepted' }, task, worker, 'reservation.accepted', actor, `Reservation ${r.sid} accepted by Worker ${worker.friendly_name}`);
    for (const other of await reservationsStore.ofTask(tx, ws.account_sid, task.sid, ['pending'])) {
      if (other.sid === r.sid) continue;
      await this.end(tx, ws, other, task, 'rescinded', 'reservation.rescinded', actor);
    }
    const queue = task.task_queue_sid ? await tx.selectFrom('tr_task_queues').select('assignment_activity_sid').where('sid', '=', task.task_queue_sid).executeTakeFirst() : undefined;
    if (queue?.assignment_activity_sid) await this.workers.setActivity(tx, actor, ws, worker.sid, queue.assignment_activity_sid);
  }

  /** pending → rejected; the task goes back to pending once no offer is left. */
  async reject(tx: Executor, ws: WorkspaceRow, r: ReservationRow, actor: Actor, workerActivitySid?: string): Promise<void> {
    this.expect(r, ['pending'], 'rejected');
    const task = await this.task(tx, ws, r.task_sid);
    if (workerActivitySid !== undefined) {
      const activity = await activitiesStore.find(tx, ws.account_sid, ws.sid, workerActivitySid);
      if (!activity) throw Errors.invalidParameter(`WorkerActivitySid ${workerActivitySid} is not an Activity of this workspace`);
    }
    await this.end(tx, ws, r, task, 'rejected', 'reservation.rejected', actor);
    if (workerActivitySid !== undefined) await this.workers.setActivity(tx, actor, ws, r.worker_sid, workerActivitySid);
  }

  /** A pending offer ran out of time: the worker moves to the workspace's timeout activity. */
  async timeout(tx: Executor, ws: WorkspaceRow, r: ReservationRow): Promise<boolean> {
    if (r.status !== 'pending') return false;
    const task = await this.task(tx, ws, r.task_sid);
    const actor: Actor = { type: 'reservation', sid: r.sid, source: 'timer' };
    await this.end(tx, ws, r, task, 'timeout', 'reservation.timeout', actor);
    if (ws.timeout_activity_sid) await this.workers.setActivity(tx, actor, ws, r.worker_sid, ws.timeout_activity_sid);
    return true;
  }

  /** accepted → wrapping (reservation and task). */
  async wrap(tx: Executor, ws: WorkspaceRow, task: TaskRow, actor: Actor): Promise<void> {
    if (task.assignment_status !== 'assigned') throw Errors.invalidParameter(`Task ${task.sid} is ${task.assignment_status}; only an assigned task can move to wrapping`);
    const now = this.deps.clock.now();
    await tasksStore.update(tx, ws.account_sid, task.sid, { assignment_status: 'wrapping', date_updated: now });
    await this.taskEvent(tx, ws, { ...task, assignment_status: 'wrapping' }, 'task.wrapup', actor, `Task ${task.sid} wrapping up`);
    for (const r of await reservationsStore.ofTask(tx, ws.account_sid, task.sid, ['accepted'])) {
      await reservationsStore.setStatus(tx, this.deps.storage.engine, ws.account_sid, ws.sid, r.sid, 'wrapping', now);
      const worker = await this.worker(tx, ws, r.worker_sid);
      await this.reservationEvent(tx, ws, { ...r, status: 'wrapping' }, task, worker, 'reservation.wrapup', actor, `Reservation ${r.sid} wrapping up`);
    }
  }

  /** assigned|wrapping → completed; the worker's capacity frees and they count as idle from now. */
  async complete(tx: Executor, ws: WorkspaceRow, task: TaskRow, reason: string, actor: Actor): Promise<void> {
    if (task.assignment_status !== 'assigned' && task.assignment_status !== 'wrapping') {
      throw Errors.invalidParameter(`Task ${task.sid} is ${task.assignment_status}; only an assigned or wrapping task can be completed`);
    }
    const now = this.deps.clock.now();
    await tasksStore.update(tx, ws.account_sid, task.sid, { assignment_status: 'completed', reason, date_updated: now });
    const done = { ...task, assignment_status: 'completed', reason };
    for (const r of await reservationsStore.ofTask(tx, ws.account_sid, task.sid, ['accepted', 'wrapping'])) {
      await reservationsStore.setStatus(tx, this.deps.storage.engine, ws.account_sid, ws.sid, r.sid, 'completed', now);
      await tx.updateTable('tr_workers').set({ idle_since: now }).where('account_sid', '=', ws.account_sid).where('sid', '=', r.worker_sid).execute();
      await stampWorkers(tx, this.deps.storage.engine, ws.sid, [r.worker_sid]);
      const worker = await this.worker(tx, ws, r.worker_sid);
      await this.reservationEvent(tx, ws, { ...r, status: 'completed' }, done, worker, 'reservation.completed', actor, `Reservation ${r.sid} completed`);
    }
    await this.taskEvent(tx, ws, done, 'task.completed', actor, `Task ${task.sid} completed: ${reason}`);
  }

  /** pending|reserved → canceled; pending offers are canceled with it. */
  async cancel(tx: Executor, ws: WorkspaceRow, task: TaskRow, reason: string, actor: Actor): Promise<void> {
    if (task.assignment_status !== 'pending' && task.assignment_status !== 'reserved') {
      throw Errors.invalidParameter(`Task ${task.sid} is ${task.assignment_status}; only a pending or reserved task can be canceled`);
    }
    const now = this.deps.clock.now();
    await tasksStore.update(tx, ws.account_sid, task.sid, { assignment_status: 'canceled', reason, date_updated: now });
    const canceled = { ...task, assignment_status: 'canceled', reason };
    for (const r of await reservationsStore.ofTask(tx, ws.account_sid, task.sid, ['pending'])) {
      await reservationsStore.setStatus(tx, this.deps.storage.engine, ws.account_sid, ws.sid, r.sid, 'canceled', now);
      await this.deps.jobs.cancel(tx, `tr-res:${r.sid}`);
      const worker = await this.worker(tx, ws, r.worker_sid);
      await this.reservationEvent(tx, ws, { ...r, status: 'canceled' }, canceled, worker, 'reservation.canceled', actor, `Reservation ${r.sid} canceled`);
    }
    await this.taskEvent(tx, ws, canceled, 'task.canceled', actor, `Task ${task.sid} canceled: ${reason}`);
  }

  /** Ends a pending reservation (rejected, timeout, rescinded); the task returns to pending when no offer is left. */
  private async end(tx: Executor, ws: WorkspaceRow, r: ReservationRow, task: TaskRow, status: 'rejected' | 'timeout' | 'rescinded', type: EventType, actor: Actor): Promise<void> {
    const now = this.deps.clock.now();
    await reservationsStore.setStatus(tx, this.deps.storage.engine, ws.account_sid, ws.sid, r.sid, status, now);
    await this.deps.jobs.cancel(tx, `tr-res:${r.sid}`);
    const worker = await this.worker(tx, ws, r.worker_sid);
    await this.reservationEvent(tx, ws, { ...r, status }, task, worker, type, actor, `Reservation ${r.sid} ${status}`);
    if (status === 'rescinded' || task.assignment_status !== 'reserved') return;
    const stillPending = await reservationsStore.ofTask(tx, ws.account_sid, task.sid, ['pending']);
    if (stillPending.length === 0) {
      await tasksStore.update(tx, ws.account_sid, task.sid, { assignment_status: 'pending', date_updated: now });
      task.assignment_status = 'pending';
    }
  }

  private expect(r: ReservationRow, from: string[], to: string): void {
    if (!from.includes(r.status)) throw Errors.invalidParameter(`Reservation ${r.sid} is ${r.status} and cannot be ${to}`);
  }

  async task(tx: Executor, ws: WorkspaceRow, sid: string): Promise<TaskRow> {
    const t = await tasksStore.find(tx, ws.account_sid, ws.sid, sid);
    if (!t) throw Errors.notFound(`/Workspaces/${ws.sid}/Tasks/${sid}`);
    return t;
  }

  private async worker(tx: Executor, ws: WorkspaceRow, sid: string): Promise<WorkerRow> {
    const w = await workersStore.find(tx, ws.account_sid, ws.sid, sid);
    if (!w) throw Errors.notFound(`/Workspaces/${ws.sid}/Workers/${sid}`);
    return w;
  }

  async taskEvent(tx: Executor, ws: WorkspaceRow, task: TaskRow, type: EventType, actor: Actor, description: string, extra: Record<string, string | number | null> = {}): Promise<void> {
    await recordEvent(this.deps, tx, {
      accountSid: ws.account_sid,
      workspaceSid: ws.sid,
      type,
      resourceType: 'task',
      resourceSid: task.sid,
      actor,
      description,
      data: { ...taskData(this.deps, task, this.deps.clock.now()), ...extra },
      taskSid: task.sid,
      ...(task.task_queue_sid ? { taskQueueSid: task.task_queue_sid } : {}),
      ...(task.workflow_sid ? { workflowSid: task.workflow_sid } : {}),
      taskChannel: task.task_channel_sid,
    });
  }

  private async reservationEvent(tx: Executor, ws: WorkspaceRow, r: ReservationRow, task: TaskRow, worker: OfferedWorker, type: EventType, actor: Actor, description: string): Promise<void> {
    await recordEvent(this.deps, tx, {
      accountSid: ws.account_sid,
      workspaceSid: ws.sid,
      type,
      resourceType: 'reservation',
      resourceSid: r.sid,
      actor,
      description,
      data: {
        ...taskData(this.deps, task, this.deps.clock.now()),
        ReservationSid: r.sid,
        WorkerSid: worker.sid,
        WorkerName: worker.friendly_name,
        WorkerAttributes: this.deps.cipher.decrypt(worker.attributes),
        WorkerActivitySid: worker.activity_sid,
      },
      taskSid: task.sid,
      workerSid: worker.sid,
      reservationSid: r.sid,
      ...(task.task_queue_sid ? { taskQueueSid: task.task_queue_sid } : {}),
      ...(task.workflow_sid ? { workflowSid: task.workflow_sid } : {}),
      taskChannel: task.task_channel_sid,
    });
  }
}

/** The Task* parameters of event callbacks (reference §4.3). */
/**
 * A task's events carry its attributes; one routing pass records several events
 * per task, so recently decrypted attributes are kept (by ciphertext, bounded).
 */
const recentAttributes = new Map<string, string>();
function taskAttributes(deps: Pick<TaskRouterDeps, 'cipher'>, sealed: string): string {
  let plain = recentAttributes.get(sealed);
  if (plain === undefined) {
    plain = deps.cipher.decrypt(sealed);
    if (recentAttributes.size >= 512) recentAttributes.delete(recentAttributes.keys().next().value as string);
    recentAttributes.set(sealed, plain);
  }
  return plain;
}

export function taskData(deps: Pick<TaskRouterDeps, 'cipher'>, task: TaskRow, now: number): Record<string, string | number | null> {
  return {
    TaskSid: task.sid,
    TaskAttributes: taskAttributes(deps, task.attributes),
    TaskAge: Math.floor((now - task.date_created) / 1000),
    TaskPriority: task.priority,
    TaskAssignmentStatus: task.assignment_status,
    TaskChannelSid: task.task_channel_sid,
    TaskQueueSid: task.task_queue_sid,
    WorkflowSid: task.workflow_sid,
    ...(task.assignment_status === 'canceled' ? { TaskCanceledReason: task.reason } : {}),
    ...(task.assignment_status === 'completed' ? { TaskCompletedReason: task.reason } : {}),
  };
}

export function routingActor(task: TaskRow): Actor {
  return { type: 'task', sid: task.sid, source: 'routing' };
}
