import { Errors } from '../../platform/errors.js';
import { durationParam } from '../../platform/http/params.js';
import type { ConversationsDeps } from '../deps.js';
import { WEBHOOK_FILTERS } from '../hooks.js';
import type { ServicesService } from '../services/service.js';
import { servicesStore, type ConfigurationRow, type ServiceRow } from '../services/store.js';
import { eventFilters, sidParam, webhookMethod, webhookUrl } from '../webhooks/validate.js';
import { configurationStore } from './store.js';
import { applyNotifications, parseNotifications, type NotificationSettings, type NotificationsInput } from './notifications.js';

const MIN_INACTIVE_MS = 60_000;
const MIN_CLOSED_MS = 600_000;
export const WEBHOOK_TARGETS = ['webhook', 'flex'] as const;

export interface AccountConfigurationInput {
  defaultChatServiceSid?: string;
  defaultMessagingServiceSid?: string;
  defaultInactiveTimer?: string;
  defaultClosedTimer?: string;
}

export interface WebhookSettingsInput {
  method?: string;
  filters?: string[];
  /** An empty string clears the URL. */
  preWebhookUrl?: string;
  postWebhookUrl?: string;
  target?: (typeof WEBHOOK_TARGETS)[number];
}

export interface ServiceConfigurationInput {
  defaultConversationCreatorRoleSid?: string;
  defaultConversationRoleSid?: string;
  defaultChatServiceRoleSid?: string;
  reachabilityEnabled?: boolean;
}

/**
 * The account's Conversations configuration (default service, messaging
 * service, timers, account-level webhooks) and each service's configuration
 * (default roles, reachability, service webhooks, push notifications).
 * Conversations read the defaults when they are created; hooks.ts reads the
 * webhook settings on every event.
 */
export class ConfigurationService {
  constructor(
    private readonly deps: ConversationsDeps,
    private readonly services: ServicesService,
  ) {}

  account(accountSid: string): Promise<ConfigurationRow> {
    return this.services.configuration(accountSid);
  }

  async updateAccount(accountSid: string, input: AccountConfigurationInput): Promise<ConfigurationRow> {
    sidParam('DefaultChatServiceSid', 'IS', input.defaultChatServiceSid);
    sidParam('DefaultMessagingServiceSid', 'MG', input.defaultMessagingServiceSid);
    const inactive = durationParam('DefaultInactiveTimer', input.defaultInactiveTimer);
    if (inactive !== undefined && inactive < MIN_INACTIVE_MS) throw Errors.invalidParameter('DefaultInactiveTimer must be at least PT1M');
    const closed = durationParam('DefaultClosedTimer', input.defaultClosedTimer);
    if (closed !== undefined && closed < MIN_CLOSED_MS) throw Errors.invalidParameter('DefaultClosedTimer must be at least PT10M');
    await this.account(accountSid);
    await this.deps.storage.transaction(async (tx) => {
      if (input.defaultChatServiceSid !== undefined && !(await servicesStore.get(tx, accountSid, input.defaultChatServiceSid))) {
        throw Errors.invalidParameter(`DefaultChatServiceSid ${input.defaultChatServiceSid} is not a Conversations service of this account`);
      }
      await servicesStore.updateConfiguration(tx, accountSid, {
        ...(input.defaultChatServiceSid !== undefined ? { default_chat_service_sid: input.defaultChatServiceSid } : {}),
        ...(input.defaultMessagingServiceSid !== undefined ? { default_messaging_service_sid: input.defaultMessagingServiceSid } : {}),
        ...(input.defaultInactiveTimer !== undefined ? { default_inactive_timer: input.defaultInactiveTimer } : {}),
        ...(input.defaultClosedTimer !== undefined ? { default_closed_timer: input.defaultClosedTimer } : {}),
        date_updated: this.deps.clock.now(),
      });
    });
    // The default service SID is cached per process for every un-prefixed route.
    if (input.defaultChatServiceSid !== undefined) this.services.invalidate(accountSid);
    return this.account(accountSid);
  }

  async updateAccountWebhooks(accountSid: string, input: WebhookSettingsInput): Promise<ConfigurationRow> {
    const patch = webhookPatch(input);
    await this.account(accountSid);
    await this.deps.storage.transaction((tx) =>
      servicesStore.updateConfiguration(tx, accountSid, { ...patch, ...(input.target !== undefined ? { webhook_target: input.target } : {}), date_updated: this.deps.clock.now() }),
    );
    return this.account(accountSid);
  }

