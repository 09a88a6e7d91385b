import type { Selectable } from 'kysely';
import { nextStamp } from '../routing/stamps.js';
import type { Engine, Executor } from '../../storage/db.js';
import type { TrReservationsTable } from '../../storage/schema-taskrouter.js';

export type ReservationRow = Selectable<TrReservationsTable>;

/** Reservation statuses that hold a worker's capacity. */
export const LOAD_STATUSES = ['pending', 'accepted', 'wrapping'] as const;

export const reservationsStore = {
  find(db: Executor, accountSid: string, workspaceSid: string, sid: string): Promise<ReservationRow | undefined> {
    return db.selectFrom('tr_reservations').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid).where('sid', '=', sid).executeTakeFirst();
  },
  ofTask(db: Executor, accountSid: string, taskSid: string, statuses?: readonly string[]): Promise<ReservationRow[]> {
    let q = db.selectFrom('tr_reservations').selectAll().where('account_sid', '=', accountSid).where('task_sid', '=', taskSid);
    if (statuses) q = q.where('status', 'in', statuses);
    return q.orderBy('seq').execute();
  },
  ofWorker(db: Executor, accountSid: string, workerSid: string, statuses?: readonly string[]): Promise<ReservationRow[]> {
    let q = db.selectFrom('tr_reservations').selectAll().where('account_sid', '=', accountSid).where('worker_sid', '=', workerSid);
    if (statuses) q = q.where('status', 'in', statuses);
    return q.orderBy('seq').execute();
  },
  async setStatus(db: Executor, engine: Engine, accountSid: string, workspaceSid: string, sid: string, status: string, now: number): Promise<void> {
    const rseq = await nextStamp(db, engine, workspaceSid);
    await db
      .updateTable('tr_reservations')
      .set((eb) => ({ status, rseq, date_updated: now, version: eb('version', '+', 1) }))
      .where('account_sid', '=', accountSid)
      .where('sid', '=', sid)
      .execute();
  },
};
