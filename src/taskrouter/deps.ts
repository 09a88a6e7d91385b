import type { ProductDeps } from '../events/product-deps.js';

/** The one dependencies object every TaskRouter system receives. */
export type TaskRouterDeps = ProductDeps;

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
