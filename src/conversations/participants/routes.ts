import { Type } from '@sinclair/typebox';
import { Errors } from '../../platform/errors.js';
import { P, form, listQuery, dateParam, parseJsonParam } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { pageRequest, readPage, PageLimits, type PagingQuery } from '../../platform/paging.js';
import { restSource, type Mirror } from '../scope.js';
import { conversationBody, conversationInput, renderConversation, type ConversationBody } from '../conversation/routes.js';
import { nullable } from './binding.js';
import { renderParticipant, renderParticipantConversation } from './render.js';
import type { ParticipantInput, ParticipantsService, ParticipantUpdate } from './service.js';

const createBody = {
  Identity: Type.Optional(P.str()),
  'MessagingBinding.Address': Type.Optional(P.str()),
  'MessagingBinding.ProxyAddress': Type.Optional(P.str()),
  'MessagingBinding.ProjectedAddress': Type.Optional(P.str()),
  Attributes: Type.Optional(P.json('Attributes')),
  RoleSid: Type.Optional(P.sid('RL', 'Conversation-level role')),
  DateCreated: Type.Optional(P.date('Date created')),
  DateUpdated: Type.Optional(P.date('Date updated')),
};
type CreateBody = {
  Identity?: string;
  'MessagingBinding.Address'?: string;
  'MessagingBinding.ProxyAddress'?: string;
  'MessagingBinding.ProjectedAddress'?: string;
  Attributes?: string;
  RoleSid?: string;
  DateCreated?: string;
  DateUpdated?: string;
};

const updateBody = {
  Identity: Type.Optional(P.str()),
  Attributes: Type.Optional(P.json('Attributes')),
  RoleSid: Type.Optional(P.sid('RL', 'Conversation-level role')),
  'MessagingBinding.ProxyAddress': Type.Optional(P.str({ description: '"null" removes it' })),
  'MessagingBinding.ProjectedAddress': Type.Optional(P.str({ description: '"null" removes it' })),
  // Nullable integer: a string here so that "null" can clear it.
  LastReadMessageIndex: Type.Optional(P.str({ description: 'Index of the last read message, or null' })),
  LastReadTimestamp: Type.Optional(P.str({ description: 'Timestamp of the last read message (ISO 8601), or null' })),
  DateCreated: Type.Optional(P.date('Date created')),
  DateUpdated: Type.Optional(P.date('Date updated')),
};
type UpdateBody = {
  Identity?: string;
  Attributes?: string;
  RoleSid?: string;
  'MessagingBinding.ProxyAddress'?: string;
  'MessagingBinding.ProjectedAddress'?: string;
  LastReadMessageIndex?: string;
  LastReadTimestamp?: string;
  DateCreated?: string;
  DateUpdated?: string;
};

const listParams = Type.Object({ ConversationSid: P.sidOrName('Conversation SID or unique name') });
const instanceParams = Type.Object({ ConversationSid: P.sidOrName('Conversation SID or unique name'), Sid: P.sidOrName('Participant SID or identity') });
type InstanceParams = { ConversationSid: string; Sid: string };

