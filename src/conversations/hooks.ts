import type { Executor, Tx } from '../storage/db.js';
import type { CommittedEvent } from '../events/outbox.js';
import { Errors } from '../platform/errors.js';
import type { ActionSource, ConversationsDeps, EventSource } from './deps.js';

/** Pre-action events: synchronous, may modify or reject (reference §2.8). */
export const PRE_EVENTS = [
  'onMessageAdd', 'onMessageUpdate', 'onMessageRemove',
  'onConversationAdd', 'onConversationUpdate', 'onConversationRemove',
  'onParticipantAdd', 'onParticipantUpdate', 'onParticipantRemove',
  'onUserUpdate',
] as const;
/** Post-action events: delivered durably after commit. */
export const POST_EVENTS = [
  'onMessageAdded', 'onMessageUpdated', 'onMessageRemoved',
  'onConversationAdded', 'onConversationUpdated', 'onConversationRemoved',
  'onParticipantAdded', 'onParticipantUpdated', 'onParticipantRemoved',
  'onUserAdded', 'onUserUpdated',
  'onConversationStateUpdated', 'onDeliveryUpdated',
] as const;
export const WEBHOOK_FILTERS = [...PRE_EVENTS, ...POST_EVENTS] as const;
export type PreEvent = (typeof PRE_EVENTS)[number];
export type PostEvent = (typeof POST_EVENTS)[number];
/** Events conversation-scoped webhooks may filter on (post-action, conversation-bound). */
export const SCOPED_FILTERS = ['onMessageAdded', 'onMessageUpdated', 'onMessageRemoved', 'onConversationUpdated', 'onConversationStateUpdated', 'onConversationRemoved', 'onParticipantAdded', 'onParticipantUpdated', 'onParticipantRemoved', 'onDeliveryUpdated'] as const;

export type WebhookParams = Record<string, string | undefined>;

/** The outbox payload of a Conversations event. */
export interface ConversationEventData {
  event: PostEvent;
  serviceSid: string;
  conversationSid: string | null;
  source: EventSource;
  clientIdentity?: string;
  webhooksEnabled: boolean;
  /** A past event re-sent to one new destination (ReplayAfter): nothing else may react to it. */
  replay?: boolean;
  /** Event-specific webhook parameters (without the common ones). */
  params: WebhookParams;
  /** Where the event goes, resolved when it happened. */
  deliveries: Delivery[];
}

export interface Delivery {
  url: string;
  method: 'GET' | 'POST';
}

export const CONVERSATION_EVENT_PREFIX = 'conversations.';

interface HookTarget {
  method: 'GET' | 'POST';
  filters: string[];
  preUrl: string | null;
  postUrl: string | null;
}

/**
 * Service-level and account-level webhooks. A service with its own pre/post URL
 * uses its own settings; the account's default service falls back to the
 * account-level /v1/Configuration/Webhooks settings.
 */
async function targetFor(db: Executor, accountSid: string, serviceSid: string): Promise<HookTarget | undefined> {
  const service = await db
    .selectFrom('conv_services')
    .select(['webhook_method', 'webhook_filters', 'pre_webhook_url', 'post_webhook_url'])
    .where('account_sid', '=', accountSid)
    .where('sid', '=', serviceSid)
    .executeTakeFirst();
  if (service && (service.pre_webhook_url || service.post_webhook_url)) {
    return { method: service.webhook_method.toUpperCase() === 'GET' ? 'GET' : 'POST', filters: JSON.parse(service.webhook_filters) as string[], preUrl: service.pre_webhook_url, postUrl: service.post_webhook_url };
  }
  const config = await db.selectFrom('conv_configuration').selectAll().where('account_sid', '=', accountSid).executeTakeFirst();
  if (config && config.default_chat_service_sid === serviceSid && config.webhook_target === 'webhook') {
    return { method: config.webhook_method.toUpperCase() === 'GET' ? 'GET' : 'POST', filters: JSON.parse(config.webhook_filters) as string[], preUrl: config.pre_webhook_url, postUrl: config.post_webhook_url };
  }
  return undefined;
}

function commonParams(accountSid: string, event: string, source: EventSource, clientIdentity: string | undefined): WebhookParams {
  return { AccountSid: accountSid, EventType: event, Source: source, ...(clientIdentity ? { ClientIdentity: clientIdentity } : {}) };
}

function compact(params: WebhookParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) out[k] = v;
  return out;
}

export class ConversationHooks {
  constructor(private readonly deps: ConversationsDeps) {}

