import type { CreateTableBuilder } from 'kysely';
import type { MigrationContext } from './index.js';
import { resource } from './helpers.js';

/** Flex Interactions v1: interactions, their channels, participants, invites and transfers. Dates are epoch ms. */
export async function up(ctx: MigrationContext): Promise<void> {
  const { db } = ctx;
  const dates = (t: CreateTableBuilder<string, string>) =>
    t.addColumn('date_created', 'bigint', (c) => c.notNull()).addColumn('date_updated', 'bigint', (c) => c.notNull());

  await dates(
    resource(ctx, 'fx_interactions')
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('routing', 'text', (c) => c.notNull())
      .addColumn('interaction_context_sid', 'varchar(34)')
      .addColumn('webhook_ttid', 'text'),
  ).execute();

  await dates(
    resource(ctx, 'fx_channels')
      .addColumn('interaction_sid', 'varchar(34)', (c) => c.notNull())
      .addColumn('type', 'varchar(16)', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('error_code', 'integer')
      .addColumn('error_message', 'text')
      .addColumn('initiated_by', 'varchar(16)', (c) => c.notNull())
      .addColumn('conversation_sid', 'varchar(34)', (c) => c.notNull())
      .addColumn('service_sid', 'varchar(34)', (c) => c.notNull())
      .addColumn('workspace_sid', 'varchar(34)', (c) => c.notNull())
      .addColumn('routing', 'text', (c) => c.notNull()),
  ).execute();
  await db.schema.createIndex('fx_channels_interaction').on('fx_channels').columns(['interaction_sid', 'seq']).execute();
  await db.schema.createIndex('fx_channels_conversation').on('fx_channels').columns(['conversation_sid', 'status']).execute();

  await dates(
    resource(ctx, 'fx_participants')
      .addColumn('interaction_sid', 'varchar(34)', (c) => c.notNull())
      .addColumn('channel_sid', 'varchar(34)', (c) => c.notNull())
      .addColumn('type', 'varchar(16)', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('media_properties', 'text', (c) => c.notNull())
      .addColumn('routing_properties', 'text')
      .addColumn('conversation_participant_sid', 'varchar(34)')
      .addColumn('task_sid', 'varchar(34)')
      .addColumn('worker_sid', 'varchar(34)')
      .addColumn('reservation_sid', 'varchar(34)', (c) => c.unique()),
  ).execute();
  await db.schema.createIndex('fx_participants_channel').on('fx_participants').columns(['channel_sid', 'seq']).execute();
  await db.schema.createIndex('fx_participants_task').on('fx_participants').columns(['task_sid']).execute();

  await dates(
    resource(ctx, 'fx_invites')
      .addColumn('interaction_sid', 'varchar(34)', (c) => c.notNull())
      .addColumn('channel_sid', 'varchar(34)', (c) => c.notNull())
      .addColumn('workspace_sid', 'varchar(34)', (c) => c.notNull())
      .addColumn('task_sid', 'varchar(34)')
      .addColumn('transfer_sid', 'varchar(34)')
      .addColumn('routing', 'text', (c) => c.notNull()),
  ).execute();
  await db.schema.createIndex('fx_invites_channel').on('fx_invites').columns(['channel_sid', 'seq']).execute();

  await dates(
    resource(ctx, 'fx_transfers')
      .addColumn('interaction_sid', 'varchar(34)', (c) => c.notNull())
      .addColumn('channel_sid', 'varchar(34)', (c) => c.notNull())
      .addColumn('type', 'varchar(16)', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('from_participant_sid', 'varchar(34)', (c) => c.notNull())
      .addColumn('to_sid', 'varchar(34)', (c) => c.notNull())
      .addColumn('from_task_sid', 'varchar(34)')
      .addColumn('task_sid', 'varchar(34)')
      .addColumn('note_sid', 'varchar(34)')
      .addColumn('summary_sid', 'varchar(34)'),
  ).execute();
  await db.schema.createIndex('fx_transfers_channel').on('fx_transfers').columns(['channel_sid', 'seq']).execute();
}
