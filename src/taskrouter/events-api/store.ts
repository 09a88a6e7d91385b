import type { Selectable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { TrEventsTable } from '../../storage/schema-taskrouter.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';

export type EventRow = Selectable<TrEventsTable>;

/** Filters of the Events list, already resolved (TaskChannel as a TC SID). */
export interface EventFilter {
  /** Inclusive bounds on event_date (epoch ms). */
  from?: number;
  to?: number;
  eventType?: string;
  reservationSid?: string;
  taskQueueSid?: string;
  taskSid?: string;
  workerSid?: string;
  workflowSid?: string;
  taskChannelSid?: string;
  sid?: string;
}

export const eventsStore = {
  find(db: Executor, accountSid: string, workspaceSid: string, sid: string): Promise<EventRow | undefined> {
    return db.selectFrom('tr_events').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid).where('sid', '=', sid).executeTakeFirst();
  },
  list(db: Executor, accountSid: string, workspaceSid: string, f: EventFilter, w: KeysetWindow): Promise<EventRow[]> {
    let q = db.selectFrom('tr_events').selectAll().where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid);
    if (f.from !== undefined) q = q.where('event_date', '>=', f.from);
    if (f.to !== undefined) q = q.where('event_date', '<=', f.to);
    if (f.eventType !== undefined) q = q.where('event_type', '=', f.eventType);
    if (f.reservationSid !== undefined) q = q.where('reservation_sid', '=', f.reservationSid);
    if (f.taskQueueSid !== undefined) q = q.where('task_queue_sid', '=', f.taskQueueSid);
    if (f.taskSid !== undefined) q = q.where('task_sid', '=', f.taskSid);
    if (f.workerSid !== undefined) q = q.where('worker_sid', '=', f.workerSid);
    if (f.workflowSid !== undefined) q = q.where('workflow_sid', '=', f.workflowSid);
    if (f.taskChannelSid !== undefined) q = q.where('task_channel', '=', f.taskChannelSid);
    if (f.sid !== undefined) q = q.where('sid', '=', f.sid);
    return keyset(q, w).execute();
  },
};