  /**
   * Runs the pre-action webhook, if one is configured for this event. Any 4xx/5xx
   * rejects the action (nothing is stored); a JSON reply returns fields to modify;
   * no answer within the timeout publishes unchanged (fail open).
   */
  async pre(actor: ActionSource, serviceSid: string, event: PreEvent, params: WebhookParams): Promise<Record<string, unknown>> {
    if (!actor.webhooksEnabled) return {};
    const target = await targetFor(this.deps.storage.db, actor.accountSid, serviceSid);
    if (!target?.preUrl || !target.filters.includes(event)) return {};
    const res = await this.deps.webhooks.send(
      { accountSid: actor.accountSid, url: target.preUrl, method: target.method, params: compact({ ...commonParams(actor.accountSid, event, actor.source, actor.clientIdentity), ChatServiceSid: serviceSid, ...params }) },
      undefined,
      this.deps.preWebhookTimeoutMs,
    );
    if (res.status === 0) return {};
    if (res.status >= 400) throw Errors.webhookRejected(res.status);
    if (res.status >= 200 && res.status < 300 && res.body.trim() !== '') {
      try {
        const parsed = JSON.parse(res.body) as unknown;
        return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
      } catch {
        return {};
      }
    }
    return {};
  }

  /**
   * Records a post-action event in the caller's transaction. Its destinations are
   * resolved now, from the configuration in force when the action happened; the
   * dispatcher only turns them into durable delivery jobs after commit.
   */
  async post(tx: Executor, actor: ActionSource, data: Omit<ConversationEventData, 'source' | 'webhooksEnabled' | 'clientIdentity' | 'deliveries'>): Promise<void> {
    const deliveries: Delivery[] = [];
    if (actor.webhooksEnabled) {
      const target = await targetFor(tx, actor.accountSid, data.serviceSid);
      if (target?.postUrl && target.filters.includes(data.event)) deliveries.push({ url: target.postUrl, method: target.method });
    }
    if (data.conversationSid) {
      const scoped = await tx
        .selectFrom('conv_webhooks')
        .select(['target', 'url', 'method', 'filters', 'triggers'])
        .where('account_sid', '=', actor.accountSid)
        .where('conversation_sid', '=', data.conversationSid)
        .orderBy('seq')
        .execute();
      for (const hook of scoped) {
        if (!hook.url) continue; // studio targets are dispatched by the Studio engine
        const method = hook.method.toUpperCase() === 'GET' ? 'GET' : 'POST';
        const filtered = hook.target === 'webhook' && (JSON.parse(hook.filters) as string[]).includes(data.event);
        const triggered = hook.target === 'trigger' && data.event === 'onMessageAdded' && matchesTrigger(JSON.parse(hook.triggers) as string[], data.params.Body);
        if (filtered || triggered) deliveries.push({ url: hook.url, method });
      }
    }
    const payload: ConversationEventData = {
      ...data,
      source: actor.source,
      webhooksEnabled: actor.webhooksEnabled,
      deliveries,
      ...(actor.clientIdentity ? { clientIdentity: actor.clientIdentity } : {}),
    };
    await this.deps.outbox.write(tx, [{ type: CONVERSATION_EVENT_PREFIX + data.event, accountSid: actor.accountSid, data: payload as unknown as Record<string, unknown> }]);
  }

  /**
   * Re-sends an event to one destination only (ReplayAfter of a new scoped
   * webhook): the same parameters as when it happened, nobody else notified.
   */
  async replay(tx: Executor, accountSid: string, data: Omit<ConversationEventData, 'webhooksEnabled' | 'deliveries'>, to: Delivery): Promise<void> {
    const payload: ConversationEventData = { ...data, webhooksEnabled: false, deliveries: [to], replay: true };
    await this.deps.outbox.write(tx, [{ type: CONVERSATION_EVENT_PREFIX + data.event, accountSid, data: payload as unknown as Record<string, unknown> }]);
  }

  /** Durable outbox handler: turns a committed event into webhook delivery jobs. */
  async fanOut(tx: Tx, event: CommittedEvent): Promise<void> {
    if (!event.type.startsWith(CONVERSATION_EVENT_PREFIX)) return;
    const data = event.data as unknown as ConversationEventData;
    if (data.deliveries.length === 0) return;
    const params = compact({ ...commonParams(event.accountSid, data.event, data.source, data.clientIdentity), ChatServiceSid: data.serviceSid, ...data.params });
    for (const d of data.deliveries) await this.deps.webhooks.enqueue(tx, { accountSid: event.accountSid, url: d.url, method: d.method, params });
  }
}

/** A trigger webhook fires when the message body contains one of its keywords as a word (case-insensitive). */
export function matchesTrigger(triggers: string[], body: string | undefined): boolean {
  if (!body) return false;
  const words = body.toLowerCase().split(/[^\p{L}\p{N}_-]+/u);
  return triggers.some((t) => {
    const k = t.toLowerCase().trim();
    return k.length > 0 && (words.includes(k) || (k.includes(' ') && body.toLowerCase().includes(k)));
  });
}
