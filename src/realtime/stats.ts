import type { TaskRouterProduct } from '../taskrouter/index.js';
import { stream } from './streams.js';

/** Live statistics cover at most this many queues per workspace (the REST list pages the rest). */
const MAX_QUEUES = 100;

export type StatsSink = (accountSid: string, streamName: string, frame: Record<string, unknown>) => void;

/**
 * Live workspace statistics for supervisors: the same figures as the
 * RealTime Statistics endpoints, pushed on workspace:<WS> as `stats` frames.
 * They are a snapshot, not a history, so they carry no seq: a client that
 * reconnects simply gets a fresh one. Recomputed at most once per interval per
 * workspace after TaskRouter activity, and only by nodes with subscribers.
 */
export class LiveStats {
  private timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly taskrouter: Pick<TaskRouterProduct, 'workspaces' | 'statistics'>,
    private readonly intervalMs: number,
    private readonly sink: StatsSink,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Something changed in the workspace: recompute soon (coalesced). */
  touch(accountSid: string, workspaceSid: string): void {
    const key = `${accountSid}|${workspaceSid}`;
    if (this.closed || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      void this.compute(accountSid, workspaceSid).then(
        (frame) => frame && this.sink(accountSid, stream.workspace(workspaceSid), frame),
        this.onError,
      );
    }, this.intervalMs);
    timer.unref?.();
    this.timers.set(key, timer);
  }

  async compute(accountSid: string, workspaceSid: string): Promise<Record<string, unknown> | undefined> {
    const ws = await this.taskrouter.workspaces.get(accountSid, workspaceSid).catch(() => undefined);
    if (!ws) return undefined;
    const stats = this.taskrouter.statistics;
    const snapshot = await stats.snapshot(ws, undefined);
    const queues = await stats.queuesPage(ws, {}, { ascending: true, limit: MAX_QUEUES });
    const perQueue = [];
    for (const q of queues) perQueue.push({ task_queue_sid: q.sid, friendly_name: q.friendly_name, ...(await stats.queueRealtime(snapshot, q)) });
    return {
      op: 'stats',
      stream: stream.workspace(workspaceSid),
      date: new Date(snapshot.now).toISOString(),
      data: { workspace: await stats.workspaceRealtime(snapshot), task_queues: perQueue },
    };
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
