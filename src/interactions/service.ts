import { Errors, TwilioError } from '../platform/errors.js';
import { newSid } from '../platform/sid.js';
import { conversationsStore, type ConversationRow } from '../conversations/conversation/store.js';
import type { ParticipantRow as MemberRow } from '../conversations/participants/store.js';
import { flexSource, type InteractionsDeps, type Products } from './deps.js';
import { CHANNEL_TYPES, flexAttributes, parseChannel, parseRouting, storedRouting, type ChannelType, type Customer, type InitiatedBy, type RoutingInput } from './input.js';
import type { Media } from './membership.js';
import type { InteractionView } from './render.js';
import { interactionsStore } from './store.js';
import type { ChannelTasks } from './tasks.js';

export interface CreateInteractionInput {
  channel: string;
  routing?: string;
  interactionContextSid?: string;
  webhookTtid?: string;
}

/** What Studio's Send to Flex widget hands over: the port's contract is Studio's (src/studio/ports.ts). */
export type { SendToFlexInput } from '../studio/ports.js';
import type { SendToFlexInput } from '../studio/ports.js';

/** The conversation a new channel binds to, and its customer. */
interface Bound {
  conversation: ConversationRow;
  /** The conversation was created for this interaction (removed again if the task is refused). */
  created: boolean;
  customer: { memberSid: string; media: Media; who: Customer; bindingType: string | null } | undefined;
}

export class InteractionsService {
  constructor(
    private readonly deps: InteractionsDeps,
    private readonly products: Products,
    private readonly tasks: ChannelTasks,
  ) {}

  async get(accountSid: string, sid: string): Promise<InteractionView> {
    const { storage, cipher } = this.deps;
    const row = await interactionsStore.interaction(storage.db, accountSid, sid);
    if (!row) throw Errors.notFound(`/Interactions/${sid}`);
    return { row, routing: JSON.parse(cipher.decrypt(row.routing)) as unknown, channel: await interactionsStore.firstChannel(storage.db, accountSid, sid) };
  }

  async update(accountSid: string, sid: string, input: { webhookTtid?: string }): Promise<InteractionView> {
    await this.get(accountSid, sid);
    if (input.webhookTtid !== undefined) {
      await interactionsStore.updateInteraction(this.deps.storage.db, accountSid, sid, { webhook_ttid: input.webhookTtid, date_updated: this.deps.clock.now() });
    }
    return this.get(accountSid, sid);
  }

  /**
   * POST /Interactions. Inbound (Channel.properties.media_channel_sid): binds
   * the existing conversation. Otherwise Channel.participants name whom to
   * reach: a conversation is created with that messaging binding (agent-initiated
   * outbound, routed to Routing.properties.worker_sid in queue_sid).
   */
  async create(accountSid: string, input: CreateInteractionInput): Promise<InteractionView> {
    const channel = parseChannel(input.channel);
    if (input.routing === undefined) throw Errors.missingParameter('Routing');
    const routing = parseRouting('Routing', input.routing);
    if (routing.workspaceSid === undefined) throw Errors.invalidParameter('Routing.properties.workspace_sid is required');
    if (channel.initiatedBy === 'agent') {
      if (routing.workerSid === undefined) throw Errors.invalidParameter('Routing.properties.worker_sid is required for an agent-initiated interaction');
      if (routing.queueSid === undefined) throw Errors.invalidParameter('Routing.properties.queue_sid is required for an agent-initiated interaction');
    }
    if (channel.mediaChannelSid === undefined && channel.participants.length === 0) {
      throw Errors.invalidParameter('Channel.properties.media_channel_sid (an existing conversation) or Channel.participants is required');
    }
    await this.tasks.workspace(accountSid, routing.workspaceSid);
    const bound = channel.mediaChannelSid !== undefined ? await this.bindExisting(accountSid, channel.mediaChannelSid) : await this.openConversation(accountSid, channel.type, channel.participants[0]!);
    return this.start(accountSid, { type: channel.type, initiatedBy: channel.initiatedBy, channelJson: input.channel, routing, bound, interactionContextSid: input.interactionContextSid, webhookTtid: input.webhookTtid });
  }

