import { randomBytes } from 'node:crypto';
import { Errors } from '../platform/errors.js';
import { safeEqual, sha256Hex, type Cipher } from '../platform/crypto.js';
import type { Storage } from '../storage/db.js';
import type { Clock } from '../platform/clock.js';
import type { AccountsService } from '../accounts/service.js';
import type { ConversationsProduct } from '../conversations/index.js';
import type { ActionSource } from '../conversations/deps.js';
import type { WebChatsService } from '../interactions/webchats.js';
import type { AccessTokens } from '../realtime/tokens.js';
import type { TokenService } from '../realtime/token-service.js';
import { originAllowed, type WebChatSettings } from './settings.js';
import { verifyUserToken, type VerifiedUser } from './user-token.js';
import { webchatStore, type SessionRow } from './store.js';

/** Guest access tokens live an hour; the widget refreshes them with its resume secret. */
export const GUEST_TOKEN_TTL_SECONDS = 3600;
const NAME_MAX = 256;
const EMAIL_MAX = 320;
const QUESTION_MAX = 4000;

export interface StartInput {
  /** The chat address: its IG SID or the address string (e.g. `parley-webchat`). */
  address: string;
  /** The account owning the address; default the main account. */
  accountSid?: string;
  friendlyName?: string;
  email?: string;
  question?: string;
  userToken?: string;
  /** The request's Origin header, and Parley's own origin for `self`. */
  origin: string | undefined;
  self: string;
}

export interface GuestToken {
  accountSid: string;
  conversationSid: string;
  identity: string;
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface StartedSession extends GuestToken {
  /** Shown once: the browser keeps it to get new tokens for this conversation. */
  resumeSecret: string;
}

export interface SessionsDeps {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
  settings: WebChatSettings;
  accounts: Pick<AccountsService, 'get'>;
  webChats: Pick<WebChatsService, 'create'>;
  conversations: Pick<ConversationsProduct, 'messages' | 'conversations'>;
  tokens: Pick<AccessTokens, 'verify'>;
  tokenService: Pick<TokenService, 'issue'>;
  mainAccountSid(): string;
}

/**
 * Web chat sessions for browsers: what a customer's backend does around
 * /v2/WebChats in Twilio's web chat app (start the chat, post the first
 * message with webhooks on, mint a token), done by Parley for pages that have
 * no backend, guarded by the address's allowed origins.
 */
export class WebChatSessions {
  constructor(private readonly deps: SessionsDeps) {}

  async start(input: StartInput): Promise<StartedSession> {
    const { settings, clock } = this.deps;
    const accountSid = input.accountSid ?? this.deps.mainAccountSid();
    const account = await this.deps.accounts.get(accountSid).catch(() => undefined);
    if (!account || account.status !== 'active') throw Errors.notFound(`/WebChat/Addresses/${input.address}`);
    const address = await settings.chatAddress(accountSid, input.address);
    const config = await settings.of(address);
    checkOrigin(config.allowedOrigins, input.origin, input.self);
    const user = input.userToken !== undefined ? await verifyUserToken(input.userToken, config.userTokenSecret, clock.now()) : undefined;
    const name = user?.name ?? clean('friendlyName', input.friendlyName, NAME_MAX);
    const email = user?.email ?? clean('email', input.email, EMAIL_MAX);
    if (email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(email)) throw Errors.invalidParameter('email is not an email address');
    const question = clean('question', input.question, QUESTION_MAX);

    const preEngagement = { ...(name !== undefined ? { friendlyName: name } : {}), ...(email !== undefined ? { email } : {}), ...(question !== undefined ? { question } : {}), ...(user ? { userId: user.sub, verified: true } : {}) };
    const chat = await this.deps.webChats.create(accountSid, {
      addressSid: address.row.sid,
      ...(name !== undefined ? { customerFriendlyName: name, chatFriendlyName: `Web chat with ${name}` } : {}),
      preEngagementData: JSON.stringify(preEngagement),
      ...(user ? { identity: userIdentity(user) } : {}),
    });
    const resumeSecret = randomBytes(32).toString('base64url');
    const now = clock.now();
    const db = this.deps.storage.db;
    await webchatStore.insertSession(db, {
      account_sid: accountSid,
      conversation_sid: chat.conversationSid,
      address_sid: address.row.sid,
      service_sid: address.serviceSid,
      identity: chat.identity,
      secret_hash: sha256Hex(resumeSecret),
      verified: user ? 1 : 0,
      date_created: now,
      date_updated: now,
    });
    try {
      // As Twilio's web chat app does: the question is the customer's first message, with webhooks on, so the
      // address's Studio flow or webhook hears it.
      if (question !== undefined) await this.deps.conversations.messages.create(restWithWebhooks(accountSid), address.serviceSid, chat.conversationSid, { author: chat.identity, body: question });
      return { ...(await this.mint(accountSid, address.serviceSid, chat.conversationSid, chat.identity)), resumeSecret };
    } catch (err) {
      await this.deps.conversations.conversations.delete(restWithWebhooks(accountSid), address.serviceSid, chat.conversationSid).catch(() => undefined);
      await webchatStore.deleteSession(db, accountSid, chat.conversationSid);
      throw err;
    }
  }

