import { tasksStore } from '../tasks/store.js';
import { Errors } from '../../platform/errors.js';
import { newSid } from '../../platform/sid.js';
import { parseJsonParam } from '../../platform/http/params.js';
import type { Executor } from '../../storage/db.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { Actor, RoutingTrigger, TaskRouterDeps } from '../deps.js';
import { recordEvent } from '../events.js';
import type { WorkerFacts } from '../expressions/index.js';
import type { WorkspaceRow } from '../workspaces/store.js';
import { expressionParam, friendlyNameParam, windowRows, withUniqueError } from '../workspaces/scope.js';
import { activitiesStore, type ActivityRow } from '../activities/store.js';
import { workersStore } from '../workers/store.js';
import { targetWorkersMatcher, workerFacts } from '../workers/facts.js';
import { taskQueuesStore, type TaskQueueRow } from './store.js';

export const TASK_ORDERS = ['FIFO', 'LIFO'] as const;
export const DEFAULT_TARGET_WORKERS = '1==1';
const MAX_RESERVED_WORKERS = 50;

export interface TaskQueueInput {
  friendlyName?: string;
  targetWorkers?: string;
  maxReservedWorkers?: number;
  taskOrder?: (typeof TASK_ORDERS)[number];
  reservationActivitySid?: string;
  assignmentActivitySid?: string;
}

export interface TaskQueueFilter {
  friendlyName?: string;
  /** JSON worker attributes: queues whose TargetWorkers would match such a worker. */
  evaluateWorkerAttributes?: string;
  /** Queues this worker is eligible for. */
  workerSid?: string;
}

/** A queue with the names of the activities it references, as the API renders it. */
export interface TaskQueueView {
  row: TaskQueueRow;
  reservationActivityName: string | null;
  assignmentActivityName: string | null;
}

export class TaskQueuesService {
  constructor(
    private readonly deps: TaskRouterDeps,
    private readonly routing: RoutingTrigger,
  ) {}

  async get(accountSid: string, workspaceSid: string, sid: string): Promise<TaskQueueView> {
    const row = await taskQueuesStore.find(this.deps.storage.db, accountSid, workspaceSid, sid);
    if (!row) throw Errors.notFound(`/Workspaces/${workspaceSid}/TaskQueues/${sid}`);
    return this.view(row, await activitiesStore.all(this.deps.storage.db, accountSid, workspaceSid));
  }

  async list(accountSid: string, workspaceSid: string, f: TaskQueueFilter, w: KeysetWindow): Promise<Array<TaskQueueView & { seq: number }>> {
    const db = this.deps.storage.db;
    const activities = await activitiesStore.all(db, accountSid, workspaceSid);
    const sqlFilter = f.friendlyName !== undefined ? { friendlyName: f.friendlyName } : {};
    let rows: TaskQueueRow[];
    if (f.evaluateWorkerAttributes === undefined && f.workerSid === undefined) {
      rows = await taskQueuesStore.list(db, accountSid, workspaceSid, sqlFilter, w);
    } else {
      const workers: WorkerFacts[] = [];
      if (f.evaluateWorkerAttributes !== undefined) {
        const attributes = parseJsonParam('EvaluateWorkerAttributes', f.evaluateWorkerAttributes);
        workers.push({ sid: '', friendly_name: '', activity_sid: '', activity_name: '', attributes });
      }
      if (f.workerSid !== undefined) {
        const worker = await workersStore.find(db, accountSid, workspaceSid, f.workerSid);
        if (!worker) throw Errors.invalidParameter(`WorkerSid ${f.workerSid} is not a worker of workspace ${workspaceSid}`);
        workers.push(workerFacts(worker, activities, this.deps.cipher));
      }
      const all = await taskQueuesStore.all(db, accountSid, workspaceSid, sqlFilter);
      rows = windowRows(
        all.filter((q) => {
          const matches = targetWorkersMatcher(q.target_workers);
          return workers.every(matches);
        }),
        w,
      );
    }
    return rows.map((r) => ({ ...this.view(r, activities), seq: r.seq }));
  }

