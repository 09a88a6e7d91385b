import type { FastifyInstance } from 'fastify';
import type { ProductModule } from '../platform/http/app.js';
import type { Dispatcher } from '../events/dispatcher.js';
import type { ConversationsDeps } from './deps.js';
import { ConversationHooks, CONVERSATION_EVENT_PREFIX } from './hooks.js';
import { ServicesService } from './services/service.js';
import { registerServiceRoutes } from './services/routes.js';
import { ConversationsService } from './conversation/service.js';
import { registerConversationRoutes } from './conversation/routes.js';
import { ParticipantsService } from './participants/service.js';
import { registerParticipantRoutes } from './participants/routes.js';
import { RolesService } from './roles/service.js';
import { registerRoleRoutes } from './roles/routes.js';
import { UsersService } from './users/service.js';
import { UserConversationsService } from './users/user-conversations.js';
import { registerUserRoutes } from './users/routes.js';
import { CredentialsService } from './credentials/service.js';
import { registerCredentialRoutes } from './credentials/routes.js';
import { BindingsService } from './bindings/service.js';
import { registerBindingRoutes } from './bindings/routes.js';
import { MessagesService } from './messages/service.js';
import { DeliveryReceiptsService } from './messages/receipts.js';
import { registerMessageRoutes } from './messages/routes.js';
import { MediaService } from '../media/service.js';
import { ConfigurationService } from './configuration/service.js';
import { registerConfigurationRoutes } from './configuration/routes.js';
import { AddressesService } from './addresses/service.js';
import { registerAddressRoutes } from './addresses/routes.js';
import { InboundMessagesService } from './addresses/inbound.js';
import { ScopedWebhooksService } from './webhooks/service.js';
import { registerScopedWebhookRoutes } from './webhooks/routes.js';
import { mirrored } from './scope.js';

/** The Conversations product: its systems, wired once, and its HTTP module. */
export class ConversationsProduct {
  readonly hooks: ConversationHooks;
  readonly services: ServicesService;
  readonly conversations: ConversationsService;
  readonly media: MediaService;
  readonly messages: MessagesService;
  readonly receipts: DeliveryReceiptsService;
  readonly participants: ParticipantsService;
  readonly roles: RolesService;
  readonly users: UsersService;
  readonly userConversations: UserConversationsService;
  readonly credentials: CredentialsService;
  readonly bindings: BindingsService;
  readonly configuration: ConfigurationService;
  readonly addresses: AddressesService;
  /** Messages arriving from customer channels (auto-creation); channel adapters call it. */
  readonly inbound: InboundMessagesService;
  readonly scopedWebhooks: ScopedWebhooksService;

  constructor(readonly deps: ConversationsDeps, dispatcher: Dispatcher) {
    this.hooks = new ConversationHooks(deps);
    this.services = new ServicesService(deps);
    this.conversations = new ConversationsService(deps, this.services, this.hooks);
    this.media = new MediaService(deps);
    this.messages = new MessagesService(deps, this.conversations, this.hooks, this.media);
    this.receipts = new DeliveryReceiptsService(deps, this.conversations, this.hooks);
    this.roles = new RolesService(deps);
    this.users = new UsersService(deps, this.services, this.roles, this.hooks);
    this.participants = new ParticipantsService(deps, this.conversations, this.hooks, this.users);
    this.userConversations = new UserConversationsService(deps, this.users, this.participants);
    this.credentials = new CredentialsService(deps);
    this.bindings = new BindingsService(deps);
    this.configuration = new ConfigurationService(deps, this.services);
    this.addresses = new AddressesService(deps, this.services);
    this.inbound = new InboundMessagesService(deps, this.addresses, this.conversations, this.participants, this.messages);
    this.scopedWebhooks = new ScopedWebhooksService(deps, this.conversations, (tx, c, from, to) => this.messages.replayAdded(tx, c, from, to));
    dispatcher.onDurable((tx, event) => this.hooks.fanOut(tx, event), [CONVERSATION_EVENT_PREFIX]);
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
        registerMessageRoutes(m, this.messages, this.receipts);
        registerParticipantRoutes(m, this.participants);
        registerRoleRoutes(m, this.roles);
        registerUserRoutes(m, this.users, this.userConversations);
        registerCredentialRoutes(app, this.credentials);
        registerBindingRoutes(app, this.services, this.bindings);
        registerConfigurationRoutes(app, this.configuration);
        registerAddressRoutes(app, this.addresses);
        registerScopedWebhookRoutes(m, this.scopedWebhooks);
      },
    };
  }
}
