import { Errors } from '../platform/errors.js';
import { isoDate } from '../platform/clock.js';
import type { SupervisionDeps } from './deps.js';
import { supervisionStore } from './store.js';

/** A supervisor's screen, not an export: at most this many live tasks. */
const TASKS_MAX = 1000;

export interface OverviewTask {
  sid: string;
  assignment_status: string;
  priority: number;
  task_queue_sid: string | null;
  task_queue_name: string | null;
  task_channel: string | null;
  /** Seconds since the task was created. */
  age: number;
  conversation_sid: string | null;
  channel_type: string | null;
  customer: string | null;
  /** The worker holding it (pending offer, accepted or wrapping), when one does. */
  worker_sid: string | null;
  reservation_sid: string | null;
  reservation_status: string | null;
}

export interface OverviewWorker {
  sid: string;
  friendly_name: string;
  activity_sid: string;
  activity_name: string;
  available: boolean;
  date_status_changed: string | null;
  /** The tasks the worker holds a pending, accepted or wrapping reservation of. */
  tasks: Array<{ task_sid: string; reservation_sid: string; reservation_status: string }>;
}

/**
 * The Teams view's first paint: every worker with their activity and current
 * tasks, the live tasks, and the same statistics the workspace stream's `stats`
 * frames carry — so the screen renders at once and the stream keeps it current.
 */
export class SupervisorOverview {
  constructor(private readonly deps: SupervisionDeps) {}

  async workspace(accountSid: string, workspaceSid: string) {
    const { storage, cipher, clock } = this.deps;
    const db = storage.db;
    const ws = await supervisionStore.workspace(db, accountSid, workspaceSid);
    if (!ws) throw Errors.notFound(`/Workspaces/${workspaceSid}`);
    const [activities, workers, queues, channels, tasks, reservations, stats] = await Promise.all([
      supervisionStore.activities(db, accountSid, workspaceSid),
      supervisionStore.workers(db, accountSid, workspaceSid),
      supervisionStore.queues(db, accountSid, workspaceSid),
      supervisionStore.taskChannels(db, accountSid, workspaceSid),
      supervisionStore.liveTasks(db, accountSid, workspaceSid, TASKS_MAX),
      supervisionStore.heldReservations(db, accountSid, workspaceSid),
      this.deps.stats.compute(accountSid, workspaceSid),
    ]);
    const now = clock.now();
    const activityName = new Map(activities.map((a) => [a.sid, a.friendly_name]));
    const queueName = new Map(queues.map((q) => [q.sid, q.friendly_name]));
    const channelName = new Map(channels.map((c) => [c.sid, c.unique_name]));
    // The reservation that ties a task to a worker now: accepted/wrapping beats a pending offer.
    const holder = new Map<string, (typeof reservations)[number]>();
    for (const r of reservations) {
      const current = holder.get(r.task_sid);
      if (!current || (current.status === 'pending' && r.status !== 'pending')) holder.set(r.task_sid, r);
    }
    const byWorker = new Map<string, OverviewWorker['tasks']>();
    for (const r of reservations) {
      const list = byWorker.get(r.worker_sid) ?? [];
      list.push({ task_sid: r.task_sid, reservation_sid: r.sid, reservation_status: r.status });
      byWorker.set(r.worker_sid, list);
    }
    return {
      workspace: { sid: ws.sid, friendly_name: ws.friendly_name },
      date: isoDate(now),
      activities: activities.map((a) => ({ sid: a.sid, friendly_name: a.friendly_name, available: a.available === 1 })),
      workers: workers.map(
        (w): OverviewWorker => ({
          sid: w.sid,
          friendly_name: w.friendly_name,
          activity_sid: w.activity_sid,
          activity_name: activityName.get(w.activity_sid) ?? '',
          available: w.available === 1,
          date_status_changed: isoDate(w.date_status_changed),
          tasks: byWorker.get(w.sid) ?? [],
        }),
      ),
      tasks: tasks.map((t): OverviewTask => {
        const attrs = parse(cipher.decrypt(t.attributes));
        const r = holder.get(t.sid);
        return {
          sid: t.sid,
          assignment_status: t.assignment_status,
          priority: t.priority,
          task_queue_sid: t.task_queue_sid,
          task_queue_name: t.task_queue_sid ? (queueName.get(t.task_queue_sid) ?? null) : null,
          task_channel: channelName.get(t.task_channel_sid) ?? null,
          age: Math.max(0, Math.floor((now - Number(t.date_created)) / 1000)),
          ...taskContext(attrs),
          worker_sid: r?.worker_sid ?? null,
          reservation_sid: r?.sid ?? null,
          reservation_status: r?.status ?? null,
        };
      }),
      statistics: (stats?.data as Record<string, unknown> | undefined) ?? null,
    };
  }
}

function parse(json: string): Record<string, unknown> {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** What a task is about, read from Flex's attribute keys (and the common plain ones). */
export function taskContext(attrs: Record<string, unknown>): { conversation_sid: string | null; channel_type: string | null; customer: string | null } {
  return {
    conversation_sid: str(attrs.conversationSid) ?? str(attrs.conversation_sid),
    channel_type: str(attrs.channelType) ?? str(attrs.channel_type),
    customer: str(attrs.customerName) ?? str(attrs.customerAddress) ?? str(attrs.from) ?? str(attrs.name),
  };
}