  async create(actor: Actor, ws: WorkspaceRow, input: TaskQueueInput): Promise<TaskQueueView> {
    const friendlyName = friendlyNameParam('FriendlyName', input.friendlyName, true)!;
    const targetWorkers = targetWorkersParam(input.targetWorkers) ?? DEFAULT_TARGET_WORKERS;
    maxReservedWorkersParam(input.maxReservedWorkers);
    const view = await withUniqueError(() => nameTaken(ws, friendlyName), () =>
      this.deps.storage.transaction(async (tx) => {
        const activities = await activitiesStore.all(tx, ws.account_sid, ws.sid);
        activityParam('ReservationActivitySid', input.reservationActivitySid, activities);
        activityParam('AssignmentActivitySid', input.assignmentActivitySid, activities);
        const row = await this.insert(tx, ws, {
          friendlyName,
          targetWorkers,
          maxReservedWorkers: input.maxReservedWorkers ?? 1,
          taskOrder: input.taskOrder ?? 'FIFO',
          reservationActivitySid: input.reservationActivitySid ?? null,
          assignmentActivitySid: input.assignmentActivitySid ?? null,
        });
        await this.event(tx, actor, ws, row, 'task-queue.created', `TaskQueue ${friendlyName} created`);
        return this.view(row, activities);
      }),
    );
    this.deps.outbox.committed();
    return view;
  }

  /** Inserts a queue in the caller's transaction (also the FIFO workspace template's "Sample Queue"). */
  async insert(
    tx: Executor,
    ws: WorkspaceRow,
    q: { friendlyName: string; targetWorkers: string; maxReservedWorkers: number; taskOrder: string; reservationActivitySid: string | null; assignmentActivitySid: string | null },
  ): Promise<TaskQueueRow> {
    if (await taskQueuesStore.byName(tx, ws.account_sid, ws.sid, q.friendlyName)) throw nameTaken(ws, q.friendlyName);
    const now = this.deps.clock.now();
    const sid = newSid('WQ');
    await taskQueuesStore.insert(tx, {
      sid,
      account_sid: ws.account_sid,
      workspace_sid: ws.sid,
      friendly_name: q.friendlyName,
      target_workers: q.targetWorkers,
      max_reserved_workers: q.maxReservedWorkers,
      task_order: q.taskOrder,
      reservation_activity_sid: q.reservationActivitySid,
      assignment_activity_sid: q.assignmentActivitySid,
      date_created: now,
      date_updated: now,
    });
    return (await taskQueuesStore.find(tx, ws.account_sid, ws.sid, sid))!;
  }

  async update(actor: Actor, ws: WorkspaceRow, sid: string, input: TaskQueueInput): Promise<TaskQueueView> {
    const friendlyName = friendlyNameParam('FriendlyName', input.friendlyName, false);
    const targetWorkers = targetWorkersParam(input.targetWorkers);
    maxReservedWorkersParam(input.maxReservedWorkers);
    let expressionChanged = false;
    const view = await withUniqueError(() => nameTaken(ws, friendlyName ?? ''), () =>
      this.deps.storage.transaction(async (tx) => {
        const current = await this.getIn(tx, ws, sid);
        const activities = await activitiesStore.all(tx, ws.account_sid, ws.sid);
        activityParam('ReservationActivitySid', input.reservationActivitySid, activities);
        activityParam('AssignmentActivitySid', input.assignmentActivitySid, activities);
        if (friendlyName !== undefined && friendlyName !== current.friendly_name && (await taskQueuesStore.byName(tx, ws.account_sid, ws.sid, friendlyName))) {
          throw nameTaken(ws, friendlyName);
        }
        const patch = {
          ...(friendlyName !== undefined ? { friendly_name: friendlyName } : {}),
          ...(targetWorkers !== undefined ? { target_workers: targetWorkers } : {}),
          ...(input.maxReservedWorkers !== undefined ? { max_reserved_workers: input.maxReservedWorkers } : {}),
          ...(input.taskOrder !== undefined ? { task_order: input.taskOrder } : {}),
          ...(input.reservationActivitySid !== undefined ? { reservation_activity_sid: input.reservationActivitySid } : {}),
          ...(input.assignmentActivitySid !== undefined ? { assignment_activity_sid: input.assignmentActivitySid } : {}),
        };
        if (Object.keys(patch).length === 0) return this.view(current, activities);
        await taskQueuesStore.update(tx, ws.account_sid, sid, { ...patch, date_updated: this.deps.clock.now() });
        const row = await this.getIn(tx, ws, sid);
        if (targetWorkers !== undefined && targetWorkers !== current.target_workers) {
          expressionChanged = true;
          await this.event(tx, actor, ws, row, 'task-queue.expression.updated', `TaskQueue ${row.friendly_name} TargetWorkers updated to ${targetWorkers}`, current.target_workers);
        }
        return this.view(row, activities);
      }),
    );
    this.deps.outbox.committed();
    if (expressionChanged) this.routing.changed(ws.account_sid, ws.sid);
    return view;
  }

