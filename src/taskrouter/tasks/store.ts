import type { Insertable, Selectable, Updateable } from 'kysely';
import { bumpRoutingEpoch } from '../routing/stamps.js';
import { LIVE_TASK_STATUSES } from '../task-channels/store.js';
import type { Executor } from '../../storage/db.js';
import type { TrTasksTable } from '../../storage/schema-taskrouter.js';

export type TaskRow = Selectable<TrTasksTable>;

export interface TaskSqlFilter {
  priority?: number;
  assignmentStatus?: string[];
  workflowSid?: string;
  taskQueueSid?: string;
  routingTarget?: string;
  hasAddons?: boolean;
}

export const tasksStore = {
  /** Tasks not yet finished (pending, reserved, assigned, wrapping) that use a queue, workflow or task channel. */
  async countLive(db: Executor, accountSid: string, column: 'task_queue_sid' | 'workflow_sid' | 'task_channel_sid', sid: string): Promise<number> {
    const row = await db
      .selectFrom('tr_tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_sid', '=', accountSid)
      .where(column, '=', sid)
      .where('assignment_status', 'in', [...LIVE_TASK_STATUSES])
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  },
  find(db: Executor, accountSid: string, workspaceSid: string, sid: string): Promise<TaskRow | undefined> {
    return db.selectFrom('tr_tasks').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid).where('sid', '=', sid).executeTakeFirst();
  },
  /** Every task matching the SQL-expressible filters, in creation order. */
  all(db: Executor, accountSid: string, workspaceSid: string, f: TaskSqlFilter): Promise<TaskRow[]> {
    let q = db.selectFrom('tr_tasks').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid);
    if (f.priority !== undefined) q = q.where('priority', '=', f.priority);
    if (f.assignmentStatus?.length) q = q.where('assignment_status', 'in', f.assignmentStatus);
    if (f.workflowSid !== undefined) q = q.where('workflow_sid', '=', f.workflowSid);
    if (f.taskQueueSid !== undefined) q = q.where('task_queue_sid', '=', f.taskQueueSid);
    if (f.routingTarget !== undefined) q = q.where('routing_target', '=', f.routingTarget);
    if (f.hasAddons !== undefined) q = f.hasAddons ? q.where('addons', '!=', '{}') : q.where('addons', '=', '{}');
    return q.orderBy('seq').execute();
  },
  /**
   * Tasks a routing pass can move: every pending task, and the reserved ones that
   * could take another offer (a queue with MaxReservedWorkers above 1), whose
   * step timeout or TTL has come. A reserved task otherwise waits on its offer.
   */
  routable(db: Executor, accountSid: string, workspaceSid: string, now: number): Promise<TaskRow[]> {
    return db
      .selectFrom('tr_tasks')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('workspace_sid', '=', workspaceSid)
      .where((eb) =>
        eb.or([
          eb('assignment_status', '=', 'pending'),
          eb.and([
            eb('assignment_status', '=', 'reserved'),
            eb.or([
              eb('step_deadline', '<=', now),
              eb(eb('date_created', '+', eb('timeout', '*', 1000)), '<=', now),
              eb('task_queue_sid', 'in', eb.selectFrom('tr_task_queues').select('sid').where('workspace_sid', '=', workspaceSid).where('max_reserved_workers', '>', 1)),
            ]),
          ]),
        ]),
      )
      .execute();
  },
  async insert(db: Executor, row: Insertable<TrTasksTable>): Promise<void> {
    await db.insertInto('tr_tasks').values(row).execute();
  },
  /** Updates and bumps the ETag version. */
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<TrTasksTable>): Promise<void> {
    await db.updateTable('tr_tasks').set((eb) => ({ ...patch, version: eb('version', '+', 1) })).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  async delete(db: Executor, accountSid: string, sid: string): Promise<void> {
    const gone = await db.deleteFrom('tr_reservations').where('account_sid', '=', accountSid).where('task_sid', '=', sid).returning('workspace_sid').execute();
    if (gone[0]) await bumpRoutingEpoch(db, gone[0].workspace_sid);
    await db.deleteFrom('tr_tasks').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
};
