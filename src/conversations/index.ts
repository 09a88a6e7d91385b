import type { FastifyInstance } from 'fastify';
import type { ProductModule } from '../platform/http/app.js';
import type { Dispatcher } from '../events/dispatcher.js';
import type { ConversationsDeps } from './deps.js';
import { ConversationHooks } from './hooks.js';
import { ServicesService } from './services/service.js';
import { registerServiceRoutes } from './services/routes.js';
import { ConversationsService } from './conversation/service.js';
import { registerConversationRoutes } from './conversation/routes.js';
import { mirrored } from './scope.js';

/** The Conversations product: its systems, wired once, and its HTTP module. */
export class ConversationsProduct {
  readonly hooks: ConversationHooks;
  readonly services: ServicesService;
  readonly conversations: ConversationsService;

  constructor(readonly deps: ConversationsDeps, dispatcher: Dispatcher) {
    this.hooks = new ConversationHooks(deps);
    this.services = new ServicesService(deps);
    this.conversations = new ConversationsService(deps, this.services, this.hooks);
    dispatcher.onDurable((tx, event) => this.hooks.fanOut(tx, event));
  }

  /** Per-account provisioning (default service, configuration). */
  provision(accountSid: string): Promise<void> {
    return this.services.ensureDefaults(accountSid);
  }

  module(): ProductModule {
    return {
      label: 'conversations',
      register: (app: FastifyInstance) => {
        registerServiceRoutes(app, this.services);
        const m = mirrored(app, this.services);
        registerConversationRoutes(m, this.conversations);
      },
    };
  }
}
