import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { P, form } from '../platform/http/params.js';
import { AGENT_API, agentOf, requireAgent } from '../agents/session.js';
import type { WhispersService } from './whispers.js';
import type { SupervisorOverview } from './overview.js';
import type { ConversationMonitor } from './monitor.js';

const tags = ['Parley: supervision'];
const staff = requireAgent(['supervisor', 'admin']);
const anyAgent = requireAgent();
const conversationParams = Type.Object({ Sid: P.sid('CH', 'The conversation') });

export interface SupervisionRoutesDeps {
  whispers: WhispersService;
  overview: SupervisorOverview;
  monitor: ConversationMonitor;
}

/**
 * The supervisor view's API and whispers, under /agent-api/v1 (the agent session
 * cookie, outside Basic auth). Supervisor endpoints need role supervisor or admin;
 * whispers also accept the agents taking part in the conversation.
 */
export function registerSupervisionRoutes(app: FastifyInstance, d: SupervisionRoutesDeps): void {
  app.get(
    `${AGENT_API}/Supervisor/Overview`,
    { schema: { tags, summary: "The supervisor's workspace: workers, their activity and tasks, live tasks, queue statistics" }, preHandler: staff },
    async (req) => {
      const { agent } = agentOf(req);
      return d.overview.workspace(agent.account_sid, agent.workspace_sid);
    },
  );

  app.get(
    `${AGENT_API}/Supervisor/Conversations/:Sid`,
    { schema: { tags, summary: 'Silent monitoring: a conversation, its participants, recent messages and whispers', params: conversationParams }, preHandler: staff },
    async (req) => {
      const { agent } = agentOf(req);
      const sid = (req.params as { Sid: string }).Sid;
      const snapshot = await d.monitor.snapshot(agent.account_sid, sid);
      return { ...snapshot, whispers: await d.whispers.list(agent.account_sid, sid) };
    },
  );

  app.get(
    `${AGENT_API}/Supervisor/Conversations/:Sid/Media/:MediaSid`,
    { schema: { tags, summary: "An attachment of a monitored conversation's message", params: Type.Object({ Sid: P.sid('CH'), MediaSid: P.sid('ME') }) }, preHandler: staff },
    async (req, reply) => {
      const { agent } = agentOf(req);
      const p = req.params as { Sid: string; MediaSid: string };
      const file = await d.monitor.media(agent.account_sid, p.Sid, p.MediaSid);
      reply.type(file.contentType);
      reply.header('Cache-Control', 'private, max-age=300');
      reply.header('X-Content-Type-Options', 'nosniff');
      // Shown in the page, never rendered as a document of this origin.
      reply.header('Content-Disposition', `${/^(image|audio|video)\//.test(file.contentType) ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.filename ?? p.MediaSid)}`);
      return reply.send(file.data);
    },
  );

  app.get(
    `${AGENT_API}/Conversations/:Sid/Whispers`,
    { schema: { tags, summary: "A conversation's whispers (supervisors, and the agents taking part in it)", params: conversationParams, querystring: Type.Object({ PageSize: Type.Optional(P.int({ minimum: 1, maximum: 200 })) }) }, preHandler: anyAgent },
    async (req) => {
      const sid = (req.params as { Sid: string }).Sid;
      const author = await d.whispers.authorize(agentOf(req).agent, sid);
      return { whispers: await d.whispers.list(author.agent.account_sid, sid, (req.query as { PageSize?: number }).PageSize) };
    },
  );

  app.post(
    `${AGENT_API}/Conversations/:Sid/Whispers`,
    { schema: { tags, summary: 'Whisper: a note only agents and supervisors see (never the customer, never a message or webhook)', params: conversationParams, body: form({ Body: P.str({ maxLength: 8192 }) }) }, preHandler: anyAgent },
    async (req, reply) => {
      const sid = (req.params as { Sid: string }).Sid;
      const author = await d.whispers.authorize(agentOf(req).agent, sid);
      const whisper = await d.whispers.create(author, sid, (req.body as { Body: string }).Body);
      reply.code(201);
      return whisper;
    },
  );
}
