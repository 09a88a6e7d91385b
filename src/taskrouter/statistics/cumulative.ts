/**
 * Cumulative figures: pure functions over the TaskRouter events recorded in a
 * window. Waits are in whole seconds, measured from the task's creation (TaskAge
 * at the event), or from its entry into the queue for the in-queue variant.
 */

/** A tr_events row as statistics read it (data decrypted only for the types that need it). */
export interface StatEvent {
  type: string;
  date: number;
  taskSid: string | null;
  workerSid: string | null;
  taskQueueSid: string | null;
  workflowSid: string | null;
  data: Record<string, unknown>;
}

export interface Durations {
  avg: number;
  min: number;
  max: number;
  total: number;
}

export function durations(seconds: readonly number[]): Durations {
  if (seconds.length === 0) return { avg: 0, min: 0, max: 0, total: 0 };
  const total = seconds.reduce((a, b) => a + b, 0);
  return { avg: Math.round(total / seconds.length), min: Math.min(...seconds), max: Math.max(...seconds), total };
}

export interface ReservationCounts {
  reservations_created: number;
  reservations_accepted: number;
  reservations_rejected: number;
  reservations_timed_out: number;
  reservations_canceled: number;
  reservations_rescinded: number;
}

export function reservationCounts(events: readonly StatEvent[]): ReservationCounts {
  const n = (type: string) => events.filter((e) => e.type === type).length;
  return {
    reservations_created: n('reservation.created'),
    reservations_accepted: n('reservation.accepted'),
    reservations_rejected: n('reservation.rejected'),
    reservations_timed_out: n('reservation.timeout'),
    reservations_canceled: n('reservation.canceled'),
    reservations_rescinded: n('reservation.rescinded'),
  };
}

export type SplitByWaitTime = Record<string, { below: { tasks_canceled: number; reservations_accepted: number }; above: { tasks_canceled: number; reservations_accepted: number } }>;

/**
 * For each threshold (seconds): accepted reservations and canceled tasks whose wait
 * was within it (≤, "below") or beyond it ("above").
 */
export function splitByWaitTime(thresholds: readonly number[], acceptedWaits: readonly number[], canceledWaits: readonly number[]): SplitByWaitTime {
  const out: SplitByWaitTime = {};
  for (const t of thresholds) {
    const below = (xs: readonly number[]) => xs.filter((x) => x <= t).length;
    out[String(t)] = {
      below: { tasks_canceled: below(canceledWaits), reservations_accepted: below(acceptedWaits) },
      above: { tasks_canceled: canceledWaits.length - below(canceledWaits), reservations_accepted: acceptedWaits.length - below(acceptedWaits) },
    };
  }
  return out;
}

/** TaskAge (seconds since creation) as the event recorded it. */
export function taskAge(e: StatEvent): number {
  const age = Number(e.data.TaskAge);
  return Number.isFinite(age) && age >= 0 ? age : 0;
}

export interface TaskFigures extends ReservationCounts {
  avg_task_acceptance_time: number;
  split_by_wait_time: SplitByWaitTime | null;
  wait_duration_until_accepted: Durations;
  wait_duration_until_canceled: Durations;
  tasks_canceled: number;
  tasks_completed: number;
  tasks_deleted: number;
}

/** The figures every task-centred scope (workspace, queue, workflow) shares. */
export function taskFigures(events: readonly StatEvent[], thresholds: readonly number[] | null): TaskFigures {
  const n = (...types: string[]) => events.filter((e) => types.includes(e.type)).length;
  const accepted = events.filter((e) => e.type === 'reservation.accepted').map(taskAge);
  const canceled = events.filter((e) => e.type === 'task.canceled').map(taskAge);
  const untilAccepted = durations(accepted);
  return {
    avg_task_acceptance_time: untilAccepted.avg,
    ...reservationCounts(events),
    split_by_wait_time: thresholds ? splitByWaitTime(thresholds, accepted, canceled) : null,
    wait_duration_until_accepted: untilAccepted,
    wait_duration_until_canceled: durations(canceled),
    tasks_canceled: n('task.canceled'),
    tasks_completed: n('task.completed'),
    tasks_deleted: n('task.deleted', 'task.system-deleted'),
  };
}

/** Where a task-queue.moved event took the task from (its row names the destination). */
export function movedFrom(e: StatEvent): string | null {
  return typeof e.data.TaskQueueSidFrom === 'string' ? e.data.TaskQueueSidFrom : null;
}

/**
 * Seconds each reservation accepted in `queueSid` waited since its task entered
 * that queue. `entries` are the task-queue.entered / task-queue.moved events of
 * those tasks (any date): the latest entry into the queue before the accept counts.
 */
export function inQueueWaits(accepts: readonly StatEvent[], entries: readonly StatEvent[], queueSid: string): number[] {
  return accepts.map((a) => {
    let entered: number | undefined;
    for (const e of entries) {
      if (e.taskSid !== a.taskSid || e.taskQueueSid !== queueSid || e.date > a.date) continue;
      if (entered === undefined || e.date > entered) entered = e.date;
    }
    return entered === undefined ? taskAge(a) : Math.max(0, Math.floor((a.date - entered) / 1000));
  });
}
