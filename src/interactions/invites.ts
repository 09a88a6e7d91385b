import type { KeysetWindow } from '../storage/keyset.js';
import type { InteractionsDeps } from './deps.js';
import { flexAttributes, parseRouting, type ChannelType, type Customer, type InitiatedBy, type RoutingInput } from './input.js';
import { channelOpen } from './membership.js';
import { interactionsStore, type ChannelRow, type InviteRow } from './store.js';
import type { ChannelTasks, RoutedInvite } from './tasks.js';
import type { ChannelsService } from './channels.js';

export interface InviteView {
  row: InviteRow;
  routing: unknown;
}

/**
 * Invites: another task for the same channel (a second agent, a parked
 * interaction picked up again). Twilio does not carry the first task's
 * attributes over: the new task has Flex's keys plus the invite's own.
 */
export class InvitesService {
  constructor(
    private readonly deps: InteractionsDeps,
    private readonly channels: ChannelsService,
    private readonly tasks: ChannelTasks,
  ) {}

  decode(row: InviteRow): InviteView {
    return { row, routing: JSON.parse(this.deps.cipher.decrypt(row.routing)) as unknown };
  }

  async list(accountSid: string, interactionSid: string, channelSid: string, w: KeysetWindow): Promise<InviteView[]> {
    await this.channels.get(accountSid, interactionSid, channelSid);
    return (await interactionsStore.invites(this.deps.storage.db, accountSid, channelSid, w)).map((r) => this.decode(r));
  }

  async create(accountSid: string, interactionSid: string, channelSid: string, routingJson: string): Promise<InviteView> {
    const routing = parseRouting('Routing', routingJson);
    const channel = await this.channels.get(accountSid, interactionSid, channelSid);
    channelOpen(channel);
    const routed = await this.routeChannel(channel, routing);
    return this.decode(routed.invite);
  }

  /** A new task for the channel, with Flex's attributes for it; an inactive channel becomes active again. */
  async routeChannel(channel: ChannelRow, routing: RoutingInput, transferSid?: string, inheritedAttributes: Record<string, unknown> = {}): Promise<RoutedInvite> {
    const inviteSid = this.tasks.newInviteSid();
    const keys = { interactionSid: channel.interaction_sid, channelSid: channel.sid, inviteSid, conversationSid: channel.conversation_sid, channelType: channel.type as ChannelType, initiatedBy: channel.initiated_by as InitiatedBy, customer: await this.customer(channel) };
    const attributes = flexAttributes(keys, { ...inheritedAttributes, ...routing.attributes });
    const routed = await this.tasks.route(channel, inviteSid, routing, attributes, transferSid);
    if (channel.status === 'inactive') await interactionsStore.updateChannel(this.deps.storage.db, channel.account_sid, channel.sid, { status: 'active', date_updated: this.deps.clock.now() });
    return routed;
  }

  private async customer(channel: ChannelRow): Promise<Customer | undefined> {
    const p = (await interactionsStore.allParticipants(this.deps.storage.db, channel.account_sid, channel.sid)).find((x) => x.type === 'customer');
    if (!p) return undefined;
    const media = JSON.parse(this.deps.cipher.decrypt(p.media_properties)) as { address?: string; identity?: string; name?: string };
    const address = media.address ?? media.identity;
    return address === undefined ? undefined : { address, name: media.name ?? address };
  }
}
