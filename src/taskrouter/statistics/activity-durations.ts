import type { ActivityRow } from '../activities/store.js';
import type { WorkerRow } from '../workers/store.js';
import type { StatEvent } from './cumulative.js';

/** One continuous period a worker spent in one activity (epoch ms). */
export interface Stint {
  workerSid: string;
  activitySid: string;
  from: number;
  to: number;
}

/**
 * The periods workers spent in activities, clipped to [start, end]. A
 * worker.activity.update event closes a period in the previous activity
 * (WorkerTimeInPreviousActivityMs long, ending at the event); each current worker
 * has an open period in its current activity since date_status_changed. `updates`
 * must include every update since `start`, even after `end`: a period that ended
 * later may still overlap the window.
 */
export function stints(updates: readonly StatEvent[], workers: readonly WorkerRow[], start: number, end: number, now: number): Stint[] {
  const out: Stint[] = [];
  const push = (workerSid: string, activitySid: string, from: number, to: number) => {
    const a = Math.max(from, start);
    const b = Math.min(to, end);
    if (b > a) out.push({ workerSid, activitySid, from: a, to: b });
  };
  for (const e of updates) {
    const ms = Number(e.data.WorkerTimeInPreviousActivityMs);
    const previous = e.data.WorkerPreviousActivitySid;
    if (!e.workerSid || typeof previous !== 'string' || !Number.isFinite(ms)) continue;
    push(e.workerSid, previous, e.date - ms, e.date);
  }
  for (const w of workers) push(w.sid, w.activity_sid, w.date_status_changed, now);
  return out;
}

export interface ActivityDuration {
  sid: string;
  friendly_name: string;
  avg: number;
  min: number;
  max: number;
  total: number;
}

/**
 * Per activity, in seconds: the shortest, average and longest period a worker
 * spent in it, and the total across workers, within the window.
 */
export function activityDurations(activities: readonly ActivityRow[], periods: readonly Stint[]): ActivityDuration[] {
  return activities.map((a) => {
    const ms = periods.filter((p) => p.activitySid === a.sid).map((p) => p.to - p.from);
    const total = ms.reduce((x, y) => x + y, 0);
    const sec = (v: number) => Math.round(v / 1000);
    return {
      sid: a.sid,
      friendly_name: a.friendly_name,
      avg: ms.length ? sec(total / ms.length) : 0,
      min: ms.length ? sec(Math.min(...ms)) : 0,
      max: ms.length ? sec(Math.max(...ms)) : 0,
      total: sec(total),
    };
  });
}
