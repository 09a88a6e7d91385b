import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, form, listQuery } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { pageRequest, readPage, PageLimits } from '../../platform/paging.js';
import type { ServicesService } from './service.js';
import type { ServiceRow } from './store.js';

export function renderService(r: ServiceRow, productBase: string): Record<string, unknown> {
  const url = `${productBase}/v1/Services/${r.sid}`;
  return {
    account_sid: r.account_sid,
    sid: r.sid,
    friendly_name: r.friendly_name,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    url,
    links: {
      conversations: `${url}/Conversations`,
      users: `${url}/Users`,
      roles: `${url}/Roles`,
      bindings: `${url}/Bindings`,
      configuration: `${url}/Configuration`,
      participant_conversations: `${url}/ParticipantConversations`,
    },
  };
}

const sidParams = Type.Object({ Sid: P.sid('IS') });

export function registerServiceRoutes(app: FastifyInstance, services: ServicesService): void {
  app.post('/v1/Services', { schema: { body: form({ FriendlyName: P.str({ minLength: 1, maxLength: 256 }) }), tags: ['conversations'] } }, async (req, reply) => {
    const body = req.body as { FriendlyName: string };
    const row = await services.create(req.auth.accountSid, body.FriendlyName);
    reply.code(201);
    return renderService(row, req.productBase);
  });
  app.get('/v1/Services', { schema: { querystring: listQuery({}), tags: ['conversations'] } }, async (req) => {
    const page = pageRequest(req.query as object, PageLimits.conversations);
    const result = await readPage(page, (w) => services.list(req.auth.accountSid, w));
    return listEnvelope({ req, key: 'services', path: '/v1/Services', page, result, render: (r) => renderService(r, req.productBase) });
  });
  app.get('/v1/Services/:Sid', { schema: { params: sidParams, tags: ['conversations'] } }, async (req) => {
    const { Sid } = req.params as { Sid: string };
    return renderService(await services.get(req.auth.accountSid, Sid), req.productBase);
  });
  app.delete('/v1/Services/:Sid', { schema: { params: sidParams, tags: ['conversations'] } }, async (req, reply) => {
    const { Sid } = req.params as { Sid: string };
    await services.delete(req.auth.accountSid, Sid);
    reply.code(204).send();
  });
}
