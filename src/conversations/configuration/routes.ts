import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { P, form } from '../../platform/http/params.js';
import type { ConfigurationRow, ServiceRow } from '../services/store.js';
import type { NotificationSettings, NotificationsInput } from './notifications.js';
import { WEBHOOK_TARGETS, type ConfigurationService } from './service.js';

// Account-level and service-level configuration are singletons, not mirrored:
// /v1/Configuration[/Webhooks] and /v1/Services/{IS}/Configuration[/Webhooks|/Notifications].

export function renderConfiguration(c: ConfigurationRow, productBase: string): Record<string, unknown> {
  const url = `${productBase}/v1/Configuration`;
  return {
    account_sid: c.account_sid,
    default_chat_service_sid: c.default_chat_service_sid,
    default_messaging_service_sid: c.default_messaging_service_sid,
    default_inactive_timer: c.default_inactive_timer,
    default_closed_timer: c.default_closed_timer,
    url,
    links: {
      service: `${productBase}/v1/Services/${c.default_chat_service_sid}/Configuration`,
      webhooks: `${url}/Webhooks`,
    },
  };
}

export function renderAccountWebhooks(c: ConfigurationRow, productBase: string): Record<string, unknown> {
  return {
    account_sid: c.account_sid,
    method: c.webhook_method,
    filters: JSON.parse(c.webhook_filters) as string[],
    pre_webhook_url: c.pre_webhook_url,
    post_webhook_url: c.post_webhook_url,
    target: c.webhook_target,
    url: `${productBase}/v1/Configuration/Webhooks`,
  };
}

export function renderServiceConfiguration(s: ServiceRow, productBase: string): Record<string, unknown> {
  const url = `${productBase}/v1/Services/${s.sid}/Configuration`;
  return {
    chat_service_sid: s.sid,
    default_conversation_creator_role_sid: s.default_conversation_creator_role_sid,
    default_conversation_role_sid: s.default_conversation_role_sid,
    default_chat_service_role_sid: s.default_chat_service_role_sid,
    reachability_enabled: s.reachability_enabled === 1,
    url,
    links: { notifications: `${url}/Notifications`, webhooks: `${url}/Webhooks` },
  };
}

export function renderServiceWebhooks(s: ServiceRow, productBase: string): Record<string, unknown> {
  return {
    account_sid: s.account_sid,
    chat_service_sid: s.sid,
    pre_webhook_url: s.pre_webhook_url,
    post_webhook_url: s.post_webhook_url,
    filters: JSON.parse(s.webhook_filters) as string[],
    method: s.webhook_method,
    url: `${productBase}/v1/Services/${s.sid}/Configuration/Webhooks`,
  };
}

export function renderNotifications(accountSid: string, serviceSid: string, n: NotificationSettings, productBase: string): Record<string, unknown> {
  return {
    account_sid: accountSid,
    chat_service_sid: serviceSid,
    log_enabled: n.log_enabled,
    new_message: n.new_message,
    added_to_conversation: n.added_to_conversation,
    removed_from_conversation: n.removed_from_conversation,
    url: `${productBase}/v1/Services/${serviceSid}/Configuration/Notifications`,
  };
}

const tags = ['conversations'];
const serviceParams = Type.Object({ ChatServiceSid: P.sid('IS') });

const webhookBody = {
  Method: Type.Optional(P.str({ description: 'GET or POST' })),
  Filters: Type.Optional(P.list(P.str(), 'Events to send')),
  PreWebhookUrl: Type.Optional(P.str()),
  PostWebhookUrl: Type.Optional(P.str()),
};
interface WebhookBody {
  Method?: string;
  Filters?: string[];
  PreWebhookUrl?: string;
  PostWebhookUrl?: string;
  Target?: (typeof WEBHOOK_TARGETS)[number];
}
const webhookInput = (b: WebhookBody) => ({ method: b.Method, filters: b.Filters, preWebhookUrl: b.PreWebhookUrl, postWebhookUrl: b.PostWebhookUrl, target: b.Target });

const template = { Enabled: P.bool(), Template: P.str(), Sound: P.str() };
const notificationsBody: Record<string, ReturnType<typeof Type.Optional>> = { LogEnabled: Type.Optional(P.bool()) };
for (const group of ['NewMessage', 'AddedToConversation', 'RemovedFromConversation']) {
  for (const [key, schema] of Object.entries(template)) notificationsBody[`${group}.${key}`] = Type.Optional(schema);
}
notificationsBody['NewMessage.BadgeCountEnabled'] = Type.Optional(P.bool());
notificationsBody['NewMessage.WithMedia.Enabled'] = Type.Optional(P.bool());
notificationsBody['NewMessage.WithMedia.Template'] = Type.Optional(P.str());

