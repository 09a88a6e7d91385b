import type { ActivityRow } from '../activities/store.js';
import type { TaskRow } from '../tasks/store.js';
import type { WorkerRow } from '../workers/store.js';

/**
 * Real-time figures: pure functions over the current rows. "Tasks" are the live
 * ones (pending, reserved, assigned, wrapping); completed and canceled tasks are
 * history and show up in the cumulative figures instead.
 */

/** The statuses tasks_by_status always reports, zero or not. */
export const REALTIME_STATUSES = ['pending', 'reserved', 'assigned', 'wrapping'] as const;
/** Tasks still waiting for someone to accept them. */
const WAITING = new Set(['pending', 'reserved']);

export interface ActivityStatistic {
  sid: string;
  friendly_name: string;
  workers: number;
}

/** Every activity of the workspace with how many of `workers` are in it now. */
export function activityStatistics(activities: readonly ActivityRow[], workers: readonly WorkerRow[]): ActivityStatistic[] {
  const counts = new Map<string, number>();
  for (const w of workers) counts.set(w.activity_sid, (counts.get(w.activity_sid) ?? 0) + 1);
  return activities.map((a) => ({ sid: a.sid, friendly_name: a.friendly_name, workers: counts.get(a.sid) ?? 0 }));
}

export interface TaskStatistics {
  longest_task_waiting_age: number;
  longest_task_waiting_sid: string | null;
  tasks_by_priority: Record<string, number>;
  tasks_by_status: Record<string, number>;
  total_tasks: number;
}

const ageSeconds = (now: number, since: number) => Math.max(0, Math.floor((now - since) / 1000));

/** Counts of live tasks and the oldest one still waiting (by creation). */
export function taskStatistics(tasks: readonly TaskRow[], now: number): TaskStatistics {
  const byStatus: Record<string, number> = Object.fromEntries(REALTIME_STATUSES.map((s) => [s, 0]));
  const byPriority: Record<string, number> = {};
  let total = 0;
  for (const t of tasks) {
    if (!(t.assignment_status in byStatus)) continue;
    byStatus[t.assignment_status]! += 1;
    byPriority[String(t.priority)] = (byPriority[String(t.priority)] ?? 0) + 1;
    total += 1;
  }
  const oldest = longestWaiting(tasks, (t) => t.date_created);
  return {
    longest_task_waiting_age: oldest ? ageSeconds(now, oldest.date_created) : 0,
    longest_task_waiting_sid: oldest?.sid ?? null,
    tasks_by_priority: byPriority,
    tasks_by_status: byStatus,
    total_tasks: total,
  };
}

/** The waiting task that entered its queue first (a TaskQueue's relative age). */
export function relativeInQueue(tasks: readonly TaskRow[], now: number): { longest_relative_task_age_in_queue: number; longest_relative_task_sid_in_queue: string | null } {
  const entered = (t: TaskRow) => t.task_queue_entered_date ?? t.date_created;
  const oldest = longestWaiting(tasks, entered);
  return {
    longest_relative_task_age_in_queue: oldest ? ageSeconds(now, entered(oldest)) : 0,
    longest_relative_task_sid_in_queue: oldest?.sid ?? null,
  };
}

function longestWaiting(tasks: readonly TaskRow[], since: (t: TaskRow) => number): TaskRow | undefined {
  let best: TaskRow | undefined;
  for (const t of tasks) {
    if (!WAITING.has(t.assignment_status)) continue;
    if (!best || since(t) < since(best) || (since(t) === since(best) && t.seq < best.seq)) best = t;
  }
  return best;
}
