import type { Storage } from '../storage/db.js';
import type { Cipher } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';
import type { Outbox } from './outbox.js';
import type { Jobs } from './jobs.js';
import type { WebhookSender } from './webhooks.js';

/** What every product's systems receive from the composition root. */
export interface ProductDeps {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
  outbox: Outbox;
  jobs: Jobs;
  webhooks: WebhookSender;
}
