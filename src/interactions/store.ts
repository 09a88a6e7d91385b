import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../storage/db.js';
import { keyset, type KeysetWindow } from '../storage/keyset.js';
import type { FxChannelsTable, FxInteractionsTable, FxInvitesTable, FxParticipantsTable, FxTransfersTable } from '../storage/schema-interactions.js';

export type InteractionRow = Selectable<FxInteractionsTable>;
export type ChannelRow = Selectable<FxChannelsTable>;
export type ParticipantRow = Selectable<FxParticipantsTable>;
export type InviteRow = Selectable<FxInvitesTable>;
export type TransferRow = Selectable<FxTransfersTable>;

/** Channel statuses a task can still be routed or worked in. */
export const OPEN_CHANNEL_STATUSES = ['setup', 'active', 'inactive'] as const;

/** Queries of the Flex Interactions tables; every one is scoped by account. */
export const interactionsStore = {
  async insertInteraction(db: Executor, row: Insertable<FxInteractionsTable>): Promise<void> {
    await db.insertInto('fx_interactions').values(row).execute();
  },
  interaction(db: Executor, accountSid: string, sid: string): Promise<InteractionRow | undefined> {
    return db.selectFrom('fx_interactions').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
  },
  async updateInteraction(db: Executor, accountSid: string, sid: string, patch: Updateable<FxInteractionsTable>): Promise<void> {
    await db.updateTable('fx_interactions').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },

  async insertChannel(db: Executor, row: Insertable<FxChannelsTable>): Promise<void> {
    await db.insertInto('fx_channels').values(row).execute();
  },
  channel(db: Executor, accountSid: string, interactionSid: string, sid: string): Promise<ChannelRow | undefined> {
    return db.selectFrom('fx_channels').selectAll().where('account_sid', '=', accountSid).where('interaction_sid', '=', interactionSid).where('sid', '=', sid).executeTakeFirst();
  },
  channelBySid(db: Executor, accountSid: string, sid: string): Promise<ChannelRow | undefined> {
    return db.selectFrom('fx_channels').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
  },
  /** The interaction's first channel (Parley's interactions have exactly one, as Twilio's do today). */
  firstChannel(db: Executor, accountSid: string, interactionSid: string): Promise<ChannelRow | undefined> {
    return db.selectFrom('fx_channels').selectAll().where('account_sid', '=', accountSid).where('interaction_sid', '=', interactionSid).orderBy('seq').limit(1).executeTakeFirst();
  },
  channels(db: Executor, accountSid: string, interactionSid: string, w: KeysetWindow): Promise<ChannelRow[]> {
    return keyset(db.selectFrom('fx_channels').selectAll().where('account_sid', '=', accountSid).where('interaction_sid', '=', interactionSid), w).execute();
  },
  /** Channels bound to a conversation that are not closed or failed. */
  openChannelsOf(db: Executor, accountSid: string, conversationSid: string): Promise<ChannelRow[]> {
    return db.selectFrom('fx_channels').selectAll().where('account_sid', '=', accountSid).where('conversation_sid', '=', conversationSid).where('status', 'in', [...OPEN_CHANNEL_STATUSES]).orderBy('seq').execute();
  },
  async updateChannel(db: Executor, accountSid: string, sid: string, patch: Updateable<FxChannelsTable>): Promise<void> {
    await db.updateTable('fx_channels').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  async deleteInteraction(db: Executor, accountSid: string, sid: string): Promise<void> {
    for (const table of ['fx_transfers', 'fx_invites', 'fx_participants', 'fx_channels'] as const) {
      await db.deleteFrom(table).where('account_sid', '=', accountSid).where('interaction_sid', '=', sid).execute();
    }
    await db.deleteFrom('fx_interactions').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },

  async insertParticipant(db: Executor, row: Insertable<FxParticipantsTable>): Promise<void> {
    await db.insertInto('fx_participants').values(row).execute();
  },
  participant(db: Executor, accountSid: string, channelSid: string, sid: string): Promise<ParticipantRow | undefined> {
    return db.selectFrom('fx_participants').selectAll().where('account_sid', '=', accountSid).where('channel_sid', '=', channelSid).where('sid', '=', sid).executeTakeFirst();
  },
  participants(db: Executor, accountSid: string, channelSid: string, w: KeysetWindow): Promise<ParticipantRow[]> {
    return keyset(db.selectFrom('fx_participants').selectAll().where('account_sid', '=', accountSid).where('channel_sid', '=', channelSid), w).execute();
  },
  allParticipants(db: Executor, accountSid: string, channelSid: string): Promise<ParticipantRow[]> {
    return db.selectFrom('fx_participants').selectAll().where('account_sid', '=', accountSid).where('channel_sid', '=', channelSid).orderBy('seq').execute();
  },
  participantByReservation(db: Executor, accountSid: string, reservationSid: string): Promise<ParticipantRow | undefined> {
    return db.selectFrom('fx_participants').selectAll().where('account_sid', '=', accountSid).where('reservation_sid', '=', reservationSid).executeTakeFirst();
  },
  participantsOfTask(db: Executor, accountSid: string, taskSid: string): Promise<ParticipantRow[]> {
    return db.selectFrom('fx_participants').selectAll().where('account_sid', '=', accountSid).where('task_sid', '=', taskSid).orderBy('seq').execute();
  },
  async updateParticipant(db: Executor, accountSid: string, sid: string, patch: Updateable<FxParticipantsTable>): Promise<void> {
    await db.updateTable('fx_participants').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },

  async insertInvite(db: Executor, row: Insertable<FxInvitesTable>): Promise<void> {
    await db.insertInto('fx_invites').values(row).execute();
  },
  invite(db: Executor, accountSid: string, sid: string): Promise<InviteRow | undefined> {
    return db.selectFrom('fx_invites').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
  },
  invites(db: Executor, accountSid: string, channelSid: string, w: KeysetWindow): Promise<InviteRow[]> {
    return keyset(db.selectFrom('fx_invites').selectAll().where('account_sid', '=', accountSid).where('channel_sid', '=', channelSid), w).execute();
  },
  allInvites(db: Executor, accountSid: string, channelSid: string): Promise<InviteRow[]> {
    return db.selectFrom('fx_invites').selectAll().where('account_sid', '=', accountSid).where('channel_sid', '=', channelSid).orderBy('seq').execute();
  },
  async updateInvite(db: Executor, accountSid: string, sid: string, patch: Updateable<FxInvitesTable>): Promise<void> {
    await db.updateTable('fx_invites').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  async deleteInvite(db: Executor, accountSid: string, sid: string): Promise<void> {
    await db.deleteFrom('fx_invites').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },

  async insertTransfer(db: Executor, row: Insertable<FxTransfersTable>): Promise<void> {
    await db.insertInto('fx_transfers').values(row).execute();
  },
  transfer(db: Executor, accountSid: string, channelSid: string, sid: string): Promise<TransferRow | undefined> {
    return db.selectFrom('fx_transfers').selectAll().where('account_sid', '=', accountSid).where('channel_sid', '=', channelSid).where('sid', '=', sid).executeTakeFirst();
  },
  transferBySid(db: Executor, accountSid: string, sid: string): Promise<TransferRow | undefined> {
    return db.selectFrom('fx_transfers').selectAll().where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
  },
  async updateTransfer(db: Executor, accountSid: string, sid: string, patch: Updateable<FxTransfersTable>): Promise<void> {
    await db.updateTable('fx_transfers').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  async deleteTransfer(db: Executor, accountSid: string, sid: string): Promise<void> {
    await db.deleteFrom('fx_transfers').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },

  /** The workspace a workflow belongs to (send-to-flex names only the workflow). */
  async workspaceOfWorkflow(db: Executor, accountSid: string, workflowSid: string): Promise<string | undefined> {
    const row = await db.selectFrom('tr_workflows').select('workspace_sid').where('account_sid', '=', accountSid).where('sid', '=', workflowSid).executeTakeFirst();
    return row?.workspace_sid;
  },
};
