/**
 * The Teams view's state: the overview the server gives at first paint, kept
 * current by the workspace stream's TaskRouter events (pure: (state, event) →
 * state), with the `stats` frames for the queue figures. Ages are kept as local
 * start times so the screen ticks without the server.
 */

export interface QueueStats {
  task_queue_sid: string;
  friendly_name: string;
  tasks_by_status: Record<string, number>;
  longest_task_waiting_age: number;
  longest_task_waiting_sid: string | null;
  total_available_workers: number;
  total_eligible_workers: number;
  total_tasks: number;
}

export interface Statistics {
  workspace: { tasks_by_status: Record<string, number>; longest_task_waiting_age: number; longest_task_waiting_sid: string | null; total_tasks: number; total_workers: number; activity_statistics: Array<{ sid: string; friendly_name: string; workers: number }> };
  task_queues: QueueStats[];
}

export interface WorkerTask {
  task_sid: string;
  reservation_sid: string;
  reservation_status: string;
}

export interface WorkerView {
  sid: string;
  friendly_name: string;
  activity_sid: string;
  activity_name: string;
  available: boolean;
  /** Local epoch ms when the worker entered this activity (null: unknown). */
  since: number | null;
  tasks: WorkerTask[];
}

export interface TaskView {
  sid: string;
  assignment_status: string;
  priority: number;
  task_queue_sid: string | null;
  task_queue_name: string | null;
  task_channel: string | null;
  /** Local epoch ms of the task's creation. */
  created: number;
  conversation_sid: string | null;
  channel_type: string | null;
  customer: string | null;
  worker_sid: string | null;
  reservation_sid: string | null;
  reservation_status: string | null;
}

export interface TeamsState {
  workspace: { sid: string; friendly_name: string };
  activities: Array<{ sid: string; friendly_name: string; available: boolean }>;
  workers: WorkerView[];
  tasks: TaskView[];
  statistics: Statistics | null;
  /** Local epoch ms the statistics were computed at (their ages are as of then). */
  statsAt: number;
}

/** GET /agent-api/v1/Supervisor/Overview, as the server sends it. */
export interface OverviewResponse {
  workspace: { sid: string; friendly_name: string };
  date: string;
  activities: TeamsState['activities'];
  workers: Array<Omit<WorkerView, 'since'> & { date_status_changed: string | null }>;
  tasks: Array<Omit<TaskView, 'created'> & { age: number }>;
  statistics: Statistics | null;
}

export function fromOverview(o: OverviewResponse, now = Date.now()): TeamsState {
  // Server dates are turned into local times through the response's own clock, so skew does not show.
  const skew = now - Date.parse(o.date);
  return {
    workspace: o.workspace,
    activities: o.activities,
    workers: o.workers.map(({ date_status_changed, ...w }) => ({ ...w, since: date_status_changed ? Date.parse(date_status_changed) + skew : null })),
    tasks: o.tasks.map(({ age, ...t }) => ({ ...t, created: now - age * 1000 })),
    statistics: o.statistics,
    statsAt: now,
  };
}

export function withStats(s: TeamsState, stats: Statistics, now = Date.now()): TeamsState {
  // A queue created after the first paint is named by the first statistics that list it.
  const names = new Map(stats.task_queues.map((q) => [q.task_queue_sid, q.friendly_name]));
  const tasks = s.tasks.some((t) => t.task_queue_sid && !t.task_queue_name && names.has(t.task_queue_sid))
    ? s.tasks.map((t) => (t.task_queue_sid && !t.task_queue_name ? { ...t, task_queue_name: names.get(t.task_queue_sid) ?? null } : t))
    : s.tasks;
  return { ...s, tasks, statistics: stats, statsAt: now };
}

const LIVE = new Set(['pending', 'reserved', 'assigned', 'wrapping']);
const HELD = new Set(['pending', 'accepted', 'wrapping']);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function context(attributes: unknown): Pick<TaskView, 'conversation_sid' | 'channel_type' | 'customer'> {
  let a: Record<string, unknown> = {};
  try {
    const parsed = typeof attributes === 'string' ? (JSON.parse(attributes) as unknown) : attributes;
    if (parsed && typeof parsed === 'object') a = parsed as Record<string, unknown>;
  } catch {
    /* unreadable attributes: no context */
  }
  return {
    conversation_sid: str(a.conversationSid) ?? str(a.conversation_sid),
    channel_type: str(a.channelType) ?? str(a.channel_type),
    customer: str(a.customerName) ?? str(a.customerAddress) ?? str(a.from) ?? str(a.name),
  };
}

/** Applies one TaskRouter event of the workspace stream (`data` as the gateway sends it). */
export function applyEvent(s: TeamsState, data: Record<string, unknown>, now = Date.now()): TeamsState {
  const type = String(data.EventType ?? '');
  let next = s;
  if (typeof data.TaskSid === 'string' && (type.startsWith('task.') || type.startsWith('task-queue.') || type.startsWith('reservation.') || type.startsWith('workflow.'))) next = upsertTask(next, data, now, type);
  if (type.startsWith('worker.')) next = upsertWorker(next, data, now, type);
  if (type.startsWith('reservation.')) next = reservation(next, data, type, now);
  return next;
}

