import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, listQuery } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { pageRequest, readPage, PageLimits } from '../../platform/paging.js';
import { resolveScope } from '../scope.js';
import type { ServicesService } from '../services/service.js';
import { BINDING_TYPES, type Binding, type BindingsService } from './service.js';

export function renderBinding(b: Binding, productBase: string): Record<string, unknown> {
  const r = b.row;
  return {
    sid: r.sid,
    account_sid: r.account_sid,
    chat_service_sid: r.service_sid,
    credential_sid: r.credential_sid,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    endpoint: r.endpoint,
    identity: r.identity,
    binding_type: r.binding_type,
    message_types: b.messageTypes,
    url: `${productBase}/v1/Services/${r.service_sid}/Bindings/${r.sid}`,
  };
}

const serviceParam = { ChatServiceSid: P.sid('IS', 'Conversation Service SID') };
const instanceParams = Type.Object({ ...serviceParam, Sid: P.str({ minLength: 1, description: 'Binding SID' }) });

/** Bindings exist only under an explicit service (no un-prefixed /v1/Bindings). */
export function registerBindingRoutes(app: FastifyInstance, services: ServicesService, bindings: BindingsService): void {
  app.get(
    '/v1/Services/:ChatServiceSid/Bindings',
    {
      schema: {
        params: Type.Object(serviceParam),
        querystring: listQuery({
          BindingType: Type.Optional(P.list(P.enumOf(BINDING_TYPES), 'Push technology (repeatable)')),
          Identity: Type.Optional(P.list(P.str(), 'User identity (repeatable)')),
        }),
        tags: ['conversations'],
        summary: 'List push bindings',
      },
    },
    async (req) => {
      const { ChatServiceSid } = req.params as { ChatServiceSid: string };
      const scope = await resolveScope(req, services, ChatServiceSid);
      const q = req.query as { BindingType?: string[]; Identity?: string[]; PageSize?: number; Page?: number; PageToken?: string };
      const page = pageRequest(q, PageLimits.conversations);
      const filter = { ...(q.BindingType ? { bindingTypes: q.BindingType } : {}), ...(q.Identity ? { identities: q.Identity } : {}) };
      const result = await readPage(page, (w) => bindings.list(scope.accountSid, scope.serviceSid, filter, w));
      return listEnvelope({
        req,
        key: 'bindings',
        path: `/v1/Services/${ChatServiceSid}/Bindings`,
        page,
        result,
        filters: { BindingType: q.BindingType, Identity: q.Identity },
        render: (b) => renderBinding(b, req.productBase),
      });
    },
  );

  app.get('/v1/Services/:ChatServiceSid/Bindings/:Sid', { schema: { params: instanceParams, tags: ['conversations'], summary: 'Fetch a push binding' } }, async (req) => {
    const { ChatServiceSid, Sid } = req.params as { ChatServiceSid: string; Sid: string };
    const scope = await resolveScope(req, services, ChatServiceSid);
    return renderBinding(await bindings.get(scope.accountSid, scope.serviceSid, Sid), req.productBase);
  });

  app.delete('/v1/Services/:ChatServiceSid/Bindings/:Sid', { schema: { params: instanceParams, tags: ['conversations'], summary: 'Delete a push binding' } }, async (req, reply) => {
    const { ChatServiceSid, Sid } = req.params as { ChatServiceSid: string; Sid: string };
    const scope = await resolveScope(req, services, ChatServiceSid);
    await bindings.delete(scope.accountSid, scope.serviceSid, Sid);
    reply.code(204).send();
  });
}
