import { sql } from 'kysely';
import type { Engine, Executor } from '../../storage/db.js';

/**
 * Serializes every routing-relevant write of one workspace. On PostgreSQL a
 * transaction-scoped advisory lock keyed by the workspace, so several Parley
 * nodes on one database never decide concurrently; on SQLite the single writer
 * connection already serializes transactions.
 */
export async function lockWorkspace(tx: Executor, engine: Engine, workspaceSid: string): Promise<void> {
  if (engine !== 'postgres') return;
  await sql`select pg_advisory_xact_lock(hashtext(${'tr:' + workspaceSid}))`.execute(tx);
}
