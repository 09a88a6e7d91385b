import type { Storage } from '../storage/db.js';
import type { Cipher } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';
import type { Outbox } from '../events/outbox.js';
import type { Jobs } from '../events/jobs.js';
import type { WebhookSender } from '../events/webhooks.js';

/** The one dependencies object every Conversations system receives. */
export interface ConversationsDeps {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
  outbox: Outbox;
  jobs: Jobs;
  webhooks: WebhookSender;
  /** Pre-action webhooks publish unchanged after this long (Twilio: 5 s). */
  preWebhookTimeoutMs: number;
}

/** Who acts, and how: REST calls fire service-level webhooks only when asked to. */
export interface ActionSource {
  accountSid: string;
  /** API for REST calls, SDK for realtime clients. */
  source: 'API' | 'SDK';
  /** X-Twilio-Webhook-Enabled: true on a REST call; always true for SDK actions. */
  webhooksEnabled: boolean;
  /** The chat identity acting (SDK actions only). */
  clientIdentity?: string;
}
