import type { Tx } from '../storage/db.js';
import type { CommittedEvent } from '../events/outbox.js';
import type { Job } from '../events/jobs.js';
import { TASKROUTER_EVENT_PREFIX } from '../taskrouter/events.js';
import { CONVERSATION_EVENT_PREFIX, type ConversationEventData } from '../conversations/hooks.js';
import { newSid } from '../platform/sid.js';
import type { InteractionsDeps, Products } from './deps.js';
import { agentDisplayName, agentIdentity, type RoutingInput } from './input.js';
import { notFoundAsUndefined, type Membership } from './membership.js';
import { interactionsStore, type ChannelRow } from './store.js';
import type { InvitesService } from './invites.js';
import type { TransfersService } from './transfers.js';

export const TASK_EVENT_JOB = 'interactions.task-event';
export const CUSTOMER_MESSAGE_JOB = 'interactions.customer-message';

/** The TaskRouter events Flex reacts to. Rejections and timeouts change nothing in the conversation. */
const WATCHED = new Set(['reservation.accepted', 'task.canceled', 'task.deleted', 'task.system-deleted', 'task.completed']);

interface TaskEventPayload {
  type: string;
  workspaceSid: string;
  taskSid: string;
  reservationSid: string | null;
  workerSid: string | null;
  channelSid: string;
  inviteSid: string | null;
}

/**
 * The orchestration Flex does between TaskRouter and Conversations, in one
 * place. A durable outbox handler turns the relevant committed events into
 * jobs in the dispatch transaction (so none is lost); the jobs do the work
 * through the products' services and are idempotent, since a job runs at
 * least once:
 * - reservation accepted → the worker joins the conversation (chat identity
 *   from `contact_uri`) and becomes an agent channel participant; a transfer
 *   completes (a cold one takes the transferring agent out);
 * - task canceled/deleted → a pending transfer fails; the channel and the
 *   conversation stay as they are (Twilio's behaviour: the customer stays,
 *   without an agent, until the application re-invites or closes the channel);
 * - task completed → the agents of that task leave the conversation;
 * - a customer message in an `inactive` channel → a new task (Flex's Leave).
 */
export class Orchestrator {
  constructor(
    private readonly deps: InteractionsDeps,
    private readonly products: Products,
    private readonly membership: Membership,
    private readonly invites: InvitesService,
    private readonly transfers: TransfersService,
  ) {
    deps.jobs.handle(TASK_EVENT_JOB, (job) => this.onTaskEvent(job));
    deps.jobs.handle(CUSTOMER_MESSAGE_JOB, (job) => this.onCustomerMessage(job));
  }

  /** The event types `durable` reacts to (the dispatcher skips it for the rest). */
  readonly watches: readonly string[] = [...[...WATCHED].map((t) => TASKROUTER_EVENT_PREFIX + t), `${CONVERSATION_EVENT_PREFIX}onMessageAdded`];

  /** Durable handler: runs inside the dispatch transaction, so it only reads and schedules. */
  readonly durable = async (tx: Tx, event: CommittedEvent): Promise<void> => {
    if (event.type.startsWith(TASKROUTER_EVENT_PREFIX)) await this.scheduleTaskEvent(tx, event);
    else if (event.type === `${CONVERSATION_EVENT_PREFIX}onMessageAdded`) await this.scheduleCustomerMessage(tx, event);
  };

  private async scheduleTaskEvent(tx: Tx, event: CommittedEvent): Promise<void> {
    const type = event.type.slice(TASKROUTER_EVENT_PREFIX.length);
    if (!WATCHED.has(type)) return;
    const e = event.data as { workspaceSid: string; data: Record<string, unknown> };
    const raw = e.data.TaskAttributes;
    // Most tasks are not Flex's: skip them before parsing their attributes.
    if (typeof raw !== 'string' || !raw.includes('flexInteractionChannelSid')) return;
    let attrs: Record<string, unknown>;
    try {
      attrs = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof attrs.flexInteractionChannelSid !== 'string') return;
    const payload: TaskEventPayload = {
      type,
      workspaceSid: e.workspaceSid,
      taskSid: String(e.data.TaskSid),
      reservationSid: typeof e.data.ReservationSid === 'string' ? e.data.ReservationSid : null,
      workerSid: typeof e.data.WorkerSid === 'string' ? e.data.WorkerSid : null,
      channelSid: attrs.flexInteractionChannelSid,
      inviteSid: typeof attrs.flexChannelInviteSid === 'string' ? attrs.flexChannelInviteSid : null,
    };
    await this.deps.jobs.schedule(tx, { accountSid: event.accountSid, kind: TASK_EVENT_JOB, runAt: this.deps.clock.now(), payload: payload as unknown as Record<string, unknown>, maxAttempts: 10 });
  }

