import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, form, listQuery } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { pageRequest, readPage, PageLimits } from '../../platform/paging.js';
import { AUTO_CREATION_TYPES, type AddressConfiguration, type AddressesService, type AutoCreationInput } from './service.js';

export function renderAddress(a: AddressConfiguration, productBase: string): Record<string, unknown> {
  const r = a.row;
  const ac = a.autoCreation;
  // Twilio shows only the settings of the chosen auto-creation type.
  const auto_creation: Record<string, unknown> = { enabled: ac.enabled, type: ac.type, conversation_service_sid: a.serviceSid };
  if (ac.type === 'webhook') Object.assign(auto_creation, { webhook_url: ac.webhook_url, webhook_method: ac.webhook_method, webhook_filters: ac.webhook_filters });
  if (ac.type === 'studio') Object.assign(auto_creation, { studio_flow_sid: ac.studio_flow_sid, studio_retry_count: ac.studio_retry_count });
  return {
    sid: r.sid,
    account_sid: r.account_sid,
    type: r.type,
    address: r.address,
    friendly_name: r.friendly_name,
    auto_creation,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    url: `${productBase}/v1/Configuration/Addresses/${r.sid}`,
    address_country: r.address_country,
  };
}

const autoCreationBody = {
  'AutoCreation.Enabled': Type.Optional(P.bool()),
  'AutoCreation.Type': Type.Optional(P.enumOf(AUTO_CREATION_TYPES)),
  'AutoCreation.ConversationServiceSid': Type.Optional(P.str()),
  'AutoCreation.WebhookUrl': Type.Optional(P.str()),
  'AutoCreation.WebhookMethod': Type.Optional(P.str({ description: 'GET or POST' })),
  'AutoCreation.WebhookFilters': Type.Optional(P.list(P.str())),
  'AutoCreation.StudioFlowSid': Type.Optional(P.str()),
  'AutoCreation.StudioRetryCount': Type.Optional(P.int()),
};
const updateBody = { FriendlyName: Type.Optional(P.str()), ...autoCreationBody };
const createBody = { Type: P.str({ description: 'sms, whatsapp, messenger, gbm, email, rcs, apple or chat' }), Address: P.str(), AddressCountry: Type.Optional(P.str()), ...updateBody };

type Body = Record<string, unknown> & { FriendlyName?: string };

function autoCreationInput(b: Body): AutoCreationInput {
  return {
    enabled: b['AutoCreation.Enabled'] as boolean | undefined,
    type: b['AutoCreation.Type'] as AutoCreationInput['type'],
    conversationServiceSid: b['AutoCreation.ConversationServiceSid'] as string | undefined,
    webhookUrl: b['AutoCreation.WebhookUrl'] as string | undefined,
    webhookMethod: b['AutoCreation.WebhookMethod'] as string | undefined,
    webhookFilters: b['AutoCreation.WebhookFilters'] as string[] | undefined,
    studioFlowSid: b['AutoCreation.StudioFlowSid'] as string | undefined,
    studioRetryCount: b['AutoCreation.StudioRetryCount'] as number | undefined,
  };
}

const tags = ['conversations'];
const sidParams = Type.Object({ Sid: P.str({ minLength: 1, description: 'IG SID or the address itself' }) });

export function registerAddressRoutes(app: FastifyInstance, addresses: AddressesService): void {
  app.post('/v1/Configuration/Addresses', { schema: { tags, summary: 'Create an address configuration', body: form(createBody) } }, async (req, reply) => {
    const b = req.body as Body & { Type: string; Address: string; AddressCountry?: string };
    const a = await addresses.create(req.auth.accountSid, { type: b.Type, address: b.Address, addressCountry: b.AddressCountry, friendlyName: b.FriendlyName, autoCreation: autoCreationInput(b) });
    reply.code(201);
    return renderAddress(a, req.productBase);
  });

  app.get('/v1/Configuration/Addresses', { schema: { tags, summary: 'List address configurations', querystring: listQuery({ Type: Type.Optional(P.str()) }) } }, async (req) => {
    const q = req.query as { Type?: string; PageSize?: number; Page?: number; PageToken?: string };
    const page = pageRequest(q, PageLimits.conversationsSmall);
    const result = await readPage(page, (w) => addresses.list(req.auth.accountSid, q.Type, w));
    return listEnvelope({
      req,
      key: 'address_configurations',
      path: '/v1/Configuration/Addresses',
      page,
      result,
      filters: { Type: q.Type },
      render: (a) => renderAddress(a, req.productBase),
    });
  });

  app.get('/v1/Configuration/Addresses/:Sid', { schema: { tags, summary: 'Fetch an address configuration', params: sidParams } }, async (req) => {
    const { Sid } = req.params as { Sid: string };
    return renderAddress(await addresses.get(req.auth.accountSid, Sid), req.productBase);
  });

  app.post('/v1/Configuration/Addresses/:Sid', { schema: { tags, summary: 'Update an address configuration', params: sidParams, body: form(updateBody) } }, async (req) => {
    const { Sid } = req.params as { Sid: string };
    const b = req.body as Body;
    return renderAddress(await addresses.update(req.auth.accountSid, Sid, { friendlyName: b.FriendlyName, autoCreation: autoCreationInput(b) }), req.productBase);
  });

  app.delete('/v1/Configuration/Addresses/:Sid', { schema: { tags, summary: 'Delete an address configuration', params: sidParams } }, async (req, reply) => {
    const { Sid } = req.params as { Sid: string };
    await addresses.delete(req.auth.accountSid, Sid);
    reply.code(204).send();
  });
}
