import { TwilioError } from '../../platform/errors.js';
import { newSid, SidPrefix } from '../../platform/sid.js';
import type { Clock } from '../../platform/clock.js';
import type { Executor } from '../../storage/db.js';
import type { ActionSource, ConversationsDeps, EventSource } from '../deps.js';
import type { ConversationsService } from '../conversation/service.js';
import type { ConversationRow } from '../conversation/store.js';
import type { ParticipantsService } from '../participants/service.js';
import { participantsStore, type ParticipantRow } from '../participants/store.js';
import { openBindingKey } from '../participants/binding.js';
import type { MessagesService } from '../messages/service.js';
import type { MessageRow } from '../messages/store.js';
import { scopedWebhooksStore } from '../webhooks/store.js';
import type { AddressConfiguration, AddressesService, AutoCreation } from './service.js';

/** A customer's message as a channel adapter hands it over (reference §2.6: address auto-creation). */
export interface InboundMessage {
  /** The channel: sms, whatsapp, messenger, … (an address configuration `Type`). */
  type: string;
  /** The customer's address, prefixed for prefixed channels (`whatsapp:+1…`, `messenger:…`). */
  from: string;
  /** The proxy address it was sent to (the Parley-side number or sender). */
  to: string;
  body?: string;
  /** ME SIDs already stored in the route's service (see `route`). */
  media?: string[];
  /** The channel's own id for the message (SM…), for the adapter's records. */
  channelMessageSid?: string;
}

/** Where an inbound message goes, decided before its media is fetched. */
export type InboundRoute =
  | { kind: 'existing'; serviceSid: string; conversationSid: string; participant: ParticipantRow }
  | { kind: 'create'; serviceSid: string; address: AddressConfiguration }
  | { kind: 'none'; reason: 'no-address-configuration' | 'auto-creation-disabled' };

export interface InboundResult {
  /** added: into an open conversation; created: a new one by auto-creation; ignored: nothing recorded. */
  outcome: 'added' | 'created' | 'ignored';
  reason?: string;
  conversationSid: string | null;
  participantSid: string | null;
  messageSid: string | null;
}

export interface InboundOptions {
  /** Runs inside the message's transaction (the adapter's de-duplication record). */
  within?: (tx: Executor, message: MessageRow) => Promise<void>;
}

/** Auto-creation integrations need at least one event to be of any use; Twilio's default is not documented. */
const DEFAULT_INTEGRATION_FILTERS = ['onMessageAdded'];

/**
 * Inbound messages from customer channels, channel-agnostic. A message whose
 * address+proxy pair is bound in an open conversation joins it (Twilio routes
 * these whether or not an address configuration exists). Otherwise the proxy's
 * address configuration decides: with auto-creation enabled, a conversation is
 * created in its service with the customer as participant and the address's
 * integration attached; without one (or with auto-creation disabled) nothing is
 * recorded.
 */
export class InboundMessagesService {
  constructor(
    private readonly deps: ConversationsDeps,
    private readonly addresses: AddressesService,
    private readonly conversations: ConversationsService,
    private readonly participants: ParticipantsService,
    private readonly messages: MessagesService,
  ) {}

  async route(accountSid: string, type: string, from: string, to: string): Promise<InboundRoute> {
    const db = this.deps.storage.db;
    const key = openBindingKey(accountSid, from, to)!;
    const holder = await participantsStore.byOpenBinding(db, accountSid, key);
    if (holder) return { kind: 'existing', serviceSid: holder.service_sid, conversationSid: holder.conversation_sid, participant: holder };
    const address = await this.addresses.findByAddress(accountSid, addressTypeOf(type), to);
    if (!address) return { kind: 'none', reason: 'no-address-configuration' };
    if (!address.autoCreation.enabled) return { kind: 'none', reason: 'auto-creation-disabled' };
    return { kind: 'create', serviceSid: address.serviceSid, address };
  }

