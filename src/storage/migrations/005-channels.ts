import type { MigrationContext } from './index.js';
import { resource } from './helpers.js';

/** Channel adapters: carrier accounts, inbound de-duplication, the simulated carrier's messages. */
export async function up(ctx: MigrationContext): Promise<void> {
  const { db, engine } = ctx;

  await db.schema
    .createTable('channel_carriers')
    .addColumn('account_sid', 'varchar(34)', (c) => c.primaryKey())
    .addColumn('provider', 'varchar(32)', (c) => c.notNull())
    .addColumn('carrier_account_sid', 'varchar(34)', (c) => c.notNull().unique())
    .addColumn('auth_token', 'text', (c) => c.notNull())
    .addColumn('api_url', 'text', (c) => c.notNull())
    .addColumn('callback_base', 'text')
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('channel_inbound')
    .addColumn('seq', engine === 'postgres' ? 'bigserial' : 'integer', (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('account_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('provider', 'varchar(32)', (c) => c.notNull())
    .addColumn('channel_message_sid', 'varchar(64)', (c) => c.notNull())
    .addColumn('message_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('channel_inbound_key', ['account_sid', 'channel_message_sid'])
    .execute();

  await resource(ctx, 'simulator_messages')
    .addColumn('direction', 'varchar(16)', (c) => c.notNull())
    .addColumn('from_address', 'varchar(256)', (c) => c.notNull())
    .addColumn('to_address', 'varchar(256)', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('media', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('error_code', 'integer')
    .addColumn('track', 'integer', (c) => c.notNull())
    .addColumn('conversation_sid', 'varchar(34)')
    .addColumn('message_sid', 'varchar(34)')
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('simulator_messages_account').on('simulator_messages').columns(['account_sid', 'seq']).execute();

  // Carrier status callbacks find their delivery receipt by the carrier's message SID.
  await db.schema.createIndex('conv_receipts_channel').on('conv_receipts').columns(['account_sid', 'channel_message_sid']).execute();
}
