import type { Storage } from '../storage/db.js';
import type { Cipher } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';
import type { ConversationsProduct } from '../conversations/index.js';
import type { TaskRouterProduct } from '../taskrouter/index.js';
import type { InteractionsProduct } from '../interactions/index.js';
import type { FlexDefaults } from '../interactions/provisioning.js';
import type { TokenService } from '../realtime/token-service.js';

/**
 * The one dependencies object the agents systems receive: the products they
 * drive in process (never over HTTP), through their services, so every rule
 * (locks, hooks, routing passes) applies as for an API call.
 */
export interface AgentsDeps {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
  conversations: Pick<ConversationsProduct, 'conversations' | 'participants' | 'messages' | 'receipts' | 'media' | 'services' | 'addresses'>;
  taskrouter: Pick<TaskRouterProduct, 'workspaces' | 'workers' | 'activities' | 'tasks' | 'reservations' | 'taskQueues'>;
  interactions: Pick<InteractionsProduct, 'interactions' | 'channels' | 'participants' | 'invites' | 'transfers'>;
  tokens: Pick<TokenService, 'issue'>;
  flexDefaults(accountSid: string): Promise<FlexDefaults | undefined>;
  /** PUBLIC_URL when configured (absolute `url`s of the agent API). */
  publicUrl: string | undefined;
  /** The account a login without AccountSid is for. */
  mainAccountSid(): string;
}
