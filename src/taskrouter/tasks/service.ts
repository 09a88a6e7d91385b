import { Errors } from '../../platform/errors.js';
import { newSid } from '../../platform/sid.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { Actor, TaskRouterDeps } from '../deps.js';
import { evaluate, parseExpression, filterScope } from '../expressions/index.js';
import { parseAttributes } from '../workers/facts.js';
import { attributesParam, checkIfMatch } from '../workers/service.js';
import { workersStore } from '../workers/store.js';
import { taskChannelsStore } from '../task-channels/store.js';
import { taskQueuesStore } from '../task-queues/store.js';
import type { WorkspaceRow } from '../workspaces/store.js';
import { windowRows } from '../workspaces/scope.js';
import { reservationsStore } from '../reservations/store.js';
import type { Lifecycle } from '../routing/lifecycle.js';
import type { RoutingEngine } from '../routing/engine.js';
import { tasksStore, type TaskRow, type TaskSqlFilter } from './store.js';

/** TaskRouter limits: TTL of a pending/reserved task ≤ 2 weeks, default 1 day. */
export const MAX_TASK_TIMEOUT_S = 1_209_600;
export const DEFAULT_TASK_TIMEOUT_S = 86_400;
const MAX_PRIORITY = 2 ** 31 - 1;
export const TASK_STATUSES = ['pending', 'reserved', 'assigned', 'canceled', 'completed', 'wrapping'] as const;

export interface TaskView {
  row: TaskRow;
  attributes: string;
  queueName: string | null;
  channelUniqueName: string | null;
  workflowName: string | null;
}

export interface TaskCreateInput {
  timeout?: number;
  priority?: number;
  taskChannel?: string;
  workflowSid?: string;
  attributes?: string;
  virtualStartTime?: number;
  routingTarget?: string;
  ignoreCapacity?: boolean;
  taskQueueSid?: string;
}

export interface TaskUpdateInput {
  attributes?: string;
  assignmentStatus?: (typeof TASK_STATUSES)[number];
  reason?: string;
  priority?: number;
  taskChannel?: string;
  virtualStartTime?: number;
}

export interface TaskFilter extends TaskSqlFilter {
  workflowName?: string;
  taskQueueName?: string;
  evaluateTaskAttributes?: string;
  ordering?: Array<{ field: 'DateCreated' | 'Priority' | 'VirtualStartTime'; desc: boolean }>;
}

export class TasksService {
  constructor(
    private readonly deps: TaskRouterDeps,
    private readonly lifecycle: Lifecycle,
    private readonly engine: RoutingEngine,
  ) {}

  /** Renders with the names of its queue, channel and workflow, from the routing cache's config. */
  async view(row: TaskRow, ws: WorkspaceRow): Promise<TaskView> {
    const config = await this.engine.config(ws);
    return {
      row,
      attributes: this.deps.cipher.decrypt(row.attributes),
      queueName: config.queueRows.find((q) => q.sid === row.task_queue_sid)?.friendly_name ?? null,
      channelUniqueName: config.channelRows.find((c) => c.sid === row.task_channel_sid)?.unique_name ?? null,
      workflowName: config.workflowRows.find((w) => w.sid === row.workflow_sid)?.friendly_name ?? null,
    };
  }

  async get(ws: WorkspaceRow, sid: string): Promise<TaskView> {
    const row = await tasksStore.find(this.deps.storage.db, ws.account_sid, ws.sid, sid);
    if (!row) throw Errors.notFound(`/Workspaces/${ws.sid}/Tasks/${sid}`);
    return this.view(row, ws);
  }

