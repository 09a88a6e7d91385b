import { Errors } from '../../platform/errors.js';
import { isoDate } from '../../platform/clock.js';
import { newSid, SidPrefix } from '../../platform/sid.js';
import { durationParam } from '../../platform/http/params.js';
import type { Executor } from '../../storage/db.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { Job } from '../../events/jobs.js';
import type { ActionSource, ConversationsDeps } from '../deps.js';
import type { ConversationHooks, WebhookParams } from '../hooks.js';
import type { ServicesService } from '../services/service.js';
import { conversationsStore, type ConversationFilter, type ConversationRow } from './store.js';

export const CONVERSATION_STATES = ['initializing', 'inactive', 'active', 'closed'] as const;
export type ConversationState = (typeof CONVERSATION_STATES)[number];

export const CONVERSATION_TIMER_JOB = 'conversations.state-timer';
const MIN_INACTIVE_MS = 60_000;
const MIN_CLOSED_MS = 600_000;
const FRIENDLY_NAME_MAX = 256;
const ATTRIBUTES_MAX = 16 * 1024;

export interface Conversation {
  row: ConversationRow;
  attributes: string;
}

export interface ConversationInput {
  friendlyName?: string;
  uniqueName?: string;
  dateCreated?: number;
  dateUpdated?: number;
  messagingServiceSid?: string;
  attributes?: string;
  state?: ConversationState;
  timersInactive?: string;
  timersClosed?: string;
  bindingsEmailAddress?: string;
  bindingsEmailName?: string;
}

export type StateReason = 'API' | 'TIMER' | 'EVENT';

/** A validated create, with defaults resolved and the pre-action webhook's changes applied. */
export interface PreparedConversation {
  input: ConversationInput;
  friendlyName: string | undefined;
  uniqueName: string | undefined;
  attributes: string;
  messagingServiceSid: string | null;
  timerInactive: string | null;
  timerClosed: string | null;
  /** Extra onConversationAdded parameters (an auto-created conversation's MessagingBinding.*). */
  eventParams?: WebhookParams;
}

export class ConversationsService {
  constructor(
    private readonly deps: ConversationsDeps,
    private readonly services: ServicesService,
    private readonly hooks: ConversationHooks,
  ) {
    deps.jobs.handle(CONVERSATION_TIMER_JOB, (job) => this.onTimer(job));
  }

  decode(row: ConversationRow): Conversation {
    return { row, attributes: this.deps.cipher.decrypt(row.attributes) };
  }

  async get(accountSid: string, serviceSid: string, sidOrUniqueName: string): Promise<Conversation> {
    const row = await conversationsStore.find(this.deps.storage.db, accountSid, serviceSid, sidOrUniqueName);
    if (!row) throw Errors.notFound(`/Conversations/${sidOrUniqueName}`);
    return this.decode(row);
  }

  async list(accountSid: string, serviceSid: string, f: ConversationFilter, w: KeysetWindow): Promise<Array<Conversation & { seq: number }>> {
    const rows = await conversationsStore.list(this.deps.storage.db, accountSid, serviceSid, f, w);
    return rows.map((r) => ({ ...this.decode(r), seq: r.seq }));
  }

  async create(actor: ActionSource, serviceSid: string, input: ConversationInput): Promise<Conversation> {
    const prepared = await this.prepareCreate(actor, serviceSid, input);
    const row = await this.deps.storage.transaction((tx) => this.insert(tx, actor, serviceSid, prepared));
    this.deps.outbox.committed();
    return this.decode(row);
  }

  /**
   * Everything a create does before its transaction: validation, defaults and the
   * pre-action webhook (an HTTP call must never hold a transaction open). Callers
   * that create more inside the same transaction (ConversationWithParticipants)
   * pair it with `insert`.
   */
  async prepareCreate(actor: ActionSource, serviceSid: string, input: ConversationInput): Promise<PreparedConversation> {
    validateInput(input);
    const config = await this.services.configuration(actor.accountSid);
    const pre = await this.hooks.pre(actor, serviceSid, 'onConversationAdd', {
      FriendlyName: input.friendlyName,
      UniqueName: input.uniqueName,
      Attributes: input.attributes ?? '{}',
      MessagingServiceSid: input.messagingServiceSid ?? config.default_messaging_service_sid ?? undefined,
      State: input.state ?? 'active',
    });
    return {
      input,
      friendlyName: typeof pre.friendly_name === 'string' ? pre.friendly_name : input.friendlyName,
      uniqueName: typeof pre.unique_name === 'string' ? pre.unique_name : input.uniqueName,
      attributes: typeof pre.attributes === 'string' ? pre.attributes : (input.attributes ?? '{}'),
      messagingServiceSid: input.messagingServiceSid ?? config.default_messaging_service_sid ?? null,
      timerInactive: input.timersInactive ?? config.default_inactive_timer ?? null,
      timerClosed: input.timersClosed ?? config.default_closed_timer ?? null,
    };
  }

