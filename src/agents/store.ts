import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../storage/db.js';
import { keyset, type KeysetWindow } from '../storage/keyset.js';
import type { AgentSessionsTable, AgentsTable } from '../storage/schema-agents.js';

export type AgentRow = Selectable<AgentsTable>;
export type SessionRow = Selectable<AgentSessionsTable>;

/** Queries of agent accounts and sessions; every one is scoped by account. */
export const agentsStore = {
  get(db: Executor, accountSid: string, sid: string): Promise<AgentRow | undefined> {
    return db.selectFrom('agents').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
  },
  byUsername(db: Executor, accountSid: string, username: string): Promise<AgentRow | undefined> {
    return db.selectFrom('agents').selectAll().where('account_sid', '=', accountSid).where('username_key', '=', username.toLowerCase()).executeTakeFirst();
  },
  byWorker(db: Executor, accountSid: string, workerSid: string): Promise<AgentRow | undefined> {
    return db.selectFrom('agents').selectAll().where('account_sid', '=', accountSid).where('worker_sid', '=', workerSid).executeTakeFirst();
  },
  list(db: Executor, accountSid: string, f: { role?: string; workspaceSid?: string }, w: KeysetWindow): Promise<AgentRow[]> {
    let q = db.selectFrom('agents').selectAll().where('account_sid', '=', accountSid);
    if (f.role !== undefined) q = q.where('role', '=', f.role);
    if (f.workspaceSid !== undefined) q = q.where('workspace_sid', '=', f.workspaceSid);
    return keyset(q, w).execute();
  },
  async insert(db: Executor, row: Insertable<AgentsTable>): Promise<void> {
    await db.insertInto('agents').values(row).execute();
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<AgentsTable>): Promise<void> {
    await db.updateTable('agents').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  async delete(db: Executor, accountSid: string, sid: string): Promise<void> {
    await db.deleteFrom('agents').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },

  session(db: Executor, tokenHash: string): Promise<SessionRow | undefined> {
    return db.selectFrom('agent_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  },
  async insertSession(db: Executor, row: SessionRow): Promise<void> {
    await db.insertInto('agent_sessions').values(row).execute();
  },
  async touchSession(db: Executor, tokenHash: string, now: number): Promise<void> {
    await db.updateTable('agent_sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
  },
  async deleteSession(db: Executor, tokenHash: string): Promise<void> {
    await db.deleteFrom('agent_sessions').where('token_hash', '=', tokenHash).execute();
  },
  /** Every session of an agent, optionally but one (a password change keeps the session that made it). */
  async deleteSessionsOf(db: Executor, accountSid: string, agentSid: string, except?: string): Promise<void> {
    let q = db.deleteFrom('agent_sessions').where('account_sid', '=', accountSid).where('agent_sid', '=', agentSid);
    if (except !== undefined) q = q.where('token_hash', '!=', except);
    await q.execute();
  },
  async pruneSessions(db: Executor, now: number, idleBefore: number): Promise<void> {
    await db.deleteFrom('agent_sessions').where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleBefore)])).execute();
  },
};
