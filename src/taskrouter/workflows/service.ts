import { tasksStore } from '../tasks/store.js';
import { Errors } from '../../platform/errors.js';
import { newSid } from '../../platform/sid.js';
import type { Executor } from '../../storage/db.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { Actor, RoutingTrigger, TaskRouterDeps } from '../deps.js';
import { recordEvent } from '../events.js';
import type { WorkspaceRow } from '../workspaces/store.js';
import { friendlyNameParam, urlParam } from '../workspaces/scope.js';
import { parseWorkflowConfiguration } from './configuration.js';
import { workflowsStore, type WorkflowRow } from './store.js';
import { lockWorkspace } from '../routing/lock.js';

export const DEFAULT_TASK_RESERVATION_TIMEOUT = 120;
const MAX_TASK_RESERVATION_TIMEOUT = 86_400;
const FRIENDLY_NAME_MAX = 256;

export interface WorkflowInput {
  friendlyName?: string;
  configuration?: string;
  assignmentCallbackUrl?: string;
  fallbackAssignmentCallbackUrl?: string;
  taskReservationTimeout?: number;
  /** Update only: whether tasks already in the workflow go through the new configuration. */
  reEvaluateTasks?: string;
}

export class WorkflowsService {
  constructor(
    private readonly deps: TaskRouterDeps,
    private readonly routing: RoutingTrigger,
  ) {}

  async get(accountSid: string, workspaceSid: string, sid: string): Promise<WorkflowRow> {
    const row = await workflowsStore.find(this.deps.storage.db, accountSid, workspaceSid, sid);
    if (!row) throw Errors.notFound(`/Workspaces/${workspaceSid}/Workflows/${sid}`);
    return row;
  }

  list(accountSid: string, workspaceSid: string, f: { friendlyName?: string }, w: KeysetWindow): Promise<WorkflowRow[]> {
    return workflowsStore.list(this.deps.storage.db, accountSid, workspaceSid, f, w);
  }

  async create(actor: Actor, ws: WorkspaceRow, input: WorkflowInput): Promise<WorkflowRow> {
    const friendlyName = friendlyNameParam('FriendlyName', input.friendlyName, true, FRIENDLY_NAME_MAX)!;
    if (input.configuration === undefined) throw Errors.missingParameter('Configuration');
    const configuration = input.configuration;
    const assignmentCallbackUrl = urlParam('AssignmentCallbackUrl', input.assignmentCallbackUrl) ?? null;
    const fallbackAssignmentCallbackUrl = urlParam('FallbackAssignmentCallbackUrl', input.fallbackAssignmentCallbackUrl) ?? null;
    timeoutParam(input.taskReservationTimeout);
    const row = await this.deps.storage.transaction(async (tx) => {
      await this.validateConfiguration(tx, ws, configuration);
      const row = await this.insert(tx, ws, {
        friendlyName,
        configuration,
        assignmentCallbackUrl,
        fallbackAssignmentCallbackUrl,
        taskReservationTimeout: input.taskReservationTimeout ?? DEFAULT_TASK_RESERVATION_TIMEOUT,
      });
      await this.event(tx, actor, ws, row, 'workflow.created', `Workflow ${friendlyName} created`);
      return row;
    });
    this.deps.outbox.committed();
    return row;
  }

  /** Inserts a workflow in the caller's transaction (also the FIFO workspace template's). */
  async insert(
    tx: Executor,
    ws: WorkspaceRow,
    w: { friendlyName: string; configuration: string; assignmentCallbackUrl: string | null; fallbackAssignmentCallbackUrl: string | null; taskReservationTimeout: number },
  ): Promise<WorkflowRow> {
    const now = this.deps.clock.now();
    const sid = newSid('WW');
    await workflowsStore.insert(tx, {
      sid,
      account_sid: ws.account_sid,
      workspace_sid: ws.sid,
      friendly_name: w.friendlyName,
      configuration: w.configuration,
      assignment_callback_url: w.assignmentCallbackUrl,
      fallback_assignment_callback_url: w.fallbackAssignmentCallbackUrl,
      task_reservation_timeout: w.taskReservationTimeout,
      date_created: now,
      date_updated: now,
    });
    return (await workflowsStore.find(tx, ws.account_sid, ws.sid, sid))!;
  }

