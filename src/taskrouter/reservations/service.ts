import { Errors } from '../../platform/errors.js';
import type { Actor, TaskRouterDeps } from '../deps.js';
import type { WorkspaceRow } from '../workspaces/store.js';
import { checkIfMatch } from '../workers/service.js';
import type { Lifecycle } from '../routing/lifecycle.js';
import type { RoutingEngine } from '../routing/engine.js';
import { reservationsStore, type ReservationRow } from './store.js';

export const RESERVATION_STATUSES = ['pending', 'accepted', 'rejected', 'timeout', 'canceled', 'rescinded', 'wrapping', 'completed'] as const;

export interface ReservationView {
  row: ReservationRow;
  workerName: string;
}

export interface ReservationUpdate {
  reservationStatus?: string;
  workerActivitySid?: string;
  instruction?: string;
}

/** Reservations seen from a task or from a worker; every change goes through the Lifecycle. */
export class ReservationsService {
  constructor(
    private readonly deps: TaskRouterDeps,
    private readonly lifecycle: Lifecycle,
    private readonly engine: RoutingEngine,
  ) {}

  private async view(row: ReservationRow): Promise<ReservationView> {
    const w = await this.deps.storage.db.selectFrom('tr_workers').select('friendly_name').where('sid', '=', row.worker_sid).executeTakeFirst();
    return { row, workerName: w?.friendly_name ?? '' };
  }

  async list(ws: WorkspaceRow, owner: { taskSid?: string; workerSid?: string }, f: { status?: string; workerSid?: string }): Promise<Array<ReservationView & { seq: number }>> {
    const db = this.deps.storage.db;
    if (owner.taskSid) await this.lifecycle.task(db, ws, owner.taskSid);
    if (owner.workerSid && !(await db.selectFrom('tr_workers').select('sid').where('workspace_sid', '=', ws.sid).where('sid', '=', owner.workerSid).executeTakeFirst())) {
      throw Errors.notFound(`/Workspaces/${ws.sid}/Workers/${owner.workerSid}`);
    }
    let q = db.selectFrom('tr_reservations').selectAll().where('account_sid', '=', ws.account_sid).where('workspace_sid', '=', ws.sid);
    if (owner.taskSid) q = q.where('task_sid', '=', owner.taskSid);
    if (owner.workerSid) q = q.where('worker_sid', '=', owner.workerSid);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.workerSid) q = q.where('worker_sid', '=', f.workerSid);
    const rows = await q.orderBy('seq').execute();
    return Promise.all(rows.map(async (r) => ({ ...(await this.view(r)), seq: r.seq })));
  }

  async get(ws: WorkspaceRow, owner: { taskSid?: string; workerSid?: string }, sid: string): Promise<ReservationView> {
    const row = await reservationsStore.find(this.deps.storage.db, ws.account_sid, ws.sid, sid);
    if (!row || (owner.taskSid && row.task_sid !== owner.taskSid) || (owner.workerSid && row.worker_sid !== owner.workerSid)) {
      throw Errors.notFound(`/Workspaces/${ws.sid}/${owner.taskSid ? `Tasks/${owner.taskSid}` : `Workers/${owner.workerSid}`}/Reservations/${sid}`);
    }
    return this.view(row);
  }

  async update(actor: Actor, ws: WorkspaceRow, owner: { taskSid?: string; workerSid?: string }, sid: string, input: ReservationUpdate, ifMatch?: string): Promise<ReservationView> {
    await this.get(ws, owner, sid);
    const status = input.reservationStatus ?? instructionStatus(input.instruction);
    if (status === undefined) throw Errors.missingParameter('ReservationStatus');
    if (input.workerActivitySid !== undefined && status !== 'rejected') throw Errors.invalidParameter('WorkerActivitySid applies only when rejecting a reservation');
    await this.engine.inWorkspace(ws.account_sid, ws.sid, async (tx) => {
      const r = (await reservationsStore.find(tx, ws.account_sid, ws.sid, sid))!;
      checkIfMatch(r, ifMatch);
      switch (status) {
        case 'accepted':
          return this.lifecycle.accept(tx, ws, r, actor);
        case 'rejected':
          return this.lifecycle.reject(tx, ws, r, actor, input.workerActivitySid);
        case 'wrapping':
        case 'completed': {
          if (r.status !== 'accepted' && r.status !== 'wrapping') throw Errors.invalidParameter(`Reservation ${sid} is ${r.status}; only an accepted reservation can move to ${status}`);
          const task = await this.lifecycle.task(tx, ws, r.task_sid);
          if (status === 'wrapping') return this.lifecycle.wrap(tx, ws, task, actor);
          return this.lifecycle.complete(tx, ws, task, 'Reservation completed', actor);
        }
        default:
          throw Errors.invalidParameter(`ReservationStatus ${status} cannot be set through the API; use accepted, rejected, wrapping or completed`);
      }
    });
    this.engine.schedule(ws.account_sid, ws.sid);
    return this.get(ws, owner, sid);
  }
}

/**
 * Voice instructions do not apply to messaging tasks; `accept`/`reject` as an
 * Instruction are accepted as their status equivalents.
 */
function instructionStatus(instruction: string | undefined): string | undefined {
  if (instruction === undefined) return undefined;
  if (instruction === 'accept') return 'accepted';
  if (instruction === 'reject') return 'rejected';
  throw Errors.invalidParameter(`Instruction ${instruction} is a voice instruction; Parley routes messaging tasks only`);
}
