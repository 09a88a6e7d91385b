import { Errors } from '../../platform/errors.js';
import type { Executor } from '../../storage/db.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { TaskRouterDeps } from '../deps.js';
import type { WorkspaceRow } from '../workspaces/store.js';
import { activitiesStore, type ActivityRow } from '../activities/store.js';
import { LIVE_TASK_STATUSES } from '../task-channels/store.js';
import { taskQueuesStore, type TaskQueueRow } from '../task-queues/store.js';
import { workersStore, type WorkerRow } from '../workers/store.js';
import { targetWorkersMatcher, workerFacts } from '../workers/facts.js';
import type { TaskRow } from '../tasks/store.js';
import { resolveTaskChannel } from '../events-api/service.js';
import { activityStatistics, relativeInQueue, taskStatistics, type ActivityStatistic, type TaskStatistics } from './realtime.js';
import { durations, inQueueWaits, movedFrom, reservationCounts, taskFigures, type Durations, type ReservationCounts, type StatEvent, type TaskFigures } from './cumulative.js';
import { activityDurations, stints, type ActivityDuration } from './activity-durations.js';

/** Cumulative statistics cover the last 15 minutes unless told otherwise. */
export const DEFAULT_STATISTICS_MINUTES = 15;

export interface CumulativeQuery {
  minutes?: number;
  startDate?: number;
  endDate?: number;
  taskChannel?: string;
  splitByWaitTime?: string;
}

export interface Window {
  start: number;
  end: number;
}

export interface WorkersFilter {
  friendlyName?: string;
  taskQueueSid?: string;
  taskQueueName?: string;
}

export type WorkspaceRealtime = TaskStatistics & { activity_statistics: ActivityStatistic[]; total_workers: number };
export type QueueRealtime = TaskStatistics & ReturnType<typeof relativeInQueue> & { activity_statistics: ActivityStatistic[]; total_available_workers: number; total_eligible_workers: number };
export type WorkspaceCumulative = Window & TaskFigures & { tasks_created: number; tasks_moved: number; tasks_timed_out_in_workflow: number };
export type QueueCumulative = Window & TaskFigures & { tasks_entered: number; tasks_moved: number; wait_duration_in_queue_until_accepted: Durations };
export type WorkflowCumulative = Window & TaskFigures & { tasks_entered: number; tasks_moved: number; tasks_timed_out_in_workflow: number };
export type WorkersCumulative = Window & ReservationCounts & { activity_durations: ActivityDuration[] };

const CUMULATIVE_TYPES = [
  'reservation.created', 'reservation.accepted', 'reservation.rejected', 'reservation.timeout', 'reservation.canceled', 'reservation.rescinded',
  'task.created', 'task.canceled', 'task.completed', 'task.deleted', 'task.system-deleted',
  'task-queue.entered', 'task-queue.moved', 'workflow.entered', 'workflow.timeout',
];
/** Only these need their (encrypted) data: waits, moves, activity periods. */
const WITH_DATA = new Set(['reservation.accepted', 'task.canceled', 'task-queue.moved', 'worker.activity.update']);

/**
 * Statistics of a workspace, its queues, workflows and workers. Real-time figures
 * read the current rows; cumulative ones read tr_events within a window. One
 * snapshot per request loads each input once (a list of queue statistics shares it).
 */
export class StatisticsService {
  constructor(private readonly deps: Pick<TaskRouterDeps, 'storage' | 'cipher' | 'clock'>) {}

  async snapshot(ws: WorkspaceRow, taskChannel: string | undefined): Promise<StatsSnapshot> {
    // An unknown unique name stays as given: it matches no task or event.
    const channelSid = taskChannel === undefined ? undefined : ((await resolveTaskChannel(this.deps.storage.db, ws, taskChannel)) ?? taskChannel);
    return new StatsSnapshot(this.deps, ws, channelSid);
  }

  window(q: CumulativeQuery): Window {
    if (q.minutes !== undefined && (!Number.isInteger(q.minutes) || q.minutes < 1)) throw Errors.invalidParameter('Minutes must be a positive integer');
    const end = q.endDate ?? this.deps.clock.now();
    const start = q.startDate ?? end - (q.minutes ?? DEFAULT_STATISTICS_MINUTES) * 60_000;
    if (start > end) throw Errors.invalidParameter('StartDate must not be after EndDate');
    return { start, end };
  }

