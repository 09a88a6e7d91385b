import type { Insertable, Selectable, Updateable } from 'kysely';
import { bumpRoutingEpoch } from '../routing/stamps.js';
import { LIVE_TASK_STATUSES } from '../task-channels/store.js';
import type { Engine, Executor } from '../../storage/db.js';
import { placeholders, rawQuery, statementText } from '../../storage/bulk.js';
import type { TrTasksTable } from '../../storage/schema-taskrouter.js';

export type TaskRow = Selectable<TrTasksTable>;

/** Where a routing pass puts a task in its workflow. */
export type TaskPlacement = Pick<TaskRow, 'step_deadline' | 'filter_index' | 'step_index' | 'step_entered_at' | 'step_checked' | 'task_queue_sid' | 'task_queue_entered_date' | 'date_updated'>;
const PLACE =
  'update "tr_tasks" set "step_deadline" = ?, "filter_index" = ?, "step_index" = ?, "step_entered_at" = ?, "step_checked" = ?, "task_queue_sid" = ?, "task_queue_entered_date" = ?, "date_updated" = ?, "version" = "version" + 1 where "account_sid" = ? and "sid" = ?';

export interface TaskSqlFilter {
  priority?: number;
  assignmentStatus?: string[];
  workflowSid?: string;
  taskQueueSid?: string;
  routingTarget?: string;
  hasAddons?: boolean;
}

// A routing pass runs these two every time: written by hand (see storage/bulk.ts).
const IN_STATUS = 'select * from "tr_tasks" where "account_sid" = ? and "workspace_sid" = ? and "assignment_status" = ?';
/** The tasks a pass routes: pending ones (all, or only those whose time came), reserved ones whose time came, reserved ones of multi-offer queues. */
function routableQuery(onlyDue: boolean, multiOfferQueues: number): string {
  return statementText(`tasks.routable|${onlyDue}|${multiOfferQueues}`, () => {
    // Status is bound: the same text serves pending and reserved tasks whose step or TTL ran out.
    const due = `${IN_STATUS} and "step_deadline" <= ? union ${IN_STATUS} and "expires_at" <= ?`;
    const parts = [onlyDue ? due : IN_STATUS, due];
    if (multiOfferQueues > 0) parts.push(`${IN_STATUS} and "task_queue_sid" in (${placeholders(multiOfferQueues)})`);
    return parts.join(' union ');
  });
}
const firstDeadline = (column: string, status: string) => `(select min("${column}") from "tr_tasks" where "account_sid" = ? and "workspace_sid" = ? and "assignment_status" = '${status}' and "${column}" is not null)`;
const NEXT_DEADLINE = `select ${firstDeadline('expires_at', 'pending')} as "a", ${firstDeadline('expires_at', 'reserved')} as "b", ${firstDeadline('step_deadline', 'pending')} as "c", ${firstDeadline('step_deadline', 'reserved')} as "d"`;

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
  /** The account's tasks with these SIDs, in no particular order. */
  bySids(db: Executor, accountSid: string, sids: string[]): Promise<TaskRow[]> {
    return db.selectFrom('tr_tasks').selectAll().where('account_sid', '=', accountSid).where('sid', 'in', sids).execute();
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
   * The tasks a routing pass looks at: the stored ones it reads (every pending
   * task, or with `onlyDue` just those whose step or TTL ran out; reserved ones
   * whose time came; reserved ones of multi-offer queues), then `unstored` —
   * tasks the pass creates, which it writes once it has routed them. Each arm
   * is an index range, so reserved tasks waiting on their worker cost nothing.
   */
  async routable(db: Executor, engine: Engine, accountSid: string, workspaceSid: string, now: number, multiOfferQueues: string[], onlyDue: boolean, unstored: TaskRow[]): Promise<TaskRow[]> {
    // Queues are few and known to the caller; each is one probe of the queue index.
    const rows = await rawQuery<TaskRow>(db, engine, routableQuery(onlyDue, multiOfferQueues.length), [
      ...(onlyDue ? [accountSid, workspaceSid, 'pending', now, accountSid, workspaceSid, 'pending', now] : [accountSid, workspaceSid, 'pending']),
      ...[accountSid, workspaceSid, 'reserved', now, accountSid, workspaceSid, 'reserved', now],
      ...(multiOfferQueues.length > 0 ? [accountSid, workspaceSid, 'reserved', ...multiOfferQueues] : []),
    ]);
    for (const t of unstored) rows.push(t);
    return rows;
  },
  /** The earliest TTL or step deadline of a pending or reserved task: four index probes. */
  async nextDeadline(db: Executor, engine: Engine, accountSid: string, workspaceSid: string): Promise<number | null> {
    const row = (await rawQuery<Record<string, number | string | null>>(db, engine, NEXT_DEADLINE, [accountSid, workspaceSid, accountSid, workspaceSid, accountSid, workspaceSid, accountSid, workspaceSid]))[0];
    const due = Object.values(row ?? {}).filter((v) => v !== null && v !== undefined).map(Number);
    return due.length > 0 ? Math.min(...due) : null;
  },
  async insert(db: Executor, row: Insertable<TrTasksTable>): Promise<void> {
    await db.insertInto('tr_tasks').values(row).execute();
  },
  /** Stores a task's workflow position (a routing pass's one per-task statement, so written by hand); bumps the ETag version. */
  async place(db: Executor, engine: Engine, accountSid: string, sid: string, p: TaskPlacement): Promise<void> {
    await rawQuery(db, engine, PLACE, [p.step_deadline, p.filter_index, p.step_index, p.step_entered_at, p.step_checked, p.task_queue_sid, p.task_queue_entered_date, p.date_updated, accountSid, sid]);
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