export function registerParticipantRoutes(m: Mirror, participants: ParticipantsService): void {
  m.route('POST', '/Conversations/:ConversationSid/Participants', { params: listParams, body: form(createBody), summary: 'Add a participant to a conversation' }, async (req, scope) => {
    const b = req.body as CreateBody;
    const input: ParticipantInput = {
      identity: b.Identity,
      address: b['MessagingBinding.Address'],
      proxyAddress: b['MessagingBinding.ProxyAddress'],
      projectedAddress: b['MessagingBinding.ProjectedAddress'],
      attributes: b.Attributes,
      roleSid: b.RoleSid,
      dateCreated: dateParam('DateCreated', b.DateCreated),
      dateUpdated: dateParam('DateUpdated', b.DateUpdated),
    };
    const p = await participants.create(restSource(req), scope.serviceSid, (req.params as { ConversationSid: string }).ConversationSid, input);
    return renderParticipant(p, scope);
  });

  m.route('GET', '/Conversations/:ConversationSid/Participants', { params: listParams, querystring: listQuery({}), summary: 'List the participants of a conversation' }, async (req, scope) => {
    const conversation = (req.params as { ConversationSid: string }).ConversationSid;
    const page = pageRequest(req.query as PagingQuery, PageLimits.conversations);
    const result = await readPage(page, (w) => participants.list(scope.accountSid, scope.serviceSid, conversation, w));
    return listEnvelope({
      req,
      key: 'participants',
      path: scope.base.slice(req.productBase.length) + `/Conversations/${encodeURIComponent(conversation)}/Participants`,
      page,
      result,
      render: (p) => renderParticipant(p, scope),
    });
  });

  m.route('GET', '/Conversations/:ConversationSid/Participants/:Sid', { params: instanceParams, summary: 'Fetch a participant' }, async (req, scope) => {
    const { ConversationSid, Sid } = req.params as InstanceParams;
    return renderParticipant(await participants.get(scope.accountSid, scope.serviceSid, ConversationSid, Sid), scope);
  });

  m.route('POST', '/Conversations/:ConversationSid/Participants/:Sid', { params: instanceParams, body: form(updateBody), summary: 'Update a participant' }, async (req, scope) => {
    const { ConversationSid, Sid } = req.params as InstanceParams;
    const b = req.body as UpdateBody;
    const input: ParticipantUpdate = {
      identity: b.Identity,
      attributes: b.Attributes,
      roleSid: b.RoleSid,
      proxyAddress: nullable(b['MessagingBinding.ProxyAddress']),
      projectedAddress: nullable(b['MessagingBinding.ProjectedAddress']),
      lastReadMessageIndex: nullableIndex(b.LastReadMessageIndex),
      lastReadTimestamp: nullableDate('LastReadTimestamp', b.LastReadTimestamp),
      dateCreated: dateParam('DateCreated', b.DateCreated),
      dateUpdated: dateParam('DateUpdated', b.DateUpdated),
    };
    return renderParticipant(await participants.update(restSource(req), scope.serviceSid, ConversationSid, Sid, input), scope);
  });

  m.route('DELETE', '/Conversations/:ConversationSid/Participants/:Sid', { params: instanceParams, summary: 'Remove a participant' }, async (req, scope) => {
    const { ConversationSid, Sid } = req.params as InstanceParams;
    await participants.delete(restSource(req), scope.serviceSid, ConversationSid, Sid);
  });

  m.route(
    'POST',
    '/ConversationWithParticipants',
    { body: form({ ...conversationBody, Participant: Type.Optional(P.list(P.str(), 'A participant as a JSON string (at most 10)')) }), summary: 'Create a conversation with its participants' },
    async (req, scope) => {
      const b = req.body as ConversationBody & { Participant?: string[] };
      const list = (b.Participant ?? []).map(participantJson);
      const c = await participants.createWithParticipants(restSource(req), scope.serviceSid, conversationInput(b), list);
      return renderConversation(c, scope);
    },
  );

  m.route(
    'GET',
    '/ParticipantConversations',
    { querystring: listQuery({ Identity: Type.Optional(P.str()), Address: Type.Optional(P.str()) }), summary: 'List the conversations of a participant, by identity or by address' },
    async (req, scope) => {
      const q = req.query as PagingQuery & { Identity?: string; Address?: string };
      if ((q.Identity === undefined) === (q.Address === undefined)) throw Errors.invalidParameter('Exactly one of Identity or Address is required');
      const match = q.Identity !== undefined ? { identity: q.Identity } : { address: q.Address! };
      const page = pageRequest(q, PageLimits.conversationsSmall);
      const result = await readPage(page, (w) => participants.participantConversations(scope.accountSid, scope.serviceSid, match, w));
      return listEnvelope({
        req,
        key: 'conversations',
        path: scope.base.slice(req.productBase.length) + '/ParticipantConversations',
        page,
        result,
        filters: { Identity: q.Identity, Address: q.Address },
        render: (pc) => renderParticipantConversation(pc, scope),
      });
    },
  );
}

function nullableIndex(value: string | undefined): number | null | undefined {
  const v = nullable(value);
  if (v === undefined || v === null) return v;
  if (!/^\d+$/.test(v)) throw Errors.invalidParameter(`LastReadMessageIndex must be a non-negative integer or null, got "${v}"`);
  return Number(v);
}

function nullableDate(name: string, value: string | undefined): number | null | undefined {
  const v = nullable(value);
  return v === undefined || v === null ? v : dateParam(name, v);
}

const PARTICIPANT_KEYS = ['identity', 'messaging_binding', 'attributes', 'role_sid', 'date_created', 'date_updated'];
const BINDING_KEYS = ['address', 'proxy_address', 'projected_address'];

/** One `Participant` parameter of ConversationWithParticipants: a JSON object in the Participant resource's snake_case fields. */
function participantJson(value: string, i: number): ParticipantInput {
  const name = `Participant[${i}]`;
  const o = parseJsonParam(name, value);
  if (!isObject(o)) throw Errors.invalidParameter(`${name} must be a JSON object`);
  const unknown = Object.keys(o).find((k) => !PARTICIPANT_KEYS.includes(k));
  if (unknown) throw Errors.invalidParameter(`${name} has an unknown field ${unknown}`);
  const binding = o.messaging_binding ?? {};
  if (!isObject(binding)) throw Errors.invalidParameter(`${name}.messaging_binding must be a JSON object`);
  const unknownBinding = Object.keys(binding).find((k) => !BINDING_KEYS.includes(k));
  if (unknownBinding) throw Errors.invalidParameter(`${name}.messaging_binding has an unknown field ${unknownBinding}`);
  const str = (field: string, v: unknown): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw Errors.invalidParameter(`${name}.${field} must be a string`);
    return v;
  };
  // Attributes are a JSON string on the wire; an embedded object is taken as that JSON.
  const attributes = isObject(o.attributes) ? JSON.stringify(o.attributes) : str('attributes', o.attributes);
  const roleSid = str('role_sid', o.role_sid);
  if (roleSid !== undefined && !/^RL[0-9a-fA-F]{32}$/.test(roleSid)) throw Errors.invalidParameter(`${name}.role_sid must be an RL SID`);
  return {
    identity: str('identity', o.identity),
    address: str('messaging_binding.address', binding.address),
    proxyAddress: str('messaging_binding.proxy_address', binding.proxy_address),
    projectedAddress: str('messaging_binding.projected_address', binding.projected_address),
    attributes,
    roleSid,
    dateCreated: dateParam(`${name}.date_created`, str('date_created', o.date_created)),
    dateUpdated: dateParam(`${name}.date_updated`, str('date_updated', o.date_updated)),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
