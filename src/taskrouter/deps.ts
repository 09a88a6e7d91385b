import type { Storage } from '../storage/db.js';
import type { Cipher } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';
import type { Outbox } from '../events/outbox.js';
import type { Jobs } from '../events/jobs.js';
import type { WebhookSender } from '../events/webhooks.js';

/** The one dependencies object every TaskRouter system receives. */
export interface TaskRouterDeps {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
  outbox: Outbox;
  jobs: Jobs;
  webhooks: WebhookSender;
}

/**
 * What changed in a workspace that may let routing make progress. Services call
 * `routing.changed(...)` after committing; the engine coalesces and re-evaluates.
 */
export interface RoutingTrigger {
  changed(accountSid: string, workspaceSid: string): void;
}

/** Who caused a TaskRouter event (the `actor_*` and `source` of the Event resource). */
export interface Actor {
  type: 'account' | 'worker' | 'workspace' | 'task' | 'reservation' | 'workflow';
  sid: string;
  /** API for REST calls, the routing engine and timers for their own moves. */
  source: 'API' | 'routing' | 'timer';
  ip?: string;
}
