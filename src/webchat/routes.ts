import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { isoDate } from '../platform/clock.js';
import { requestOrigin } from '../platform/http/context.js';
import type { WebChatSessions, GuestToken } from './sessions.js';
import { GUEST_MEDIA_MAX_BYTES, type GuestConversation } from './guest.js';
import type { QueuePositions } from './queue.js';

export const WEBCHAT_PREFIX = '/webchat/v1';
const tags = ['Parley: web chat (browsers)'];
/** Raster images only: an SVG or HTML "image" would run script wherever the widget shows it. */
const INLINE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export interface WebChatRouteDeps {
  sessions: WebChatSessions;
  guest: GuestConversation;
  queue: QueuePositions;
  publicUrl: string | undefined;
}

const sessionParams = Type.Object({ ConversationSid: Type.String({ minLength: 1, maxLength: 64 }) });
const mediaParams = Type.Object({ ConversationSid: Type.String({ minLength: 1, maxLength: 64 }), MediaSid: Type.String({ minLength: 1, maxLength: 64 }) });
const opt = (max: number) => Type.Optional(Type.String({ maxLength: max }));

function renderToken(t: GuestToken): Record<string, unknown> {
  return { accountSid: t.accountSid, conversationSid: t.conversationSid, identity: t.identity, token: t.token, expiresAt: isoDate(t.expiresAt) };
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return h && /^bearer /i.test(h) ? h.slice(7).trim() : undefined;
}

/**
 * The browser API of the web chat widget (docs/webchat.md), outside Basic auth:
 * a session starts from an allowed Origin; later calls carry the guest access
 * token (`Authorization: Bearer`) or, to get a new one, the resume secret.
 * Bodies and answers are JSON (camelCase, like Twilio's web chat app backend).
 */
export function webchatRoutes(deps: WebChatRouteDeps): (app: FastifyInstance) => Promise<void> {
  const { sessions, guest, queue } = deps;
  const self = (req: FastifyRequest) => requestOrigin(req, deps.publicUrl);
  const origin = (req: FastifyRequest) => req.headers.origin;
  const session = (req: FastifyRequest) => sessions.authenticate(bearer(req), (req.params as { ConversationSid: string }).ConversationSid, origin(req), self(req));

  return async (app) => {
    // Credentials here are explicit (a token or a secret in the request), never cookies, so letting any page read
    // the answers leaks nothing its caller did not already hold; who may start or resume a chat is decided by the
    // address's allowed origins, server-side, on every call.
    app.addHook('onSend', async (req, reply) => {
      if (!req.url.startsWith(WEBCHAT_PREFIX)) return;
      const o = origin(req);
      if (o) reply.header('Access-Control-Allow-Origin', o).header('Vary', 'Origin');
    });
    app.options(`${WEBCHAT_PREFIX}/*`, { schema: { hide: true } }, async (_req, reply) => {
      reply
        .code(204)
        .header('Access-Control-Allow-Methods', 'GET, POST')
        .header('Access-Control-Allow-Headers', 'Authorization, Content-Type')
        .header('Access-Control-Max-Age', '600');
    });

    app.post(
      `${WEBCHAT_PREFIX}/Sessions`,
      {
        schema: {
          tags,
          summary: 'Start a web chat from a browser: conversation, guest, first message, access token',
          body: Type.Object(
            {
              address: Type.String({ minLength: 1, maxLength: 256, description: 'The chat address configuration: IG SID or address (e.g. parley-webchat)' }),
              accountSid: Type.Optional(Type.String({ pattern: '^AC[0-9a-fA-F]{32}$', description: 'Owner of the address (default: the main account)' })),
              friendlyName: opt(256),
              email: opt(320),
              question: opt(4000),
              userToken: opt(8192),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const b = req.body as { address: string; accountSid?: string; friendlyName?: string; email?: string; question?: string; userToken?: string };
        const started = await sessions.start({ ...b, origin: origin(req), self: self(req) });
        reply.code(201);
        return { ...renderToken(started), resumeSecret: started.resumeSecret };
      },
    );

    app.post(
      `${WEBCHAT_PREFIX}/Sessions/:ConversationSid/Token`,
      {
        schema: {
          tags,
          summary: 'A new guest access token, proved by the resume secret',
          params: sessionParams,
          body: Type.Object({ accountSid: Type.String({ pattern: '^AC[0-9a-fA-F]{32}$' }), resumeSecret: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
        },
      },
      async (req) => {
        const { ConversationSid } = req.params as { ConversationSid: string };
        const b = req.body as { accountSid: string; resumeSecret: string };
        return renderToken(await sessions.refresh(b.accountSid, ConversationSid, b.resumeSecret, origin(req), self(req)));
      },
    );

    app.get(`${WEBCHAT_PREFIX}/Sessions/:ConversationSid`, { schema: { tags, summary: 'The chat as it stands: state, recent messages, participants, stream position', params: sessionParams } }, async (req) => {
      const s = await guest.snapshot(await session(req));
      return {
        ...s,
        messages: s.messages.map((m) => ({ ...m, dateCreated: isoDate(m.dateCreated) })),
      };
    });

    app.get(`${WEBCHAT_PREFIX}/Sessions/:ConversationSid/Queue`, { schema: { tags, summary: "The chat's place in its TaskRouter queue and an estimated wait", params: sessionParams } }, async (req) => {
      const s = await session(req);
      return queue.of(s.account_sid, s.conversation_sid);
    });

    await app.register(async (media) => {
      // Any body is the file: its Content-Type says what it is.
      media.removeAllContentTypeParsers();
      media.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: GUEST_MEDIA_MAX_BYTES }, (_req, body, done) => done(null, body));
      media.post(
        `${WEBCHAT_PREFIX}/Sessions/:ConversationSid/Media`,
        {
          bodyLimit: GUEST_MEDIA_MAX_BYTES,
          schema: { tags, summary: 'Upload a file to attach to a message (raw body; filename in the query)', params: sessionParams, querystring: Type.Object({ filename: Type.Optional(Type.String({ maxLength: 256 })) }, { additionalProperties: false }) },
        },
        async (req, reply) => {
          const s = await session(req);
          const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          const meta = await guest.upload(s, req.headers['content-type'] ?? '', data, (req.query as { filename?: string }).filename);
          reply.code(201);
          return { sid: meta.sid, contentType: meta.content_type, filename: meta.filename, size: meta.size };
        },
      );
    });

    app.get(`${WEBCHAT_PREFIX}/Sessions/:ConversationSid/Media/:MediaSid`, { schema: { tags, summary: "A file of the guest's conversation", params: mediaParams } }, async (req, reply) => {
      const s = await session(req);
      const file = await guest.content(s, (req.params as { MediaSid: string }).MediaSid);
      const inline = INLINE_TYPES.has(file.contentType.split(';')[0]!.trim().toLowerCase());
      reply.type(inline ? file.contentType : 'application/octet-stream');
      reply.header('X-Content-Type-Options', 'nosniff').header('Content-Security-Policy', "sandbox; default-src 'none'");
      reply.header('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.filename ?? 'file')}`);
      return reply.send(file.data);
    });
  };
}
