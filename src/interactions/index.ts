import type { FastifyInstance } from 'fastify';
import type { ProductModule } from '../platform/http/app.js';
import type { Dispatcher } from '../events/dispatcher.js';
import type { InteractionsDeps, Products } from './deps.js';
import { ChannelTasks } from './tasks.js';
import { Membership } from './membership.js';
import { InteractionsService } from './service.js';
import { ChannelsService } from './channels.js';
import { ChannelParticipantsService } from './participants.js';
import { InvitesService } from './invites.js';
import { TransfersService } from './transfers.js';
import { Orchestrator } from './orchestrator.js';
import { WebChatsService } from './webchats.js';
import { FlexProvisioning } from './provisioning.js';
import { registerInteractionRoutes } from './routes.js';

/**
 * The Flex product: the Interactions API, web chats, and the orchestration
 * between TaskRouter and Conversations (mounted at /flex-api and on the
 * flex-api.* host).
 */
export class InteractionsProduct {
  readonly tasks: ChannelTasks;
  readonly membership: Membership;
  readonly interactions: InteractionsService;
  readonly channels: ChannelsService;
  readonly participants: ChannelParticipantsService;
  readonly invites: InvitesService;
  readonly transfers: TransfersService;
  readonly orchestrator: Orchestrator;
  readonly webChats: WebChatsService;
  readonly provisioning: FlexProvisioning;

  constructor(
    readonly deps: InteractionsDeps,
    products: Products,
    dispatcher: Dispatcher,
  ) {
    this.tasks = new ChannelTasks(deps, products);
    this.membership = new Membership(deps, products);
    this.interactions = new InteractionsService(deps, products, this.tasks);
    this.channels = new ChannelsService(deps, this.tasks, this.membership);
    this.participants = new ChannelParticipantsService(deps, this.channels, this.tasks, this.membership);
    this.invites = new InvitesService(deps, this.channels, this.tasks);
    this.transfers = new TransfersService(deps, this.channels, this.tasks, this.invites, this.participants);
    this.orchestrator = new Orchestrator(deps, products, this.membership, this.invites, this.transfers);
    this.webChats = new WebChatsService(products);
    this.provisioning = new FlexProvisioning(deps, products);
    dispatcher.onDurable(this.orchestrator.durable, this.orchestrator.watches);
  }

  /** Per-account Flex defaults (workspace, queue, workflow, web chat address); idempotent. */
  async provision(accountSid: string): Promise<void> {
    await this.provisioning.provision(accountSid);
  }

  module(): ProductModule {
    return {
      label: 'flex-api',
      register: (app: FastifyInstance) => registerInteractionRoutes(app, this),
    };
  }
}
