import type { Server } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { randomBytes } from 'node:crypto';
import { Errors } from '../platform/errors.js';
import { sha256Hex } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';
import type { Storage } from '../storage/db.js';
import type { AgentRole } from './service.js';
import { agentsStore, type AgentRow } from './store.js';

/** Where the agent desktop's API lives (cookie-authenticated, outside the Basic-auth products). */
export const AGENT_API = '/agent-api/v1';
export const SESSION_COOKIE = 'parley_session';
/** A session ends 12 h after login, or after 2 h without a request. */
export const SESSION_TTL_MS = 12 * 3600_000;
export const SESSION_IDLE_MS = 2 * 3600_000;
/** last_seen_at is written at most this often (a request per second must not be a write per second). */
const TOUCH_EVERY_MS = 60_000;

/** The logged-in agent of a request (set by `requireAgent`). */
export interface AgentSession {
  agent: AgentRow;
  accountSid: string;
  role: AgentRole;
  /** SHA-256 of the cookie's token: the session's id in storage. */
  tokenHash: string;
  expiresAt: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    agentSession?: AgentSession;
  }
}

/**
 * Browser sessions of agent accounts. The cookie carries 32 random bytes; only
 * their SHA-256 is stored, so a copy of the database logs nobody in.
 */
export class AgentSessions {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
  ) {}

  async create(agent: AgentRow): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = now + SESSION_TTL_MS;
    await agentsStore.insertSession(this.storage.db, { token_hash: sha256Hex(token), account_sid: agent.account_sid, agent_sid: agent.sid, created_at: now, expires_at: expiresAt, last_seen_at: now });
    // Expired rows of everyone are swept on login, so the table holds live sessions only.
    await agentsStore.pruneSessions(this.storage.db, now, now - SESSION_IDLE_MS);
    return { token, expiresAt };
  }

  /** The live session of a cookie token (refreshing its idle clock), or undefined. */
  async resolve(token: string | undefined): Promise<AgentSession | undefined> {
    if (!token || token.length > 128) return undefined;
    const db = this.storage.db;
    const tokenHash = sha256Hex(token);
    const s = await agentsStore.session(db, tokenHash);
    if (!s) return undefined;
    const now = this.clock.now();
    if (s.expires_at <= now || s.last_seen_at + SESSION_IDLE_MS <= now) {
      await agentsStore.deleteSession(db, tokenHash);
      return undefined;
    }
    const agent = await agentsStore.get(db, s.account_sid, s.agent_sid);
    if (!agent) return undefined;
    if (now - s.last_seen_at >= TOUCH_EVERY_MS) await agentsStore.touchSession(db, tokenHash, now);
    return { agent, accountSid: agent.account_sid, role: agent.role as AgentRole, tokenHash, expiresAt: s.expires_at };
  }

  async destroy(tokenHash: string): Promise<void> {
    await agentsStore.deleteSession(this.storage.db, tokenHash);
  }
}

/** The value of one cookie in a Cookie header. */
export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function secure(req: FastifyRequest): boolean {
  const proto = (req.headers['x-forwarded-proto'] as string | undefined)?.split(',')[0]?.trim() ?? req.protocol;
  return proto === 'https';
}

export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string): void {
  const attrs = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${SESSION_TTL_MS / 1000}`];
  if (secure(req)) attrs.push('Secure');
  reply.header('Set-Cookie', attrs.join('; '));
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  reply.header('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure(req) ? '; Secure' : ''}`);
}

/**
 * Which AgentSessions serves an HTTP server: one Parley per server, several in
 * one test process, so it is looked up by the request's server rather than
 * imported. Bound by the agents product when its routes register.
 */
const bound = new WeakMap<Server, AgentSessions>();

export function bindAgentSessions(app: FastifyInstance, sessions: AgentSessions): void {
  bound.set(app.server, sessions);
}

/**
 * A Fastify preHandler that requires a logged-in agent (cookie `parley_session`)
 * and, when `roles` is given, one of those roles: 401 20003 without a valid
 * session, 403 20003 with the wrong role. The session is then on
 * `req.agentSession` (read it with `agentOf(req)`). Use it on routes outside the
 * Basic-auth products (`publicRoutes`), e.g.
 * `app.get('/supervisor-api/v1/…', { preHandler: requireAgent(['supervisor', 'admin']) }, …)`.
 */
export function requireAgent(roles?: readonly AgentRole[], sessions?: AgentSessions): preHandlerAsyncHookHandler {
  return async function requireAgentSession(req: FastifyRequest) {
    const service = sessions ?? bound.get(req.server.server);
    if (!service) throw Errors.internal();
    const session = await service.resolve(readCookie(req, SESSION_COOKIE));
    if (!session) throw Errors.agentSessionRequired();
    if (roles && !roles.includes(session.role)) throw Errors.permissionDenied(`This needs the role ${roles.join(' or ')}; you are ${session.role}`);
    req.agentSession = session;
  };
}

/** The session `requireAgent` put on the request. */
export function agentOf(req: FastifyRequest): AgentSession {
  if (!req.agentSession) throw Errors.agentSessionRequired();
  return req.agentSession;
}
