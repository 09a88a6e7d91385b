import { Errors } from '../../platform/errors.js';
import { newSid, SidPrefix } from '../../platform/sid.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { Executor } from '../../storage/db.js';
import type { ConversationsDeps } from '../deps.js';
import { SCOPED_FILTERS, type Delivery } from '../hooks.js';
import type { ConversationRow } from '../conversation/store.js';
import type { ConversationsService } from '../conversation/service.js';
import { eventFilters, sidParam, webhookMethod, webhookUrl } from './validate.js';
import { lockConversation, scopedWebhooksStore, type ScopedWebhookRow } from './store.js';

export const SCOPED_TARGETS = ['webhook', 'trigger', 'studio'] as const;
export type ScopedTarget = (typeof SCOPED_TARGETS)[number];
/** "Each individual Conversation can have as many as five such webhooks" (Twilio docs). */
export const SCOPED_WEBHOOKS_MAX = 5;
const TRIGGER_MAX = 256;

export interface ScopedWebhookInput {
  url?: string;
  method?: string;
  filters?: string[];
  triggers?: string[];
  flowSid?: string;
  replayAfter?: number;
}

/**
 * Conversation-scoped webhooks: post-event only, delivered by
 * ConversationHooks.fanOut from the rows kept here (webhook targets on their
 * filters, trigger targets on onMessageAdded bodies matching a keyword; studio
 * targets are left to the Studio engine).
 */
export class ScopedWebhooksService {
  constructor(
    private readonly deps: ConversationsDeps,
    private readonly conversations: ConversationsService,
    /** Sends past onMessageAdded events to a new webhook (Configuration.ReplayAfter). */
    private readonly replayMessages: (tx: Executor, conversation: ConversationRow, fromIndex: number, to: Delivery) => Promise<void>,
  ) {}

  async list(accountSid: string, serviceSid: string, conversation: string, w: KeysetWindow): Promise<ScopedWebhookRow[]> {
    const c = await this.conversations.get(accountSid, serviceSid, conversation);
    return scopedWebhooksStore.list(this.deps.storage.db, accountSid, c.row.sid, w);
  }

  async get(accountSid: string, serviceSid: string, conversation: string, sid: string): Promise<ScopedWebhookRow> {
    const c = await this.conversations.get(accountSid, serviceSid, conversation);
    const row = await scopedWebhooksStore.get(this.deps.storage.db, accountSid, c.row.sid, sid);
    if (!row) throw Errors.notFound(`/Conversations/${conversation}/Webhooks/${sid}`);
    return row;
  }

  async create(accountSid: string, serviceSid: string, conversation: string, target: ScopedTarget, input: ScopedWebhookInput): Promise<ScopedWebhookRow> {
    if (input.replayAfter !== undefined && (!Number.isInteger(input.replayAfter) || input.replayAfter < 0)) {
      throw Errors.invalidParameter('Configuration.ReplayAfter must be a non-negative message index');
    }
    const settings = settle(target, { url: null, method: 'POST', filters: [], triggers: [], flow_sid: null }, input);
    const { storage, clock } = this.deps;
    const sid = newSid(SidPrefix.Webhook);
    const now = clock.now();
    const row = await storage.transaction(async (tx) => {
      const c = await this.conversations.forWrite(tx, accountSid, serviceSid, conversation);
      await lockConversation(tx, storage.engine, accountSid, c.sid);
      if ((await scopedWebhooksStore.count(tx, accountSid, c.sid)) >= SCOPED_WEBHOOKS_MAX) {
        throw Errors.invalidParameter(`A conversation can have at most ${SCOPED_WEBHOOKS_MAX} scoped webhooks`);
      }
      await scopedWebhooksStore.insert(tx, {
        sid,
        account_sid: accountSid,
        service_sid: c.service_sid,
        conversation_sid: c.sid,
        target,
        url: settings.url,
        method: settings.method,
        filters: JSON.stringify(settings.filters),
        triggers: JSON.stringify(settings.triggers),
        flow_sid: settings.flow_sid,
        replay_after: input.replayAfter ?? null,
        date_created: now,
        date_updated: now,
      });
      // A webhook target hears past messages it filters for; a trigger target those matching its keywords.
      const wantsMessages = target === 'webhook' ? settings.filters.includes('onMessageAdded') : target === 'trigger';
      if (input.replayAfter !== undefined && settings.url && wantsMessages) {
        await this.replayMessages(tx, c, input.replayAfter, { url: settings.url, method: settings.method.toUpperCase() === 'GET' ? 'GET' : 'POST' });
      }
      return (await scopedWebhooksStore.get(tx, accountSid, c.sid, sid))!;
    });
    this.deps.outbox.committed();
    return row;
  }

