import { Errors, TwilioError } from '../../platform/errors.js';
import type { Actor } from '../../taskrouter/deps.js';
import type { TaskView } from '../../taskrouter/tasks/service.js';
import type { WorkspaceRow } from '../../taskrouter/workspaces/store.js';
import type { ReservationRow } from '../../taskrouter/reservations/store.js';
import type { AgentsDeps } from '../deps.js';
import type { AgentIdentity, WorkerSummary } from '../identity.js';
import type { AgentSession } from '../session.js';
import { renderReservation, renderTask } from './render.js';

type Json = Record<string, unknown>;

/** Reservation statuses of a task the agent holds (accepted: assigned to them; wrapping: wrapping up). */
export const HELD = ['accepted', 'wrapping'] as const;

/** An agent's task, with the reservation that gave it to them. */
export interface HeldTask {
  task: TaskView;
  reservation: ReservationRow;
  ws: WorkspaceRow;
  workerSid: string;
}

/**
 * The agent desktop's view of TaskRouter: the agent's own worker (activity),
 * its reservations and the tasks it holds. Every call acts as the session's
 * worker and nobody else's; a reservation or task of another worker is not
 * found (20404), as if it did not exist.
 */
export class Desk {
  constructor(
    readonly deps: AgentsDeps,
    readonly identity: AgentIdentity,
  ) {}

  now(): number {
    return this.deps.clock.now();
  }

  /** The worker this session acts as; supervisors without one are refused. */
  workerSid(s: AgentSession): string {
    if (s.agent.worker_sid === null) throw Errors.invalidParameter(`Agent ${s.agent.username} has no TaskRouter worker`);
    return s.agent.worker_sid;
  }

  actor(s: AgentSession): Actor {
    return { type: 'worker', sid: this.workerSid(s), source: 'API' };
  }

  workspace(s: AgentSession): Promise<WorkspaceRow> {
    return this.deps.taskrouter.workspaces.get(s.accountSid, s.agent.workspace_sid);
  }

  async worker(s: AgentSession): Promise<{ worker: WorkerSummary; activities: Json[] }> {
    this.workerSid(s);
    const { worker } = await this.identity.of(s.agent);
    if (!worker) throw Errors.invalidParameter(`The worker of agent ${s.agent.username} no longer exists`);
    const activities = await this.deps.taskrouter.activities.list(s.accountSid, s.agent.workspace_sid, {}, { ascending: true, limit: 1000 });
    return { worker, activities: activities.map((a) => ({ sid: a.sid, friendly_name: a.friendly_name, available: a.available === 1 })) };
  }

  async setActivity(s: AgentSession, activitySid: string): Promise<{ worker: WorkerSummary; activities: Json[] }> {
    const ws = await this.workspace(s);
    await this.deps.taskrouter.workers.update(this.actor(s), ws, this.workerSid(s), { activitySid });
    return this.worker(s);
  }

  async reservations(s: AgentSession, status = 'pending'): Promise<Json[]> {
    const ws = await this.workspace(s);
    const rows = await this.deps.taskrouter.reservations.list(ws, { workerSid: this.workerSid(s) }, { status });
    const now = this.now();
    const out: Json[] = [];
    for (const r of rows) {
      const task = await this.deps.taskrouter.tasks.get(ws, r.row.task_sid).catch(() => undefined);
      if (task) out.push(renderReservation(r.row, task, now));
    }
    return out;
  }

  /** Accept or reject one of the agent's own reservations. */
  async answer(s: AgentSession, reservationSid: string, status: 'accepted' | 'rejected'): Promise<Json> {
    const ws = await this.workspace(s);
    const workerSid = this.workerSid(s);
    const r = await this.deps.taskrouter.reservations.update(this.actor(s), ws, { workerSid }, reservationSid, { reservationStatus: status });
    const task = await this.deps.taskrouter.tasks.get(ws, r.row.task_sid);
    return renderReservation(r.row, task, this.now());
  }

  /** Tasks assigned to the agent or wrapping up, oldest first. */
  async tasks(s: AgentSession): Promise<Json[]> {
    const now = this.now();
    return (await this.held(s)).map((h) => renderTask(h.task, h.reservation, now));
  }

  async held(s: AgentSession): Promise<HeldTask[]> {
    const ws = await this.workspace(s);
    const workerSid = this.workerSid(s);
    const out: HeldTask[] = [];
    for (const status of HELD) {
      for (const r of await this.deps.taskrouter.reservations.list(ws, { workerSid }, { status })) {
        const task = await this.deps.taskrouter.tasks.get(ws, r.row.task_sid).catch(() => undefined);
        if (task) out.push({ task, reservation: r.row, ws, workerSid });
      }
    }
    return out.sort((a, b) => a.task.row.date_created - b.task.row.date_created);
  }

  /** One task the agent holds (accepted or wrapping), else 20404. */
  async heldTask(s: AgentSession, taskSid: string): Promise<HeldTask> {
    const found = (await this.held(s)).find((h) => h.task.row.sid === taskSid);
    if (!found) throw Errors.notFound(`${'/agent-api/v1'}/Tasks/${taskSid}`);
    return found;
  }

  /** Other workers of the workspace and its queues: where a task can be transferred or an agent invited from. */
  async directory(s: AgentSession): Promise<Json> {
    const mine = s.agent.worker_sid;
    const window = { ascending: true, limit: 1000 };
    const workers = await this.deps.taskrouter.workers.list(s.accountSid, s.agent.workspace_sid, {}, window);
    const queues = await this.deps.taskrouter.taskQueues.list(s.accountSid, s.agent.workspace_sid, {}, window);
    return {
      workers: workers
        .filter((w) => w.row.sid !== mine)
        .map((w) => ({ sid: w.row.sid, friendly_name: w.row.friendly_name, activity_name: w.activityName, available: w.row.available === 1 })),
      queues: queues.map((q) => ({ sid: q.row.sid, friendly_name: q.row.friendly_name })),
    };
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof TwilioError && err.code === 20404;
}