  async receive(accountSid: string, msg: InboundMessage, options: InboundOptions = {}): Promise<InboundResult> {
    const actor: ActionSource = { accountSid, source: eventSource(msg.type), webhooksEnabled: true };
    // Two first messages from one customer may race to create; the loser joins the winner's conversation.
    for (let attempt = 0; ; attempt++) {
      const route = await this.route(accountSid, msg.type, msg.from, msg.to);
      if (route.kind === 'none') return { outcome: 'ignored', reason: route.reason, conversationSid: null, participantSid: null, messageSid: null };
      if (route.kind === 'existing') {
        const messageSid = await this.add(actor, route.serviceSid, route.conversationSid, route.participant.sid, msg, options);
        return { outcome: 'added', conversationSid: route.conversationSid, participantSid: route.participant.sid, messageSid };
      }
      let created: { conversation: ConversationRow; participant: ParticipantRow };
      try {
        created = await this.create(actor, route.serviceSid, route.address, msg);
      } catch (err) {
        if (attempt === 0 && err instanceof TwilioError && err.code === 50416) continue;
        throw err;
      }
      const messageSid = await this.add(actor, route.serviceSid, created.conversation.sid, created.participant.sid, msg, options);
      return { outcome: 'created', conversationSid: created.conversation.sid, participantSid: created.participant.sid, messageSid };
    }
  }

  /** The conversation, its customer participant and the address's integration commit together. */
  private async create(actor: ActionSource, serviceSid: string, address: AddressConfiguration, msg: InboundMessage): Promise<{ conversation: ConversationRow; participant: ParticipantRow }> {
    const prepared = await this.conversations.prepareCreate(actor, serviceSid, {});
    prepared.eventParams = { 'MessagingBinding.Address': msg.from, 'MessagingBinding.ProxyAddress': msg.to, 'MessagingBinding.AuthorAddress': msg.from };
    const result = await this.deps.storage.transaction(async (tx) => {
      const conversation = await this.conversations.insert(tx, actor, serviceSid, prepared);
      // The integration exists before the customer joins, so a webhook filtering onParticipantAdded hears it.
      await attachAddressIntegration(tx, this.deps.clock, conversation, address.autoCreation);
      const participant = await this.participants.insert(tx, actor, conversation, { address: msg.from, proxyAddress: msg.to });
      return { conversation, participant };
    });
    this.deps.outbox.committed();
    return result;
  }

  private async add(actor: ActionSource, serviceSid: string, conversationSid: string, participantSid: string, msg: InboundMessage, options: InboundOptions): Promise<string> {
    const message = await this.messages.create(
      actor,
      serviceSid,
      conversationSid,
      { author: msg.from, ...(msg.body !== undefined && msg.body !== '' ? { body: msg.body } : {}) },
      { participantSid, mediaSids: msg.media ?? [], ...(options.within ? { within: options.within } : {}) },
    );
    return message.row.sid;
  }
}

/**
 * Attaches an address configuration's integration to a conversation it created,
 * inside the caller's transaction: `webhook` becomes a conversation-scoped webhook
 * with the address's URL, method and filters; `studio` a scoped `studio` webhook
 * for its flow (run by the Studio engine); `default` attaches nothing. Returns the
 * WH SID, or null. Used by inbound auto-creation and by web chat (Flex WebChats).
 */
export async function attachAddressIntegration(tx: Executor, clock: Clock, conversation: ConversationRow, auto: AutoCreation): Promise<string | null> {
  if (auto.type === 'default') return null;
  if (auto.type === 'webhook' && !auto.webhook_url) return null;
  if (auto.type === 'studio' && !auto.studio_flow_sid) return null;
  const sid = newSid(SidPrefix.Webhook);
  const now = clock.now();
  const webhook = auto.type === 'webhook';
  await scopedWebhooksStore.insert(tx, {
    sid,
    account_sid: conversation.account_sid,
    service_sid: conversation.service_sid,
    conversation_sid: conversation.sid,
    target: webhook ? 'webhook' : 'studio',
    url: webhook ? auto.webhook_url : null,
    method: webhook ? auto.webhook_method : 'POST',
    filters: JSON.stringify(webhook ? (auto.webhook_filters.length > 0 ? auto.webhook_filters : DEFAULT_INTEGRATION_FILTERS) : []),
    triggers: '[]',
    flow_sid: webhook ? null : auto.studio_flow_sid,
    replay_after: null,
    date_created: now,
    date_updated: now,
  });
  return sid;
}

/** MMS arrives on an SMS address; every other channel names its address configuration type. */
function addressTypeOf(type: string): string {
  const t = type.toLowerCase();
  return t === 'mms' ? 'sms' : t;
}

const CHANNEL_SOURCES: Record<string, EventSource> = { sms: 'SMS', mms: 'SMS', whatsapp: 'WHATSAPP', messenger: 'MESSENGER', gbm: 'GBM', rcs: 'RCS', apple: 'APPLE', email: 'EMAIL' };

/** The webhook `Source` of a channel's messages (Twilio names the channel: SMS, WHATSAPP…). */
export function eventSource(type: string): EventSource {
  return CHANNEL_SOURCES[type.toLowerCase()] ?? 'API';
}
