import type { Insertable, Selectable, Updateable } from 'kysely';
import { sql, type Engine, type Executor } from '../../storage/db.js';
import type { TrWorkerChannelsTable, TrWorkersTable } from '../../storage/schema-taskrouter.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';
import { newSid } from '../../platform/sid.js';
import { placeholders, rawQuery, statementText } from '../../storage/bulk.js';
import { bumpRoutingEpoch, nextStamp } from '../routing/stamps.js';

export type WorkerRow = Selectable<TrWorkersTable>;
export type WorkerChannelRow = Selectable<TrWorkerChannelsTable>;

/** Filters SQL can apply; expression filters run in memory over these rows. */
export interface WorkerSqlFilter {
  activitySids?: string[];
  available?: boolean;
  /** Lower-cased friendly name. */
  nameKey?: string;
}

/** Reservation statuses that hold a unit of a worker channel's capacity. */
export const ASSIGNED_STATUSES = ['accepted', 'wrapping'] as const;

/** Marks workers as changed for routing caches (routing/stamps.ts). */
export async function stampWorkers(db: Executor, engine: Engine, workspaceSid: string, workerSids: readonly string[]): Promise<void> {
  if (workerSids.length === 0) return;
  const rseq = await nextStamp(db, engine, workspaceSid);
  for (let i = 0; i < workerSids.length; i += 500) {
    const chunk = workerSids.slice(i, i + 500);
    await rawQuery(db, engine, statementText(`workers.stamp|${chunk.length}`, () => `update "tr_workers" set "rseq" = ? where "sid" in (${placeholders(chunk.length)})`), [rseq, ...chunk]);
  }
}

export const workersStore = {
  find(db: Executor, accountSid: string, workspaceSid: string, sid: string): Promise<WorkerRow | undefined> {
    return db.selectFrom('tr_workers').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid).where('sid', '=', sid).executeTakeFirst();
  },
  byNameKey(db: Executor, accountSid: string, workspaceSid: string, nameKey: string): Promise<WorkerRow | undefined> {
    return db.selectFrom('tr_workers').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid).where('name_key', '=', nameKey).executeTakeFirst();
  },
  list(db: Executor, accountSid: string, workspaceSid: string, f: WorkerSqlFilter, w: KeysetWindow): Promise<WorkerRow[]> {
    return keyset(this.query(db, accountSid, workspaceSid, f), w).execute();
  },
  /** Every matching worker in seq order (for filters evaluated in memory). */
  all(db: Executor, accountSid: string, workspaceSid: string, f: WorkerSqlFilter = {}): Promise<WorkerRow[]> {
    return this.query(db, accountSid, workspaceSid, f).orderBy('seq').execute();
  },
  query(db: Executor, accountSid: string, workspaceSid: string, f: WorkerSqlFilter) {
    let q = db.selectFrom('tr_workers').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid);
    if (f.activitySids !== undefined) q = f.activitySids.length === 0 ? q.where(sql<boolean>`1 = 0`) : q.where('activity_sid', 'in', f.activitySids);
    if (f.available !== undefined) q = q.where('available', '=', f.available ? 1 : 0);
    if (f.nameKey !== undefined) q = q.where('name_key', '=', f.nameKey);
    return q;
  },
  async insert(db: Executor, engine: Engine, row: Insertable<TrWorkersTable>): Promise<void> {
    await db.insertInto('tr_workers').values(row).execute();
    await stampWorkers(db, engine, row.workspace_sid, [row.sid]);
  },
  /** Optimistic update: false when the row's version moved since it was read. */
  async update(db: Executor, engine: Engine, accountSid: string, sid: string, expectedVersion: number, patch: Updateable<TrWorkersTable>): Promise<boolean> {
    const res = await db
      .updateTable('tr_workers')
      .set({ ...patch, version: expectedVersion + 1 })
      .where('account_sid', '=', accountSid)
      .where('sid', '=', sid)
      .where('version', '=', expectedVersion)
      .returning('workspace_sid')
      .executeTakeFirst();
    if (res) await stampWorkers(db, engine, res.workspace_sid, [sid]);
    return res !== undefined;
  },
  async delete(db: Executor, accountSid: string, sid: string): Promise<void> {
    const row = await db.deleteFrom('tr_workers').where('account_sid', '=', accountSid).where('sid', '=', sid).returning('workspace_sid').executeTakeFirst();
    await db.deleteFrom('tr_worker_channels').where('account_sid', '=', accountSid).where('worker_sid', '=', sid).execute();
    if (row) await bumpRoutingEpoch(db, row.workspace_sid);
  },
  async reservationCount(db: Executor, accountSid: string, workerSid: string, statuses: readonly string[]): Promise<number> {
    const row = await db
      .selectFrom('tr_reservations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_sid', '=', accountSid)
      .where('worker_sid', '=', workerSid)
      .where('status', 'in', [...statuses])
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  },

  // Worker channels: one per (worker, task channel).
  channels(db: Executor, accountSid: string, workerSid: string, w?: KeysetWindow): Promise<WorkerChannelRow[]> {
    const q = db.selectFrom('tr_worker_channels').selectAll().where('account_sid', '=', accountSid).where('worker_sid', '=', workerSid);
    return (w ? keyset(q, w) : q.orderBy('seq')).execute();
  },
  channel(db: Executor, accountSid: string, workerSid: string, sidOrTaskChannelSid: string): Promise<WorkerChannelRow | undefined> {
    return db
      .selectFrom('tr_worker_channels')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('worker_sid', '=', workerSid)
      .where((eb) => eb.or([eb('sid', '=', sidOrTaskChannelSid), eb('task_channel_sid', '=', sidOrTaskChannelSid)]))
      .executeTakeFirst();
  },
  /** New channels start with capacity 1 and available, as Twilio's do. */
  async insertChannels(db: Executor, engine: Engine, pairs: Array<{ accountSid: string; workspaceSid: string; workerSid: string; taskChannelSid: string }>, now: number): Promise<void> {
    if (pairs.length === 0) return;
    await db
      .insertInto('tr_worker_channels')
      .values(
        pairs.map((p) => ({
          sid: newSid('WC'),
          account_sid: p.accountSid,
          workspace_sid: p.workspaceSid,
          worker_sid: p.workerSid,
          task_channel_sid: p.taskChannelSid,
          capacity: 1,
          available: 1,
          date_created: now,
          date_updated: now,
        })),
      )
      .execute();
    const byWorkspace = new Map<string, string[]>();
    for (const p of pairs) byWorkspace.set(p.workspaceSid, [...(byWorkspace.get(p.workspaceSid) ?? []), p.workerSid]);
    for (const [workspaceSid, sids] of byWorkspace) await stampWorkers(db, engine, workspaceSid, sids);
  },
  async updateChannel(db: Executor, accountSid: string, sid: string, patch: Updateable<TrWorkerChannelsTable>): Promise<void> {
    await db.updateTable('tr_worker_channels').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  /** Accepted or wrapping reservations per task channel of one worker. */
  async assignedByChannel(db: Executor, accountSid: string, workerSid: string): Promise<Map<string, number>> {
    const rows = await db
      .selectFrom('tr_reservations')
      .select(['task_channel_sid', (eb) => eb.fn.countAll<number>().as('n')])
      .where('account_sid', '=', accountSid)
      .where('worker_sid', '=', workerSid)
      .where('status', 'in', [...ASSIGNED_STATUSES])
      .groupBy('task_channel_sid')
      .execute();
    return new Map(rows.map((r) => [r.task_channel_sid, Number(r.n)]));
  },
};
