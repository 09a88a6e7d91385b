import type { MigrationContext } from './index.js';
import { resource } from './helpers.js';

/** TaskRouter v1: workspaces and everything under them. Dates are epoch ms. */
export async function up(ctx: MigrationContext): Promise<void> {
  const { db } = ctx;
  const ws = (t: string) => resource(ctx, t).addColumn('workspace_sid', 'varchar(34)', (c) => c.notNull());

  await resource(ctx, 'tr_workspaces')
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('event_callback_url', 'text')
    .addColumn('events_filter', 'text')
    .addColumn('multi_task_enabled', 'integer', (c) => c.notNull())
    .addColumn('prioritize_queue_order', 'varchar(8)', (c) => c.notNull())
    .addColumn('default_activity_sid', 'varchar(34)')
    .addColumn('timeout_activity_sid', 'varchar(34)')
    /** Routing change counter: every worker write stamps the worker with its next value. */
    .addColumn('rseq', 'bigint', (c) => c.notNull().defaultTo(0))
    /** Bumped when workers or worker channels disappear: routing caches reload in full. */
    .addColumn('routing_epoch', 'integer', (c) => c.notNull().defaultTo(0))
    /** Bumped by every TaskQueue or Workflow write: routing caches re-read them. */
    .addColumn('config_epoch', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tr_workspaces_account').on('tr_workspaces').columns(['account_sid', 'seq']).execute();

  await ws('tr_activities')
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('available', 'integer', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('tr_activities_name', ['workspace_sid', 'friendly_name'])
    .execute();

  await ws('tr_task_channels')
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('unique_name', 'text', (c) => c.notNull())
    .addColumn('channel_optimized_routing', 'integer')
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('tr_task_channels_unique', ['workspace_sid', 'unique_name'])
    .execute();

  await ws('tr_task_queues')
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('target_workers', 'text', (c) => c.notNull())
    .addColumn('max_reserved_workers', 'integer', (c) => c.notNull())
    .addColumn('task_order', 'varchar(8)', (c) => c.notNull())
    .addColumn('reservation_activity_sid', 'varchar(34)')
    .addColumn('assignment_activity_sid', 'varchar(34)')
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('tr_task_queues_name', ['workspace_sid', 'friendly_name'])
    .execute();

  await ws('tr_workers')
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    /** Lower-cased friendly name: Twilio treats worker names as case-insensitively unique. */
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('activity_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('available', 'integer', (c) => c.notNull())
    .addColumn('date_status_changed', 'bigint', (c) => c.notNull())
    /** When the worker last became idle (available, or finished a task): longest-idle ordering. */
    .addColumn('idle_since', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('rseq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('tr_workers_name', ['workspace_sid', 'name_key'])
    .execute();
  await db.schema.createIndex('tr_workers_list').on('tr_workers').columns(['workspace_sid', 'seq']).execute();
  await db.schema.createIndex('tr_workers_rseq').on('tr_workers').columns(['workspace_sid', 'rseq']).execute();

  await ws('tr_worker_channels')
    .addColumn('worker_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('task_channel_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('available', 'integer', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('tr_worker_channels_pair', ['worker_sid', 'task_channel_sid'])
    .execute();

  await ws('tr_workflows')
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('configuration', 'text', (c) => c.notNull())
    .addColumn('assignment_callback_url', 'text')
    .addColumn('fallback_assignment_callback_url', 'text')
    .addColumn('task_reservation_timeout', 'integer', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();

  await ws('tr_tasks')
    .addColumn('workflow_sid', 'varchar(34)')
    .addColumn('task_queue_sid', 'varchar(34)')
    .addColumn('task_channel_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('assignment_status', 'varchar(16)', (c) => c.notNull())
    .addColumn('priority', 'bigint', (c) => c.notNull())
    .addColumn('timeout', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('virtual_start_time', 'bigint', (c) => c.notNull())
    .addColumn('task_queue_entered_date', 'bigint')
    .addColumn('routing_target', 'varchar(34)')
    .addColumn('ignore_capacity', 'integer', (c) => c.notNull())
    .addColumn('addons', 'text', (c) => c.notNull())
    /** Workflow position: the matched filter's index (-1 = default filter) and the target step within it. */
    .addColumn('filter_index', 'integer')
    .addColumn('step_index', 'integer')
    .addColumn('step_entered_at', 'bigint')
    /** Whether the current step's skip_if has had its one evaluation. */
    .addColumn('step_checked', 'integer', (c) => c.notNull().defaultTo(0))
    /** When the current step's timeout moves the task on (null: the step has none). */
    .addColumn('step_deadline', 'bigint')
    .addColumn('assignment_counter', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tr_tasks_status').on('tr_tasks').columns(['workspace_sid', 'assignment_status', 'seq']).execute();

  await ws('tr_reservations')
    .addColumn('task_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('worker_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('task_channel_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('timeout_at', 'bigint')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('rseq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .addColumn('date_updated', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tr_reservations_task').on('tr_reservations').columns(['task_sid', 'seq']).execute();
  await db.schema.createIndex('tr_reservations_worker').on('tr_reservations').columns(['worker_sid', 'status']).execute();
  await db.schema.createIndex('tr_reservations_rseq').on('tr_reservations').columns(['workspace_sid', 'rseq']).execute();

  await ws('tr_events')
    .addColumn('event_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('resource_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('resource_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('actor_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('actor_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('event_data', 'text', (c) => c.notNull())
    .addColumn('event_date', 'bigint', (c) => c.notNull())
    .addColumn('source', 'varchar(32)', (c) => c.notNull())
    .addColumn('source_ip_address', 'varchar(64)')
    .addColumn('task_sid', 'varchar(34)')
    .addColumn('worker_sid', 'varchar(34)')
    .addColumn('reservation_sid', 'varchar(34)')
    .addColumn('task_queue_sid', 'varchar(34)')
    .addColumn('workflow_sid', 'varchar(34)')
    .addColumn('task_channel', 'text')
    .execute();
  await db.schema.createIndex('tr_events_date').on('tr_events').columns(['workspace_sid', 'event_date']).execute();
}