export function registerConfigurationRoutes(app: FastifyInstance, config: ConfigurationService): void {
  app.get('/v1/Configuration', { schema: { tags, summary: 'Fetch the account Conversations configuration' } }, async (req) =>
    renderConfiguration(await config.account(req.auth.accountSid), req.productBase),
  );
  app.post(
    '/v1/Configuration',
    {
      schema: {
        tags,
        summary: 'Update the account Conversations configuration',
        body: form({
          DefaultChatServiceSid: Type.Optional(P.str()),
          DefaultMessagingServiceSid: Type.Optional(P.str()),
          DefaultInactiveTimer: Type.Optional(P.duration('Default inactive timer')),
          DefaultClosedTimer: Type.Optional(P.duration('Default closed timer')),
        }),
      },
    },
    async (req) => {
      const b = req.body as { DefaultChatServiceSid?: string; DefaultMessagingServiceSid?: string; DefaultInactiveTimer?: string; DefaultClosedTimer?: string };
      const row = await config.updateAccount(req.auth.accountSid, {
        defaultChatServiceSid: b.DefaultChatServiceSid,
        defaultMessagingServiceSid: b.DefaultMessagingServiceSid,
        defaultInactiveTimer: b.DefaultInactiveTimer,
        defaultClosedTimer: b.DefaultClosedTimer,
      });
      return renderConfiguration(row, req.productBase);
    },
  );

  app.get('/v1/Configuration/Webhooks', { schema: { tags, summary: 'Fetch the account-level webhook configuration' } }, async (req) =>
    renderAccountWebhooks(await config.account(req.auth.accountSid), req.productBase),
  );
  app.post(
    '/v1/Configuration/Webhooks',
    { schema: { tags, summary: 'Update the account-level webhook configuration', body: form({ ...webhookBody, Target: Type.Optional(P.enumOf(WEBHOOK_TARGETS)) }) } },
    async (req) => renderAccountWebhooks(await config.updateAccountWebhooks(req.auth.accountSid, webhookInput(req.body as WebhookBody)), req.productBase),
  );

  app.get('/v1/Services/:ChatServiceSid/Configuration', { schema: { tags, params: serviceParams, summary: 'Fetch a service configuration' } }, async (req) => {
    const { ChatServiceSid } = req.params as { ChatServiceSid: string };
    return renderServiceConfiguration(await config.service(req.auth.accountSid, ChatServiceSid), req.productBase);
  });
  app.post(
    '/v1/Services/:ChatServiceSid/Configuration',
    {
      schema: {
        tags,
        params: serviceParams,
        summary: 'Update a service configuration',
        body: form({
          DefaultConversationCreatorRoleSid: Type.Optional(P.str()),
          DefaultConversationRoleSid: Type.Optional(P.str()),
          DefaultChatServiceRoleSid: Type.Optional(P.str()),
          ReachabilityEnabled: Type.Optional(P.bool()),
        }),
      },
    },
    async (req) => {
      const { ChatServiceSid } = req.params as { ChatServiceSid: string };
      const b = req.body as { DefaultConversationCreatorRoleSid?: string; DefaultConversationRoleSid?: string; DefaultChatServiceRoleSid?: string; ReachabilityEnabled?: boolean };
      const row = await config.updateService(req.auth.accountSid, ChatServiceSid, {
        defaultConversationCreatorRoleSid: b.DefaultConversationCreatorRoleSid,
        defaultConversationRoleSid: b.DefaultConversationRoleSid,
        defaultChatServiceRoleSid: b.DefaultChatServiceRoleSid,
        reachabilityEnabled: b.ReachabilityEnabled,
      });
      return renderServiceConfiguration(row, req.productBase);
    },
  );

  app.get('/v1/Services/:ChatServiceSid/Configuration/Webhooks', { schema: { tags, params: serviceParams, summary: 'Fetch a service webhook configuration' } }, async (req) => {
    const { ChatServiceSid } = req.params as { ChatServiceSid: string };
    return renderServiceWebhooks(await config.service(req.auth.accountSid, ChatServiceSid), req.productBase);
  });
  app.post(
    '/v1/Services/:ChatServiceSid/Configuration/Webhooks',
    { schema: { tags, params: serviceParams, summary: 'Update a service webhook configuration', body: form(webhookBody) } },
    async (req) => {
      const { ChatServiceSid } = req.params as { ChatServiceSid: string };
      const { target: _target, ...input } = webhookInput(req.body as WebhookBody);
      return renderServiceWebhooks(await config.updateServiceWebhooks(req.auth.accountSid, ChatServiceSid, input), req.productBase);
    },
  );

  app.get('/v1/Services/:ChatServiceSid/Configuration/Notifications', { schema: { tags, params: serviceParams, summary: 'Fetch push notification settings' } }, async (req) => {
    const { ChatServiceSid } = req.params as { ChatServiceSid: string };
    return renderNotifications(req.auth.accountSid, ChatServiceSid, await config.notifications(req.auth.accountSid, ChatServiceSid), req.productBase);
  });
  app.post(
    '/v1/Services/:ChatServiceSid/Configuration/Notifications',
    { schema: { tags, params: serviceParams, summary: 'Update push notification settings', body: form(notificationsBody) } },
    async (req) => {
      const { ChatServiceSid } = req.params as { ChatServiceSid: string };
      const n = await config.updateNotifications(req.auth.accountSid, ChatServiceSid, req.body as NotificationsInput);
      return renderNotifications(req.auth.accountSid, ChatServiceSid, n, req.productBase);
    },
  );
}
