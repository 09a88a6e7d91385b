import { Errors } from '../platform/errors.js';
import { newSid } from '../platform/sid.js';
import type { KeysetWindow } from '../storage/keyset.js';
import type { InteractionsDeps } from './deps.js';
import { parseObject, type ParticipantType } from './input.js';
import { channelOpen, type Media, type Membership } from './membership.js';
import { interactionsStore, type ChannelRow, type ParticipantRow } from './store.js';
import type { ChannelTasks } from './tasks.js';
import type { ChannelsService } from './channels.js';

export const PARTICIPANT_STATUSES = ['closed', 'wrapup'] as const;

export interface ParticipantCreateInput {
  type: ParticipantType;
  mediaProperties: string;
  routingProperties?: string;
}

/**
 * Channel participants: who takes part in a channel, and (for agents) with
 * which task. `wrapup` and `closed` take the participant out of the
 * conversation; an agent's task then wraps up, or completes (Twilio: "when a
 * closed status is passed, the associated task is completed but the channel,
 * Conversation in this case, remains active").
 */
export class ChannelParticipantsService {
  constructor(
    private readonly deps: InteractionsDeps,
    private readonly channels: ChannelsService,
    private readonly tasks: ChannelTasks,
    private readonly membership: Membership,
  ) {}

  async list(accountSid: string, interactionSid: string, channelSid: string, w: KeysetWindow): Promise<ParticipantRow[]> {
    await this.channels.get(accountSid, interactionSid, channelSid);
    return interactionsStore.participants(this.deps.storage.db, accountSid, channelSid, w);
  }

  async create(accountSid: string, interactionSid: string, channelSid: string, input: ParticipantCreateInput): Promise<ParticipantRow> {
    const media = parseObject('MediaProperties', input.mediaProperties);
    const routing = input.routingProperties !== undefined ? parseObject('RoutingProperties', input.routingProperties) : undefined;
    const str = (o: Record<string, unknown> | undefined, k: string): string | undefined => (typeof o?.[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined);
    const identity = str(media, 'identity');
    const address = str(media, 'address');
    const proxyAddress = str(media, 'proxy_address');
    if (identity === undefined && address === undefined) throw Errors.invalidParameter('MediaProperties must name an identity (chat) or an address (messaging binding)');
    if (identity !== undefined && address !== undefined) throw Errors.invalidParameter('MediaProperties takes an identity or an address, not both');
    const reservationSid = str(routing, 'reservation_sid');
    const channel = await this.channels.get(accountSid, interactionSid, channelSid);
    channelOpen(channel);
    const db = this.deps.storage.db;
    if (reservationSid !== undefined && (await interactionsStore.participantByReservation(db, accountSid, reservationSid))) {
      throw Errors.flexParticipantInInteraction(`reservation ${reservationSid} already has a participant`);
    }
    const target: Media = identity !== undefined ? { identity } : { address: address!, ...(proxyAddress !== undefined ? { proxyAddress } : {}) };
    const memberSid = await this.membership.join(channel, target);
    if (memberSid === undefined) throw Errors.flexConversationClosed(channel.conversation_sid);
    const already = (await interactionsStore.allParticipants(db, accountSid, channelSid)).find((p) => p.status === 'active' && p.conversation_participant_sid === memberSid);
    if (already) throw Errors.flexParticipantInInteraction(`${identity ?? address} is already participant ${already.sid} of channel ${channelSid}`);
    const sid = newSid('UT');
    const now = this.deps.clock.now();
    await interactionsStore.insertParticipant(db, {
      sid,
      account_sid: accountSid,
      interaction_sid: interactionSid,
      channel_sid: channelSid,
      type: input.type,
      status: 'active',
      media_properties: this.deps.cipher.encrypt(JSON.stringify(media)),
      routing_properties: routing !== undefined ? JSON.stringify(routing) : null,
      conversation_participant_sid: memberSid,
      task_sid: str(routing, 'task_sid') ?? null,
      worker_sid: str(routing, 'worker_sid') ?? null,
      reservation_sid: reservationSid ?? null,
      date_created: now,
      date_updated: now,
    });
    return (await interactionsStore.participant(db, accountSid, channelSid, sid))!;
  }

  async update(accountSid: string, interactionSid: string, channelSid: string, sid: string, status: (typeof PARTICIPANT_STATUSES)[number]): Promise<ParticipantRow> {
    const channel = await this.channels.get(accountSid, interactionSid, channelSid);
    const p = await interactionsStore.participant(this.deps.storage.db, accountSid, channelSid, sid);
    if (!p) throw Errors.notFound(`/Interactions/${interactionSid}/Channels/${channelSid}/Participants/${sid}`);
    if (p.status === status || (p.status === 'closed' && status === 'wrapup')) return p;
    await this.leave(channel, p, status);
    return (await interactionsStore.participant(this.deps.storage.db, accountSid, channelSid, sid))!;
  }

  /** Out of the conversation, then the agent's task follows (wrapping, or completed when closed). */
  async leave(channel: ChannelRow, p: ParticipantRow, status: 'wrapup' | 'closed'): Promise<void> {
    await this.membership.leave(channel, p);
    await interactionsStore.updateParticipant(this.deps.storage.db, channel.account_sid, p.sid, { status, date_updated: this.deps.clock.now() });
    if (p.task_sid === null) return;
    const invite = (await interactionsStore.allInvites(this.deps.storage.db, channel.account_sid, channel.sid)).find((i) => i.task_sid === p.task_sid);
    const task = await this.tasks.task(channel.account_sid, invite?.workspace_sid ?? channel.workspace_sid, p.task_sid);
    if (task) await this.tasks.end(channel.account_sid, task, status === 'closed' ? 'completed' : 'wrapping', 'Participant left the interaction');
  }
}