  async queue(ws: WorkspaceRow, sid: string): Promise<TaskQueueRow> {
    const q = await taskQueuesStore.find(this.deps.storage.db, ws.account_sid, ws.sid, sid);
    if (!q) throw Errors.notFound(`/Workspaces/${ws.sid}/TaskQueues/${sid}`);
    return q;
  }

  /** A page of the workspace's queues (`/TaskQueues/Statistics`). */
  queuesPage(ws: WorkspaceRow, f: { friendlyName?: string }, w: KeysetWindow): Promise<TaskQueueRow[]> {
    return taskQueuesStore.list(this.deps.storage.db, ws.account_sid, ws.sid, f, w);
  }

  findQueue(ws: WorkspaceRow, sid: string): Promise<TaskQueueRow | undefined> {
    return taskQueuesStore.find(this.deps.storage.db, ws.account_sid, ws.sid, sid);
  }

  async workflow(ws: WorkspaceRow, sid: string): Promise<string> {
    const row = await this.deps.storage.db.selectFrom('tr_workflows').select('sid').where('account_sid', '=', ws.account_sid).where('workspace_sid', '=', ws.sid).where('sid', '=', sid).executeTakeFirst();
    if (!row) throw Errors.notFound(`/Workspaces/${ws.sid}/Workflows/${sid}`);
    return row.sid;
  }

  async worker(ws: WorkspaceRow, sid: string): Promise<WorkerRow> {
    const row = await workersStore.find(this.deps.storage.db, ws.account_sid, ws.sid, sid);
    if (!row) throw Errors.notFound(`/Workspaces/${ws.sid}/Workers/${sid}`);
    return row;
  }

  /** Workers of `/Workers/Statistics`: by name (case-insensitive) and by queue eligibility. */
  async workersMatching(s: StatsSnapshot, f: WorkersFilter): Promise<WorkerRow[] | undefined> {
    if (f.friendlyName === undefined && f.taskQueueSid === undefined && f.taskQueueName === undefined) return undefined;
    const db = this.deps.storage.db;
    const queues: TaskQueueRow[] = [];
    if (f.taskQueueSid !== undefined) {
      const q = await taskQueuesStore.find(db, s.ws.account_sid, s.ws.sid, f.taskQueueSid);
      if (!q) throw Errors.invalidParameter(`TaskQueueSid ${f.taskQueueSid} is not a TaskQueue of workspace ${s.ws.sid}`);
      queues.push(q);
    }
    if (f.taskQueueName !== undefined) {
      const q = await taskQueuesStore.byName(db, s.ws.account_sid, s.ws.sid, f.taskQueueName);
      if (!q) throw Errors.invalidParameter(`TaskQueueName ${f.taskQueueName} is not a TaskQueue of workspace ${s.ws.sid}`);
      queues.push(q);
    }
    let workers = await s.workers();
    if (f.friendlyName !== undefined) workers = workers.filter((w) => w.name_key === f.friendlyName!.toLowerCase());
    for (const q of queues) workers = await s.eligible(q, workers);
    return workers;
  }

  async workspaceRealtime(s: StatsSnapshot): Promise<WorkspaceRealtime> {
    const [activities, workers, tasks] = [await s.activities(), await s.workers(), await s.liveTasks()];
    return { activity_statistics: activityStatistics(activities, workers), ...taskStatistics(tasks, s.now), total_workers: workers.length };
  }

  async queueRealtime(s: StatsSnapshot, queue: TaskQueueRow): Promise<QueueRealtime> {
    const eligible = await s.eligible(queue, await s.workers());
    const tasks = (await s.liveTasks()).filter((t) => t.task_queue_sid === queue.sid);
    return {
      activity_statistics: activityStatistics(await s.activities(), eligible),
      ...taskStatistics(tasks, s.now),
      ...relativeInQueue(tasks, s.now),
      total_available_workers: eligible.filter((w) => w.available === 1).length,
      total_eligible_workers: eligible.length,
    };
  }

