import type { MigrationContext } from './index.js';

/** Web chat: per-address browser settings and the browsers' sessions. */
export async function up(ctx: MigrationContext): Promise<void> {
  const { db } = ctx;
  await db.schema.createTable('wc_addresses')
    .addColumn('account_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('address_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('allowed_origins', 'text', (c) => c.notNull())
    .addColumn('user_token_secret', 'text')
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('wc_addresses_pk', ['account_sid', 'address_sid'])
    .execute();

  await db.schema.createTable('wc_sessions')
    .addColumn('account_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('conversation_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('address_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('service_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('identity', 'varchar(256)', (c) => c.notNull())
    .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('verified', 'integer', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('wc_sessions_pk', ['account_sid', 'conversation_sid'])
    .execute();
}
