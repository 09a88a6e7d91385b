import type { Storage } from '../storage/db.js';
import type { Clock } from '../platform/clock.js';
import type { TaskRouterProduct } from '../taskrouter/index.js';
import { webchatStore, type WaitingTask } from './store.js';

/** Cumulative statistics window the estimate learns from. */
export const ESTIMATE_WINDOW_MINUTES = 60;

/**
 * Where a web chat stands with TaskRouter:
 * - `none`: no live task (not handed to Flex yet, e.g. a bot still talks; or finished);
 * - `waiting`: a pending or reserved task; `position` 1 is next in its queue
 *   (null while the workflow has not placed it in a queue yet);
 * - `assigned`: an agent accepted (assigned or wrapping).
 */
export interface QueuePosition {
  status: 'none' | 'waiting' | 'assigned';
  position: number | null;
  /** Tasks waiting in the same queue, this one included. */
  queueSize: number | null;
  /** Seconds, or null when the queue has no accepted task in the window to learn from. */
  estimatedWaitSeconds: number | null;
  /** Eligible agents of the queue that are available now. */
  availableAgents: number | null;
}

const NONE: QueuePosition = { status: 'none', position: null, queueSize: null, estimatedWaitSeconds: null, availableAgents: null };

/**
 * The order TaskRouter offers a queue's tasks in (routing/matcher.ts
 * orderTasks): higher priority first, then by age — oldest first in a FIFO
 * queue, newest first in a LIFO one — ties by SID. A workflow target's priority
 * override is not applied here (the estimate is a courtesy, not a promise).
 */
export function positionInQueue(waiting: readonly WaitingTask[], taskSid: string, order: string): number | null {
  const sorted = [...waiting].sort((a, b) => {
    if (a.priority !== b.priority) return b.priority - a.priority;
    const age = a.virtual_start_time - b.virtual_start_time;
    if (age !== 0) return order === 'LIFO' ? -age : age;
    return a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0;
  });
  const i = sorted.findIndex((t) => t.sid === taskSid);
  return i < 0 ? null : i + 1;
}

/**
 * The estimate: the queue's average wait until accepted over the last hour
 * (TaskRouter's cumulative `wait_duration_in_queue_until_accepted.avg`), times
 * the position, less the time this task already waited; never below zero.
 */
export function estimateWait(avgWaitSeconds: number, position: number, waitedSeconds: number): number | null {
  if (!(avgWaitSeconds > 0)) return null;
  return Math.max(0, Math.round(avgWaitSeconds * position - waitedSeconds));
}

export class QueuePositions {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly taskrouter: Pick<TaskRouterProduct, 'workspaces' | 'statistics'>,
  ) {}

  async of(accountSid: string, conversationSid: string): Promise<QueuePosition> {
    const db = this.storage.db;
    const tasks = await webchatStore.liveTasks(db, accountSid, conversationSid);
    if (tasks.some((t) => t.assignment_status === 'assigned' || t.assignment_status === 'wrapping')) return { ...NONE, status: 'assigned' };
    const task = tasks.find((t) => t.assignment_status === 'pending' || t.assignment_status === 'reserved');
    if (!task) return NONE;
    if (task.task_queue_sid === null) return { ...NONE, status: 'waiting' };
    const queueSid = task.task_queue_sid;
    const [waiting, order] = [await webchatStore.waitingInQueue(db, accountSid, task.workspace_sid, queueSid), await webchatStore.queueOrder(db, accountSid, task.workspace_sid, queueSid)];
    const position = positionInQueue(waiting, task.sid, order ?? 'FIFO');
    const { statistics, workspaces } = this.taskrouter;
    const ws = await workspaces.get(accountSid, task.workspace_sid);
    const queue = await statistics.findQueue(ws, queueSid);
    let estimatedWaitSeconds: number | null = null;
    let availableAgents: number | null = null;
    if (queue && position !== null) {
      const snapshot = await statistics.snapshot(ws, undefined);
      const now = this.clock.now();
      const cumulative = await statistics.queueCumulative(snapshot, queue, { start: now - ESTIMATE_WINDOW_MINUTES * 60_000, end: now }, null);
      const waited = Math.max(0, (now - (task.task_queue_entered_date ?? task.date_created)) / 1000);
      estimatedWaitSeconds = estimateWait(cumulative.wait_duration_in_queue_until_accepted.avg, position, waited);
      availableAgents = (await statistics.queueRealtime(snapshot, queue)).total_available_workers;
    }
    return { status: 'waiting', position, queueSize: waiting.length, estimatedWaitSeconds, availableAgents };
  }
}
