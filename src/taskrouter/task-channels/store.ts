import type { Insertable, Selectable, Updateable } from 'kysely';
import { bumpConfigEpoch, bumpRoutingEpoch } from '../routing/stamps.js';
import type { Executor } from '../../storage/db.js';
import type { TrTaskChannelsTable } from '../../storage/schema-taskrouter.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';
import { isSid } from '../../platform/sid.js';

export type TaskChannelRow = Selectable<TrTaskChannelsTable>;

/** Task statuses in which a task still occupies its channel and queue. */
export const LIVE_TASK_STATUSES = ['pending', 'reserved', 'assigned', 'wrapping'] as const;

export const taskChannelsStore = {
  /** By TC SID or unique name. */
  find(db: Executor, accountSid: string, workspaceSid: string, sidOrUniqueName: string): Promise<TaskChannelRow | undefined> {
    const q = db.selectFrom('tr_task_channels').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid);
    return (isSid(sidOrUniqueName, 'TC') ? q.where('sid', '=', sidOrUniqueName) : q.where('unique_name', '=', sidOrUniqueName)).executeTakeFirst();
  },
  byUniqueName(db: Executor, accountSid: string, workspaceSid: string, uniqueName: string): Promise<TaskChannelRow | undefined> {
    return db
      .selectFrom('tr_task_channels')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('workspace_sid', '=', workspaceSid)
      .where('unique_name', '=', uniqueName)
      .executeTakeFirst();
  },
  async all(db: Executor, accountSid: string, workspaceSid: string): Promise<Map<string, TaskChannelRow>> {
    const rows = await db.selectFrom('tr_task_channels').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid).orderBy('seq').execute();
    return new Map(rows.map((r) => [r.sid, r]));
  },
  list(db: Executor, accountSid: string, workspaceSid: string, w: KeysetWindow): Promise<TaskChannelRow[]> {
    return keyset(db.selectFrom('tr_task_channels').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid), w).execute();
  },
  async insert(db: Executor, row: Insertable<TrTaskChannelsTable>): Promise<void> {
    await db.insertInto('tr_task_channels').values(row).execute();
    await bumpConfigEpoch(db, row.workspace_sid);
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<TrTaskChannelsTable>): Promise<void> {
    const row = await db.updateTable('tr_task_channels').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).returning('workspace_sid').executeTakeFirst();
    if (row) await bumpConfigEpoch(db, row.workspace_sid);
  },
  async delete(db: Executor, accountSid: string, sid: string): Promise<void> {
    await db.deleteFrom('tr_worker_channels').where('account_sid', '=', accountSid).where('task_channel_sid', '=', sid).execute();
    const row = await db.deleteFrom('tr_task_channels').where('account_sid', '=', accountSid).where('sid', '=', sid).returning('workspace_sid').executeTakeFirst();
    if (row) {
      await bumpRoutingEpoch(db, row.workspace_sid);
      await bumpConfigEpoch(db, row.workspace_sid);
    }
  },
};
