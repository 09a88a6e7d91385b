import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Engine, Executor } from '../../storage/db.js';
import { rawQuery } from '../../storage/bulk.js';
import type { TrWorkspacesTable } from '../../storage/schema-taskrouter.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';

export type WorkspaceRow = Selectable<TrWorkspacesTable>;

/** Every table holding rows of a workspace, children first. */
const WORKSPACE_TABLES = [
  'tr_reservations',
  'tr_tasks',
  'tr_worker_channels',
  'tr_workers',
  'tr_workflows',
  'tr_task_queues',
  'tr_task_channels',
  'tr_activities',
  'tr_events',
] as const;

// Every routing pass and every lane operation starts with it: written by hand (see storage/bulk.ts).
const FIND = 'select * from "tr_workspaces" where "account_sid" = ? and "sid" = ?';

export const workspacesStore = {
  async find(db: Executor, engine: Engine, accountSid: string, sid: string): Promise<WorkspaceRow | undefined> {
    return (await rawQuery<WorkspaceRow>(db, engine, FIND, [accountSid, sid]))[0];
  },
  list(db: Executor, accountSid: string, f: { friendlyName?: string }, w: KeysetWindow): Promise<WorkspaceRow[]> {
    let q = db.selectFrom('tr_workspaces').selectAll().where('account_sid', '=', accountSid);
    if (f.friendlyName !== undefined) q = q.where('friendly_name', '=', f.friendlyName);
    return keyset(q, w).execute();
  },
  async insert(db: Executor, row: Insertable<TrWorkspacesTable>): Promise<void> {
    await db.insertInto('tr_workspaces').values(row).execute();
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<TrWorkspacesTable>): Promise<void> {
    await db.updateTable('tr_workspaces').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  async deleteCascade(db: Executor, accountSid: string, sid: string): Promise<void> {
    for (const table of WORKSPACE_TABLES) {
      await db.deleteFrom(table).where('account_sid', '=', accountSid).where('workspace_sid', '=', sid).execute();
    }
    await db.deleteFrom('tr_workspaces').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
};