  async list(ws: WorkspaceRow, f: TaskFilter, w: KeysetWindow): Promise<Array<TaskView & { seq: number }>> {
    const db = this.deps.storage.db;
    const sql: TaskSqlFilter = { ...f };
    if (f.workflowName !== undefined) {
      const wf = await db.selectFrom('tr_workflows').select('sid').where('workspace_sid', '=', ws.sid).where('friendly_name', '=', f.workflowName).executeTakeFirst();
      if (!wf) return [];
      sql.workflowSid = wf.sid;
    }
    if (f.taskQueueName !== undefined) {
      const q = await taskQueuesStore.byName(db, ws.account_sid, ws.sid, f.taskQueueName);
      if (!q) return [];
      sql.taskQueueSid = q.sid;
    }
    let rows = await tasksStore.all(db, ws.account_sid, ws.sid, sql);
    if (f.evaluateTaskAttributes !== undefined) {
      let expr;
      try {
        expr = parseExpression(f.evaluateTaskAttributes, 'filter');
      } catch (err) {
        throw Errors.invalidParameter(`Invalid EvaluateTaskAttributes: ${(err as Error).message}`);
      }
      const now = this.deps.clock.now();
      rows = rows.filter((r) => evaluate(expr, filterScope({ taskAttributes: parseAttributes(this.deps.cipher.decrypt(r.attributes)), now })));
    }
    if (f.ordering?.length) {
      // A custom order pages by position: `seq` stands in for the rank in that order.
      const key = { DateCreated: (r: TaskRow) => r.date_created, Priority: (r: TaskRow) => r.priority, VirtualStartTime: (r: TaskRow) => r.virtual_start_time };
      rows = [...rows].sort((a, b) => {
        for (const o of f.ordering!) {
          const d = key[o.field](a) - key[o.field](b);
          if (d !== 0) return o.desc ? -d : d;
        }
        return a.seq - b.seq;
      }).map((r, i) => ({ ...r, seq: i + 1 }));
    }
    const page = windowRows(rows, w);
    return Promise.all(page.map(async (r) => ({ ...(await this.view(r, ws)), seq: r.seq })));
  }

