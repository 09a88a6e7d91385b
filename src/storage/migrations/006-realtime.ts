import type { MigrationContext } from './index.js';

/** Realtime gateway: per-stream heads, the retained stream log, idempotent client operations. */
export async function up(ctx: MigrationContext): Promise<void> {
  const { db } = ctx;
  await db.schema.createTable('rt_streams')
    .addColumn('account_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('stream', 'varchar(64)', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rt_streams_pk', ['account_sid', 'stream'])
    .execute();

  await db.schema.createTable('rt_stream_events')
    .addColumn('account_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('stream', 'varchar(64)', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('type', 'varchar(100)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rt_stream_events_pk', ['account_sid', 'stream', 'seq'])
    .execute();
  await db.schema.createIndex('rt_stream_events_age').on('rt_stream_events').column('created_at').execute();

  await db.schema.createTable('rt_client_ops')
    .addColumn('account_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('identity', 'varchar(256)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('action', 'varchar(32)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rt_client_ops_pk', ['account_sid', 'identity', 'client_id'])
    .execute();
  await db.schema.createIndex('rt_client_ops_age').on('rt_client_ops').column('created_at').execute();
}
