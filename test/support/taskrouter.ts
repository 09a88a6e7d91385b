import type { Server } from './harness.js';

export interface RecordedEvent {
  type: string;
  resourceType: string;
  resourceSid: string;
  actorType: string;
  actorSid: string;
  source: string;
  description: string;
  data: Record<string, unknown>;
  workerSid: string | null;
  taskQueueSid: string | null;
  workflowSid: string | null;
}

/** The TaskRouter events of a workspace, oldest first, read straight from tr_events. */
export async function trEvents(server: Server, workspaceSid: string): Promise<RecordedEvent[]> {
  const rows = await server.parley.storage.db.selectFrom('tr_events').selectAll().where('workspace_sid', '=', workspaceSid).orderBy('seq').execute();
  return rows.map((r) => ({
    type: r.event_type,
    resourceType: r.resource_type,
    resourceSid: r.resource_sid,
    actorType: r.actor_type,
    actorSid: r.actor_sid,
    source: r.source,
    description: r.description,
    data: JSON.parse(server.parley.taskrouter.deps.cipher.decrypt(r.event_data)) as Record<string, unknown>,
    workerSid: r.worker_sid,
    taskQueueSid: r.task_queue_sid,
    workflowSid: r.workflow_sid,
  }));
}

/** Inserts a bare task row (tasks are another module's): enough for "in use" checks. */
export async function insertTask(server: Server, t: { workspaceSid: string; sid: string; taskChannelSid: string; queueSid?: string; workflowSid?: string; status?: string }): Promise<void> {
  const now = Date.now();
  await server.parley.storage.db
    .insertInto('tr_tasks')
    .values({
      sid: t.sid,
      account_sid: server.accountSid,
      workspace_sid: t.workspaceSid,
      workflow_sid: t.workflowSid ?? null,
      task_queue_sid: t.queueSid ?? null,
      task_channel_sid: t.taskChannelSid,
      attributes: server.parley.taskrouter.deps.cipher.encrypt('{}'),
      assignment_status: t.status ?? 'pending',
      priority: 0,
      timeout: 86400,
      expires_at: now + 86400 * 1000,
      reason: null,
      virtual_start_time: now,
      task_queue_entered_date: null,
      routing_target: null,
      ignore_capacity: 0,
      step_checked: 0,
      addons: '{}',
      filter_index: null,
      step_index: null,
      step_entered_at: null,
      assignment_counter: 0,
      version: 0,
      date_created: now,
      date_updated: now,
    })
    .execute();
}

export async function insertReservation(server: Server, r: { workspaceSid: string; sid: string; taskSid: string; workerSid: string; taskChannelSid: string; status: string }): Promise<void> {
  const now = Date.now();
  await server.parley.storage.db
    .insertInto('tr_reservations')
    .values({
      sid: r.sid,
      account_sid: server.accountSid,
      workspace_sid: r.workspaceSid,
      task_sid: r.taskSid,
      worker_sid: r.workerSid,
      task_channel_sid: r.taskChannelSid,
      status: r.status,
      timeout_at: null,
      version: 0,
      date_created: now,
      date_updated: now,
    })
    .execute();
}

export const hex32 = (n: number): string => n.toString(16).padStart(32, '0');
