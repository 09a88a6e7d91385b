import { bumpRoutingEpoch } from '../routing/stamps.js';
import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { TrActivitiesTable } from '../../storage/schema-taskrouter.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';

export type ActivityRow = Selectable<TrActivitiesTable>;

export interface ActivityFilter {
  friendlyName?: string;
  available?: boolean;
}

export const activitiesStore = {
  find(db: Executor, accountSid: string, workspaceSid: string, sid: string): Promise<ActivityRow | undefined> {
    return db.selectFrom('tr_activities').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid).where('sid', '=', sid).executeTakeFirst();
  },
  byName(db: Executor, accountSid: string, workspaceSid: string, friendlyName: string): Promise<ActivityRow | undefined> {
    return db
      .selectFrom('tr_activities')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('workspace_sid', '=', workspaceSid)
      .where('friendly_name', '=', friendlyName)
      .executeTakeFirst();
  },
  /** A workspace has at most ~100 activities: small enough to hold as a map for rendering names. */
  async all(db: Executor, accountSid: string, workspaceSid: string): Promise<Map<string, ActivityRow>> {
    const rows = await db.selectFrom('tr_activities').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid).orderBy('seq').execute();
    return new Map(rows.map((r) => [r.sid, r]));
  },
  /** Friendly names by SID across workspaces (rendering a page of workspaces). */
  async names(db: Executor, accountSid: string, sids: string[]): Promise<Map<string, string>> {
    if (sids.length === 0) return new Map();
    const rows = await db.selectFrom('tr_activities').select(['sid', 'friendly_name']).where('account_sid', '=', accountSid).where('sid', 'in', sids).execute();
    return new Map(rows.map((r) => [r.sid, r.friendly_name]));
  },
  list(db: Executor, accountSid: string, workspaceSid: string, f: ActivityFilter, w: KeysetWindow): Promise<ActivityRow[]> {
    let q = db.selectFrom('tr_activities').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid);
    if (f.friendlyName !== undefined) q = q.where('friendly_name', '=', f.friendlyName);
    if (f.available !== undefined) q = q.where('available', '=', f.available ? 1 : 0);
    return keyset(q, w).execute();
  },
  async insert(db: Executor, row: Insertable<TrActivitiesTable>): Promise<void> {
    await db.insertInto('tr_activities').values(row).execute();
  },
  async rename(db: Executor, accountSid: string, sid: string, friendlyName: string, now: number): Promise<void> {
    const row = await db.updateTable('tr_activities').set({ friendly_name: friendlyName, date_updated: now }).where('account_sid', '=', accountSid).where('sid', '=', sid).returning('workspace_sid').executeTakeFirst();
    // Expressions may read worker.activity_name: routing caches recompute membership.
    if (row) await bumpRoutingEpoch(db, row.workspace_sid);
  },
  async delete(db: Executor, accountSid: string, sid: string): Promise<void> {
    await db.deleteFrom('tr_activities').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  async workersIn(db: Executor, accountSid: string, sid: string): Promise<number> {
    const row = await db.selectFrom('tr_workers').select((eb) => eb.fn.countAll<number>().as('n')).where('account_sid', '=', accountSid).where('activity_sid', '=', sid).executeTakeFirst();
    return Number(row?.n ?? 0);
  },
  /** Queues that move workers into this activity on reservation or assignment. */
  async queuesUsing(db: Executor, accountSid: string, sid: string): Promise<string[]> {
    const rows = await db
      .selectFrom('tr_task_queues')
      .select('friendly_name')
      .where('account_sid', '=', accountSid)
      .where((eb) => eb.or([eb('reservation_activity_sid', '=', sid), eb('assignment_activity_sid', '=', sid)]))
      .execute();
    return rows.map((r) => r.friendly_name);
  },
};
