import type { ProductDeps } from '../events/product-deps.js';
import type { ActionSource } from '../conversations/deps.js';
import type { ConversationsProduct } from '../conversations/index.js';
import type { Actor } from '../taskrouter/deps.js';
import type { TaskRouterProduct } from '../taskrouter/index.js';

/** The one dependencies object every Interactions system receives. */
export type InteractionsDeps = ProductDeps;

/**
 * The systems of the two products Flex orchestrates. Interactions drives them
 * only through their services, so every rule (pre-action hooks, routing
 * passes, workspace locks) applies as for a REST call.
 */
export interface Products {
  conversations: Pick<ConversationsProduct, 'conversations' | 'participants' | 'users' | 'scopedWebhooks' | 'addresses' | 'services'>;
  taskrouter: Pick<TaskRouterProduct, 'tasks' | 'workspaces' | 'workers' | 'taskQueues' | 'workflows'>;
}

/**
 * Flex acts on conversations as a REST client without X-Twilio-Webhook-Enabled:
 * service-level webhooks stay quiet (a pre-action hook can never veto an agent
 * joining), conversation-scoped webhooks still hear of it.
 */
export function flexSource(accountSid: string): ActionSource {
  return { accountSid, source: 'API', webhooksEnabled: false };
}

/** TaskRouter sees Flex's moves as the account's own API calls. */
export function flexActor(accountSid: string): Actor {
  return { type: 'account', sid: accountSid, source: 'API' };
}
