import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, form, listQuery, dateParam } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { pageRequest, readPage, PageLimits } from '../../platform/paging.js';
import { restSource, type Mirror, type Scope } from '../scope.js';
import { renderConversation } from '../conversation/routes.js';
import type { User, UsersService } from './service.js';
import { NOTIFICATION_LEVELS, unreadCount, type NotificationLevel, type UserConversation, type UserConversationsService } from './user-conversations.js';

export function renderUser(u: User, scope: Scope): Record<string, unknown> {
  const r = u.row;
  const url = `${scope.base}/Users/${r.sid}`;
  return {
    sid: r.sid,
    account_sid: r.account_sid,
    chat_service_sid: r.service_sid,
    role_sid: r.role_sid,
    identity: r.identity,
    friendly_name: r.friendly_name,
    attributes: u.attributes,
    is_online: u.isOnline,
    is_notifiable: u.isNotifiable,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    url,
    links: { user_conversations: `${url}/Conversations` },
  };
}

export function renderUserConversation(uc: UserConversation, scope: Scope): Record<string, unknown> {
  const c = renderConversation({ row: uc.conversation, attributes: uc.attributes }, scope);
  const p = uc.participant;
  return {
    account_sid: uc.conversation.account_sid,
    chat_service_sid: uc.conversation.service_sid,
    conversation_sid: uc.conversation.sid,
    unread_messages_count: unreadCount(uc),
    last_read_message_index: p.last_read_message_index,
    participant_sid: p.sid,
    user_sid: uc.user.sid,
    friendly_name: c.friendly_name,
    conversation_state: c.state,
    timers: c.timers,
    attributes: c.attributes,
    date_created: c.date_created,
    date_updated: c.date_updated,
    created_by: uc.conversation.created_by,
    notification_level: p.notification_level,
    unique_name: c.unique_name,
    url: `${scope.base}/Users/${uc.user.sid}/Conversations/${uc.conversation.sid}`,
    links: {
      participant: `${c.url as string}/Participants/${p.sid}`,
      conversation: c.url,
    },
  };
}

const userBody = {
  FriendlyName: Type.Optional(P.str()),
  Attributes: Type.Optional(P.json('Attributes')),
  RoleSid: Type.Optional(P.str()),
};
type UserBody = { Identity?: string; FriendlyName?: string; Attributes?: string; RoleSid?: string };

const userParam = Type.Object({ Sid: P.sidOrName('User SID or identity') });
const userConversationParams = Type.Object({ Sid: P.sidOrName('User SID or identity'), ConversationSid: P.sidOrName('Conversation SID or unique name') });

export function registerUserRoutes(m: Mirror, users: UsersService, userConversations: UserConversationsService): void {
  m.route('POST', '/Users', { body: form({ Identity: P.str(), ...userBody }), summary: 'Create a user' }, async (req, scope) => {
    const b = req.body as UserBody & { Identity: string };
    const u = await users.create(restSource(req), scope.serviceSid, { identity: b.Identity, friendlyName: b.FriendlyName, attributes: b.Attributes, roleSid: b.RoleSid });
    return renderUser(u, scope);
  });

  m.route('GET', '/Users', { querystring: listQuery({}), summary: 'List users' }, async (req, scope) => {
    const page = pageRequest(req.query as object, PageLimits.conversationsSmall);
    const result = await readPage(page, (w) => users.list(scope.accountSid, scope.serviceSid, w));
    return listEnvelope({ req, key: 'users', path: scope.base.slice(req.productBase.length) + '/Users', page, result, render: (u) => renderUser(u, scope) });
  });

  m.route('GET', '/Users/:Sid', { params: userParam, summary: 'Fetch a user by SID or identity' }, async (req, scope) => {
    return renderUser(await users.get(scope.accountSid, scope.serviceSid, (req.params as { Sid: string }).Sid), scope);
  });

  m.route('POST', '/Users/:Sid', { params: userParam, body: form(userBody), summary: 'Update a user' }, async (req, scope) => {
    const b = (req.body ?? {}) as UserBody;
    const u = await users.update(restSource(req), scope.serviceSid, (req.params as { Sid: string }).Sid, { friendlyName: b.FriendlyName, attributes: b.Attributes, roleSid: b.RoleSid });
    return renderUser(u, scope);
  });

  m.route('DELETE', '/Users/:Sid', { params: userParam, summary: 'Delete a user' }, async (req, scope) => {
    await users.delete(restSource(req), scope.serviceSid, (req.params as { Sid: string }).Sid);
  });

  m.route('GET', '/Users/:Sid/Conversations', { params: userParam, querystring: listQuery({}), summary: "List a user's conversations" }, async (req, scope) => {
    const user = (req.params as { Sid: string }).Sid;
    const page = pageRequest(req.query as object, PageLimits.conversationsSmall);
    const result = await readPage(page, (w) => userConversations.list(scope.accountSid, scope.serviceSid, user, w));
    return listEnvelope({
      req,
      key: 'conversations',
      path: `${scope.base.slice(req.productBase.length)}/Users/${encodeURIComponent(user)}/Conversations`,
      page,
      result,
      render: (uc) => renderUserConversation(uc, scope),
    });
  });

  m.route('GET', '/Users/:Sid/Conversations/:ConversationSid', { params: userConversationParams, summary: "Fetch a user's conversation" }, async (req, scope) => {
    const { Sid, ConversationSid } = req.params as { Sid: string; ConversationSid: string };
    return renderUserConversation(await userConversations.get(scope.accountSid, scope.serviceSid, Sid, ConversationSid), scope);
  });

  m.route(
    'POST',
    '/Users/:Sid/Conversations/:ConversationSid',
    {
      params: userConversationParams,
      body: form({
        NotificationLevel: Type.Optional(P.enumOf(NOTIFICATION_LEVELS)),
        LastReadTimestamp: Type.Optional(P.date('Last read timestamp')),
        LastReadMessageIndex: Type.Optional(P.int({ minimum: 0 })),
      }),
      summary: "Update a user's conversation (notification level, read horizon)",
    },
    async (req, scope) => {
      const { Sid, ConversationSid } = req.params as { Sid: string; ConversationSid: string };
      const b = (req.body ?? {}) as { NotificationLevel?: NotificationLevel; LastReadTimestamp?: string; LastReadMessageIndex?: number };
      const uc = await userConversations.update(scope.accountSid, scope.serviceSid, Sid, ConversationSid, {
        notificationLevel: b.NotificationLevel,
        lastReadTimestamp: dateParam('LastReadTimestamp', b.LastReadTimestamp),
        lastReadMessageIndex: b.LastReadMessageIndex,
      });
      return renderUserConversation(uc, scope);
    },
  );

  m.route('DELETE', '/Users/:Sid/Conversations/:ConversationSid', { params: userConversationParams, summary: 'Leave a conversation' }, async (req, scope) => {
    const { Sid, ConversationSid } = req.params as { Sid: string; ConversationSid: string };
    await userConversations.delete(restSource(req), scope.serviceSid, Sid, ConversationSid);
  });
}