  /**
   * Studio's Send to Flex: an inbound interaction for the execution's
   * conversation (or, without one, a new conversation between `from` and `to`),
   * routed by the workflow, with Flex's task attributes merged with the widget's.
   */
  async sendToFlex(input: SendToFlexInput): Promise<{ interactionSid: string; taskSid: string }> {
    const { accountSid } = input;
    const workspaceSid = await interactionsStore.workspaceOfWorkflow(this.deps.storage.db, accountSid, input.workflowSid);
    if (workspaceSid === undefined) throw Errors.invalidParameter(`Workflow ${input.workflowSid} is not a workflow of this account`);
    const routing: RoutingInput = { workspaceSid, workflowSid: input.workflowSid, taskChannel: input.taskChannel, attributes: input.attributes };
    if (input.priority !== undefined) routing.priority = input.priority;
    if (input.timeout !== undefined) routing.timeout = input.timeout;
    let bound: Bound;
    if (input.conversationSid !== undefined) bound = await this.bindExisting(accountSid, input.conversationSid);
    else if (input.from !== undefined && input.to !== undefined) bound = await this.openConversation(accountSid, input.from.startsWith('whatsapp:') ? 'whatsapp' : 'sms', { address: input.from, proxyAddress: input.to });
    else throw Errors.invalidParameter('Send to Flex needs the conversation, or the from and to addresses of the contact');
    const given = input.attributes.channelType;
    const type: ChannelType = typeof given === 'string' && (CHANNEL_TYPES as readonly string[]).includes(given) ? (given as ChannelType) : channelTypeOf(bound);
    const channelJson = JSON.stringify({ type, initiated_by: 'customer', properties: { media_channel_sid: bound.conversation.sid } });
    const view = await this.start(accountSid, { type, initiatedBy: 'customer', channelJson, routing, bound });
    const properties = (view.routing as { properties: { sid: string } }).properties;
    return { interactionSid: view.row.sid, taskSid: properties.sid };
  }

  private async bindExisting(accountSid: string, conversationSid: string): Promise<Bound> {
    const db = this.deps.storage.db;
    const conversation = await conversationsStore.bySid(db, accountSid, conversationSid);
    if (!conversation) throw Errors.notFound(`/Conversations/${conversationSid}`);
    if (conversation.state === 'closed') throw Errors.flexConversationClosed(conversationSid);
    const open = await interactionsStore.openChannelsOf(db, accountSid, conversationSid);
    if (open[0]) throw Errors.flexParticipantInInteraction(`conversation ${conversationSid} is already in channel ${open[0].sid} of interaction ${open[0].interaction_sid}`);
    const members = await this.products.conversations.participants.allOf(accountSid, conversationSid);
    const member = members.find((m) => m.binding_address !== null) ?? members.find((m) => m.identity !== null);
    return { conversation, created: false, customer: member ? this.customerOf(conversation, member) : undefined };
  }

  private async openConversation(accountSid: string, type: ChannelType, p: { address: string; proxyAddress?: string; name?: string }): Promise<Bound> {
    if ((type === 'sms' || type === 'whatsapp') && p.proxyAddress === undefined) throw Errors.invalidParameter('Channel.participants[0].proxy_address is required for sms and whatsapp');
    const { participants, services } = this.products.conversations;
    const serviceSid = await services.defaultServiceSid(accountSid);
    let conv;
    try {
      conv = await participants.createWithParticipants(flexSource(accountSid), serviceSid, {}, [{ address: p.address, ...(p.proxyAddress !== undefined ? { proxyAddress: p.proxyAddress } : {}) }]);
    } catch (err) {
      if (err instanceof TwilioError && err.code === 50416) throw Errors.flexParticipantInInteraction(`${p.address} already talks to ${p.proxyAddress ?? 'this address'} in an open conversation`);
      throw err;
    }
    const [member] = await participants.allOf(accountSid, conv.row.sid);
    const bound: Bound = { conversation: conv.row, created: true, customer: member ? this.customerOf(conv.row, member) : undefined };
    if (bound.customer && p.name !== undefined) bound.customer.who.name = p.name;
    return bound;
  }

