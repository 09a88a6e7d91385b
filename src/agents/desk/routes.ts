import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TProperties } from '@sinclair/typebox';
import { MEDIA_MAX_BYTES } from '../../media/limits.js';
import { P } from '../../platform/http/params.js';
import { AGENT_API, agentOf, requireAgent, type AgentSessions } from '../session.js';
import { RESERVATION_STATUSES } from '../../taskrouter/reservations/service.js';
import type { Desk } from './service.js';
import { DeskTasks, OUTBOUND_CHANNELS, TRANSFER_KINDS } from './tasks.js';
import { DeskConversations } from './conversations.js';

const tags = ['Parley: agent desktop'];
const sidParams = Type.Object({ Sid: Type.String({ maxLength: 34 }) });
const body = <T extends TProperties>(props: T) => Type.Object(props, { additionalProperties: false });
const params = (req: FastifyRequest) => req.params as { Sid: string };

/**
 * /agent-api/v1: what the agent desktop does, as the logged-in agent's own
 * worker (the session cookie; JSON or form bodies). Everything goes through
 * the products' services in process.
 */
export function registerDeskRoutes(app: FastifyInstance, desk: Desk, sessions: AgentSessions): void {
  const tasks = new DeskTasks(desk);
  const conversations = new DeskConversations(desk);
  const preHandler = requireAgent(undefined, sessions);
  // A POST without a body (Complete, Wrapup) is an empty form, not a validation failure.
  app.addHook('preValidation', async (req) => {
    if (req.method === 'POST' && req.body === undefined) req.body = {};
  });
  const opts = (summary: string, schema: Record<string, unknown> = {}) => ({ schema: { tags, summary, ...schema }, preHandler });

  app.get(`${AGENT_API}/Worker`, opts("The agent's worker and the workspace's activities"), async (req) => desk.worker(agentOf(req)));
  app.post(`${AGENT_API}/Worker`, opts('Switch activity (Available, Unavailable, Offline, Break…)', { body: body({ ActivitySid: P.sid('WA') }) }), async (req) => {
    return desk.setActivity(agentOf(req), (req.body as { ActivitySid: string }).ActivitySid);
  });

  app.get(`${AGENT_API}/Reservations`, opts("The agent's reservations (default: pending, with their timeout date)", { querystring: body({ Status: Type.Optional(P.enumOf(RESERVATION_STATUSES)) }) }), async (req) => {
    return { reservations: await desk.reservations(agentOf(req), (req.query as { Status?: string }).Status) };
  });
  app.post(`${AGENT_API}/Reservations/:Sid`, opts('Accept or reject an offer', { params: sidParams, body: body({ Status: P.enumOf(['accepted', 'rejected'] as const) }) }), async (req) => {
    return desk.answer(agentOf(req), params(req).Sid, (req.body as { Status: 'accepted' | 'rejected' }).Status);
  });

  app.get(`${AGENT_API}/Tasks`, opts('Tasks assigned to the agent or wrapping up, with their conversation'), async (req) => ({ tasks: await desk.tasks(agentOf(req)) }));
  app.get(`${AGENT_API}/Tasks/:Sid/Context`, opts("The task's customer: channel, address, attributes, earlier conversations", { params: sidParams }), async (req) => conversations.context(agentOf(req), params(req).Sid));
  app.get(`${AGENT_API}/Tasks/:Sid/History`, opts("Transcripts of the customer's earlier conversations", { params: sidParams }), async (req) => ({ conversations: await conversations.history(agentOf(req), params(req).Sid) }));
  app.post(
    `${AGENT_API}/Tasks/:Sid/Wrapup`,
    opts('Leave the conversation and wrap up (the last agent out closes it unless KeepOpen)', { params: sidParams, body: body({ Disposition: Type.Optional(P.str({ maxLength: 256 })), KeepOpen: Type.Optional(P.bool()) }) }),
    async (req) => {
      const b = (req.body ?? {}) as { Disposition?: string; KeepOpen?: boolean };
      return tasks.wrapup(agentOf(req), params(req).Sid, { ...(b.Disposition !== undefined ? { disposition: b.Disposition } : {}), ...(b.KeepOpen !== undefined ? { keepOpen: b.KeepOpen } : {}) });
    },
  );
  app.post(`${AGENT_API}/Tasks/:Sid/Complete`, opts('Complete the task, with a disposition in its attributes', { params: sidParams, body: body({ Disposition: Type.Optional(P.str({ maxLength: 256 })) }) }), async (req) => {
    const b = (req.body ?? {}) as { Disposition?: string };
    return tasks.complete(agentOf(req), params(req).Sid, b.Disposition !== undefined ? { disposition: b.Disposition } : {});
  });
  app.post(
    `${AGENT_API}/Tasks/:Sid/Transfer`,
    opts('Transfer the conversation to a worker (WK) or a queue (WQ)', { params: sidParams, body: body({ To: P.str({ maxLength: 34 }), Type: Type.Optional(P.enumOf(TRANSFER_KINDS)) }) }),
    async (req, reply) => {
      const b = req.body as { To: string; Type?: string };
      reply.code(201);
      return tasks.transfer(agentOf(req), params(req).Sid, { to: b.To, ...(b.Type !== undefined ? { kind: b.Type } : {}) });
    },
  );
  app.post(`${AGENT_API}/Tasks/:Sid/Invite`, opts('Invite a second agent (WK) or a queue (WQ) into the conversation', { params: sidParams, body: body({ To: P.str({ maxLength: 34 }) }) }), async (req, reply) => {
    reply.code(201);
    return tasks.invite(agentOf(req), params(req).Sid, { to: (req.body as { To: string }).To });
  });

  app.get(`${AGENT_API}/Directory`, opts('Workers and queues to transfer to or invite'), async (req) => desk.directory(agentOf(req)));
  app.post(
    `${AGENT_API}/Outbound`,
    opts('Start an outbound conversation (SMS, WhatsApp, email) routed to this agent', {
      body: body({
        Channel: P.enumOf(OUTBOUND_CHANNELS),
        To: P.str({ minLength: 1, maxLength: 256 }),
        From: Type.Optional(P.str({ maxLength: 256 })),
        Body: Type.Optional(P.str({ maxLength: 1600 })),
        Subject: Type.Optional(P.str({ maxLength: 256, description: 'Email only: the subject (the conversation friendly name)' })),
      }),
    }),
    async (req, reply) => {
      const b = req.body as { Channel: string; To: string; From?: string; Body?: string; Subject?: string };
      reply.code(201);
      return tasks.outbound(agentOf(req), {
        channel: b.Channel,
        to: b.To,
        ...(b.From !== undefined ? { from: b.From } : {}),
        ...(b.Body !== undefined ? { body: b.Body } : {}),
        ...(b.Subject !== undefined ? { subject: b.Subject } : {}),
      });
    },
  );

  app.get(`${AGENT_API}/Conversations/:Sid`, opts('A transcript: participants, messages, media, delivery', { params: sidParams }), async (req) => conversations.transcript(agentOf(req), params(req).Sid));

  app.get(`${AGENT_API}/Media/:Sid`, opts('Download a file of a conversation the agent may read', { params: sidParams }), async (req, reply) => {
    const { meta, data } = await conversations.media(agentOf(req), params(req).Sid);
    // Uploaded files are untrusted: never sniffed, never scripted, only images/audio/video shown inline.
    const inline = /^(image\/(png|jpe?g|gif|webp)|audio\/|video\/)/.test(meta.content_type);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Content-Security-Policy', "default-src 'none'; sandbox");
    reply.header('Cache-Control', 'private, max-age=3600');
    reply.header('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(meta.filename ?? meta.sid)}`);
    reply.type(inline ? meta.content_type : 'application/octet-stream');
    return reply.send(data);
  });

  // Uploads are raw bytes of any type: a scope of their own keeps JSON and forms parsed elsewhere.
  void app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MEDIA_MAX_BYTES }, (_req, b, done) => done(null, b));
    raw.post(
      `${AGENT_API}/Conversations/:Sid/Media`,
      opts("Upload a file for a message (raw body with its Content-Type; checked against the conversation's channels)", {
        params: sidParams,
        querystring: body({ Filename: Type.Optional(Type.String({ maxLength: 256 })) }),
      }),
      async (req, reply) => {
        const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const filename = (req.query as { Filename?: string }).Filename;
        reply.code(201);
        return conversations.upload(agentOf(req), params(req).Sid, { contentType: req.headers['content-type'] ?? '', data, ...(filename ? { filename } : {}) });
      },
    );
  });
}
