import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { StudioExecutionsTable, StudioStepsTable } from '../../storage/schema-studio.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';

export type ExecutionRow = Selectable<StudioExecutionsTable>;
export type StepRow = Selectable<StudioStepsTable>;

export interface ExecutionFilter {
  status?: 'active' | 'ended';
  createdFrom?: number;
  createdTo?: number;
}

export const executionsStore = {
  find(db: Executor, accountSid: string, sid: string): Promise<ExecutionRow | undefined> {
    return db.selectFrom('studio_executions').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
  },
  list(db: Executor, accountSid: string, flowSid: string, f: ExecutionFilter, w: KeysetWindow): Promise<ExecutionRow[]> {
    let q = db.selectFrom('studio_executions').selectAll().where('account_sid', '=', accountSid).where('flow_sid', '=', flowSid);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.createdFrom !== undefined) q = q.where('date_created', '>=', f.createdFrom);
    if (f.createdTo !== undefined) q = q.where('date_created', '<=', f.createdTo);
    return keyset(q, w).execute();
  },
  /** The active execution of a conversation (at most one, by a unique index). */
  activeForConversation(db: Executor, accountSid: string, conversationSid: string): Promise<ExecutionRow | undefined> {
    return db
      .selectFrom('studio_executions')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('conversation_sid', '=', conversationSid)
      .where('status', '=', 'active')
      .executeTakeFirst();
  },
  /** The active execution of a contact on a flow outside any conversation. */
  activeForContact(db: Executor, accountSid: string, flowSid: string, address: string): Promise<ExecutionRow | undefined> {
    return db
      .selectFrom('studio_executions')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('flow_sid', '=', flowSid)
      .where('contact_address', '=', address)
      .where('status', '=', 'active')
      .where('conversation_sid', 'is', null)
      .orderBy('seq', 'desc')
      .executeTakeFirst();
  },
  async insert(db: Executor, row: Insertable<StudioExecutionsTable>): Promise<void> {
    await db.insertInto('studio_executions').values(row).execute();
  },
  /** Applies a patch only if nobody wrote the execution since `version` was read; true when it did. */
  async updateIfVersion(db: Executor, accountSid: string, sid: string, version: number, patch: Updateable<StudioExecutionsTable>): Promise<boolean> {
    const r = await db
      .updateTable('studio_executions')
      .set({ ...patch, version: version + 1 })
      .where('account_sid', '=', accountSid)
      .where('sid', '=', sid)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  async delete(db: Executor, accountSid: string, sid: string): Promise<void> {
    await db.deleteFrom('studio_steps').where('account_sid', '=', accountSid).where('execution_sid', '=', sid).execute();
    await db.deleteFrom('studio_executions').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
};

export const stepsStore = {
  find(db: Executor, accountSid: string, executionSid: string, sid: string): Promise<StepRow | undefined> {
    return db
      .selectFrom('studio_steps')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('execution_sid', '=', executionSid)
      .where('sid', '=', sid)
      .executeTakeFirst();
  },
  list(db: Executor, accountSid: string, executionSid: string, w: KeysetWindow): Promise<StepRow[]> {
    return keyset(db.selectFrom('studio_steps').selectAll().where('account_sid', '=', accountSid).where('execution_sid', '=', executionSid), w).execute();
  },
  async insert(db: Executor, row: Insertable<StudioStepsTable>): Promise<void> {
    await db.insertInto('studio_steps').values(row).execute();
  },
};