  private customerOf(conversation: ConversationRow, m: MemberRow): NonNullable<Bound['customer']> {
    const { cipher } = this.deps;
    const parse = (s: string): Record<string, unknown> => {
      try {
        const v = JSON.parse(cipher.decrypt(s)) as unknown;
        return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
      } catch {
        return {};
      }
    };
    const address = m.binding_address ?? m.identity ?? m.sid;
    const named = parse(m.attributes).friendlyName ?? parse(conversation.attributes).from;
    const media: Media = m.binding_address !== null ? { address: m.binding_address, ...(m.binding_proxy_address ? { proxyAddress: m.binding_proxy_address } : {}) } : { identity: m.identity! };
    return { memberSid: m.sid, media, who: { address, name: typeof named === 'string' && named !== '' ? named : address }, bindingType: m.binding_type };
  }

  /** Writes the interaction, its channel and customer, then routes the first task (see ChannelTasks.route). */
  private async start(
    accountSid: string,
    s: { type: ChannelType; initiatedBy: InitiatedBy; channelJson: string; routing: RoutingInput; bound: Bound; interactionContextSid?: string | undefined; webhookTtid?: string | undefined },
  ): Promise<InteractionView> {
    const { storage, cipher, clock } = this.deps;
    const now = clock.now();
    const interactionSid = newSid('KD');
    const channelSid = newSid('UO');
    const inviteSid = this.tasks.newInviteSid();
    const conv = s.bound.conversation;
    const customer = s.bound.customer;
    await storage.transaction(async (tx) => {
      await interactionsStore.insertInteraction(tx, {
        sid: interactionSid,
        account_sid: accountSid,
        channel: cipher.encrypt(s.channelJson),
        routing: cipher.encrypt('null'),
        interaction_context_sid: s.interactionContextSid ?? null,
        webhook_ttid: s.webhookTtid ?? null,
        date_created: now,
        date_updated: now,
      });
      await interactionsStore.insertChannel(tx, {
        sid: channelSid,
        account_sid: accountSid,
        interaction_sid: interactionSid,
        type: s.type,
        status: 'setup',
        error_code: null,
        error_message: null,
        initiated_by: s.initiatedBy,
        conversation_sid: conv.sid,
        service_sid: conv.service_sid,
        workspace_sid: s.routing.workspaceSid!,
        routing: cipher.encrypt(JSON.stringify(storedRouting(s.routing))),
        date_created: now,
        date_updated: now,
      });
      if (customer) {
        await interactionsStore.insertParticipant(tx, {
          sid: newSid('UT'),
          account_sid: accountSid,
          interaction_sid: interactionSid,
          channel_sid: channelSid,
          type: 'customer',
          status: 'active',
          media_properties: cipher.encrypt(JSON.stringify({ type: s.type, ...customer.media, name: customer.who.name, conversation_sid: conv.sid })),
          routing_properties: null,
          conversation_participant_sid: customer.memberSid,
          task_sid: null,
          worker_sid: null,
          reservation_sid: null,
          date_created: now,
          date_updated: now,
        });
      }
    });
    const channel = (await interactionsStore.channelBySid(storage.db, accountSid, channelSid))!;
    const attributes = flexAttributes({ interactionSid, channelSid, inviteSid, conversationSid: conv.sid, channelType: s.type, initiatedBy: s.initiatedBy, customer: customer?.who }, s.routing.attributes);
    let routed;
    try {
      routed = await this.tasks.route(channel, inviteSid, s.routing, attributes);
    } catch (err) {
      await storage.transaction((tx) => interactionsStore.deleteInteraction(tx, accountSid, interactionSid));
      if (s.bound.created) await this.products.conversations.conversations.delete(flexSource(accountSid), conv.service_sid, conv.sid).catch(() => undefined);
      throw err;
    }
    await storage.transaction(async (tx) => {
      await interactionsStore.updateInteraction(tx, accountSid, interactionSid, { routing: cipher.encrypt(JSON.stringify(routed.routing)) });
      const current = await interactionsStore.channelBySid(tx, accountSid, channelSid);
      if (current?.status === 'setup') await interactionsStore.updateChannel(tx, accountSid, channelSid, { status: 'active', date_updated: clock.now() });
    });
    return this.get(accountSid, interactionSid);
  }
}

/** The interaction channel type of a conversation's customer: its binding, `web` for a chat identity. */
function channelTypeOf(bound: Bound): ChannelType {
  const t = bound.customer?.bindingType;
  if (t && (CHANNEL_TYPES as readonly string[]).includes(t)) return t as ChannelType;
  return bound.customer?.media.identity !== undefined ? 'web' : 'chat';
}
