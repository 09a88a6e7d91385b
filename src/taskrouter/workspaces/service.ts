import { Errors } from '../../platform/errors.js';
import { newSid } from '../../platform/sid.js';
import type { Executor } from '../../storage/db.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { Actor, TaskRouterDeps } from '../deps.js';
import { EVENT_TYPES, recordEvent } from '../events.js';
import { activitiesStore } from '../activities/store.js';
import type { ActivitiesService } from '../activities/service.js';
import type { TaskChannelsService } from '../task-channels/service.js';
import { DEFAULT_TARGET_WORKERS, type TaskQueuesService } from '../task-queues/service.js';
import { DEFAULT_TASK_RESERVATION_TIMEOUT, type WorkflowsService } from '../workflows/service.js';
import { friendlyNameParam, urlParam } from './scope.js';
import { workspacesStore, type WorkspaceRow } from './store.js';

export const QUEUE_ORDERS = ['FIFO', 'LIFO'] as const;

export interface WorkspaceInput {
  friendlyName?: string;
  eventCallbackUrl?: string;
  eventsFilter?: string;
  multiTaskEnabled?: boolean;
  template?: string;
  prioritizeQueueOrder?: (typeof QUEUE_ORDERS)[number];
  defaultActivitySid?: string;
  timeoutActivitySid?: string;
}

export interface WorkspaceView {
  row: WorkspaceRow;
  defaultActivityName: string | null;
  timeoutActivityName: string | null;
}

/** Workspaces, and the defaults every new one is born with (activities, task channels, FIFO template). */
export class WorkspacesService {
  constructor(
    private readonly deps: TaskRouterDeps,
    private readonly activities: ActivitiesService,
    private readonly taskChannels: TaskChannelsService,
    private readonly taskQueues: TaskQueuesService,
    private readonly workflows: WorkflowsService,
  ) {}

  async get(accountSid: string, sid: string): Promise<WorkspaceRow> {
    const row = await workspacesStore.find(this.deps.storage.db, this.deps.storage.engine, accountSid, sid);
    if (!row) throw Errors.notFound(`/Workspaces/${sid}`);
    return row;
  }

  async fetch(accountSid: string, sid: string): Promise<WorkspaceView> {
    return (await this.views(this.deps.storage.db, accountSid, [await this.get(accountSid, sid)]))[0]!;
  }

  async list(accountSid: string, f: { friendlyName?: string }, w: KeysetWindow): Promise<Array<WorkspaceView & { seq: number }>> {
    const rows = await workspacesStore.list(this.deps.storage.db, accountSid, f, w);
    return (await this.views(this.deps.storage.db, accountSid, rows)).map((v) => ({ ...v, seq: v.row.seq }));
  }

  async create(actor: Actor, accountSid: string, input: WorkspaceInput): Promise<WorkspaceView> {
    const friendlyName = friendlyNameParam('FriendlyName', input.friendlyName, true)!;
    const eventCallbackUrl = urlParam('EventCallbackUrl', input.eventCallbackUrl) ?? null;
    const eventsFilter = eventsFilterParam(input.eventsFilter) ?? null;
    const template = templateParam(input.template);
    const view = await this.deps.storage.transaction(async (tx) => {
      const now = this.deps.clock.now();
      const sid = newSid('WS');
      await workspacesStore.insert(tx, {
        sid,
        account_sid: accountSid,
        friendly_name: friendlyName,
        event_callback_url: eventCallbackUrl,
        events_filter: eventsFilter,
        multi_task_enabled: input.multiTaskEnabled === false ? 0 : 1,
        prioritize_queue_order: input.prioritizeQueueOrder ?? 'FIFO',
        default_activity_sid: null,
        timeout_activity_sid: null,
        date_created: now,
        date_updated: now,
      });
      let ws = (await workspacesStore.find(tx, this.deps.storage.engine, accountSid, sid))!;
      const offline = await this.activities.insertDefaults(tx, ws);
      await workspacesStore.update(tx, accountSid, sid, { default_activity_sid: offline, timeout_activity_sid: offline });
      ws = (await workspacesStore.find(tx, this.deps.storage.engine, accountSid, sid))!;
      await this.taskChannels.insertDefaults(tx, ws);
      if (template === 'FIFO') await this.applyFifoTemplate(tx, ws);
      await this.event(tx, actor, ws, 'workspace.created', `Workspace ${friendlyName} created`);
      return (await this.views(tx, accountSid, [ws]))[0]!;
    });
    this.deps.outbox.committed();
    return view;
  }