  async update(accountSid: string, serviceSid: string, conversation: string, sid: string, input: Omit<ScopedWebhookInput, 'replayAfter'>): Promise<ScopedWebhookRow> {
    return this.deps.storage.transaction(async (tx) => {
      const c = await this.conversations.forWrite(tx, accountSid, serviceSid, conversation);
      const row = await scopedWebhooksStore.get(tx, accountSid, c.sid, sid);
      if (!row) throw Errors.notFound(`/Conversations/${conversation}/Webhooks/${sid}`);
      const current = { url: row.url, method: row.method, filters: JSON.parse(row.filters) as string[], triggers: JSON.parse(row.triggers) as string[], flow_sid: row.flow_sid };
      const settings = settle(row.target as ScopedTarget, current, input);
      await scopedWebhooksStore.update(tx, accountSid, sid, {
        url: settings.url,
        method: settings.method,
        filters: JSON.stringify(settings.filters),
        triggers: JSON.stringify(settings.triggers),
        flow_sid: settings.flow_sid,
        date_updated: this.deps.clock.now(),
      });
      return (await scopedWebhooksStore.get(tx, accountSid, c.sid, sid))!;
    });
  }

  async delete(accountSid: string, serviceSid: string, conversation: string, sid: string): Promise<void> {
    await this.deps.storage.transaction(async (tx) => {
      const c = await this.conversations.forWrite(tx, accountSid, serviceSid, conversation);
      if (!(await scopedWebhooksStore.get(tx, accountSid, c.sid, sid))) throw Errors.notFound(`/Conversations/${conversation}/Webhooks/${sid}`);
      await scopedWebhooksStore.delete(tx, accountSid, sid);
    });
  }
}

interface Settings {
  url: string | null;
  method: string;
  filters: string[];
  triggers: string[];
  flow_sid: string | null;
}

/** Applies Configuration.* to the current settings and checks what the target needs. */
function settle(target: ScopedTarget, current: Settings, input: ScopedWebhookInput): Settings {
  sidParam('Configuration.FlowSid', 'FW', input.flowSid);
  const triggers = input.triggers?.map((t) => t.trim());
  if (triggers?.some((t) => t.length === 0 || t.length > TRIGGER_MAX)) throw Errors.invalidParameter(`Configuration.Triggers must be keywords of 1 to ${TRIGGER_MAX} characters`);
  const next: Settings = {
    url: webhookUrl('Configuration.Url', input.url) ?? current.url,
    method: webhookMethod('Configuration.Method', input.method) ?? current.method,
    filters: eventFilters('Configuration.Filters', input.filters, SCOPED_FILTERS) ?? current.filters,
    triggers: triggers !== undefined ? [...new Set(triggers)] : current.triggers,
    flow_sid: input.flowSid ?? current.flow_sid,
  };
  if ((target === 'webhook' || target === 'trigger') && !next.url) throw Errors.invalidParameter(`Configuration.Url is required for a ${target} webhook`);
  if (target === 'trigger' && next.triggers.length === 0) throw Errors.invalidParameter('Configuration.Triggers is required for a trigger webhook');
  if (target === 'studio' && !next.flow_sid) throw Errors.invalidParameter('Configuration.FlowSid is required for a studio webhook');
  return next;
}
