import type { MigrationContext } from './index.js';
import { resource } from './helpers.js';

/** Agent accounts (username + scrypt hash, bound to a TaskRouter worker) and their browser sessions. */
export async function up(ctx: MigrationContext): Promise<void> {
  const { db } = ctx;
  await resource(ctx, 'agents')
    .addColumn('username', 'varchar(64)', (c) => c.notNull())
    .addColumn('username_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('friendly_name', 'varchar(256)', (c) => c.notNull())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('workspace_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('worker_sid', 'varchar(34)')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agents_username').on('agents').columns(['account_sid', 'username_key']).unique().execute();
  await db.schema.createIndex('agents_worker').on('agents').columns(['account_sid', 'worker_sid']).execute();

  await db.schema.createTable('agent_sessions')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('account_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('agent_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agent_sessions_agent').on('agent_sessions').columns(['account_sid', 'agent_sid']).execute();
  await db.schema.createIndex('agent_sessions_expiry').on('agent_sessions').column('expires_at').execute();
}
