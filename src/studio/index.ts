import { CONVERSATION_EVENT_PREFIX } from '../conversations/hooks.js';
import type { FastifyInstance } from 'fastify';
import type { ProductModule } from '../platform/http/app.js';
import type { Dispatcher } from '../events/dispatcher.js';
import type { ProductDeps } from '../events/product-deps.js';
import type { Tx } from '../storage/db.js';
import type { ConversationsPort, StudioPorts } from './ports.js';
import type { EngineDeps } from './engine/widgets.js';
import { Runner } from './engine/runner.js';
import { FlowsService } from './flows/service.js';
import { registerFlowRoutes } from './flows/routes.js';
import { ExecutionsService } from './executions/service.js';
import { registerExecutionRoutes } from './executions/routes.js';
import { MessageTriggers, type IncomingMessageParams } from './triggers.js';

export interface StudioOptions {
  /** make-http-request / run-function timeout (Twilio's widget gives up after 10 s). */
  httpTimeoutMs?: number;
}

/**
 * The Studio v2 product: flows with revisions, and executions run by a durable
 * engine (mounted at /studio and on the studio.* host). It hears Conversations
 * through the dispatcher and talks to Flex and carriers only through ports.
 */
export class StudioProduct {
  readonly flows: FlowsService;
  readonly executions: ExecutionsService;
  readonly runner: Runner;
  readonly triggers: MessageTriggers;

  /**
   * @param ports the engine reads these on every call, so replacing a member
   *   (`studio.ports.sendToFlex = …`) rewires it, e.g. in tests.
   */
  constructor(
    deps: ProductDeps,
    dispatcher: Dispatcher,
    conversations: ConversationsPort,
    readonly ports: StudioPorts,
    options: StudioOptions = {},
  ) {
    const engine: EngineDeps = { ...deps, ports, conversations, httpTimeoutMs: options.httpTimeoutMs ?? 10_000 };
    this.flows = new FlowsService(deps);
    this.runner = new Runner(engine);
    this.executions = new ExecutionsService(deps, this.runner);
    this.triggers = new MessageTriggers(engine, this.executions, this.runner);
    dispatcher.onDurable((tx, event) => this.triggers.onEvent(tx, event), [CONVERSATION_EVENT_PREFIX]);
  }

  /**
   * A carrier message to a flow (its incomingMessage trigger): starts an
   * execution for the sender, or resumes the one waiting for their reply.
   * Pass `tx` to schedule it inside the caller's transaction.
   */
  handleIncomingMessage(accountSid: string, flowSid: string, params: IncomingMessageParams, tx?: Tx): Promise<void> {
    return this.triggers.handleIncomingMessage(accountSid, flowSid, params, tx);
  }

  module(): ProductModule {
    return {
      label: 'studio',
      register: (app: FastifyInstance) => {
        registerFlowRoutes(app, this.flows);
        registerExecutionRoutes(app, this.executions);
      },
    };
  }
}
