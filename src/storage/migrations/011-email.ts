import type { MigrationContext } from './index.js';

/** The email channel: per-account SMTP/inbound settings and the Message-IDs that thread conversations. */
export async function up(ctx: MigrationContext): Promise<void> {
  const { db, engine } = ctx;

  await db.schema
    .createTable('channel_email_accounts')
    .addColumn('account_sid', 'varchar(34)', (c) => c.primaryKey())
    .addColumn('smtp_url', 'text')
    .addColumn('inbound_token', 'text', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('channel_email_messages')
    .addColumn('seq', engine === 'postgres' ? 'bigserial' : 'integer', (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('account_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('direction', 'varchar(16)', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('conversation_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('message_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('channel_email_messages_id').on('channel_email_messages').columns(['account_sid', 'message_id']).execute();
  await db.schema.createIndex('channel_email_messages_conversation').on('channel_email_messages').columns(['account_sid', 'conversation_sid', 'seq']).execute();
}
