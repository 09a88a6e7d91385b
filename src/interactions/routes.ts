import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import { P, form, listQuery } from '../platform/http/params.js';
import { listEnvelope } from '../platform/http/lists.js';
import { PageLimits, pageRequest, readPage, type PagingQuery } from '../platform/paging.js';
import { PARTICIPANT_TYPES, type ParticipantType } from './input.js';
import { renderChannel, renderInteraction, renderInvite, renderParticipant, renderTransfer } from './render.js';
import type { InteractionsService } from './service.js';
import { CHANNEL_UPDATE_STATUSES, type ChannelsService } from './channels.js';
import { PARTICIPANT_STATUSES, type ChannelParticipantsService } from './participants.js';
import type { InvitesService } from './invites.js';
import type { TransfersService } from './transfers.js';
import type { WebChatsService } from './webchats.js';

export interface InteractionsSystems {
  interactions: InteractionsService;
  channels: ChannelsService;
  participants: ChannelParticipantsService;
  invites: InvitesService;
  transfers: TransfersService;
  webChats: WebChatsService;
}

type Req = FastifyRequest<{ Params: any; Querystring: any; Body: any }>;

interface RouteOptions {
  params?: string[];
  querystring?: TSchema;
  body?: TSchema;
  summary: string;
  /** Twilio's status for this write: Flex answers most creates with 200. */
  status?: number;
  /** The body is JSON (Transfers), not a form. */
  json?: boolean;
}

function route(app: FastifyInstance, method: 'GET' | 'POST', url: string, o: RouteOptions, handler: (req: Req) => Promise<unknown>): void {
  app.route({
    method,
    url,
    ...(o.json ? { config: { json: true } } : {}),
    schema: {
      // Path SIDs are looked up, never pattern-checked: a malformed one is simply not found (20404).
      ...(o.params ? { params: Type.Object(Object.fromEntries(o.params.map((p) => [p, Type.String()]))) } : {}),
      ...(o.querystring ? { querystring: o.querystring } : {}),
      ...(o.body ? { body: o.body } : {}),
      tags: ['flex-api'],
      summary: o.summary,
    },
    handler: async (req, reply) => {
      const out = await handler(req as Req);
      reply.code(o.status ?? 200);
      return out;
    },
  });
}

/** Path parameters; each route declares the ones it has. */
const prm = (req: Req) => req.params as { Sid: string; InteractionSid: string; ChannelSid: string };

const I = '/v1/Interactions/:InteractionSid/Channels/:ChannelSid';
const CHANNEL_PARAMS = ['InteractionSid', 'ChannelSid'];

