import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ProductModule } from '../platform/http/app.js';
import { isoDate } from '../platform/clock.js';
import { P, form } from '../platform/http/params.js';
import { MAX_TTL_SECONDS, TOKEN_ROLES, type MintedToken } from './tokens.js';
import type { TokenService } from './token-service.js';
import { REALTIME_PATH, type Gateway } from './gateway.js';

const tags = ['Parley: realtime'];

function renderToken(t: MintedToken): Record<string, unknown> {
  const c = t.claims;
  return {
    account_sid: c.accountSid,
    identity: c.identity,
    chat_service_sid: c.chatServiceSid ?? null,
    workspace_sid: c.workspaceSid ?? null,
    worker_sid: c.workerSid ?? null,
    role: c.role ?? null,
    conversation_sid: c.conversationSid ?? null,
    key_sid: c.keySid,
    ttl: t.ttlSeconds,
    date_expires: isoDate(c.expiresAt),
    token: t.token,
  };
}

/** POST /parley/v1/Tokens: an access token for the realtime socket (Basic auth, like every product). */
export function tokensModule(tokens: TokenService): ProductModule {
  return {
    label: 'parley',
    register(app: FastifyInstance) {
      app.post(
        '/v1/Tokens',
        {
          schema: {
            tags,
            summary: 'Mint an access token (Twilio AccessToken JWT) for the realtime gateway',
            body: form({
              Identity: P.str({ minLength: 1, maxLength: 256, description: 'The chat identity (grants.identity)' }),
              ChatServiceSid: Type.Optional(P.sid('IS', 'Conversations service (default: the account default)')),
              WorkspaceSid: Type.Optional(P.sid('WS', 'TaskRouter workspace')),
              WorkerSid: Type.Optional(P.sid('WK', 'TaskRouter worker the token acts as')),
              Role: Type.Optional(P.enumOf(TOKEN_ROLES, 'agent, supervisor or admin')),
              ConversationSid: Type.Optional(P.sid('CH', 'Guest token: confined to this conversation')),
              Ttl: Type.Optional(P.int({ minimum: 1, maximum: MAX_TTL_SECONDS, description: 'Lifetime in seconds (default 3600)' })),
            }),
          },
        },
        async (req, reply) => {
          const b = req.body as { Identity: string; ChatServiceSid?: string; WorkspaceSid?: string; WorkerSid?: string; Role?: string; ConversationSid?: string; Ttl?: number };
          const minted = await tokens.issue(req.auth.accountSid, {
            identity: b.Identity,
            ...(b.ChatServiceSid !== undefined ? { chatServiceSid: b.ChatServiceSid } : {}),
            ...(b.WorkspaceSid !== undefined ? { workspaceSid: b.WorkspaceSid } : {}),
            ...(b.WorkerSid !== undefined ? { workerSid: b.WorkerSid } : {}),
            ...(b.Role !== undefined ? { role: b.Role } : {}),
            ...(b.ConversationSid !== undefined ? { conversationSid: b.ConversationSid } : {}),
            ...(b.Ttl !== undefined ? { ttlSeconds: b.Ttl } : {}),
          });
          reply.code(201);
          return renderToken(minted);
        },
      );
    },
  };
}

/** The socket endpoint: outside Basic auth, it authenticates by access token. */
export function realtimeRoutes(gateway: Gateway): (app: FastifyInstance) => void {
  return (app) => {
    app.server.on('upgrade', (req, socket, head: Buffer) => {
      // Another path is someone else's upgrade; with nobody else listening, refuse it rather than hang.
      if (!gateway.handleUpgrade(req, socket, head) && app.server.listenerCount('upgrade') === 1) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
    });
    app.get(REALTIME_PATH, { schema: { tags, summary: 'The realtime WebSocket (upgrade required); see docs/realtime.md' } }, async (_req, reply) => {
      reply.code(426).header('Upgrade', 'websocket');
      return { code: 20001, message: 'This endpoint speaks WebSocket: send an Upgrade request', more_info: 'https://www.twilio.com/docs/errors/20001', status: 426 };
    });
  };
}
