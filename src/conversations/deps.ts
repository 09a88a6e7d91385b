import type { ProductDeps } from '../events/product-deps.js';

/** The one dependencies object every Conversations system receives. */
export interface ConversationsDeps extends ProductDeps {
  /** Pre-action webhooks publish unchanged after this long (Twilio: 5 s). */
  preWebhookTimeoutMs: number;
}

/**
 * The `Source` of webhook events: API for REST calls, SDK for realtime clients,
 * the channel name (SMS, WHATSAPP, …) for messages arriving from a customer's channel.
 */
export type EventSource = 'API' | 'SDK' | 'SMS' | 'WHATSAPP' | 'MESSENGER' | 'GBM' | 'RCS' | 'APPLE' | 'EMAIL';

/** Who acts, and how: REST calls fire service-level webhooks only when asked to. */
export interface ActionSource {
  accountSid: string;
  source: EventSource;
  /** X-Twilio-Webhook-Enabled: true on a REST call; always true for SDK actions. */
  webhooksEnabled: boolean;
  /** The chat identity acting (SDK actions only). */
  clientIdentity?: string;
}