  /** Inserts a prepared conversation, its timer and its onConversationAdded event in the caller's transaction. */
  async insert(tx: Executor, actor: ActionSource, serviceSid: string, p: PreparedConversation): Promise<ConversationRow> {
    const { clock, cipher } = this.deps;
    const { input } = p;
    if (p.uniqueName !== undefined && (await conversationsStore.byUniqueName(tx, actor.accountSid, serviceSid, p.uniqueName))) {
      throw Errors.conversationUniqueNameExists(p.uniqueName);
    }
    const now = clock.now();
    const sid = newSid(SidPrefix.Conversation);
    const created = input.dateCreated ?? now;
    const values: ConversationRow = {
      seq: 0,
      sid,
      account_sid: actor.accountSid,
      service_sid: serviceSid,
      messaging_service_sid: p.messagingServiceSid,
      friendly_name: p.friendlyName ?? null,
      unique_name: p.uniqueName ?? null,
      attributes: cipher.encrypt(p.attributes),
      state: input.state ?? 'active',
      timer_inactive: p.timerInactive,
      timer_closed: p.timerClosed,
      date_inactive: null,
      date_closed: null,
      bindings: bindingsJson(input),
      last_message_index: -1,
      created_by: actor.clientIdentity ?? null,
      date_created: created,
      date_updated: input.dateUpdated ?? created,
    };
    scheduleDates(values, now);
    const { seq: _seq, ...insert } = values;
    await conversationsStore.insert(tx, insert);
    await this.armTimer(tx, values);
    const stored = (await conversationsStore.bySid(tx, actor.accountSid, sid))!;
    await this.hooks.post(tx, actor, { event: 'onConversationAdded', serviceSid, conversationSid: sid, params: { ...this.eventParams(stored, p.attributes), ...p.eventParams } });
    return stored;
  }

  async update(actor: ActionSource, serviceSid: string, sidOrUniqueName: string, input: ConversationInput): Promise<Conversation> {
    const { storage, clock, cipher } = this.deps;
    validateInput(input);
    const current = await this.get(actor.accountSid, serviceSid, sidOrUniqueName);
    const pre = await this.hooks.pre(actor, serviceSid, 'onConversationUpdate', {
      ConversationSid: current.row.sid,
      FriendlyName: input.friendlyName ?? current.row.friendly_name ?? undefined,
      UniqueName: input.uniqueName ?? current.row.unique_name ?? undefined,
      Attributes: input.attributes ?? current.attributes,
      State: input.state ?? current.row.state,
      MessagingServiceSid: current.row.messaging_service_sid ?? undefined,
    });
    const friendlyName = typeof pre.friendly_name === 'string' ? pre.friendly_name : input.friendlyName;
    const attributes = typeof pre.attributes === 'string' ? pre.attributes : input.attributes;
    const now = clock.now();
    const row = await storage.transaction(async (tx) => {
      const before = (await conversationsStore.bySid(tx, actor.accountSid, current.row.sid))!;
      if (input.uniqueName !== undefined && input.uniqueName !== before.unique_name) {
        const clash = await conversationsStore.byUniqueName(tx, actor.accountSid, serviceSid, input.uniqueName);
        if (clash) throw Errors.conversationUniqueNameExists(input.uniqueName);
      }
      if (input.state !== undefined && input.state !== before.state) {
        if (before.state === 'closed') throw Errors.conversationClosed(before.sid);
        if (input.state === 'initializing') throw Errors.invalidParameter('State cannot be set back to initializing');
      }
      const next: ConversationRow = {
        ...before,
        friendly_name: friendlyName !== undefined ? friendlyName : before.friendly_name,
        unique_name: input.uniqueName !== undefined ? input.uniqueName : before.unique_name,
        attributes: attributes !== undefined ? cipher.encrypt(attributes) : before.attributes,
        messaging_service_sid: input.messagingServiceSid ?? before.messaging_service_sid,
        state: input.state ?? before.state,
        timer_inactive: input.timersInactive ?? before.timer_inactive,
        timer_closed: input.timersClosed ?? before.timer_closed,
        bindings: input.bindingsEmailAddress !== undefined || input.bindingsEmailName !== undefined ? bindingsJson(input, before.bindings) : before.bindings,
        date_created: input.dateCreated ?? before.date_created,
        date_updated: input.dateUpdated ?? now,
      };
      if (next.timer_inactive !== before.timer_inactive || next.timer_closed !== before.timer_closed || next.state !== before.state) scheduleDates(next, now);
      await conversationsStore.update(tx, actor.accountSid, before.sid, {
        friendly_name: next.friendly_name,
        unique_name: next.unique_name,
        attributes: next.attributes,
        messaging_service_sid: next.messaging_service_sid,
        state: next.state,
        timer_inactive: next.timer_inactive,
        timer_closed: next.timer_closed,
        date_inactive: next.date_inactive,
        date_closed: next.date_closed,
        bindings: next.bindings,
        date_created: next.date_created,
        date_updated: next.date_updated,
      });
      await this.armTimer(tx, next);
      const plain = attributes ?? current.attributes;
      await this.hooks.post(tx, actor, { event: 'onConversationUpdated', serviceSid, conversationSid: before.sid, params: this.eventParams(next, plain) });
      if (next.state !== before.state) await this.stateChanged(tx, actor, before, next.state as ConversationState, 'API', now);
      return (await conversationsStore.bySid(tx, actor.accountSid, before.sid))!;
    });
    this.deps.outbox.committed();
    return this.decode(row);
  }