  private async scheduleCustomerMessage(tx: Tx, event: CommittedEvent): Promise<void> {
    const d = event.data as unknown as ConversationEventData;
    if (!d.conversationSid) return;
    const inactive = await tx.selectFrom('fx_channels').select('sid').where('account_sid', '=', event.accountSid).where('conversation_sid', '=', d.conversationSid).where('status', '=', 'inactive').executeTakeFirst();
    if (!inactive) return;
    await this.deps.jobs.schedule(tx, {
      accountSid: event.accountSid,
      kind: CUSTOMER_MESSAGE_JOB,
      runAt: this.deps.clock.now(),
      payload: { channelSid: inactive.sid, participantSid: d.params.ParticipantSid ?? null, author: d.params.Author ?? null },
      dedupeKey: `fx-reactivate:${inactive.sid}`,
      maxAttempts: 10,
    });
  }

  private async onTaskEvent(job: Job): Promise<void> {
    const p = job.payload as unknown as TaskEventPayload;
    const channel = await interactionsStore.channelBySid(this.deps.storage.db, job.accountSid, p.channelSid);
    if (!channel) return;
    const invite = p.inviteSid ? await interactionsStore.invite(this.deps.storage.db, job.accountSid, p.inviteSid) : undefined;
    if (p.type === 'reservation.accepted') await this.accepted(channel, p, invite?.transfer_sid ?? null);
    else if (p.type === 'task.completed') await this.taskCompleted(channel, p.taskSid);
    else if (invite?.transfer_sid) await this.transfers.failed(job.accountSid, invite.transfer_sid);
  }

  /** The worker of an accepted reservation joins the conversation and the channel, once. */
  private async accepted(channel: ChannelRow, p: TaskEventPayload, transferSid: string | null): Promise<void> {
    if (channel.status === 'closed' || channel.status === 'failed' || !p.reservationSid || !p.workerSid) return;
    const db = this.deps.storage.db;
    const done = await interactionsStore.participantByReservation(db, channel.account_sid, p.reservationSid);
    if (!done || done.conversation_participant_sid === null) {
      const worker = await this.products.taskrouter.workers.get(channel.account_sid, p.workspaceSid, p.workerSid).catch(notFoundAsUndefined);
      if (!worker) return; // deleted since it accepted: nobody to bring in
      const identity = agentIdentity(worker.attributes, worker.row.friendly_name);
      const memberSid = await this.membership.join(channel, { identity, friendlyName: agentDisplayName(worker.attributes, worker.row.friendly_name) });
      const now = this.deps.clock.now();
      if (done) {
        if (done.status === 'active') await interactionsStore.updateParticipant(db, channel.account_sid, done.sid, { conversation_participant_sid: memberSid ?? null, date_updated: now });
      } else {
        await db
          .insertInto('fx_participants')
          .values({
            sid: newSid('UT'),
            account_sid: channel.account_sid,
            interaction_sid: channel.interaction_sid,
            channel_sid: channel.sid,
            type: 'agent',
            status: 'active',
            media_properties: this.deps.cipher.encrypt(JSON.stringify({ type: 'chat', identity, conversation_sid: channel.conversation_sid })),
            routing_properties: JSON.stringify({ task_sid: p.taskSid, worker_sid: p.workerSid, reservation_sid: p.reservationSid }),
            conversation_participant_sid: memberSid ?? null,
            task_sid: p.taskSid,
            worker_sid: p.workerSid,
            reservation_sid: p.reservationSid,
            date_created: now,
            date_updated: now,
          })
          .onConflict((oc) => oc.column('reservation_sid').doNothing())
          .execute();
      }
    }
    if (transferSid) await this.transfers.accepted(channel, transferSid);
  }

  /** A completed task ends its agents' part: out of the conversation (which stays open). */
  private async taskCompleted(channel: ChannelRow, taskSid: string): Promise<void> {
    for (const participant of await interactionsStore.participantsOfTask(this.deps.storage.db, channel.account_sid, taskSid)) {
      if (participant.status === 'closed' && participant.conversation_participant_sid === null) continue;
      if (channel.status !== 'closed') await this.membership.leave(channel, participant);
      await interactionsStore.updateParticipant(this.deps.storage.db, channel.account_sid, participant.sid, { status: 'closed', date_updated: this.deps.clock.now() });
    }
  }

  /** The customer wrote into a channel an agent left (`inactive`): route a new task with the channel's routing. */
  private async onCustomerMessage(job: Job): Promise<void> {
    const db = this.deps.storage.db;
    const channel = await interactionsStore.channelBySid(db, job.accountSid, String(job.payload.channelSid));
    if (!channel || channel.status !== 'inactive') return;
    // The customer's messages only (an SMS author is their address; chat authors are attributed to a participant).
    const fromCustomer = (await interactionsStore.allParticipants(db, job.accountSid, channel.sid)).some((x) => {
      if (x.type !== 'customer') return false;
      if (x.conversation_participant_sid !== null && x.conversation_participant_sid === job.payload.participantSid) return true;
      const media = JSON.parse(this.deps.cipher.decrypt(x.media_properties)) as { address?: string; identity?: string };
      return job.payload.author !== null && (media.address === job.payload.author || media.identity === job.payload.author);
    });
    if (!fromCustomer) return;
    const routing = JSON.parse(this.deps.cipher.decrypt(channel.routing)) as RoutingInput;
    await this.invites.routeChannel(channel, routing);
  }
}
