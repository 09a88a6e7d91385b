import type { FastifyInstance } from 'fastify';
import type { ProductModule } from '../platform/http/app.js';
import type { Storage } from '../storage/db.js';
import type { Cipher } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';
import type { AccountsService } from '../accounts/service.js';
import type { ConversationsProduct } from '../conversations/index.js';
import type { TaskRouterProduct } from '../taskrouter/index.js';
import type { InteractionsProduct } from '../interactions/index.js';
import type { RealtimeProduct } from '../realtime/index.js';
import { WebChatSettings } from './settings.js';
import { WebChatSessions } from './sessions.js';
import { GuestConversation } from './guest.js';
import { QueuePositions } from './queue.js';
import { webchatRoutes } from './routes.js';
import { registerWebChatAdminRoutes } from './admin-routes.js';

export interface WebChatDeps {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
  accounts: AccountsService;
  conversations: ConversationsProduct;
  taskrouter: TaskRouterProduct;
  interactions: InteractionsProduct;
  realtime: RealtimeProduct;
  publicUrl: string | undefined;
  /** Whose address a bare address string (no accountSid) names. */
  mainAccountSid(): string;
}

/**
 * Web chat for browsers (docs/webchat.md): the widget's public API under
 * /webchat/v1 and the per-address settings under /parley/v1/WebChat. It sits
 * on top of Flex's /v2/WebChats, the realtime gateway's guest tokens and
 * TaskRouter's queues; nothing below depends on it.
 */
export class WebChatProduct {
  readonly settings: WebChatSettings;
  readonly sessions: WebChatSessions;
  readonly guest: GuestConversation;
  readonly queue: QueuePositions;

  constructor(private readonly deps: WebChatDeps) {
    const { storage, cipher, clock, conversations, realtime } = deps;
    this.settings = new WebChatSettings({ storage, cipher, clock, addresses: conversations.addresses });
    this.sessions = new WebChatSessions({
      storage,
      cipher,
      clock,
      settings: this.settings,
      accounts: deps.accounts,
      webChats: deps.interactions.webChats,
      conversations,
      tokens: realtime.tokens,
      tokenService: realtime.tokenService,
      mainAccountSid: deps.mainAccountSid,
    });
    this.guest = new GuestConversation({ storage, conversations });
    this.queue = new QueuePositions(storage, clock, deps.taskrouter);
  }

  /** The browser routes, for `publicRoutes` (they authenticate by origin, token or resume secret). */
  routes(): (app: FastifyInstance) => Promise<void> {
    return webchatRoutes({ sessions: this.sessions, guest: this.guest, queue: this.queue, publicUrl: this.deps.publicUrl });
  }

  /** /parley/v1/WebChat/Addresses (Basic auth). */
  module(): ProductModule {
    return { label: 'parley', register: (app: FastifyInstance) => registerWebChatAdminRoutes(app, this.settings) };
  }
}
