import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../storage/db.js';
import type { SvWhispersTable } from '../storage/schema-supervision.js';

export type WhisperRow = Selectable<SvWhispersTable>;

/** Live tasks: what a supervisor watches (completed and canceled ones are history). */
export const LIVE_TASK_STATUSES = ['pending', 'reserved', 'assigned', 'wrapping'] as const;
/** Reservations that tie a worker to a task right now. */
export const HELD_RESERVATION_STATUSES = ['pending', 'accepted', 'wrapping'] as const;

/** Queries of supervision: its own whispers, and read-only views of conversations and TaskRouter. Every one is scoped by account SID. */
export const supervisionStore = {
  async insertWhisper(tx: Executor, row: Insertable<SvWhispersTable>): Promise<void> {
    await tx.insertInto('sv_whispers').values(row).execute();
  },

  /** The newest `limit` whispers of a conversation, oldest first. */
  async whispers(db: Executor, accountSid: string, conversationSid: string, limit: number): Promise<WhisperRow[]> {
    const rows = await db.selectFrom('sv_whispers').selectAll().where('account_sid', '=', accountSid).where('conversation_sid', '=', conversationSid).orderBy('seq', 'desc').limit(limit).execute();
    return rows.reverse();
  },

  conversation(db: Executor, accountSid: string, sid: string) {
    return db
      .selectFrom('conv_conversations')
      .select(['sid', 'service_sid', 'friendly_name', 'unique_name', 'state', 'attributes', 'date_created', 'date_updated'])
      .where('account_sid', '=', accountSid)
      .where('sid', '=', sid)
      .executeTakeFirst();
  },

  participants(db: Executor, accountSid: string, conversationSid: string) {
    return db
      .selectFrom('conv_participants')
      .select(['sid', 'identity', 'binding_type', 'binding_address', 'binding_proxy_address', 'date_created'])
      .where('account_sid', '=', accountSid)
      .where('conversation_sid', '=', conversationSid)
      .orderBy('seq')
      .execute();
  },

  async hasParticipant(db: Executor, accountSid: string, conversationSid: string, identity: string): Promise<boolean> {
    const row = await db.selectFrom('conv_participants').select('sid').where('account_sid', '=', accountSid).where('conversation_sid', '=', conversationSid).where('identity', '=', identity).executeTakeFirst();
    return row !== undefined;
  },

  /** The newest `limit` messages, oldest first. */
  async messages(db: Executor, accountSid: string, conversationSid: string, limit: number) {
    const rows = await db
      .selectFrom('conv_messages')
      .select(['sid', 'idx', 'author', 'body', 'participant_sid', 'media', 'date_created'])
      .where('account_sid', '=', accountSid)
      .where('conversation_sid', '=', conversationSid)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse();
  },

  /** The conversation a media file is attached to (through its message), if any. */
  async mediaConversation(db: Executor, accountSid: string, mediaSid: string) {
    return db
      .selectFrom('media')
      .innerJoin('conv_messages', (j) => j.onRef('conv_messages.sid', '=', 'media.message_sid').onRef('conv_messages.account_sid', '=', 'media.account_sid'))
      .select(['media.service_sid', 'conv_messages.conversation_sid'])
      .where('media.account_sid', '=', accountSid)
      .where('media.sid', '=', mediaSid)
      .executeTakeFirst();
  },

  workspace(db: Executor, accountSid: string, sid: string) {
    return db.selectFrom('tr_workspaces').select(['sid', 'friendly_name']).where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
  },

  workers(db: Executor, accountSid: string, workspaceSid: string) {
    return db
      .selectFrom('tr_workers')
      .select(['sid', 'friendly_name', 'activity_sid', 'available', 'attributes', 'date_status_changed'])
      .where('account_sid', '=', accountSid)
      .where('workspace_sid', '=', workspaceSid)
      .orderBy('seq')
      .execute();
  },

  activities(db: Executor, accountSid: string, workspaceSid: string) {
    return db.selectFrom('tr_activities').select(['sid', 'friendly_name', 'available']).where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid).orderBy('seq').execute();
  },

  queues(db: Executor, accountSid: string, workspaceSid: string) {
    return db.selectFrom('tr_task_queues').select(['sid', 'friendly_name']).where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid).orderBy('seq').execute();
  },

  taskChannels(db: Executor, accountSid: string, workspaceSid: string) {
    return db.selectFrom('tr_task_channels').select(['sid', 'unique_name']).where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid).execute();
  },

  /** Live tasks, oldest first (bounded: a supervisor's screen, not an export). */
  liveTasks(db: Executor, accountSid: string, workspaceSid: string, limit: number) {
    return db
      .selectFrom('tr_tasks')
      .select(['sid', 'assignment_status', 'task_queue_sid', 'task_channel_sid', 'attributes', 'priority', 'date_created', 'task_queue_entered_date'])
      .where('account_sid', '=', accountSid)
      .where('workspace_sid', '=', workspaceSid)
      .where('assignment_status', 'in', [...LIVE_TASK_STATUSES])
      .orderBy('seq')
      .limit(limit)
      .execute();
  },

  heldReservations(db: Executor, accountSid: string, workspaceSid: string) {
    return db
      .selectFrom('tr_reservations')
      .select(['sid', 'task_sid', 'worker_sid', 'status', 'date_created', 'date_updated'])
      .where('account_sid', '=', accountSid)
      .where('workspace_sid', '=', workspaceSid)
      .where('status', 'in', [...HELD_RESERVATION_STATUSES])
      .orderBy('seq')
      .execute();
  },
};
