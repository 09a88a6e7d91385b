import { SignJWT, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../platform/clock.js';
import { Errors, TwilioError } from '../platform/errors.js';
import { isSid, SidPrefix } from '../platform/sid.js';
import type { AccountsService, ApiKey } from '../accounts/service.js';
import type { Storage } from '../storage/db.js';
import { settings } from '../storage/settings.js';

/** Roles of the TaskRouter grant that may watch what is not theirs (other conversations, a whole workspace). */
export const PRIVILEGED_ROLES = ['supervisor', 'admin'] as const;
export const TOKEN_ROLES = ['agent', ...PRIVILEGED_ROLES] as const;

/** Twilio caps access token lifetimes at 24 hours (error 20104 beyond it). */
export const MAX_TTL_SECONDS = 86_400;
const DEFAULT_TTL_SECONDS = 3600;
/** Leeway for clocks of the minting and verifying machines. */
const CLOCK_SKEW_SECONDS = 30;
const ALGORITHMS = ['HS256', 'HS384', 'HS512'];
const CONTENT_TYPE = 'twilio-fpa;v=1';
const KEY_CACHE_MS = 5000;

/** What a token allows, read from Twilio's grants (identity, chat, task_router) and Parley's own. */
export interface AccessGrants {
  identity: string;
  chatServiceSid?: string;
  workspaceSid?: string;
  workerSid?: string;
  role?: string;
  /**
   * Parley's `grants.parley.conversation_sid`: the token reads and writes this one
   * conversation and nothing else (web chat guests).
   */
  conversationSid?: string;
}

export interface AccessClaims extends AccessGrants {
  accountSid: string;
  keySid: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface MintRequest extends AccessGrants {
  accountSid: string;
  ttlSeconds?: number;
}

export interface MintedToken {
  token: string;
  claims: AccessClaims;
  ttlSeconds: number;
}

export interface AccessTokensDeps {
  storage: Storage;
  clock: Clock;
  accounts: AccountsService;
}

export function isPrivileged(claims: AccessGrants): boolean {
  return claims.conversationSid === undefined && (PRIVILEGED_ROLES as readonly string[]).includes(claims.role ?? '');
}

/**
 * Access tokens in Twilio's AccessToken JWT format: HS256 (or HS384/512) signed
 * with an API key's secret, `iss` the key SID, `sub` the account SID, grants for
 * chat and TaskRouter. Parley signs its own with a key it manages per account;
 * any key of the account verifies, so tokens minted by the official helper
 * libraries work unchanged. Deleting the key revokes every token it signed.
 */
export class AccessTokens {
  private readonly keys = new Map<string, { key: ApiKey; expires: number }>();

  constructor(private readonly deps: AccessTokensDeps) {}

  /** Mints a token for grants already validated by the caller (see TokenService.issue). */
  async mint(req: MintRequest): Promise<MintedToken> {
    const ttl = req.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) throw Errors.invalidParameter(`Ttl must be between 1 and ${MAX_TTL_SECONDS} seconds`);
    const key = await this.signingKey(req.accountSid);
    const now = Math.floor(this.deps.clock.now() / 1000);
    const grants: Record<string, unknown> = { identity: req.identity };
    if (req.chatServiceSid !== undefined) grants.chat = { service_sid: req.chatServiceSid };
    if (req.workspaceSid !== undefined || req.workerSid !== undefined || req.role !== undefined) {
      grants.task_router = compact({ workspace_sid: req.workspaceSid, worker_sid: req.workerSid, role: req.role });
    }
    if (req.conversationSid !== undefined) grants.parley = { conversation_sid: req.conversationSid };
    const token = await new SignJWT({ jti: `${key.sid}-${now}-${randomBytes(4).toString('hex')}`, grants })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', cty: CONTENT_TYPE })
      .setIssuer(key.sid)
      .setSubject(req.accountSid)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .sign(new TextEncoder().encode(key.secret));
    const { accountSid, ttlSeconds: _ttl, ...rest } = req;
    return { token, ttlSeconds: ttl, claims: { ...rest, accountSid, keySid: key.sid, expiresAt: (now + ttl) * 1000 } };
  }

  /**
   * Verifies a token and returns what it grants. Refuses (with Twilio's 201xx
   * codes) a malformed token, an unknown, deleted or foreign key, an inactive
   * account, a bad signature, an expired or not-yet-valid token, one living
   * longer than 24 hours, and one without an identity.
   */
  async verify(token: string): Promise<AccessClaims> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    let unverified: ReturnType<typeof decodeJwt>;
    try {
      header = decodeProtectedHeader(token);
      unverified = decodeJwt(token);
    } catch {
      throw Errors.accessTokenInvalid('not a JWT');
    }
    if (header.typ !== 'JWT' || header.cty !== CONTENT_TYPE || !ALGORITHMS.includes(header.alg ?? '')) {
      throw Errors.accessTokenInvalid(`header must be typ JWT, cty ${CONTENT_TYPE}, alg HS256`);
    }
    const keySid = unverified.iss;
    const accountSid = unverified.sub;
    if (typeof keySid !== 'string' || !isSid(keySid, SidPrefix.ApiKey)) throw Errors.accessTokenIssuer('iss must be an API key SID');
    if (typeof accountSid !== 'string' || !isSid(accountSid, SidPrefix.Account)) throw Errors.accessTokenIssuer('sub must be an account SID');
    const account = await this.deps.accounts.get(accountSid).catch(() => undefined);
    if (!account || account.status !== 'active') throw Errors.accessTokenIssuer('unknown or inactive account');
    const key = await this.deps.accounts.getKey(accountSid, keySid).catch(() => undefined);
    if (!key) throw Errors.accessTokenIssuer('unknown or revoked API key');

    const now = this.deps.clock.now();
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(token, new TextEncoder().encode(key.secret), {
        algorithms: ALGORITHMS,
        currentDate: new Date(now),
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      throw tokenError(err);
    }
    if (typeof payload.exp !== 'number' || payload.exp * 1000 > now + (MAX_TTL_SECONDS + CLOCK_SKEW_SECONDS) * 1000) throw Errors.accessTokenExpired();
    return { ...readGrants(payload.grants), accountSid, keySid, expiresAt: payload.exp * 1000 };
  }

  /**
   * The account's signing key: created on first use and remembered in settings.
   * Concurrent first uses race on the setting; a loser deletes the key it made.
   */
  private async signingKey(accountSid: string): Promise<ApiKey> {
    const now = this.deps.clock.now();
    const cached = this.keys.get(accountSid);
    if (cached && cached.expires > now) return cached.key;
    const db = this.deps.storage.db;
    const setting = `realtime.signing_key.${accountSid}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await settings.get(db, setting);
      const existing = current ? await this.deps.accounts.getKey(accountSid, current).catch(() => undefined) : undefined;
      if (existing) {
        this.keys.set(accountSid, { key: existing, expires: now + KEY_CACHE_MS });
        return existing;
      }
      const fresh = await this.deps.accounts.createKey(accountSid, 'Parley access token signing key');
      if (await settings.swap(db, setting, current, fresh.sid)) {
        this.keys.set(accountSid, { key: fresh, expires: now + KEY_CACHE_MS });
        return fresh;
      }
      await this.deps.accounts.deleteKey(accountSid, fresh.sid);
    }
    throw Errors.internal();
  }
}

function tokenError(err: unknown): TwilioError {
  const e = err as { code?: string; claim?: string };
  if (e.code === 'ERR_JWT_EXPIRED') return Errors.accessTokenExpired();
  if (e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return Errors.accessTokenSignature();
  if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'nbf') return Errors.accessTokenNotYetValid();
  if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'exp') return Errors.accessTokenExpired();
  return Errors.accessTokenInvalid(err instanceof Error ? err.message : 'unreadable');
}

function readGrants(raw: unknown): AccessGrants {
  const g = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const identity = g.identity;
  if (typeof identity !== 'string' || identity.length === 0 || identity.length > 256) throw Errors.accessTokenGrants('grants.identity is required');
  const chat = object(g.chat);
  const tr = object(g.task_router);
  const parley = object(g.parley);
  const grants: AccessGrants = { identity };
  const put = (name: keyof Omit<AccessGrants, 'identity'>, value: unknown, prefix?: string) => {
    if (value === undefined || value === null) return;
    if (typeof value !== 'string' || (prefix !== undefined && !isSid(value, prefix))) throw Errors.accessTokenGrants(`${name} is malformed`);
    grants[name] = value;
  };
  put('chatServiceSid', chat.service_sid, SidPrefix.Service);
  put('workspaceSid', tr.workspace_sid, 'WS');
  put('workerSid', tr.worker_sid, 'WK');
  put('role', tr.role);
  put('conversationSid', parley.conversation_sid, SidPrefix.Conversation);
  return grants;
}

function object(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function compact(o: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}