  async update(actor: Actor, accountSid: string, sid: string, input: WorkspaceInput): Promise<WorkspaceView> {
    const friendlyName = friendlyNameParam('FriendlyName', input.friendlyName, false);
    const eventCallbackUrl = urlParam('EventCallbackUrl', input.eventCallbackUrl);
    const eventsFilter = eventsFilterParam(input.eventsFilter);
    const view = await this.deps.storage.transaction(async (tx) => {
      const current = await workspacesStore.find(tx, this.deps.storage.engine, accountSid, sid);
      if (!current) throw Errors.notFound(`/Workspaces/${sid}`);
      for (const [name, value] of [['DefaultActivitySid', input.defaultActivitySid], ['TimeoutActivitySid', input.timeoutActivitySid]] as const) {
        if (value !== undefined && !(await activitiesStore.find(tx, accountSid, sid, value))) throw Errors.invalidParameter(`${name} ${value} is not an activity of workspace ${sid}`);
      }
      const patch = {
        ...(friendlyName !== undefined ? { friendly_name: friendlyName } : {}),
        ...(eventCallbackUrl !== undefined ? { event_callback_url: eventCallbackUrl } : {}),
        ...(eventsFilter !== undefined ? { events_filter: eventsFilter } : {}),
        ...(input.multiTaskEnabled !== undefined ? { multi_task_enabled: input.multiTaskEnabled ? 1 : 0 } : {}),
        ...(input.prioritizeQueueOrder !== undefined ? { prioritize_queue_order: input.prioritizeQueueOrder } : {}),
        ...(input.defaultActivitySid !== undefined ? { default_activity_sid: input.defaultActivitySid } : {}),
        ...(input.timeoutActivitySid !== undefined ? { timeout_activity_sid: input.timeoutActivitySid } : {}),
      };
      if (Object.keys(patch).length === 0) return (await this.views(tx, accountSid, [current]))[0]!;
      await workspacesStore.update(tx, accountSid, sid, { ...patch, date_updated: this.deps.clock.now() });
      const ws = (await workspacesStore.find(tx, this.deps.storage.engine, accountSid, sid))!;
      await this.event(tx, actor, ws, 'workspace.updated', `Workspace ${ws.friendly_name} updated`);
      return (await this.views(tx, accountSid, [ws]))[0]!;
    });
    this.deps.outbox.committed();
    return view;
  }

  /** Deletes the workspace and everything under it; only the workspace.deleted event outlives it. */
  async delete(actor: Actor, accountSid: string, sid: string): Promise<void> {
    await this.deps.storage.transaction(async (tx) => {
      const ws = await workspacesStore.find(tx, this.deps.storage.engine, accountSid, sid);
      if (!ws) throw Errors.notFound(`/Workspaces/${sid}`);
      await workspacesStore.deleteCascade(tx, accountSid, sid);
      await this.event(tx, actor, ws, 'workspace.deleted', `Workspace ${ws.friendly_name} deleted`);
    });
    this.deps.outbox.committed();
  }

  /** Twilio's FIFO template: one queue every worker matches and a workflow that sends everything there. */
  private async applyFifoTemplate(tx: Executor, ws: WorkspaceRow): Promise<void> {
    const queue = await this.taskQueues.insert(tx, ws, {
      friendlyName: 'Sample Queue',
      targetWorkers: DEFAULT_TARGET_WORKERS,
      maxReservedWorkers: 1,
      taskOrder: 'FIFO',
      reservationActivitySid: null,
      assignmentActivitySid: null,
    });
    await this.workflows.insert(tx, ws, {
      friendlyName: 'Default Fifo Workflow',
      configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.sid } } }),
      assignmentCallbackUrl: null,
      fallbackAssignmentCallbackUrl: null,
      taskReservationTimeout: DEFAULT_TASK_RESERVATION_TIMEOUT,
    });
  }

  private async views(db: Executor, accountSid: string, rows: WorkspaceRow[]): Promise<WorkspaceView[]> {
    const sids = [...new Set(rows.flatMap((r) => [r.default_activity_sid, r.timeout_activity_sid]).filter((s): s is string => s !== null))];
    const names = await activitiesStore.names(db, accountSid, sids);
    const name = (sid: string | null) => (sid === null ? null : (names.get(sid) ?? null));
    return rows.map((row) => ({ row, defaultActivityName: name(row.default_activity_sid), timeoutActivityName: name(row.timeout_activity_sid) }));
  }

  private async event(tx: Executor, actor: Actor, ws: WorkspaceRow, type: 'workspace.created' | 'workspace.updated' | 'workspace.deleted', description: string): Promise<void> {
    await recordEvent(this.deps, tx, {
      accountSid: ws.account_sid,
      workspaceSid: ws.sid,
      type,
      resourceType: 'workspace',
      resourceSid: ws.sid,
      actor,
      description,
      data: { WorkspaceSid: ws.sid, WorkspaceName: ws.friendly_name },
    });
  }
}

/** A comma list of event types, as given; an empty string clears the filter. */
function eventsFilterParam(value: string | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  const types = value.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (types.length === 0) return null;
  const unknown = types.find((t) => !(EVENT_TYPES as readonly string[]).includes(t));
  if (unknown !== undefined) throw Errors.invalidParameter(`EventsFilter names an unknown event type "${unknown}"`);
  return value;
}

function templateParam(value: string | undefined): 'NONE' | 'FIFO' {
  if (value === undefined) return 'NONE';
  const t = value.toUpperCase();
  if (t !== 'NONE' && t !== 'FIFO') throw Errors.invalidParameter(`Template must be NONE or FIFO, got "${value}"`);
  return t;
}