  /** What the bulk read answers for a SID that is not a queue of the workspace. */
  async emptyQueueRealtime(s: StatsSnapshot): Promise<QueueRealtime> {
    return { activity_statistics: activityStatistics(await s.activities(), []), ...taskStatistics([], s.now), ...relativeInQueue([], s.now), total_available_workers: 0, total_eligible_workers: 0 };
  }

  async workflowRealtime(s: StatsSnapshot, workflowSid: string): Promise<TaskStatistics> {
    return taskStatistics((await s.liveTasks()).filter((t) => t.workflow_sid === workflowSid), s.now);
  }

  async workersRealtime(s: StatsSnapshot, only?: WorkerRow[]): Promise<{ activity_statistics: ActivityStatistic[]; total_workers: number }> {
    const workers = only ?? (await s.workers());
    return { activity_statistics: activityStatistics(await s.activities(), workers), total_workers: workers.length };
  }

  async workspaceCumulative(s: StatsSnapshot, w: Window, thresholds: number[] | null): Promise<WorkspaceCumulative> {
    const events = await s.events(w);
    const n = (type: string) => events.filter((e) => e.type === type).length;
    return { ...w, ...taskFigures(events, thresholds), tasks_created: n('task.created'), tasks_moved: n('task-queue.moved'), tasks_timed_out_in_workflow: n('workflow.timeout') };
  }

  async queueCumulative(s: StatsSnapshot, queue: TaskQueueRow, w: Window, thresholds: number[] | null): Promise<QueueCumulative> {
    const all = await s.events(w);
    const events = all.filter((e) => e.taskQueueSid === queue.sid);
    const accepts = events.filter((e) => e.type === 'reservation.accepted');
    const entries = await s.queueEntries(accepts.map((e) => e.taskSid).filter((t): t is string => t !== null));
    return {
      ...w,
      ...taskFigures(events, thresholds),
      // A move into this queue is an entry; a move out of it is one of its moves.
      tasks_entered: events.filter((e) => e.type === 'task-queue.entered' || e.type === 'task-queue.moved').length,
      tasks_moved: all.filter((e) => e.type === 'task-queue.moved' && movedFrom(e) === queue.sid).length,
      wait_duration_in_queue_until_accepted: durations(inQueueWaits(accepts, entries, queue.sid)),
    };
  }

  async workflowCumulative(s: StatsSnapshot, workflowSid: string, w: Window, thresholds: number[] | null): Promise<WorkflowCumulative> {
    const events = (await s.events(w)).filter((e) => e.workflowSid === workflowSid);
    const n = (type: string) => events.filter((e) => e.type === type).length;
    return { ...w, ...taskFigures(events, thresholds), tasks_entered: n('workflow.entered'), tasks_moved: n('task-queue.moved'), tasks_timed_out_in_workflow: n('workflow.timeout') };
  }

  /** Reservations and activity periods of every worker, or only of `only` (deleted workers' history counts only unfiltered). */
  async workersCumulative(s: StatsSnapshot, w: Window, only?: WorkerRow[]): Promise<WorkersCumulative> {
    const keep = only ? new Set(only.map((x) => x.sid)) : undefined;
    const mine = (e: StatEvent) => !keep || (e.workerSid !== null && keep.has(e.workerSid));
    const reservations = (await s.events(w)).filter((e) => e.type.startsWith('reservation.') && mine(e));
    const updates = (await s.activityUpdates(w.start)).filter(mine);
    const periods = stints(updates, only ?? (await s.workers()), w.start, w.end, s.now);
    return { ...w, ...reservationCounts(reservations), activity_durations: activityDurations(await s.activities(), periods) };
  }
}

/** Parses SplitByWaitTime: a comma list of thresholds in whole seconds. */
export function waitThresholds(value: string | undefined): number[] | null {
  if (value === undefined) return null;
  const parts = value.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) throw Errors.invalidParameter(`SplitByWaitTime must be a comma separated list of seconds, got "${value}"`);
  return [...new Set(parts.map(Number))];
}

/** The inputs of one statistics request, each loaded at most once. */
export class StatsSnapshot {
  readonly now: number;
  private cache = new Map<string, Promise<unknown>>();

