import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { StudioFlowRevisionsTable, StudioFlowsTable } from '../../storage/schema-studio.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';

export type FlowRow = Selectable<StudioFlowsTable>;
export type RevisionRow = Selectable<StudioFlowRevisionsTable>;

export const flowsStore = {
  find(db: Executor, accountSid: string, sid: string): Promise<FlowRow | undefined> {
    return db.selectFrom('studio_flows').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
  },
  /** The flow row locked for a write (PostgreSQL); SQLite serializes writers already. */
  findForUpdate(db: Executor, engine: 'sqlite' | 'postgres', accountSid: string, sid: string): Promise<FlowRow | undefined> {
    let q = db.selectFrom('studio_flows').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid);
    if (engine === 'postgres') q = q.forUpdate();
    return q.executeTakeFirst();
  },
  list(db: Executor, accountSid: string, w: KeysetWindow): Promise<FlowRow[]> {
    return keyset(db.selectFrom('studio_flows').selectAll().where('account_sid', '=', accountSid), w).execute();
  },
  async insert(db: Executor, row: Insertable<StudioFlowsTable>): Promise<void> {
    await db.insertInto('studio_flows').values(row).execute();
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<StudioFlowsTable>): Promise<void> {
    await db.updateTable('studio_flows').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  /** Removes a flow with its revisions, executions and steps. */
  async delete(db: Executor, accountSid: string, sid: string): Promise<void> {
    await db.deleteFrom('studio_steps').where('account_sid', '=', accountSid).where('flow_sid', '=', sid).execute();
    await db.deleteFrom('studio_executions').where('account_sid', '=', accountSid).where('flow_sid', '=', sid).execute();
    await db.deleteFrom('studio_flow_revisions').where('account_sid', '=', accountSid).where('flow_sid', '=', sid).execute();
    await db.deleteFrom('studio_flows').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
};

export const revisionsStore = {
  async insert(db: Executor, row: Insertable<StudioFlowRevisionsTable>): Promise<void> {
    await db.insertInto('studio_flow_revisions').values(row).execute();
  },
  find(db: Executor, accountSid: string, flowSid: string, revision: number): Promise<RevisionRow | undefined> {
    return db
      .selectFrom('studio_flow_revisions')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('flow_sid', '=', flowSid)
      .where('revision', '=', revision)
      .executeTakeFirst();
  },
  latest(db: Executor, accountSid: string, flowSid: string, publishedOnly: boolean): Promise<RevisionRow | undefined> {
    let q = db.selectFrom('studio_flow_revisions').selectAll().where('account_sid', '=', accountSid).where('flow_sid', '=', flowSid);
    if (publishedOnly) q = q.where('status', '=', 'published');
    return q.orderBy('revision', 'desc').limit(1).executeTakeFirst();
  },
  list(db: Executor, accountSid: string, flowSid: string, w: KeysetWindow): Promise<RevisionRow[]> {
    return keyset(db.selectFrom('studio_flow_revisions').selectAll().where('account_sid', '=', accountSid).where('flow_sid', '=', flowSid), w).execute();
  },
};