  async create(actor: Actor, ws: WorkspaceRow, input: TaskCreateInput): Promise<TaskView> {
    const attributes = attributesParam(input.attributes) ?? '{}';
    const timeout = input.timeout ?? DEFAULT_TASK_TIMEOUT_S;
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TASK_TIMEOUT_S) throw Errors.invalidParameter(`Timeout must be between 1 and ${MAX_TASK_TIMEOUT_S} seconds`);
    const priority = input.priority ?? 0;
    if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) throw Errors.invalidParameter(`Priority must be between 0 and ${MAX_PRIORITY}`);
    const db = this.deps.storage.db;
    const config = await this.engine.config(ws);
    const channelRef = input.taskChannel ?? 'default';
    const channel = config.channelRows.find((c) => c.sid === channelRef || c.unique_name === channelRef);
    if (!channel) throw Errors.invalidParameter(`TaskChannel ${input.taskChannel ?? 'default'} is not a TaskChannel of this workspace`);
    let workflowSid = input.workflowSid ?? null;
    const target = input.routingTarget;
    if (target !== undefined) {
      if (/^WW[0-9a-f]{32}$/i.test(target)) workflowSid = target;
      else if (/^WK[0-9a-f]{32}$/i.test(target)) {
        if (!(await workersStore.find(db, ws.account_sid, ws.sid, target))) throw Errors.invalidParameter(`RoutingTarget ${target} is not a Worker of this workspace`);
      } else if (/^WQ[0-9a-f]{32}$/i.test(target)) {
        if (!config.queueRows.some((q) => q.sid === target)) throw Errors.invalidParameter(`RoutingTarget ${target} is not a TaskQueue of this workspace`);
      } else throw Errors.invalidParameter('RoutingTarget must be a Worker (WK), TaskQueue (WQ) or Workflow (WW) SID');
    }
    if (input.ignoreCapacity && !target?.startsWith('WK')) throw Errors.invalidParameter('IgnoreCapacity applies only with a Worker RoutingTarget');
    if (input.taskQueueSid !== undefined && !config.queueRows.some((q) => q.sid === input.taskQueueSid)) {
      throw Errors.invalidParameter(`TaskQueueSid ${input.taskQueueSid} is not a TaskQueue of this workspace`);
    }
    if (workflowSid === null && (target === undefined || target.startsWith('WW'))) {
      // Optional when the workspace has exactly one workflow, as Twilio allows.
      if (config.workflowRows.length !== 1) throw Errors.missingParameter('WorkflowSid');
      workflowSid = config.workflowRows[0]!.sid;
    } else if (workflowSid !== null && !config.workflowRows.some((w) => w.sid === workflowSid)) {
      throw Errors.invalidParameter(`WorkflowSid ${workflowSid} is not a Workflow of this workspace`);
    }
    const now = this.deps.clock.now();
    const sid = newSid('WT');
    // The insert rides in the next routing pass with every other task created
    // meanwhile: one transaction for the batch, and the response already shows
    // the task in its queue, reserved if a worker was free.
    const created = await this.engine.evaluate(ws.account_sid, ws.sid, {
      actor,
      row: {
        sid,
        account_sid: ws.account_sid,
        workspace_sid: ws.sid,
        workflow_sid: workflowSid,
        // A direct queue target (or an explicit TaskQueueSid with a worker target) is where the task sits.
        task_queue_sid: target?.startsWith('WQ') ? target : (input.taskQueueSid ?? null),
        task_channel_sid: channel.sid,
        attributes: this.deps.cipher.encrypt(attributes, true),
        assignment_status: 'pending',
        priority,
        timeout,
        expires_at: now + timeout * 1000,
        reason: null,
        virtual_start_time: input.virtualStartTime ?? now,
        task_queue_entered_date: target?.startsWith('WQ') || input.taskQueueSid ? now : null,
        routing_target: target ?? null,
        ignore_capacity: input.ignoreCapacity ? 1 : 0,
        addons: '{}',
        filter_index: null,
        step_index: null,
        step_entered_at: null,
        step_checked: 0,
        assignment_counter: 0,
        version: 0,
        date_created: now,
        date_updated: now,
      },
    });
    return created ? this.view(created, ws) : this.get(ws, sid);
  }

  async update(actor: Actor, ws: WorkspaceRow, sid: string, input: TaskUpdateInput, ifMatch?: string): Promise<TaskView> {
    const attributes = attributesParam(input.attributes);
    if (input.priority !== undefined && (!Number.isInteger(input.priority) || input.priority < 0 || input.priority > MAX_PRIORITY)) throw Errors.invalidParameter(`Priority must be between 0 and ${MAX_PRIORITY}`);
    const status = input.assignmentStatus;
    if ((status === 'canceled' || status === 'completed') && !input.reason) throw Errors.missingParameter('Reason');
    if (status === 'pending' || status === 'reserved' || status === 'assigned') throw Errors.invalidParameter(`AssignmentStatus ${status} cannot be set through the API`);
    let reroute = false;
    await this.engine.inWorkspace(ws.account_sid, ws.sid, async (tx) => {
      const task = await this.lifecycle.task(tx, ws, sid);
      checkIfMatch(task, ifMatch);
      const now = this.deps.clock.now();
      const patch: Parameters<typeof tasksStore.update>[3] = {};
      if (attributes !== undefined) patch.attributes = this.deps.cipher.encrypt(attributes, true);
      if (input.priority !== undefined) patch.priority = input.priority;
      if (input.virtualStartTime !== undefined) patch.virtual_start_time = input.virtualStartTime;
      if (input.taskChannel !== undefined) {
        const channel = await taskChannelsStore.find(tx, ws.account_sid, ws.sid, input.taskChannel);
        if (!channel) throw Errors.invalidParameter(`TaskChannel ${input.taskChannel} is not a TaskChannel of this workspace`);
        patch.task_channel_sid = channel.sid;
      }
      const routable = task.assignment_status === 'pending' || task.assignment_status === 'reserved';
      // New attributes send a waiting task through its workflow again.
      if (attributes !== undefined && task.assignment_status === 'pending') Object.assign(patch, { filter_index: null, step_index: null, step_entered_at: null, step_checked: 0, step_deadline: null });
      if (Object.keys(patch).length > 0) {
        await tasksStore.update(tx, ws.account_sid, sid, { ...patch, date_updated: now });
        const updated = (await tasksStore.find(tx, ws.account_sid, ws.sid, sid))!;
        await this.lifecycle.taskEvent(tx, ws, updated, 'task.updated', actor, `Task ${sid} updated`);
        reroute = routable;
      }
      const current = (await tasksStore.find(tx, ws.account_sid, ws.sid, sid))!;
      if (status === 'canceled') await this.lifecycle.cancel(tx, ws, current, input.reason!, actor);
      else if (status === 'completed') await this.lifecycle.complete(tx, ws, current, input.reason!, actor);
      else if (status === 'wrapping') await this.lifecycle.wrap(tx, ws, current, actor);
      if (status === 'completed' || status === 'canceled') reroute = true;
    });
    if (reroute) await this.engine.evaluate(ws.account_sid, ws.sid);
    return this.get(ws, sid);
  }

  async delete(actor: Actor, ws: WorkspaceRow, sid: string, ifMatch?: string): Promise<void> {
    await this.engine.inWorkspace(ws.account_sid, ws.sid, async (tx) => {
      const task = await this.lifecycle.task(tx, ws, sid);
      checkIfMatch(task, ifMatch);
      // Live offers end with the task; capacity they held frees.
      for (const r of await reservationsStore.ofTask(tx, ws.account_sid, sid, ['pending'])) await this.deps.jobs.cancel(tx, `tr-res:${r.sid}`);
      await this.lifecycle.taskEvent(tx, ws, task, 'task.deleted', actor, `Task ${sid} deleted`);
      await tasksStore.delete(tx, ws.account_sid, sid);
    });
    this.engine.schedule(ws.account_sid, ws.sid);
  }
}