  async delete(actor: Actor, ws: WorkspaceRow, sid: string): Promise<void> {
    await this.deps.storage.transaction(async (tx) => {
      const row = await this.getIn(tx, ws, sid);
      const live = await tasksStore.countLive(tx, ws.account_sid, 'task_queue_sid', sid);
      if (live > 0) throw Errors.invalidParameter(`TaskQueue ${row.friendly_name} cannot be deleted while it holds ${live} task(s)`);
      const workflows = await taskQueuesStore.workflowsReferencing(tx, ws.account_sid, ws.sid, sid);
      if (workflows.length > 0) throw Errors.invalidParameter(`TaskQueue ${row.friendly_name} cannot be deleted while Workflow ${workflows.join(', ')} routes to it`);
      await taskQueuesStore.delete(tx, ws.account_sid, sid);
      await this.event(tx, actor, ws, row, 'task-queue.deleted', `TaskQueue ${row.friendly_name} deleted`);
    });
    this.deps.outbox.committed();
  }

  view(row: TaskQueueRow, activities: ReadonlyMap<string, ActivityRow>): TaskQueueView {
    const name = (sid: string | null) => (sid === null ? null : (activities.get(sid)?.friendly_name ?? null));
    return { row, reservationActivityName: name(row.reservation_activity_sid), assignmentActivityName: name(row.assignment_activity_sid) };
  }

  private async getIn(tx: Executor, ws: WorkspaceRow, sid: string): Promise<TaskQueueRow> {
    const row = await taskQueuesStore.find(tx, ws.account_sid, ws.sid, sid);
    if (!row) throw Errors.notFound(`/Workspaces/${ws.sid}/TaskQueues/${sid}`);
    return row;
  }

  async event(
    tx: Executor,
    actor: Actor,
    ws: WorkspaceRow,
    row: TaskQueueRow,
    type: 'task-queue.created' | 'task-queue.deleted' | 'task-queue.expression.updated',
    description: string,
    previousExpression?: string,
  ): Promise<void> {
    await recordEvent(this.deps, tx, {
      accountSid: ws.account_sid,
      workspaceSid: ws.sid,
      type,
      resourceType: 'task_queue',
      resourceSid: row.sid,
      actor,
      description,
      data: { TaskQueueSid: row.sid, TaskQueueName: row.friendly_name, TaskQueueTargetExpression: row.target_workers, TaskQueuePreviousTargetExpression: previousExpression },
      taskQueueSid: row.sid,
    });
  }
}

/** Twilio answers a duplicate queue name with 400/20001: "Queue named X already exists for workspace WS…". */
function nameTaken(ws: WorkspaceRow, friendlyName: string) {
  return Errors.invalidParameter(`Queue named ${friendlyName} already exists for workspace ${ws.sid}`);
}

/** An empty TargetWorkers is allowed: tasks then wait until moved or deleted. */
function targetWorkersParam(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return value;
  return expressionParam('TargetWorkers', value, 'target_workers');
}

function maxReservedWorkersParam(value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > MAX_RESERVED_WORKERS)) {
    throw Errors.invalidParameter(`MaxReservedWorkers must be an integer between 1 and ${MAX_RESERVED_WORKERS}`);
  }
}

function activityParam(name: string, sid: string | undefined, activities: ReadonlyMap<string, ActivityRow>): void {
  if (sid !== undefined && !activities.has(sid)) throw Errors.invalidParameter(`${name} ${sid} is not an activity of this workspace`);
}
