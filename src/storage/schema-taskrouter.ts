import type { Generated } from 'kysely';

/** TaskRouter tables (migration 002). Conventions as in schema.ts. */
export interface TaskRouterTables {
  tr_workspaces: TrWorkspacesTable;
  tr_activities: TrActivitiesTable;
  tr_task_channels: TrTaskChannelsTable;
  tr_task_queues: TrTaskQueuesTable;
  tr_workers: TrWorkersTable;
  tr_worker_channels: TrWorkerChannelsTable;
  tr_workflows: TrWorkflowsTable;
  tr_tasks: TrTasksTable;
  tr_reservations: TrReservationsTable;
  tr_events: TrEventsTable;
}

interface Base {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  date_created: number;
  date_updated: number;
}

interface InWorkspace extends Base {
  workspace_sid: string;
}

export interface TrWorkspacesTable extends Base {
  friendly_name: string;
  event_callback_url: string | null;
  events_filter: string | null; // comma list as given
  multi_task_enabled: number;
  prioritize_queue_order: string; // FIFO | LIFO
  default_activity_sid: string | null;
  timeout_activity_sid: string | null;
  rseq: Generated<number>;
  routing_epoch: Generated<number>;
  config_epoch: Generated<number>;
}

export interface TrActivitiesTable extends InWorkspace {
  friendly_name: string;
  available: number;
}

export interface TrTaskChannelsTable extends InWorkspace {
  friendly_name: string;
  unique_name: string;
  channel_optimized_routing: number | null;
}

export interface TrTaskQueuesTable extends InWorkspace {
  friendly_name: string;
  target_workers: string;
  max_reserved_workers: number;
  task_order: string; // FIFO | LIFO
  reservation_activity_sid: string | null;
  assignment_activity_sid: string | null;
}

export interface TrWorkersTable extends InWorkspace {
  friendly_name: string;
  name_key: string;
  attributes: string; // (enc)
  activity_sid: string;
  available: number;
  date_status_changed: number;
  idle_since: number;
  version: number;
  /** The workspace routing counter value of this worker's last change. */
  rseq: Generated<number>;
}

export interface TrWorkerChannelsTable extends InWorkspace {
  worker_sid: string;
  task_channel_sid: string;
  capacity: number;
  available: number;
}

export interface TrWorkflowsTable extends InWorkspace {
  friendly_name: string;
  configuration: string;
  assignment_callback_url: string | null;
  fallback_assignment_callback_url: string | null;
  task_reservation_timeout: number;
}

export interface TrTasksTable extends InWorkspace {
  workflow_sid: string | null;
  task_queue_sid: string | null;
  task_channel_sid: string;
  attributes: string; // (enc)
  assignment_status: string; // pending | reserved | assigned | wrapping | completed | canceled
  priority: number;
  timeout: number;
  reason: string | null;
  virtual_start_time: number;
  task_queue_entered_date: number | null;
  routing_target: string | null;
  ignore_capacity: number;
  addons: string;
  filter_index: number | null;
  step_index: number | null;
  step_entered_at: number | null;
  step_checked: number;
  step_deadline: Generated<number | null>;
  /** date_created + timeout: when a pending or reserved task's TTL ends. */
  expires_at: number;
  assignment_counter: number;
  version: number;
}

export interface TrReservationsTable extends InWorkspace {
  task_sid: string;
  worker_sid: string;
  task_channel_sid: string;
  status: string; // pending | accepted | rejected | timeout | canceled | rescinded | wrapping | completed
  timeout_at: number | null;
  version: number;
  rseq: Generated<number>;
}

export interface TrEventsTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  workspace_sid: string;
  event_type: string;
  resource_type: string;
  resource_sid: string;
  actor_type: string;
  actor_sid: string;
  description: string;
  event_data: string; // (enc) JSON
  event_date: number;
  source: string;
  source_ip_address: string | null;
  task_sid: string | null;
  worker_sid: string | null;
  reservation_sid: string | null;
  task_queue_sid: string | null;
  workflow_sid: string | null;
  task_channel: string | null;
}
