import { bumpConfigEpoch } from '../routing/stamps.js';
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { TrTaskQueuesTable } from '../../storage/schema-taskrouter.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';

export type TaskQueueRow = Selectable<TrTaskQueuesTable>;

export const taskQueuesStore = {
  find(db: Executor, accountSid: string, workspaceSid: string, sid: string): Promise<TaskQueueRow | undefined> {
    return db.selectFrom('tr_task_queues').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid).where('sid', '=', sid).executeTakeFirst();
  },
  byName(db: Executor, accountSid: string, workspaceSid: string, friendlyName: string): Promise<TaskQueueRow | undefined> {
    return db
      .selectFrom('tr_task_queues')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('workspace_sid', '=', workspaceSid)
      .where('friendly_name', '=', friendlyName)
      .executeTakeFirst();
  },
  list(db: Executor, accountSid: string, workspaceSid: string, f: { friendlyName?: string }, w: KeysetWindow): Promise<TaskQueueRow[]> {
    return keyset(this.query(db, accountSid, workspaceSid, f), w).execute();
  },
  /** Every matching queue in seq order (for filters evaluated in memory). */
  all(db: Executor, accountSid: string, workspaceSid: string, f: { friendlyName?: string } = {}): Promise<TaskQueueRow[]> {
    return this.query(db, accountSid, workspaceSid, f).orderBy('seq').execute();
  },
  query(db: Executor, accountSid: string, workspaceSid: string, f: { friendlyName?: string }) {
    let q = db.selectFrom('tr_task_queues').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid);
    if (f.friendlyName !== undefined) q = q.where('friendly_name', '=', f.friendlyName);
    return q;
  },
  async insert(db: Executor, row: Insertable<TrTaskQueuesTable>): Promise<void> {
    await db.insertInto('tr_task_queues').values(row).execute();
    await bumpConfigEpoch(db, row.workspace_sid);
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<TrTaskQueuesTable>): Promise<void> {
    const row = await db.updateTable('tr_task_queues').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).returning('workspace_sid').executeTakeFirst();
    if (row) await bumpConfigEpoch(db, row.workspace_sid);
  },
  async delete(db: Executor, accountSid: string, sid: string): Promise<void> {
    const row = await db.deleteFrom('tr_task_queues').where('account_sid', '=', accountSid).where('sid', '=', sid).returning('workspace_sid').executeTakeFirst();
    if (row) await bumpConfigEpoch(db, row.workspace_sid);
  },
  /** Workflows whose configuration names this queue (a SID is distinctive enough to match as text). */
  async workflowsReferencing(db: Executor, accountSid: string, workspaceSid: string, sid: string): Promise<string[]> {
    const rows = await db
      .selectFrom('tr_workflows')
      .select('friendly_name')
      .where('account_sid', '=', accountSid)
      .where('workspace_sid', '=', workspaceSid)
      .where('configuration', 'like', `%${sid}%`)
      .execute();
    return rows.map((r) => r.friendly_name);
  },
};