  service(accountSid: string, serviceSid: string): Promise<ServiceRow> {
    return this.services.get(accountSid, serviceSid);
  }

  async updateService(accountSid: string, serviceSid: string, input: ServiceConfigurationInput): Promise<ServiceRow> {
    await this.services.get(accountSid, serviceSid);
    const wanted: Array<[string, string | undefined, 'conversation' | 'service']> = [
      ['DefaultConversationCreatorRoleSid', input.defaultConversationCreatorRoleSid, 'conversation'],
      ['DefaultConversationRoleSid', input.defaultConversationRoleSid, 'conversation'],
      ['DefaultChatServiceRoleSid', input.defaultChatServiceRoleSid, 'service'],
    ];
    for (const [name, sid] of wanted) sidParam(name, 'RL', sid);
    await this.deps.storage.transaction(async (tx) => {
      for (const [name, sid, type] of wanted) {
        if (sid === undefined) continue;
        const role = await configurationStore.role(tx, accountSid, serviceSid, sid);
        if (!role) throw Errors.invalidParameter(`${name} ${sid} is not a role of service ${serviceSid}`);
        if (role.type !== type) throw Errors.invalidParameter(`${name} must be a ${type} role; ${sid} is a ${role.type} role`);
      }
      await servicesStore.update(tx, accountSid, serviceSid, {
        ...(input.defaultConversationCreatorRoleSid !== undefined ? { default_conversation_creator_role_sid: input.defaultConversationCreatorRoleSid } : {}),
        ...(input.defaultConversationRoleSid !== undefined ? { default_conversation_role_sid: input.defaultConversationRoleSid } : {}),
        ...(input.defaultChatServiceRoleSid !== undefined ? { default_chat_service_role_sid: input.defaultChatServiceRoleSid } : {}),
        ...(input.reachabilityEnabled !== undefined ? { reachability_enabled: input.reachabilityEnabled ? 1 : 0 } : {}),
        date_updated: this.deps.clock.now(),
      });
    });
    return this.services.get(accountSid, serviceSid);
  }

  async updateServiceWebhooks(accountSid: string, serviceSid: string, input: Omit<WebhookSettingsInput, 'target'>): Promise<ServiceRow> {
    const patch = webhookPatch(input);
    await this.services.get(accountSid, serviceSid);
    await this.deps.storage.transaction((tx) => servicesStore.update(tx, accountSid, serviceSid, { ...patch, date_updated: this.deps.clock.now() }));
    return this.services.get(accountSid, serviceSid);
  }

  async notifications(accountSid: string, serviceSid: string): Promise<NotificationSettings> {
    return parseNotifications((await this.services.get(accountSid, serviceSid)).notifications);
  }

  async updateNotifications(accountSid: string, serviceSid: string, input: NotificationsInput): Promise<NotificationSettings> {
    return this.deps.storage.transaction(async (tx) => {
      const row = await servicesStore.get(tx, accountSid, serviceSid);
      if (!row) throw Errors.notFound(`/Services/${serviceSid}`);
      const next = applyNotifications(parseNotifications(row.notifications), input);
      await servicesStore.update(tx, accountSid, serviceSid, { notifications: JSON.stringify(next), date_updated: this.deps.clock.now() });
      return next;
    });
  }
}

/** Validated column changes for account- or service-level webhook settings. */
function webhookPatch(input: WebhookSettingsInput): { webhook_method?: string; webhook_filters?: string; pre_webhook_url?: string | null; post_webhook_url?: string | null } {
  const method = webhookMethod('Method', input.method);
  const filters = eventFilters('Filters', input.filters, WEBHOOK_FILTERS);
  const pre = input.preWebhookUrl === '' ? null : webhookUrl('PreWebhookUrl', input.preWebhookUrl);
  const post = input.postWebhookUrl === '' ? null : webhookUrl('PostWebhookUrl', input.postWebhookUrl);
  return {
    ...(method !== undefined ? { webhook_method: method } : {}),
    ...(filters !== undefined ? { webhook_filters: JSON.stringify(filters) } : {}),
    ...(pre !== undefined ? { pre_webhook_url: pre } : {}),
    ...(post !== undefined ? { post_webhook_url: post } : {}),
  };
}
