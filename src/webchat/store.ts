import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../storage/db.js';
import type { WcAddressesTable, WcSessionsTable } from '../storage/schema-webchat.js';

export type AddressSettingsRow = Selectable<WcAddressesTable>;
export type SessionRow = Selectable<WcSessionsTable>;

/** A task still waiting for an agent, as the queue position needs it. */
export interface WaitingTask {
  sid: string;
  workspace_sid: string;
  task_queue_sid: string | null;
  assignment_status: string;
  priority: number;
  virtual_start_time: number;
  task_queue_entered_date: number | null;
  date_created: number;
}

const WAITING = ['pending', 'reserved'];

/** Queries of the web chat module; every one is scoped by account SID. */
export const webchatStore = {
  settings(db: Executor, accountSid: string, addressSid: string): Promise<AddressSettingsRow | undefined> {
    return db.selectFrom('wc_addresses').selectAll().where('account_sid', '=', accountSid).where('address_sid', '=', addressSid).executeTakeFirst();
  },

  async upsertSettings(db: Executor, row: Insertable<WcAddressesTable>): Promise<void> {
    await db
      .insertInto('wc_addresses')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['account_sid', 'address_sid']).doUpdateSet({ allowed_origins: row.allowed_origins, user_token_secret: row.user_token_secret ?? null, date_updated: row.date_updated }),
      )
      .execute();
  },

  session(db: Executor, accountSid: string, conversationSid: string): Promise<SessionRow | undefined> {
    return db.selectFrom('wc_sessions').selectAll().where('account_sid', '=', accountSid).where('conversation_sid', '=', conversationSid).executeTakeFirst();
  },

  async insertSession(db: Executor, row: Insertable<WcSessionsTable>): Promise<void> {
    await db.insertInto('wc_sessions').values(row).execute();
  },

  async deleteSession(db: Executor, accountSid: string, conversationSid: string): Promise<void> {
    await db.deleteFrom('wc_sessions').where('account_sid', '=', accountSid).where('conversation_sid', '=', conversationSid).execute();
  },

  /**
   * The live tasks Flex made for a conversation: through its interaction
   * channels (newest first) and their invites. Task attributes are encrypted,
   * so the conversation is found through the Interactions tables, not them.
   */
  liveTasks(db: Executor, accountSid: string, conversationSid: string): Promise<WaitingTask[]> {
    return db
      .selectFrom('fx_channels')
      .innerJoin('fx_invites', (j) => j.onRef('fx_invites.channel_sid', '=', 'fx_channels.sid').onRef('fx_invites.account_sid', '=', 'fx_channels.account_sid'))
      .innerJoin('tr_tasks', (j) => j.onRef('tr_tasks.sid', '=', 'fx_invites.task_sid').onRef('tr_tasks.account_sid', '=', 'fx_invites.account_sid'))
      .select([
        'tr_tasks.sid',
        'tr_tasks.workspace_sid',
        'tr_tasks.task_queue_sid',
        'tr_tasks.assignment_status',
        'tr_tasks.priority',
        'tr_tasks.virtual_start_time',
        'tr_tasks.task_queue_entered_date',
        'tr_tasks.date_created',
      ])
      .where('fx_channels.account_sid', '=', accountSid)
      .where('fx_channels.conversation_sid', '=', conversationSid)
      .where('tr_tasks.assignment_status', 'in', ['pending', 'reserved', 'assigned', 'wrapping'])
      .orderBy('tr_tasks.seq', 'desc')
      .execute();
  },

  /** Every task waiting in a queue (pending or reserved). */
  waitingInQueue(db: Executor, accountSid: string, workspaceSid: string, queueSid: string): Promise<WaitingTask[]> {
    return db
      .selectFrom('tr_tasks')
      .select(['sid', 'workspace_sid', 'task_queue_sid', 'assignment_status', 'priority', 'virtual_start_time', 'task_queue_entered_date', 'date_created'])
      .where('account_sid', '=', accountSid)
      .where('workspace_sid', '=', workspaceSid)
      .where('task_queue_sid', '=', queueSid)
      .where('assignment_status', 'in', WAITING)
      .execute();
  },

  async queueOrder(db: Executor, accountSid: string, workspaceSid: string, queueSid: string): Promise<string | undefined> {
    const row = await db.selectFrom('tr_task_queues').select('task_order').where('account_sid', '=', accountSid).where('workspace_sid', '=', workspaceSid).where('sid', '=', queueSid).executeTakeFirst();
    return row?.task_order;
  },
};
