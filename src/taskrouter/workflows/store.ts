import { bumpConfigEpoch } from '../routing/stamps.js';
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { TrWorkflowsTable } from '../../storage/schema-taskrouter.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';

export type WorkflowRow = Selectable<TrWorkflowsTable>;

export const workflowsStore = {
  find(db: Executor, accountSid: string, workspaceSid: string, sid: string): Promise<WorkflowRow | undefined> {
    return db.selectFrom('tr_workflows').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid).where('sid', '=', sid).executeTakeFirst();
  },
  list(db: Executor, accountSid: string, workspaceSid: string, f: { friendlyName?: string }, w: KeysetWindow): Promise<WorkflowRow[]> {
    let q = db.selectFrom('tr_workflows').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid);
    if (f.friendlyName !== undefined) q = q.where('friendly_name', '=', f.friendlyName);
    return keyset(q, w).execute();
  },
  async insert(db: Executor, row: Insertable<TrWorkflowsTable>): Promise<void> {
    await db.insertInto('tr_workflows').values(row).execute();
    await bumpConfigEpoch(db, row.workspace_sid);
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<TrWorkflowsTable>): Promise<void> {
    const row = await db.updateTable('tr_workflows').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).returning('workspace_sid').executeTakeFirst();
    if (row) await bumpConfigEpoch(db, row.workspace_sid);
  },
  async delete(db: Executor, accountSid: string, sid: string): Promise<void> {
    const row = await db.deleteFrom('tr_workflows').where('account_sid', '=', accountSid).where('sid', '=', sid).returning('workspace_sid').executeTakeFirst();
    if (row) await bumpConfigEpoch(db, row.workspace_sid);
  },
  async queueSids(db: Executor, accountSid: string, workspaceSid: string): Promise<Set<string>> {
    const rows = await db.selectFrom('tr_task_queues').select('sid').where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid).execute();
    return new Set(rows.map((r) => r.sid));
  },
};