export function registerInteractionRoutes(app: FastifyInstance, s: InteractionsSystems): void {
  const v1 = (req: Req) => `${req.productBase}/v1`;
  const page = (req: Req) => pageRequest(req.query as PagingQuery, PageLimits.standard);

  route(
    app,
    'POST',
    '/v1/Interactions',
    {
      body: form({ Channel: P.json('The Interaction channel'), Routing: Type.Optional(P.json('The routing rules')), InteractionContextSid: Type.Optional(P.sid('HQ')), WebhookTtid: Type.Optional(P.str()) }),
      summary: 'Create an interaction (200: accepted)',
    },
    async (req) => {
      const b = req.body as { Channel: string; Routing?: string; InteractionContextSid?: string; WebhookTtid?: string };
      const v = await s.interactions.create(req.auth.accountSid, { channel: b.Channel, ...(b.Routing !== undefined ? { routing: b.Routing } : {}), ...(b.InteractionContextSid !== undefined ? { interactionContextSid: b.InteractionContextSid } : {}), ...(b.WebhookTtid !== undefined ? { webhookTtid: b.WebhookTtid } : {}) });
      return renderInteraction(v, v1(req));
    },
  );
  route(app, 'GET', '/v1/Interactions/:Sid', { params: ['Sid'], summary: 'Fetch an interaction' }, async (req) => renderInteraction(await s.interactions.get(req.auth.accountSid, prm(req).Sid), v1(req)));
  route(app, 'POST', '/v1/Interactions/:Sid', { params: ['Sid'], body: form({ WebhookTtid: Type.Optional(P.str()) }), summary: 'Update an interaction' }, async (req) => {
    const b = (req.body ?? {}) as { WebhookTtid?: string };
    return renderInteraction(await s.interactions.update(req.auth.accountSid, prm(req).Sid, b.WebhookTtid !== undefined ? { webhookTtid: b.WebhookTtid } : {}), v1(req));
  });

  route(app, 'GET', '/v1/Interactions/:InteractionSid/Channels', { params: ['InteractionSid'], querystring: listQuery({}), summary: 'List the channels of an interaction' }, async (req) => {
    const p = page(req);
    const { InteractionSid } = req.params as { InteractionSid: string };
    const result = await readPage(p, (w) => s.channels.list(req.auth.accountSid, InteractionSid, w));
    return listEnvelope({ req, key: 'channels', path: `/v1/Interactions/${InteractionSid}/Channels`, page: p, result, render: (c) => renderChannel(c, v1(req)) });
  });
  route(app, 'GET', '/v1/Interactions/:InteractionSid/Channels/:Sid', { params: ['InteractionSid', 'Sid'], summary: 'Fetch an interaction channel' }, async (req) =>
    renderChannel(await s.channels.get(req.auth.accountSid, prm(req).InteractionSid, prm(req).Sid), v1(req)),
  );
  route(
    app,
    'POST',
    '/v1/Interactions/:InteractionSid/Channels/:Sid',
    { params: ['InteractionSid', 'Sid'], body: form({ Status: P.enumOf(CHANNEL_UPDATE_STATUSES), Routing: Type.Optional(P.json('What happens to the tasks')) }), summary: 'Close or park an interaction channel' },
    async (req) => {
      const b = req.body as { Status: (typeof CHANNEL_UPDATE_STATUSES)[number]; Routing?: string };
      return renderChannel(await s.channels.update(req.auth.accountSid, prm(req).InteractionSid, prm(req).Sid, { status: b.Status, ...(b.Routing !== undefined ? { routing: b.Routing } : {}) }), v1(req));
    },
  );

  route(app, 'GET', `${I}/Invites`, { params: CHANNEL_PARAMS, querystring: listQuery({}), summary: 'List the invites of a channel' }, async (req) => {
    const p = page(req);
    const { InteractionSid, ChannelSid } = req.params as { InteractionSid: string; ChannelSid: string };
    const result = await readPage(p, async (w) => (await s.invites.list(req.auth.accountSid, InteractionSid, ChannelSid, w)).map((v) => ({ ...v, seq: v.row.seq })));
    return listEnvelope({ req, key: 'invites', path: `/v1/Interactions/${InteractionSid}/Channels/${ChannelSid}/Invites`, page: p, result, render: (v) => renderInvite(v.row, v.routing, v1(req)) });
  });
  route(app, 'POST', `${I}/Invites`, { params: CHANNEL_PARAMS, body: form({ Routing: P.json('The routing of the new task') }), summary: 'Invite: a new task for the channel (200)' }, async (req) => {
    const v = await s.invites.create(req.auth.accountSid, prm(req).InteractionSid, prm(req).ChannelSid, (req.body as { Routing: string }).Routing);
    return renderInvite(v.row, v.routing, v1(req));
  });

  route(app, 'GET', `${I}/Participants`, { params: CHANNEL_PARAMS, querystring: listQuery({}), summary: 'List the participants of a channel' }, async (req) => {
    const p = page(req);
    const { InteractionSid, ChannelSid } = req.params as { InteractionSid: string; ChannelSid: string };
    const result = await readPage(p, (w) => s.participants.list(req.auth.accountSid, InteractionSid, ChannelSid, w));
    return listEnvelope({ req, key: 'participants', path: `/v1/Interactions/${InteractionSid}/Channels/${ChannelSid}/Participants`, page: p, result, render: (r) => renderParticipant(r, v1(req)) });
  });
  route(
    app,
    'POST',
    `${I}/Participants`,
    { params: CHANNEL_PARAMS, body: form({ Type: P.enumOf(PARTICIPANT_TYPES), MediaProperties: P.json('Who joins: identity, or address and proxy_address'), RoutingProperties: Type.Optional(P.json('task_sid, worker_sid, reservation_sid')) }), summary: 'Add a channel participant (200)' },
    async (req) => {
      const b = req.body as { Type: ParticipantType; MediaProperties: string; RoutingProperties?: string };
      const row = await s.participants.create(req.auth.accountSid, prm(req).InteractionSid, prm(req).ChannelSid, { type: b.Type, mediaProperties: b.MediaProperties, ...(b.RoutingProperties !== undefined ? { routingProperties: b.RoutingProperties } : {}) });
      return renderParticipant(row, v1(req));
    },
  );
  route(app, 'POST', `${I}/Participants/:Sid`, { params: [...CHANNEL_PARAMS, 'Sid'], body: form({ Status: P.enumOf(PARTICIPANT_STATUSES) }), summary: 'Wrap up or close a channel participant' }, async (req) => {
    const b = req.body as { Status: (typeof PARTICIPANT_STATUSES)[number] };
    return renderParticipant(await s.participants.update(req.auth.accountSid, prm(req).InteractionSid, prm(req).ChannelSid, prm(req).Sid, b.Status), v1(req));
  });

  route(app, 'POST', `${I}/Transfers`, { params: CHANNEL_PARAMS, json: true, status: 201, summary: 'Transfer the channel to a worker, queue or workflow (JSON body)' }, async (req) =>
    renderTransfer(await s.transfers.create(req.auth.accountSid, prm(req).InteractionSid, prm(req).ChannelSid, req.body), v1(req)),
  );
  route(app, 'GET', `${I}/Transfers/:Sid`, { params: [...CHANNEL_PARAMS, 'Sid'], summary: 'Fetch a transfer' }, async (req) =>
    renderTransfer(await s.transfers.get(req.auth.accountSid, prm(req).InteractionSid, prm(req).ChannelSid, prm(req).Sid), v1(req)),
  );
  route(app, 'POST', `${I}/Transfers/:Sid`, { params: [...CHANNEL_PARAMS, 'Sid'], json: true, summary: 'Update a transfer (JSON body)' }, async (req) =>
    renderTransfer(await s.transfers.update(req.auth.accountSid, prm(req).InteractionSid, prm(req).ChannelSid, prm(req).Sid, req.body ?? {}), v1(req)),
  );

  route(
    app,
    'POST',
    '/v2/WebChats',
    {
      body: form({ AddressSid: P.str({ minLength: 1 }), ChatFriendlyName: Type.Optional(P.str({ maxLength: 256 })), CustomerFriendlyName: Type.Optional(P.str({ maxLength: 256 })), PreEngagementData: Type.Optional(P.json('Pre-engagement form data')), Identity: Type.Optional(P.str()) }),
      status: 201,
      summary: 'Start a web chat: conversation, guest identity, address integration',
    },
    async (req) => {
      const b = req.body as { AddressSid: string; ChatFriendlyName?: string; CustomerFriendlyName?: string; PreEngagementData?: string; Identity?: string };
      const out = await s.webChats.create(req.auth.accountSid, {
        addressSid: b.AddressSid,
        ...(b.ChatFriendlyName !== undefined ? { chatFriendlyName: b.ChatFriendlyName } : {}),
        ...(b.CustomerFriendlyName !== undefined ? { customerFriendlyName: b.CustomerFriendlyName } : {}),
        ...(b.PreEngagementData !== undefined ? { preEngagementData: b.PreEngagementData } : {}),
        ...(b.Identity !== undefined ? { identity: b.Identity } : {}),
      });
      return { conversation_sid: out.conversationSid, identity: out.identity };
    },
  );
}
