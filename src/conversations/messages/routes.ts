import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, form, listQuery, dateParam } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { pageRequest, readPage, PageLimits } from '../../platform/paging.js';
import { restSource, type Mirror, type Scope } from '../scope.js';
import type { Message, MessageInput, MessagesService } from './service.js';
import type { DeliveryReceiptsService } from './receipts.js';
import type { ReceiptRow } from './store.js';

/** `chat_service_sid` appears only on the service-scoped shapes (twilio-node's Service… resources). */
function serviceField(scope: Scope, serviceSid: string): Record<string, string> {
  return scope.base.includes('/Services/') ? { chat_service_sid: serviceSid } : {};
}

export function renderMessage(m: Message, scope: Scope): Record<string, unknown> {
  const r = m.row;
  const url = `${scope.base}/Conversations/${r.conversation_sid}/Messages/${r.sid}`;
  return {
    account_sid: r.account_sid,
    ...serviceField(scope, r.service_sid),
    conversation_sid: r.conversation_sid,
    sid: r.sid,
    index: r.idx,
    author: r.author,
    body: m.body,
    media: m.media,
    attributes: m.attributes,
    participant_sid: r.participant_sid,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    url,
    delivery: m.delivery,
    links: {
      delivery_receipts: `${url}/Receipts`,
      channel_metadata: `${url}/ChannelMetadata`,
    },
    content_sid: r.content_sid,
  };
}

export function renderReceipt(r: ReceiptRow, scope: Scope): Record<string, unknown> {
  return {
    account_sid: r.account_sid,
    ...serviceField(scope, r.service_sid),
    conversation_sid: r.conversation_sid,
    message_sid: r.message_sid,
    sid: r.sid,
    channel_message_sid: r.channel_message_sid,
    participant_sid: r.participant_sid,
    status: r.status,
    error_code: r.error_code,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    url: `${scope.base}/Conversations/${r.conversation_sid}/Messages/${r.message_sid}/Receipts/${r.sid}`,
  };
}

const updateBody = {
  Author: Type.Optional(P.str({ maxLength: 256 })),
  Body: Type.Optional(P.str()),
  DateCreated: Type.Optional(P.date('Date created')),
  DateUpdated: Type.Optional(P.date('Date updated')),
  Attributes: Type.Optional(P.json('Attributes')),
  Subject: Type.Optional(P.str({ maxLength: 256 })),
};
const createBody = {
  ...updateBody,
  MediaSid: Type.Optional(P.str({ description: 'ME SID of uploaded media' })),
  ContentSid: Type.Optional(P.str({ description: 'HX SID of a content template' })),
  ContentVariables: Type.Optional(P.json('Content template variables')),
};

interface MessageBody {
  Author?: string;
  Body?: string;
  DateCreated?: string;
  DateUpdated?: string;
  Attributes?: string;
  Subject?: string;
  MediaSid?: string;
  ContentSid?: string;
  ContentVariables?: string;
}

function messageInput(b: MessageBody | undefined): MessageInput {
  const body = b ?? {};
  return {
    author: body.Author,
    body: body.Body,
    attributes: body.Attributes,
    subject: body.Subject,
    mediaSid: body.MediaSid,
    contentSid: body.ContentSid,
    contentVariables: body.ContentVariables,
    dateCreated: dateParam('DateCreated', body.DateCreated),
    dateUpdated: dateParam('DateUpdated', body.DateUpdated),
  };
}

const conversationParam = { ConversationSid: P.sidOrName('Conversation SID or unique name') };
const listParams = Type.Object(conversationParam);
const messageParams = Type.Object({ ...conversationParam, Sid: P.sidOrName('Message SID') });
const receiptListParams = Type.Object({ ...conversationParam, MessageSid: P.sidOrName('Message SID') });
const receiptParams = Type.Object({ ...conversationParam, MessageSid: P.sidOrName('Message SID'), Sid: P.sidOrName('Delivery receipt SID') });

type Params = { ConversationSid: string; Sid: string; MessageSid: string };
type ListQ = { Order?: 'asc' | 'desc'; PageSize?: number; Page?: number; PageToken?: string };

export function registerMessageRoutes(m: Mirror, messages: MessagesService, receipts: DeliveryReceiptsService): void {
  const base = '/Conversations/:ConversationSid/Messages';

  m.route('POST', base, { params: listParams, body: form(createBody), summary: 'Create a message' }, async (req, scope) => {
    const msg = await messages.create(restSource(req), scope.serviceSid, (req.params as Params).ConversationSid, messageInput(req.body as MessageBody));
    return renderMessage(msg, scope);
  });

  m.route('GET', base, { params: listParams, querystring: listQuery({ Order: Type.Optional(P.enumOf(['asc', 'desc'] as const)) }), summary: 'List messages' }, async (req, scope) => {
    const q = req.query as ListQ;
    const conversation = (req.params as Params).ConversationSid;
    const page = pageRequest(q, PageLimits.conversations, q.Order === 'desc');
    const result = await readPage(page, (w) => messages.list(scope.accountSid, scope.serviceSid, conversation, w));
    return listEnvelope({
      req,
      key: 'messages',
      path: `${scope.base.slice(req.productBase.length)}/Conversations/${encodeURIComponent(conversation)}/Messages`,
      page,
      result,
      filters: { Order: q.Order },
      render: (msg) => renderMessage(msg, scope),
    });
  });

  m.route('GET', `${base}/:Sid`, { params: messageParams, summary: 'Fetch a message' }, async (req, scope) => {
    const p = req.params as Params;
    return renderMessage(await messages.get(scope.accountSid, scope.serviceSid, p.ConversationSid, p.Sid), scope);
  });

  m.route('POST', `${base}/:Sid`, { params: messageParams, body: form(updateBody), summary: 'Update a message' }, async (req, scope) => {
    const p = req.params as Params;
    return renderMessage(await messages.update(restSource(req), scope.serviceSid, p.ConversationSid, p.Sid, messageInput(req.body as MessageBody)), scope);
  });

  m.route('DELETE', `${base}/:Sid`, { params: messageParams, summary: 'Delete a message' }, async (req, scope) => {
    const p = req.params as Params;
    await messages.delete(restSource(req), scope.serviceSid, p.ConversationSid, p.Sid);
  });

  m.route('GET', `${base}/:MessageSid/Receipts`, { params: receiptListParams, querystring: listQuery({}), summary: 'List delivery receipts' }, async (req, scope) => {
    const p = req.params as Params;
    const page = pageRequest(req.query as ListQ, PageLimits.conversationsSmall);
    const result = await readPage(page, (w) => receipts.list(scope.accountSid, scope.serviceSid, p.ConversationSid, p.MessageSid, w));
    return listEnvelope({
      req,
      key: 'delivery_receipts',
      path: `${scope.base.slice(req.productBase.length)}/Conversations/${encodeURIComponent(p.ConversationSid)}/Messages/${encodeURIComponent(p.MessageSid)}/Receipts`,
      page,
      result,
      render: (r) => renderReceipt(r, scope),
    });
  });

  m.route('GET', `${base}/:MessageSid/Receipts/:Sid`, { params: receiptParams, summary: 'Fetch a delivery receipt' }, async (req, scope) => {
    const p = req.params as Params;
    return renderReceipt(await receipts.get(scope.accountSid, scope.serviceSid, p.ConversationSid, p.MessageSid, p.Sid), scope);
  });
}