  async delete(actor: ActionSource, serviceSid: string, sidOrUniqueName: string): Promise<void> {
    const current = await this.get(actor.accountSid, serviceSid, sidOrUniqueName);
    await this.hooks.pre(actor, serviceSid, 'onConversationRemove', { ConversationSid: current.row.sid, FriendlyName: current.row.friendly_name ?? undefined, UniqueName: current.row.unique_name ?? undefined, Attributes: current.attributes, State: current.row.state });
    const now = this.deps.clock.now();
    await this.deps.storage.transaction(async (tx) => {
      // The event first: its destinations include the conversation's own webhooks, deleted next.
      await this.hooks.post(tx, actor, {
        event: 'onConversationRemoved',
        serviceSid,
        conversationSid: current.row.sid,
        params: { ...this.eventParams(current.row, current.attributes), DateRemoved: isoDate(now)! },
      });
      await conversationsStore.deleteCascade(tx, actor.accountSid, current.row.sid);
      await this.deps.jobs.cancel(tx, timerKey(current.row.sid));
    });
    this.deps.outbox.committed();
  }

  /**
   * Activity (a message, a participant joining) brings an inactive conversation
   * back to active and restarts its timers. Closed conversations refuse activity.
   */
  async touch(tx: Executor, actor: ActionSource, row: ConversationRow): Promise<void> {
    if (row.state === 'closed') throw Errors.conversationClosed(row.sid);
    const now = this.deps.clock.now();
    const next = { ...row };
    const reactivated = row.state === 'inactive';
    if (reactivated) next.state = 'active';
    if (!next.timer_inactive && !next.timer_closed && !reactivated) return;
    scheduleDates(next, now);
    await conversationsStore.update(tx, row.account_sid, row.sid, { state: next.state, date_inactive: next.date_inactive, date_closed: next.date_closed });
    await this.armTimer(tx, next);
    if (reactivated) await this.stateChanged(tx, actor, row, 'active', 'EVENT', now);
  }

  /** Loads a conversation for writing below it (participants, messages) inside a transaction. */
  async forWrite(tx: Executor, accountSid: string, serviceSid: string, sidOrUniqueName: string): Promise<ConversationRow> {
    const row = await conversationsStore.find(tx, accountSid, serviceSid, sidOrUniqueName);
    if (!row) throw Errors.notFound(`/Conversations/${sidOrUniqueName}`);
    return row;
  }

  private async stateChanged(tx: Executor, actor: ActionSource, before: ConversationRow, to: ConversationState, reason: StateReason, now: number): Promise<void> {
    if (to === 'closed') {
      await conversationsStore.releaseBindings(tx, before.account_sid, before.sid);
      await this.deps.jobs.cancel(tx, timerKey(before.sid));
    }
    await this.hooks.post(tx, actor, {
      event: 'onConversationStateUpdated',
      serviceSid: before.service_sid,
      conversationSid: before.sid,
      params: {
        ConversationSid: before.sid,
        StateUpdated: isoDate(now)!,
        StateFrom: before.state,
        StateTo: to,
        Reason: reason,
        MessagingServiceSid: before.messaging_service_sid ?? undefined,
      },
    });
  }

  private async armTimer(tx: Executor, row: Pick<ConversationRow, 'sid' | 'account_sid' | 'state' | 'date_inactive' | 'date_closed'>): Promise<void> {
    const candidates = [row.state === 'active' ? row.date_inactive : null, row.state !== 'closed' ? row.date_closed : null].filter((d): d is number => d !== null);
    if (candidates.length === 0) {
      await this.deps.jobs.cancel(tx, timerKey(row.sid));
      return;
    }
    await this.deps.jobs.schedule(tx, { accountSid: row.account_sid, kind: CONVERSATION_TIMER_JOB, dedupeKey: timerKey(row.sid), runAt: Math.min(...candidates), payload: { conversationSid: row.sid }, maxAttempts: 10 });
  }