  /** A new token for the session's guest, proved by the resume secret given at creation. */
  async refresh(accountSid: string, conversationSid: string, resumeSecret: string, origin: string | undefined, self: string): Promise<GuestToken> {
    const session = await webchatStore.session(this.deps.storage.db, accountSid, conversationSid);
    if (!session || !safeEqual(sha256Hex(resumeSecret), session.secret_hash)) throw Errors.permissionDenied('The resume secret does not match this web chat');
    await this.checkSessionOrigin(session, origin, self);
    return this.mint(accountSid, session.service_sid, conversationSid, session.identity);
  }

  /** The session a guest token speaks for: the token's own conversation, still held by its identity. */
  async authenticate(token: string | undefined, conversationSid: string, origin: string | undefined, self: string): Promise<SessionRow> {
    if (!token) throw Errors.authenticationFailed();
    const claims = await this.deps.tokens.verify(token);
    if (claims.conversationSid !== conversationSid) throw Errors.accessTokenGrants(`this token is not for web chat ${conversationSid}`);
    const session = await webchatStore.session(this.deps.storage.db, claims.accountSid, conversationSid);
    if (!session || session.identity !== claims.identity) throw Errors.accessTokenGrants(`this token is not for web chat ${conversationSid}`);
    // Browsers send no Origin on same-origin GETs: the token is the credential here; a page elsewhere that got
    // hold of it is still turned away.
    if (origin !== undefined) await this.checkSessionOrigin(session, origin, self);
    return session;
  }

  /** For CORS: whether this origin may read answers about the session (a missing session answers no). */
  async originAllowedFor(accountSid: string, addressSid: string, origin: string | undefined, self: string): Promise<boolean> {
    return originAllowed(await this.deps.settings.originsOf(accountSid, addressSid), origin, self);
  }

  private async checkSessionOrigin(session: SessionRow, origin: string | undefined, self: string): Promise<void> {
    checkOrigin(await this.deps.settings.originsOf(session.account_sid, session.address_sid), origin, self);
  }

  private async mint(accountSid: string, serviceSid: string, conversationSid: string, identity: string): Promise<GuestToken> {
    const minted = await this.deps.tokenService.issue(accountSid, { identity, chatServiceSid: serviceSid, conversationSid, ttlSeconds: GUEST_TOKEN_TTL_SECONDS });
    return { accountSid, conversationSid, identity, token: minted.token, expiresAt: minted.claims.expiresAt };
  }
}

/** A verified customer's chat identity: namespaced, so a site's user id can never be an agent's identity. */
export function userIdentity(user: VerifiedUser): string {
  return `webchat-user:${user.sub}`;
}

function checkOrigin(allowed: readonly string[], origin: string | undefined, self: string): void {
  if (!originAllowed(allowed, origin, self)) throw Errors.permissionDenied(`Origin ${origin ?? '(none)'} is not allowed to use this web chat address`);
}

function clean(name: string, value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (v.length > max) throw Errors.invalidParameter(`${name} must be at most ${max} characters`);
  return v;
}

function restWithWebhooks(accountSid: string): ActionSource {
  return { accountSid, source: 'API', webhooksEnabled: true };
}
