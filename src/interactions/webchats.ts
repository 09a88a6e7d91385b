import { randomUUID } from 'node:crypto';
import { Errors, TwilioError } from '../platform/errors.js';
import { parseJsonParam } from '../platform/http/params.js';
import { flexSource, type Products } from './deps.js';

export interface WebChatInput {
  addressSid: string;
  chatFriendlyName?: string;
  customerFriendlyName?: string;
  preEngagementData?: string;
  identity?: string;
}

/**
 * POST /v2/WebChats: what Flex does when a web chat starts. A conversation in
 * the chat address's service, a guest user and its chat participant, and the
 * address's integration attached to the conversation (a Studio flow or a
 * webhook, as conversation-scoped webhooks). The token is the customer
 * backend's business: Twilio returns only the conversation and the identity.
 */
export class WebChatsService {
  constructor(private readonly products: Products) {}

  async create(accountSid: string, input: WebChatInput): Promise<{ conversationSid: string; identity: string }> {
    const { addresses, users, participants, scopedWebhooks, conversations } = this.products.conversations;
    const preEngagement = input.preEngagementData !== undefined ? parseJsonParam('PreEngagementData', input.preEngagementData) : undefined;
    if (input.identity !== undefined && (input.identity.trim() === '' || input.identity.length > 256)) throw Errors.invalidParameter('Identity must be 1 to 256 characters');
    const address = await addresses.get(accountSid, input.addressSid);
    if (address.row.type !== 'chat') throw Errors.invalidParameter(`AddressSid ${input.addressSid} is a ${address.row.type} address; web chats need a chat address configuration`);
    const serviceSid = address.serviceSid;
    const identity = input.identity ?? randomUUID();
    const actor = flexSource(accountSid);
    const friendly = input.customerFriendlyName;
    try {
      await users.create(actor, serviceSid, { identity, ...(friendly !== undefined ? { friendlyName: friendly } : {}) });
    } catch (err) {
      // A returning customer keeps their user.
      if (!(err instanceof TwilioError && err.code === 50201)) throw err;
    }
    const attributes = { ...(preEngagement !== undefined ? { pre_engagement_data: preEngagement } : {}), from: friendly ?? identity };
    const conv = await participants.createWithParticipants(
      actor,
      serviceSid,
      { ...(input.chatFriendlyName !== undefined ? { friendlyName: input.chatFriendlyName } : {}), attributes: JSON.stringify(attributes) },
      [{ identity, ...(friendly !== undefined ? { attributes: JSON.stringify({ friendlyName: friendly }) } : {}) }],
    );
    const ac = address.autoCreation;
    try {
      if (ac.enabled && ac.type === 'studio' && ac.studio_flow_sid) {
        await scopedWebhooks.create(accountSid, serviceSid, conv.row.sid, 'studio', { flowSid: ac.studio_flow_sid });
      } else if (ac.enabled && ac.type === 'webhook' && ac.webhook_url) {
        await scopedWebhooks.create(accountSid, serviceSid, conv.row.sid, 'webhook', { url: ac.webhook_url, method: ac.webhook_method, filters: ac.webhook_filters });
      }
    } catch (err) {
      await conversations.delete(actor, serviceSid, conv.row.sid).catch(() => undefined);
      throw err;
    }
    return { conversationSid: conv.row.sid, identity };
  }
}
