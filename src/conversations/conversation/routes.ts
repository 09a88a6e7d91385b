import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, form, listQuery, dateParam } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { pageRequest, readPage, PageLimits } from '../../platform/paging.js';
import { restSource, type Mirror, type Scope } from '../scope.js';
import type { Conversation, ConversationInput, ConversationsService } from './service.js';
import { CONVERSATION_STATES } from './service.js';

export function renderConversation(c: Conversation, scope: Scope): Record<string, unknown> {
  const r = c.row;
  const url = `${scope.base}/Conversations/${r.sid}`;
  return {
    account_sid: r.account_sid,
    chat_service_sid: r.service_sid,
    messaging_service_sid: r.messaging_service_sid,
    sid: r.sid,
    friendly_name: r.friendly_name,
    unique_name: r.unique_name,
    attributes: c.attributes,
    state: r.state,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    timers: {
      ...(r.date_inactive !== null && r.state === 'active' ? { date_inactive: isoDate(r.date_inactive) } : {}),
      ...(r.date_closed !== null && r.state !== 'closed' ? { date_closed: isoDate(r.date_closed) } : {}),
    },
    bindings: r.bindings ? JSON.parse(r.bindings) : null,
    url,
    links: {
      participants: `${url}/Participants`,
      messages: `${url}/Messages`,
      webhooks: `${url}/Webhooks`,
    },
  };
}

export const conversationBody = {
  FriendlyName: Type.Optional(P.str({ maxLength: 256 })),
  UniqueName: Type.Optional(P.str()),
  DateCreated: Type.Optional(P.date('Date created')),
  DateUpdated: Type.Optional(P.date('Date updated')),
  MessagingServiceSid: Type.Optional(P.str()),
  Attributes: Type.Optional(P.json('Attributes')),
  State: Type.Optional(P.enumOf(CONVERSATION_STATES)),
  'Timers.Inactive': Type.Optional(P.duration('Inactive timer')),
  'Timers.Closed': Type.Optional(P.duration('Closed timer')),
  'Bindings.Email.Address': Type.Optional(P.str()),
  'Bindings.Email.Name': Type.Optional(P.str()),
};

export type ConversationBody = {
  FriendlyName?: string;
  UniqueName?: string;
  DateCreated?: string;
  DateUpdated?: string;
  MessagingServiceSid?: string;
  Attributes?: string;
  State?: (typeof CONVERSATION_STATES)[number];
  'Timers.Inactive'?: string;
  'Timers.Closed'?: string;
  'Bindings.Email.Address'?: string;
  'Bindings.Email.Name'?: string;
};

export function conversationInput(b: ConversationBody): ConversationInput {
  return {
    friendlyName: b.FriendlyName,
    uniqueName: b.UniqueName,
    dateCreated: dateParam('DateCreated', b.DateCreated),
    dateUpdated: dateParam('DateUpdated', b.DateUpdated),
    messagingServiceSid: b.MessagingServiceSid,
    attributes: b.Attributes,
    state: b.State,
    timersInactive: b['Timers.Inactive'],
    timersClosed: b['Timers.Closed'],
    bindingsEmailAddress: b['Bindings.Email.Address'],
    bindingsEmailName: b['Bindings.Email.Name'],
  };
}

const sidParam = Type.Object({ Sid: P.sidOrName('Conversation SID or unique name') });

export function registerConversationRoutes(m: Mirror, conversations: ConversationsService): void {
  m.route('POST', '/Conversations', { body: form(conversationBody), summary: 'Create a conversation' }, async (req, scope) => {
    const c = await conversations.create(restSource(req), scope.serviceSid, conversationInput(req.body as ConversationBody));
    return renderConversation(c, scope);
  });

  m.route(
    'GET',
    '/Conversations',
    {
      querystring: listQuery({ StartDate: Type.Optional(P.str()), EndDate: Type.Optional(P.str()), State: Type.Optional(P.enumOf(['active', 'inactive', 'closed'] as const)) }),
      summary: 'List conversations',
    },
    async (req, scope) => {
      const q = req.query as { StartDate?: string; EndDate?: string; State?: string; PageSize?: number; Page?: number; PageToken?: string };
      // Twilio sorts date-filtered lists newest first.
      const desc = q.StartDate !== undefined || q.EndDate !== undefined;
      const page = pageRequest(q, PageLimits.conversations, desc);
      const filter = {
        ...(q.State !== undefined ? { state: q.State } : {}),
        ...(q.StartDate !== undefined ? { startDate: dateParam('StartDate', q.StartDate)! } : {}),
        ...(q.EndDate !== undefined ? { endDate: dateParam('EndDate', q.EndDate)! } : {}),
      };
      const result = await readPage(page, (w) => conversations.list(scope.accountSid, scope.serviceSid, filter, w));
      return listEnvelope({
        req,
        key: 'conversations',
        path: scope.base.slice(req.productBase.length) + '/Conversations',
        page,
        result,
        filters: { StartDate: q.StartDate, EndDate: q.EndDate, State: q.State },
        render: (c) => renderConversation(c, scope),
      });
    },
  );

  m.route('GET', '/Conversations/:Sid', { params: sidParam, summary: 'Fetch a conversation' }, async (req, scope) => {
    const c = await conversations.get(scope.accountSid, scope.serviceSid, (req.params as { Sid: string }).Sid);
    return renderConversation(c, scope);
  });

  m.route('POST', '/Conversations/:Sid', { params: sidParam, body: form(conversationBody), summary: 'Update a conversation' }, async (req, scope) => {
    const c = await conversations.update(restSource(req), scope.serviceSid, (req.params as { Sid: string }).Sid, conversationInput(req.body as ConversationBody));
    return renderConversation(c, scope);
  });

  m.route('DELETE', '/Conversations/:Sid', { params: sidParam, summary: 'Delete a conversation' }, async (req, scope) => {
    await conversations.delete(restSource(req), scope.serviceSid, (req.params as { Sid: string }).Sid);
  });
}
