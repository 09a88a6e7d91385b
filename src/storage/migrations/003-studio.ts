import { sql } from 'kysely';
import type { MigrationContext } from './index.js';
import { resource } from './helpers.js';

/** Studio v2: flows, their revisions, executions and steps. Dates are epoch ms. */
export async function up(ctx: MigrationContext): Promise<void> {
  const { db, engine } = ctx;

  await resource(ctx, 'studio_flows')
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('published_revision', 'integer')
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('commit_message', 'text')
    .addColumn('valid', 'integer', (c) => c.notNull())
    .addColumn('errors', 'text', (c) => c.notNull())
    .addColumn('warnings', 'text', (c) => c.notNull())
    .addColumn('test_users', 'text', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('studio_flows_account').on('studio_flows').columns(['account_sid', 'seq']).execute();

  await db.schema
    .createTable('studio_flow_revisions')
    .addColumn('seq', engine === 'postgres' ? 'bigserial' : 'integer', (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('account_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('flow_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('commit_message', 'text')
    .addColumn('valid', 'integer', (c) => c.notNull())
    .addColumn('errors', 'text', (c) => c.notNull())
    .addColumn('warnings', 'text', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('studio_flow_revisions_key', ['flow_sid', 'revision'])
    .execute();

  await resource(ctx, 'studio_executions')
    .addColumn('flow_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('flow_revision', 'integer', (c) => c.notNull())
    .addColumn('contact_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('contact_address', 'text', (c) => c.notNull())
    .addColumn('channel_address', 'text')
    .addColumn('status', 'varchar(8)', (c) => c.notNull())
    .addColumn('initiated_by', 'text', (c) => c.notNull())
    .addColumn('trigger', 'varchar(40)', (c) => c.notNull())
    .addColumn('conversation_sid', 'varchar(34)')
    .addColumn('conversation_service_sid', 'varchar(34)')
    .addColumn('next_widget', 'text')
    .addColumn('waiting_widget', 'text')
    .addColumn('wait_token', 'varchar(40)')
    .addColumn('last_widget', 'text')
    .addColumn('step_count', 'integer', (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('studio_executions_flow').on('studio_executions').columns(['flow_sid', 'seq']).execute();
  await db.schema.createIndex('studio_executions_contact').on('studio_executions').columns(['flow_sid', 'contact_address', 'status']).execute();
  // One active execution per conversation: two messages racing to start one leave one winner.
  await db.schema
    .createIndex('studio_executions_conversation')
    .on('studio_executions')
    .columns(['account_sid', 'conversation_sid'])
    .unique()
    .where(sql.ref('status'), '=', sql.lit('active'))
    .where(sql.ref('conversation_sid'), 'is not', null)
    .execute();

  await resource(ctx, 'studio_steps')
    .addColumn('flow_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('execution_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('parent_step_sid', 'varchar(34)')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'varchar(40)', (c) => c.notNull())
    .addColumn('transitioned_from', 'text', (c) => c.notNull())
    .addColumn('transitioned_to', 'text', (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('studio_steps_execution').on('studio_steps').columns(['execution_sid', 'seq']).execute();
}