  constructor(
    private readonly deps: Pick<TaskRouterDeps, 'storage' | 'cipher' | 'clock'>,
    readonly ws: WorkspaceRow,
    /** Only tasks and events of this TaskChannel (SID), when given. */
    readonly channelSid: string | undefined,
  ) {
    this.now = deps.clock.now();
  }

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.cache.has(key)) this.cache.set(key, load());
    return this.cache.get(key) as Promise<T>;
  }

  private get db(): Executor {
    return this.deps.storage.db;
  }

  activities(): Promise<ActivityRow[]> {
    return this.once('activities', async () => [...(await activitiesStore.all(this.db, this.ws.account_sid, this.ws.sid)).values()]);
  }

  workers(): Promise<WorkerRow[]> {
    return this.once('workers', () => workersStore.all(this.db, this.ws.account_sid, this.ws.sid));
  }

  /** The workers a queue's TargetWorkers expression selects, among `among`. */
  async eligible(queue: TaskQueueRow, among: WorkerRow[]): Promise<WorkerRow[]> {
    const activities = new Map((await this.activities()).map((a) => [a.sid, a]));
    const matches = targetWorkersMatcher(queue.target_workers);
    return among.filter((w) => matches(workerFacts(w, activities, this.deps.cipher)));
  }

  liveTasks(): Promise<TaskRow[]> {
    return this.once('tasks', () => {
      let q = this.db.selectFrom('tr_tasks').selectAll().where('account_sid', '=', this.ws.account_sid).where('workspace_sid', '=', this.ws.sid).where('assignment_status', 'in', [...LIVE_TASK_STATUSES]);
      if (this.channelSid !== undefined) q = q.where('task_channel_sid', '=', this.channelSid);
      return q.orderBy('seq').execute();
    });
  }

  /** Task, reservation, queue and workflow events within the window. */
  events(w: Window): Promise<StatEvent[]> {
    return this.once(`events:${w.start}:${w.end}`, async () => {
      let q = this.eventQuery().where('event_type', 'in', CUMULATIVE_TYPES).where('event_date', '>=', w.start).where('event_date', '<=', w.end);
      if (this.channelSid !== undefined) q = q.where('task_channel', '=', this.channelSid);
      return this.decode(await q.orderBy('seq').execute());
    });
  }

  /** Every worker.activity.update from `start` on (a period ending after the window may overlap it). */
  activityUpdates(start: number): Promise<StatEvent[]> {
    return this.once(`updates:${start}`, async () => this.decode(await this.eventQuery().where('event_type', '=', 'worker.activity.update').where('event_date', '>=', start).orderBy('seq').execute()));
  }

  /** Queue entries (entered, moved in) of these tasks, whenever they happened. */
  async queueEntries(taskSids: string[]): Promise<StatEvent[]> {
    const out: StatEvent[] = [];
    const unique = [...new Set(taskSids)];
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await this.eventQuery().where('event_type', 'in', ['task-queue.entered', 'task-queue.moved']).where('task_sid', 'in', unique.slice(i, i + 500)).execute();
      out.push(...this.decode(rows));
    }
    return out;
  }

  private eventQuery() {
    return this.db
      .selectFrom('tr_events')
      .select(['event_type', 'event_date', 'task_sid', 'worker_sid', 'task_queue_sid', 'workflow_sid', 'event_data'])
      .where('account_sid', '=', this.ws.account_sid)
      .where('workspace_sid', '=', this.ws.sid);
  }

  private decode(rows: Array<{ event_type: string; event_date: number; task_sid: string | null; worker_sid: string | null; task_queue_sid: string | null; workflow_sid: string | null; event_data: string }>): StatEvent[] {
    return rows.map((r) => ({
      type: r.event_type,
      date: Number(r.event_date),
      taskSid: r.task_sid,
      workerSid: r.worker_sid,
      taskQueueSid: r.task_queue_sid,
      workflowSid: r.workflow_sid,
      data: WITH_DATA.has(r.event_type) ? (JSON.parse(this.deps.cipher.decrypt(r.event_data)) as Record<string, unknown>) : {},
    }));
  }
}