  /** A state timer came due: move active→inactive or →closed, emitting onConversationStateUpdated (Reason TIMER). */
  private async onTimer(job: Job): Promise<void> {
    const sid = String(job.payload.conversationSid);
    const now = this.deps.clock.now();
    // Timer transitions are system actions: service-level hooks fire as for SDK activity.
    const actor: ActionSource = { accountSid: job.accountSid, source: 'API', webhooksEnabled: true };
    await this.deps.storage.transaction(async (tx) => {
      const row = await conversationsStore.bySid(tx, job.accountSid, sid);
      if (!row || row.state === 'closed') return;
      let to: ConversationState | undefined;
      if (row.date_closed !== null && row.date_closed <= now) to = 'closed';
      else if (row.state === 'active' && row.date_inactive !== null && row.date_inactive <= now) to = 'inactive';
      if (to) {
        await conversationsStore.update(tx, row.account_sid, sid, { state: to });
        await this.stateChanged(tx, actor, row, to, 'TIMER', now);
        if (to === 'inactive') await this.armTimer(tx, { ...row, state: to });
      } else {
        // Woken early (timers moved since this job was armed): sleep until the next deadline.
        await this.armTimer(tx, row);
      }
    });
    this.deps.outbox.committed();
  }

  eventParams(row: ConversationRow, attributes: string): WebhookParams {
    return {
      ConversationSid: row.sid,
      DateCreated: isoDate(row.date_created)!,
      DateUpdated: isoDate(row.date_updated)!,
      FriendlyName: row.friendly_name ?? undefined,
      UniqueName: row.unique_name ?? undefined,
      Attributes: attributes,
      MessagingServiceSid: row.messaging_service_sid ?? undefined,
      State: row.state,
    };
  }
}

export function timerKey(conversationSid: string): string {
  return `conversation-timer:${conversationSid}`;
}

/** Timer deadlines from the configured durations, counted from `now`. */
function scheduleDates(row: Pick<ConversationRow, 'state' | 'timer_inactive' | 'timer_closed' | 'date_inactive' | 'date_closed'>, now: number): void {
  const inactive = durationParam('Timers.Inactive', row.timer_inactive ?? undefined);
  const closed = durationParam('Timers.Closed', row.timer_closed ?? undefined);
  row.date_inactive = row.state === 'active' && inactive !== undefined ? now + inactive : null;
  row.date_closed = row.state !== 'closed' && closed !== undefined ? now + closed : null;
}

function validateInput(input: ConversationInput): void {
  if (input.friendlyName !== undefined && input.friendlyName.length > FRIENDLY_NAME_MAX) throw Errors.invalidParameter(`FriendlyName must be at most ${FRIENDLY_NAME_MAX} characters`);
  if (input.uniqueName !== undefined && (input.uniqueName.length === 0 || input.uniqueName.length > 256)) throw Errors.invalidParameter('UniqueName must be 1 to 256 characters');
  if (input.uniqueName !== undefined && /^CH[0-9a-fA-F]{32}$/.test(input.uniqueName)) throw Errors.invalidParameter('UniqueName cannot have the shape of a Conversation SID');
  if (input.attributes !== undefined) {
    try {
      JSON.parse(input.attributes);
    } catch {
      throw Errors.invalidParameter('Attributes must be a valid JSON string');
    }
    if (Buffer.byteLength(input.attributes) > ATTRIBUTES_MAX) throw Errors.invalidParameter(`Attributes must be at most ${ATTRIBUTES_MAX} bytes`);
  }
  const inactive = durationParam('Timers.Inactive', input.timersInactive);
  if (inactive !== undefined && inactive < MIN_INACTIVE_MS) throw Errors.invalidParameter('Timers.Inactive must be at least PT1M');
  const closed = durationParam('Timers.Closed', input.timersClosed);
  if (closed !== undefined && closed < MIN_CLOSED_MS) throw Errors.invalidParameter('Timers.Closed must be at least PT10M');
  if (input.messagingServiceSid !== undefined && !/^MG[0-9a-fA-F]{32}$/.test(input.messagingServiceSid)) throw Errors.invalidParameter('MessagingServiceSid must be an MG SID');
}

function bindingsJson(input: ConversationInput, existing?: string | null): string | null {
  if (input.bindingsEmailAddress === undefined && input.bindingsEmailName === undefined) return existing ?? null;
  const prev = existing ? (JSON.parse(existing) as { email?: { address?: string; name?: string } }) : {};
  return JSON.stringify({ email: { ...(prev.email ?? {}), ...(input.bindingsEmailAddress !== undefined ? { address: input.bindingsEmailAddress } : {}), ...(input.bindingsEmailName !== undefined ? { name: input.bindingsEmailName } : {}) } });
}
