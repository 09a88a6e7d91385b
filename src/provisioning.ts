import type { ConversationsProduct } from './conversations/index.js';
import type { InteractionsProduct } from './interactions/index.js';
import type { StudioProduct } from './studio/index.js';
import type { Storage } from './storage/db.js';
import { settings } from './storage/settings.js';

export const MESSAGING_FLOW = 'Messaging Flow';
/** `npm start`'s numbers, played by the built-in carrier simulator. */
export const DEMO_SMS_NUMBER = '+15550100001';
export const DEMO_WHATSAPP_NUMBER = 'whatsapp:+15550100001';

/**
 * The Studio flow every Flex account starts with: an incoming conversation
 * message goes straight to an agent through "Assign to Anyone".
 */
export function messagingFlowDefinition(workflowSid: string): Record<string, unknown> {
  return {
    description: 'Hands every new conversation to Flex',
    initial_state: 'Trigger',
    flags: { allow_concurrent_calls: true },
    states: [
      { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage', next: 'SendToAgent' }, { event: 'incomingRequest' }, { event: 'incomingParent' }], properties: { offset: { x: 0, y: 0 } } },
      {
        name: 'SendToAgent',
        type: 'send-to-flex',
        transitions: [{ event: 'callComplete' }, { event: 'failedToEnqueue' }, { event: 'callFailure' }],
        properties: { offset: { x: 0, y: 200 }, workflow: workflowSid, channel: 'chat', attributes: '{"from": "{{trigger.conversation.From | escape}}", "initialMessage": {{trigger.conversation.Body | to_json}}}' },
      },
    ],
  };
}

/**
 * What the composition root adds on top of each product's own provisioning, as
 * Twilio does for a Flex account: the "Messaging Flow" and the web chat address
 * pointed at it. Done once per account (remembered in `settings`), so an admin
 * who later repoints the address keeps their choice across restarts.
 */
export class AccountSetup {
  constructor(
    private readonly storage: Storage,
    private readonly conversations: ConversationsProduct,
    private readonly interactions: InteractionsProduct,
    private readonly studio: StudioProduct,
  ) {}

  async provision(accountSid: string): Promise<{ flowSid: string }> {
    const key = `messaging-flow:${accountSid}`;
    const saved = await settings.get(this.storage.db, key);
    if (saved) return JSON.parse(saved) as { flowSid: string };
    const defaults = await this.interactions.provisioning.provision(accountSid);
    const definition = JSON.stringify(messagingFlowDefinition(defaults.workflowSid));
    const flow = await this.studio.flows.create(accountSid, { friendlyName: MESSAGING_FLOW, status: 'published', definition, commitMessage: 'Provisioned with the account' });
    await this.conversations.addresses.update(accountSid, defaults.addressSid, { autoCreation: { enabled: true, type: 'studio', studioFlowSid: flow.row.sid } });
    const value = JSON.stringify({ flowSid: flow.row.sid });
    await settings.put(this.storage.db, key, value);
    return { flowSid: flow.row.sid };
  }

  /** `npm start`: an SMS and a WhatsApp number (simulated) that reach an agent through the Messaging Flow. */
  async demoNumbers(accountSid: string): Promise<void> {
    const { flowSid } = await this.provision(accountSid);
    for (const [type, address] of [['sms', DEMO_SMS_NUMBER], ['whatsapp', DEMO_WHATSAPP_NUMBER]] as const) {
      if (await this.conversations.addresses.findByAddress(accountSid, type, address)) continue;
      await this.conversations.addresses.create(accountSid, { type, address, friendlyName: `Demo ${type === 'sms' ? 'SMS' : 'WhatsApp'} number (simulated)`, autoCreation: { enabled: true, type: 'studio', studioFlowSid: flowSid } });
    }
  }
}
