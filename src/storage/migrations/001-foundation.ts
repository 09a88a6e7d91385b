import { sql, type Kysely, type CreateTableBuilder } from 'kysely';
import type { MigrationContext } from './index.js';
import { resource } from './helpers.js';

export async function up(ctx: MigrationContext): Promise<void> {
  const { db } = ctx;
  const blob = ctx.engine === 'postgres' ? sql`bytea` : sql`blob`;
  const seq = (t: CreateTableBuilder<string, never>) =>
    t.addColumn('seq', ctx.engine === 'postgres' ? 'bigserial' : 'integer', (c) =>
      ctx.engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    );

  await db.schema.createTable('settings')
    .addColumn('key', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await resource(ctx, 'accounts')
    .addColumn('owner_account_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('auth_token', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();

  await resource(ctx, 'api_keys')
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_keys_account').on('api_keys').columns(['account_sid', 'seq']).execute();

  await seq(db.schema.createTable('outbox') as CreateTableBuilder<string, never>)
    .addColumn('account_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('type', 'varchar(100)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('dispatched_at', 'bigint')
    .execute();
  await db.schema.createIndex('outbox_pending').on('outbox').columns(['dispatched_at', 'seq']).execute();

  await seq(db.schema.createTable('jobs') as CreateTableBuilder<string, never>)
    .addColumn('account_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('kind', 'varchar(100)', (c) => c.notNull())
    .addColumn('dedupe_key', 'varchar(300)', (c) => c.unique())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'run_at']).execute();

  await db.schema.createTable('conv_configuration')
    .addColumn('account_sid', 'varchar(34)', (c) => c.primaryKey())
    .addColumn('default_chat_service_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('default_messaging_service_sid', 'varchar(34)')
    .addColumn('default_inactive_timer', 'varchar(40)')
    .addColumn('default_closed_timer', 'varchar(40)')
    .addColumn('webhook_method', 'varchar(8)', (c) => c.notNull())
    .addColumn('webhook_filters', 'text', (c) => c.notNull())
    .addColumn('pre_webhook_url', 'text')
    .addColumn('post_webhook_url', 'text')
    .addColumn('webhook_target', 'varchar(16)', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();

  await resource(ctx, 'conv_services')
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('default_conversation_creator_role_sid', 'varchar(34)')
    .addColumn('default_conversation_role_sid', 'varchar(34)')
    .addColumn('default_chat_service_role_sid', 'varchar(34)')
    .addColumn('reachability_enabled', 'integer', (c) => c.notNull())
    .addColumn('webhook_method', 'varchar(8)', (c) => c.notNull())
    .addColumn('webhook_filters', 'text', (c) => c.notNull())
    .addColumn('pre_webhook_url', 'text')
    .addColumn('post_webhook_url', 'text')
    .addColumn('notifications', 'text', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('conv_services_account').on('conv_services').columns(['account_sid', 'seq']).execute();

  await resource(ctx, 'conv_conversations')
    .addColumn('service_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('messaging_service_sid', 'varchar(34)')
    .addColumn('friendly_name', 'text')
    .addColumn('unique_name', 'text')
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('timer_inactive', 'varchar(40)')
    .addColumn('timer_closed', 'varchar(40)')
    .addColumn('date_inactive', 'bigint')
    .addColumn('date_closed', 'bigint')
    .addColumn('bindings', 'text')
    .addColumn('last_message_index', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('conv_conversations_unique_name', ['account_sid', 'service_sid', 'unique_name'])
    .execute();
  await db.schema.createIndex('conv_conversations_list').on('conv_conversations').columns(['account_sid', 'service_sid', 'seq']).execute();

  await resource(ctx, 'conv_participants')
    .addColumn('service_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('conversation_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('identity', 'text')
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('binding_type', 'varchar(16)')
    .addColumn('binding_address', 'text')
    .addColumn('binding_proxy_address', 'text')
    .addColumn('binding_projected_address', 'text')
    .addColumn('open_binding_key', 'text', (c) => c.unique())
    .addColumn('role_sid', 'varchar(34)')
    .addColumn('last_read_message_index', 'integer')
    .addColumn('last_read_timestamp', 'bigint')
    .addColumn('notification_level', 'varchar(16)', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('conv_participants_identity', ['conversation_sid', 'identity'])
    .execute();
  await db.schema.createIndex('conv_participants_list').on('conv_participants').columns(['conversation_sid', 'seq']).execute();
  await db.schema.createIndex('conv_participants_identity_idx').on('conv_participants').columns(['account_sid', 'service_sid', 'identity']).execute();
  await db.schema.createIndex('conv_participants_address_idx').on('conv_participants').columns(['account_sid', 'binding_address']).execute();

  await resource(ctx, 'conv_messages')
    .addColumn('service_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('conversation_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('participant_sid', 'varchar(34)')
    .addColumn('media', 'text')
    .addColumn('subject', 'text')
    .addColumn('content_sid', 'varchar(34)')
    .addColumn('content_variables', 'text')
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint')
    .addUniqueConstraint('conv_messages_index', ['conversation_sid', 'idx'])
    .execute();
  await db.schema.createIndex('conv_messages_list').on('conv_messages').columns(['conversation_sid', 'seq']).execute();

  await resource(ctx, 'conv_receipts')
    .addColumn('service_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('conversation_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('message_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('participant_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('channel_message_sid', 'varchar(34)')
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('error_code', 'integer')
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('conv_receipts_list').on('conv_receipts').columns(['message_sid', 'seq']).execute();

  await resource(ctx, 'conv_webhooks')
    .addColumn('service_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('conversation_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('target', 'varchar(16)', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('method', 'varchar(8)', (c) => c.notNull())
    .addColumn('filters', 'text', (c) => c.notNull())
    .addColumn('triggers', 'text', (c) => c.notNull())
    .addColumn('flow_sid', 'varchar(34)')
    .addColumn('replay_after', 'integer')
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('conv_webhooks_list').on('conv_webhooks').columns(['conversation_sid', 'seq']).execute();

  await resource(ctx, 'conv_users')
    .addColumn('service_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('identity', 'text', (c) => c.notNull())
    .addColumn('friendly_name', 'text')
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('role_sid', 'varchar(34)')
    .addColumn('is_online', 'integer')
    .addColumn('is_notifiable', 'integer')
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('conv_users_identity', ['account_sid', 'service_sid', 'identity'])
    .execute();

  await resource(ctx, 'conv_roles')
    .addColumn('service_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('conv_roles_name', ['account_sid', 'service_sid', 'friendly_name'])
    .execute();

  await resource(ctx, 'conv_credentials')
    .addColumn('type', 'varchar(8)', (c) => c.notNull())
    .addColumn('friendly_name', 'text')
    .addColumn('sandbox', 'integer', (c) => c.notNull())
    .addColumn('secrets', 'text', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();

  await resource(ctx, 'conv_bindings')
    .addColumn('service_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('credential_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('identity', 'text', (c) => c.notNull())
    .addColumn('binding_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('message_types', 'text', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();

  await resource(ctx, 'conv_addresses')
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('friendly_name', 'text')
    .addColumn('address_country', 'varchar(2)')
    .addColumn('auto_creation', 'text', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('conv_addresses_address', ['account_sid', 'type', 'address'])
    .execute();

  await resource(ctx, 'media')
    .addColumn('service_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('filename', 'text')
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('data', blob as never, (c) => c.notNull())
    .addColumn('author', 'text')
    .addColumn('message_sid', 'varchar(34)')
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('media_message').on('media').columns(['message_sid']).execute();
}

export type { Kysely };