function upsertTask(s: TeamsState, d: Record<string, unknown>, now: number, type: string): TeamsState {
  const sid = d.TaskSid as string;
  // An accept or a wrap-up moves the task too, and the event's task fields describe it from before that move.
  const status = type === 'reservation.accepted' ? 'assigned' : type === 'reservation.wrapup' ? 'wrapping' : str(d.TaskAssignmentStatus);
  const gone = type === 'task.deleted' || type === 'task.system-deleted' || (status !== null && !LIVE.has(status));
  if (gone) {
    return {
      ...s,
      tasks: s.tasks.filter((t) => t.sid !== sid),
      workers: s.workers.map((w) => (w.tasks.some((t) => t.task_sid === sid) ? { ...w, tasks: w.tasks.filter((t) => t.task_sid !== sid) } : w)),
    };
  }
  const queueSid = str(d.TaskQueueSid);
  const queueName = queueSid ? (s.statistics?.task_queues.find((q) => q.task_queue_sid === queueSid)?.friendly_name ?? s.tasks.find((t) => t.task_queue_sid === queueSid)?.task_queue_name ?? null) : null;
  const existing = s.tasks.find((t) => t.sid === sid);
  const age = typeof d.TaskAge === 'number' ? d.TaskAge : Number(d.TaskAge);
  const base: TaskView = existing ?? {
    sid,
    assignment_status: status ?? 'pending',
    priority: 0,
    task_queue_sid: null,
    task_queue_name: null,
    task_channel: null,
    created: Number.isFinite(age) ? now - age * 1000 : now,
    conversation_sid: null,
    channel_type: null,
    customer: null,
    worker_sid: null,
    reservation_sid: null,
    reservation_status: null,
  };
  const updated: TaskView = {
    ...base,
    ...(status ? { assignment_status: status } : {}),
    ...(typeof d.TaskPriority === 'number' ? { priority: d.TaskPriority } : {}),
    ...(queueSid ? { task_queue_sid: queueSid, task_queue_name: queueName ?? base.task_queue_name } : {}),
    ...(d.TaskAttributes !== undefined ? context(d.TaskAttributes) : {}),
  };
  return { ...s, tasks: existing ? s.tasks.map((t) => (t.sid === sid ? updated : t)) : [...s.tasks, updated] };
}

function upsertWorker(s: TeamsState, d: Record<string, unknown>, now: number, type: string): TeamsState {
  const sid = str(d.WorkerSid);
  if (!sid) return s;
  if (type === 'worker.deleted') return { ...s, workers: s.workers.filter((w) => w.sid !== sid) };
  const existing = s.workers.find((w) => w.sid === sid);
  const activitySid = str(d.WorkerActivitySid);
  const changed = activitySid !== null && activitySid !== existing?.activity_sid;
  const activityName = str(d.WorkerActivityName) ?? s.activities.find((a) => a.sid === activitySid)?.friendly_name ?? existing?.activity_name ?? '';
  const updated: WorkerView = {
    sid,
    friendly_name: str(d.WorkerName) ?? existing?.friendly_name ?? sid,
    activity_sid: activitySid ?? existing?.activity_sid ?? '',
    activity_name: activityName,
    available: typeof d.WorkerAvailable === 'boolean' ? d.WorkerAvailable : (existing?.available ?? false),
    since: changed || !existing ? now : existing.since,
    tasks: existing?.tasks ?? [],
  };
  return { ...s, workers: existing ? s.workers.map((w) => (w.sid === sid ? updated : w)) : [...s.workers, updated] };
}

function reservation(s: TeamsState, d: Record<string, unknown>, type: string, now: number): TeamsState {
  const workerSid = str(d.WorkerSid);
  const taskSid = str(d.TaskSid);
  const reservationSid = str(d.ReservationSid) ?? str(d.ResourceSid);
  if (!workerSid || !taskSid || !reservationSid) return s;
  const status = type === 'reservation.created' ? 'pending' : type === 'reservation.wrapup' ? 'wrapping' : type.slice('reservation.'.length);
  const held = HELD.has(status);
  let workers = s.workers;
  if (!workers.some((w) => w.sid === workerSid)) workers = upsertWorker(s, d, now, 'worker.created').workers;
  workers = workers.map((w) => {
    if (w.sid !== workerSid) return w;
    const others = w.tasks.filter((t) => t.reservation_sid !== reservationSid);
    return { ...w, tasks: held ? [...others, { task_sid: taskSid, reservation_sid: reservationSid, reservation_status: status }] : others };
  });
  const tasks = s.tasks.map((t) => {
    if (t.sid !== taskSid) return t;
    if (held) return { ...t, worker_sid: workerSid, reservation_sid: reservationSid, reservation_status: status };
    return t.reservation_sid === reservationSid ? { ...t, worker_sid: null, reservation_sid: null, reservation_status: null } : t;
  });
  return { ...s, workers, tasks };
}

/** Workers able to take work now (in an available activity). */
export function availableWorkers(s: TeamsState): number {
  return s.workers.filter((w) => w.available).length;
}

export function waitingTasks(s: TeamsState): TaskView[] {
  return s.tasks.filter((t) => t.assignment_status === 'pending' || t.assignment_status === 'reserved');
}
