import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { isoDate } from '../platform/clock.js';
import { requestOrigin } from '../platform/http/context.js';
import { P } from '../platform/http/params.js';
import type { AgentsService } from './service.js';
import type { AgentIdentity } from './identity.js';
import { AGENT_API, AgentSessions, SESSION_COOKIE, agentOf, clearSessionCookie, readCookie, requireAgent, setSessionCookie } from './session.js';
import { renderAgent } from './render.js';

const tags = ['Parley: agent desktop'];

/**
 * Login, the current session and logout. Outside Basic auth (a public route):
 * the login checks the password, the others the session cookie.
 */
export function registerSessionRoutes(app: FastifyInstance, s: { agents: AgentsService; sessions: AgentSessions; identity: AgentIdentity; publicUrl: string | undefined; mainAccountSid(): string }): void {
  const parleyBase = (req: Parameters<typeof requestOrigin>[0]) => `${requestOrigin(req, s.publicUrl)}/parley`;

  app.post(
    `${AGENT_API}/Session`,
    {
      schema: {
        tags,
        summary: 'Log in: sets the HttpOnly session cookie parley_session',
        body: Type.Object(
          {
            Username: P.str({ minLength: 1, maxLength: 256 }),
            Password: P.str({ minLength: 1, maxLength: 4096 }),
            AccountSid: Type.Optional(P.sid('AC', "Default: the main account")),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const b = req.body as { Username: string; Password: string; AccountSid?: string };
      const agent = await s.agents.authenticate(b.AccountSid ?? s.mainAccountSid(), b.Username, b.Password);
      const { token, expiresAt } = await s.sessions.create(agent);
      setSessionCookie(req, reply, token);
      reply.code(201);
      return { ...renderAgent(agent, parleyBase(req)), session_expires: isoDate(expiresAt) };
    },
  );

  app.get(`${AGENT_API}/Session`, { schema: { tags, summary: 'The logged-in agent and a fresh realtime access token' }, preHandler: requireAgent(undefined, s.sessions) }, async (req) => {
    const session = agentOf(req);
    const { agent } = session;
    const who = await s.identity.of(agent);
    const ttlSeconds = Math.max(60, Math.min(3600, Math.floor((session.expiresAt - s.identity.now()) / 1000)));
    const minted = await s.identity.token(agent, who, ttlSeconds);
    return {
      ...renderAgent(agent, parleyBase(req)),
      identity: who.identity,
      worker: who.worker,
      chat_service_sid: minted.claims.chatServiceSid ?? null,
      token: minted.token,
      token_expires: isoDate(minted.claims.expiresAt),
      session_expires: isoDate(session.expiresAt),
    };
  });

  app.delete(`${AGENT_API}/Session`, { schema: { tags, summary: 'Log out' } }, async (req, reply) => {
    const session = await s.sessions.resolve(readCookie(req, SESSION_COOKIE));
    if (session) await s.sessions.destroy(session.tokenHash);
    clearSessionCookie(req, reply);
    reply.code(204).send();
  });
}
