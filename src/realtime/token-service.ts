import type { Storage } from '../storage/db.js';
import { Errors } from '../platform/errors.js';
import type { ServicesService } from '../conversations/services/service.js';
import { realtimeStore } from './store.js';
import { TOKEN_ROLES, type AccessTokens, type MintedToken } from './tokens.js';

export interface TokenRequest {
  identity: string;
  chatServiceSid?: string;
  workspaceSid?: string;
  workerSid?: string;
  role?: string;
  /** A guest token: confined to this conversation. */
  conversationSid?: string;
  ttlSeconds?: number;
}

/**
 * Issues access tokens for Parley's own clients (agent desktop, web chat
 * guests): checks that every SID granted exists in the account, fills in the
 * account's default Conversations service, and mints. Agent login and the web
 * chat flow call `issue`; POST /parley/v1/Tokens is its HTTP face.
 */
export class TokenService {
  constructor(
    private readonly storage: Storage,
    private readonly tokens: AccessTokens,
    private readonly services: Pick<ServicesService, 'get' | 'defaultServiceSid'>,
  ) {}

  async issue(accountSid: string, req: TokenRequest): Promise<MintedToken> {
    const db = this.storage.db;
    if (req.identity.length === 0 || req.identity.length > 256) throw Errors.invalidParameter('Identity must be 1 to 256 characters');
    if (req.role !== undefined && !(TOKEN_ROLES as readonly string[]).includes(req.role)) throw Errors.invalidParameter(`Role must be one of ${TOKEN_ROLES.join(', ')}`);
    if (req.conversationSid !== undefined && (req.role !== undefined || req.workerSid !== undefined || req.workspaceSid !== undefined)) {
      throw Errors.invalidParameter('A guest token (ConversationSid) carries no TaskRouter grant');
    }
    const chatServiceSid = req.chatServiceSid ?? (await this.services.defaultServiceSid(accountSid));
    if (req.chatServiceSid !== undefined) await this.services.get(accountSid, req.chatServiceSid);
    if (req.conversationSid !== undefined) {
      const conv = await realtimeStore.conversation(db, accountSid, req.conversationSid);
      if (!conv || conv.service_sid !== chatServiceSid) throw Errors.invalidParameter(`ConversationSid ${req.conversationSid} is not a conversation of service ${chatServiceSid}`);
    }
    let workspaceSid = req.workspaceSid;
    if (workspaceSid !== undefined && !(await realtimeStore.workspace(db, accountSid, workspaceSid))) throw Errors.invalidParameter(`WorkspaceSid ${workspaceSid} is not a workspace of this account`);
    if (req.workerSid !== undefined) {
      const worker = await realtimeStore.worker(db, accountSid, req.workerSid);
      if (!worker || (workspaceSid !== undefined && worker.workspace_sid !== workspaceSid)) throw Errors.invalidParameter(`WorkerSid ${req.workerSid} is not a worker of ${workspaceSid ?? 'this account'}`);
      workspaceSid = worker.workspace_sid;
    }
    return this.tokens.mint({
      accountSid,
      identity: req.identity,
      chatServiceSid,
      ...(workspaceSid !== undefined ? { workspaceSid } : {}),
      ...(req.workerSid !== undefined ? { workerSid: req.workerSid } : {}),
      ...(req.role !== undefined ? { role: req.role } : {}),
      ...(req.conversationSid !== undefined ? { conversationSid: req.conversationSid } : {}),
      ...(req.ttlSeconds !== undefined ? { ttlSeconds: req.ttlSeconds } : {}),
    });
  }
}