  async update(actor: Actor, ws: WorkspaceRow, sid: string, input: WorkflowInput): Promise<WorkflowRow> {
    const friendlyName = friendlyNameParam('FriendlyName', input.friendlyName, false, FRIENDLY_NAME_MAX);
    const assignmentCallbackUrl = urlParam('AssignmentCallbackUrl', input.assignmentCallbackUrl);
    const fallbackAssignmentCallbackUrl = urlParam('FallbackAssignmentCallbackUrl', input.fallbackAssignmentCallbackUrl);
    timeoutParam(input.taskReservationTimeout);
    if (input.reEvaluateTasks !== undefined && !['true', 'false'].includes(input.reEvaluateTasks.toLowerCase())) {
      throw Errors.invalidParameter('ReEvaluateTasks must be true or false');
    }
    const reEvaluate = input.reEvaluateTasks?.toLowerCase() === 'true';
    let changed = false;
    const row = await this.deps.storage.transaction(async (tx) => {
      // Placement is routing state: change it under the routing lock, like every pass does.
      if (reEvaluate) await lockWorkspace(tx, this.deps.storage.engine, ws.sid);
      const current = await this.getIn(tx, ws, sid);
      if (input.configuration !== undefined) await this.validateConfiguration(tx, ws, input.configuration);
      const patch = {
        ...(friendlyName !== undefined ? { friendly_name: friendlyName } : {}),
        ...(input.configuration !== undefined ? { configuration: input.configuration } : {}),
        ...(assignmentCallbackUrl !== undefined ? { assignment_callback_url: assignmentCallbackUrl } : {}),
        ...(fallbackAssignmentCallbackUrl !== undefined ? { fallback_assignment_callback_url: fallbackAssignmentCallbackUrl } : {}),
        ...(input.taskReservationTimeout !== undefined ? { task_reservation_timeout: input.taskReservationTimeout } : {}),
      };
      if (reEvaluate) changed = (await this.resetPlacement(tx, ws, sid)) > 0;
      if (Object.keys(patch).length === 0) return current;
      changed = true;
      await workflowsStore.update(tx, ws.account_sid, sid, { ...patch, date_updated: this.deps.clock.now() });
      const row = await this.getIn(tx, ws, sid);
      await this.event(tx, actor, ws, row, 'workflow.updated', `Workflow ${row.friendly_name} updated`);
      return row;
    });
    this.deps.outbox.committed();
    if (changed) this.routing.changed(ws.account_sid, ws.sid);
    return row;
  }

  /**
   * ReEvaluateTasks: the workflow's pending tasks forget where they were placed,
   * so the next routing pass sends them through the (new) configuration from its
   * first filter. Reserved tasks keep their live offers. Returns how many reset.
   */
  private async resetPlacement(tx: Executor, ws: WorkspaceRow, workflowSid: string): Promise<number> {
    const pending = await tx
      .selectFrom('tr_tasks')
      .select('sid')
      .where('account_sid', '=', ws.account_sid)
      .where('workspace_sid', '=', ws.sid)
      .where('workflow_sid', '=', workflowSid)
      .where('assignment_status', '=', 'pending')
      .execute();
    if (pending.length === 0) return 0;
    const now = this.deps.clock.now();
    for (const t of pending) {
      await tx
        .updateTable('tr_tasks')
        // The old step's deadline no longer applies; the new placement sets its own.
        .set((eb) => ({ filter_index: null, step_index: null, step_entered_at: null, step_checked: 0, step_deadline: null, date_updated: now, version: eb('version', '+', 1) }))
        .where('account_sid', '=', ws.account_sid)
        .where('sid', '=', t.sid)
        .execute();
    }
    return pending.length;
  }

  async delete(actor: Actor, ws: WorkspaceRow, sid: string): Promise<void> {
    await this.deps.storage.transaction(async (tx) => {
      const row = await this.getIn(tx, ws, sid);
      const live = await tasksStore.countLive(tx, ws.account_sid, 'workflow_sid', sid);
      if (live > 0) throw Errors.invalidParameter(`Workflow ${row.friendly_name} cannot be deleted while ${live} task(s) are in it`);
      await workflowsStore.delete(tx, ws.account_sid, sid);
      await this.event(tx, actor, ws, row, 'workflow.deleted', `Workflow ${row.friendly_name} deleted`);
    });
    this.deps.outbox.committed();
  }

  private async validateConfiguration(tx: Executor, ws: WorkspaceRow, configuration: string): Promise<void> {
    parseWorkflowConfiguration(configuration, await workflowsStore.queueSids(tx, ws.account_sid, ws.sid));
  }

  private async getIn(tx: Executor, ws: WorkspaceRow, sid: string): Promise<WorkflowRow> {
    const row = await workflowsStore.find(tx, ws.account_sid, ws.sid, sid);
    if (!row) throw Errors.notFound(`/Workspaces/${ws.sid}/Workflows/${sid}`);
    return row;
  }

  async event(tx: Executor, actor: Actor, ws: WorkspaceRow, row: WorkflowRow, type: 'workflow.created' | 'workflow.updated' | 'workflow.deleted', description: string): Promise<void> {
    await recordEvent(this.deps, tx, {
      accountSid: ws.account_sid,
      workspaceSid: ws.sid,
      type,
      resourceType: 'workflow',
      resourceSid: row.sid,
      actor,
      description,
      data: { WorkflowSid: row.sid, WorkflowName: row.friendly_name },
      workflowSid: row.sid,
    });
  }
}

function timeoutParam(value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > MAX_TASK_RESERVATION_TIMEOUT)) {
    throw Errors.invalidParameter(`TaskReservationTimeout must be an integer between 1 and ${MAX_TASK_RESERVATION_TIMEOUT}`);
  }
}
