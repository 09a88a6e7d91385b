import type { FastifyInstance } from 'fastify';
import type { ProductModule } from '../platform/http/app.js';
import type { Dispatcher } from '../events/dispatcher.js';
import type { RoutingTrigger, TaskRouterDeps } from './deps.js';

/**
 * The TaskRouter product: its systems, wired once, and its HTTP module
 * (mounted at /taskrouter and on the taskrouter.* host).
 */
export class TaskRouterProduct {
  /** Services call this after committing a change that may let routing progress. */
  readonly routing: RoutingTrigger;
  private readonly triggers: Array<(accountSid: string, workspaceSid: string) => void> = [];

  constructor(readonly deps: TaskRouterDeps, readonly dispatcher: Dispatcher) {
    this.routing = { changed: (a, w) => this.triggers.forEach((t) => t(a, w)) };
  }

  /** The routing engine subscribes here. */
  onChanged(fn: (accountSid: string, workspaceSid: string) => void): void {
    this.triggers.push(fn);
  }

  module(): ProductModule {
    return {
      label: 'taskrouter',
      register: (_app: FastifyInstance) => {
        // Resource routes are registered here as they land.
      },
    };
  }
}
