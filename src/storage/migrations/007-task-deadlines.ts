import { sql } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Routing reads only the reserved tasks whose time has come (a step timeout or
 * the task's TTL), and the wake timer takes the earliest deadline: both by index,
 * so neither costs more as reserved tasks pile up. The TTL gets its own column
 * (a task's timeout never changes after creation).
 */
export async function up({ db }: MigrationContext): Promise<void> {
  await db.schema.alterTable('tr_tasks').addColumn('expires_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update tr_tasks set expires_at = date_created + timeout * 1000`.execute(db);
  await db.schema.createIndex('tr_tasks_expiry').on('tr_tasks').columns(['workspace_sid', 'assignment_status', 'expires_at']).execute();
  await db.schema.createIndex('tr_tasks_deadline').on('tr_tasks').columns(['workspace_sid', 'assignment_status', 'step_deadline']).execute();
  await db.schema.createIndex('tr_tasks_queue').on('tr_tasks').columns(['workspace_sid', 'assignment_status', 'task_queue_sid']).execute();
}
