import { Errors, TwilioError } from '../../platform/errors.js';
import { isoDate } from '../../platform/clock.js';
import { newSid, SidPrefix } from '../../platform/sid.js';
import { attributesParam } from '../../platform/http/params.js';
import type { Executor } from '../../storage/db.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { ActionSource, ConversationsDeps } from '../deps.js';
import type { ConversationHooks, WebhookParams } from '../hooks.js';
import { servicesStore } from '../services/store.js';
import type { Conversation, ConversationInput, ConversationsService } from '../conversation/service.js';
import type { ConversationRow } from '../conversation/store.js';
import { checkProxy, openBindingKey, validateBinding, IDENTITY_MAX, ADDRESS_MAX } from './binding.js';
import { participantsStore, type ParticipantMatch, type ParticipantRow } from './store.js';

const ATTRIBUTES_MAX = 4 * 1024;
const MAX_PARTICIPANTS = 1000;
const MAX_NON_CHAT_PARTICIPANTS = 50;
export const MAX_PARTICIPANTS_PER_REQUEST = 10;

export interface Participant {
  row: ParticipantRow;
  attributes: string;
}

export interface ParticipantInput {
  identity?: string;
  address?: string;
  proxyAddress?: string;
  projectedAddress?: string;
  attributes?: string;
  roleSid?: string;
  dateCreated?: number;
  dateUpdated?: number;
}

/** `null` removes a binding field or clears the read horizon; `undefined` leaves it. */
export interface ParticipantUpdate {
  identity?: string;
  attributes?: string;
  roleSid?: string;
  proxyAddress?: string | null;
  projectedAddress?: string | null;
  lastReadMessageIndex?: number | null;
  lastReadTimestamp?: number | null;
  dateCreated?: number;
  dateUpdated?: number;
}

/** One row of /ParticipantConversations: a participant and the conversation it sits in. */
export interface ParticipantConversation {
  seq: number;
  participant: ParticipantRow;
  userSid: string | null;
  conversation: Conversation;
}

/** Creates the User behind a chat identity inside the caller's transaction (UsersService satisfies it). */
export interface UserDirectory {
  ensureUser(tx: Executor, accountSid: string, serviceSid: string, identity: string, actor?: ActionSource): Promise<unknown>;
}

export class ParticipantsService {
  constructor(
    private readonly deps: ConversationsDeps,
    private readonly conversations: ConversationsService,
    private readonly hooks: ConversationHooks,
    private readonly users: UserDirectory,
  ) {}

  decode(row: ParticipantRow): Participant {
    return { row, attributes: this.deps.cipher.decrypt(row.attributes) };
  }

  async get(accountSid: string, serviceSid: string, conversation: string, sidOrIdentity: string): Promise<Participant> {
    const conv = await this.conversations.get(accountSid, serviceSid, conversation);
    const row = await participantsStore.find(this.deps.storage.db, accountSid, conv.row.sid, sidOrIdentity);
    if (!row) throw Errors.notFound(`/Conversations/${conv.row.sid}/Participants/${sidOrIdentity}`);
    return this.decode(row);
  }

  async list(accountSid: string, serviceSid: string, conversation: string, w: KeysetWindow): Promise<Array<Participant & { seq: number }>> {
    const conv = await this.conversations.get(accountSid, serviceSid, conversation);
    const rows = await participantsStore.list(this.deps.storage.db, accountSid, conv.row.sid, w);
    return rows.map((r) => ({ ...this.decode(r), seq: r.seq }));
  }

  /** The participant of a conversation with this chat identity (Messages: participant_sid from Author). */
  byIdentity(accountSid: string, conversationSid: string, identity: string, db: Executor = this.deps.storage.db): Promise<ParticipantRow | undefined> {
    return participantsStore.byIdentity(db, accountSid, conversationSid, identity);
  }

  /** Every participant of a conversation, in the order they joined (Messages: fan-out, receipts). */
  allOf(accountSid: string, conversationSid: string, db: Executor = this.deps.storage.db): Promise<ParticipantRow[]> {
    return participantsStore.all(db, accountSid, conversationSid);
  }

  async create(actor: ActionSource, serviceSid: string, conversation: string, input: ParticipantInput): Promise<Participant> {
    validateInput(input);
    const conv = await this.conversations.get(actor.accountSid, serviceSid, conversation);
    if (conv.row.state === 'closed') throw Errors.conversationClosed(conv.row.sid);
    const pre = await this.hooks.pre(actor, serviceSid, 'onParticipantAdd', {
      ConversationSid: conv.row.sid,
      Identity: input.identity,
      RoleSid: input.roleSid,
      Attributes: input.attributes ?? '{}',
      'MessagingBinding.Address': input.address,
      'MessagingBinding.ProxyAddress': input.proxyAddress,
      'MessagingBinding.ProjectedAddress': input.projectedAddress,
    });
    const attributes = typeof pre.attributes === 'string' ? pre.attributes : input.attributes;
    const row = await this.deps.storage.transaction(async (tx) => {
      const current = await this.conversations.forWrite(tx, actor.accountSid, serviceSid, conv.row.sid);
      // Joining is activity: an inactive conversation comes back, a closed one refuses.
      await this.conversations.touch(tx, actor, current);
      return this.insert(tx, actor, current, { ...input, ...(attributes !== undefined ? { attributes } : {}) });
    });
    this.deps.outbox.committed();
    return this.decode(row);
  }

  /** ConversationWithParticipants: the conversation and every participant commit together or not at all. */
  async createWithParticipants(actor: ActionSource, serviceSid: string, conversation: ConversationInput, participants: ParticipantInput[]): Promise<Conversation> {
    if (participants.length > MAX_PARTICIPANTS_PER_REQUEST) throw Errors.invalidParameter(`At most ${MAX_PARTICIPANTS_PER_REQUEST} Participant parameters may be given`);
    participants.forEach(validateInput);
    const prepared = await this.conversations.prepareCreate(actor, serviceSid, conversation);
    const row = await this.deps.storage.transaction(async (tx) => {
      const conv = await this.conversations.insert(tx, actor, serviceSid, prepared);
      for (const p of participants) await this.insert(tx, actor, conv, p);
      return conv;
    });
    this.deps.outbox.committed();
    return this.conversations.decode(row);
  }

  async update(actor: ActionSource, serviceSid: string, conversation: string, sidOrIdentity: string, input: ParticipantUpdate): Promise<Participant> {
    validateUpdate(input);
    const current = await this.get(actor.accountSid, serviceSid, conversation, sidOrIdentity);
    const pre = await this.hooks.pre(actor, serviceSid, 'onParticipantUpdate', {
      ...this.eventParams(current.row, input.attributes ?? current.attributes),
      Identity: input.identity ?? current.row.identity ?? undefined,
      RoleSid: input.roleSid ?? current.row.role_sid ?? undefined,
    });
    const attributes = typeof pre.attributes === 'string' ? pre.attributes : input.attributes;
    const row = await this.deps.storage.transaction(async (tx) => {
      const before = await participantsStore.find(tx, actor.accountSid, current.row.conversation_sid, current.row.sid);
      if (!before) throw Errors.notFound(`/Conversations/${current.row.conversation_sid}/Participants/${sidOrIdentity}`);
      const conv = await this.conversations.forWrite(tx, actor.accountSid, serviceSid, before.conversation_sid);
      const now = this.deps.clock.now();
      const next: ParticipantRow = { ...before, date_created: input.dateCreated ?? before.date_created, date_updated: input.dateUpdated ?? now };
      if (attributes !== undefined) next.attributes = this.deps.cipher.encrypt(attributes);
      if (input.identity !== undefined && input.identity !== before.identity) {
        if (before.binding_address !== null) throw Errors.invalidParameter('Identity cannot be set on a participant bound to MessagingBinding.Address');
        if (await participantsStore.byIdentity(tx, actor.accountSid, before.conversation_sid, input.identity)) throw Errors.participantExists(input.identity);
        next.identity = input.identity;
        await this.ensureUser(tx, actor, serviceSid, input.identity);
      }
      if (input.roleSid !== undefined) next.role_sid = await this.conversationRole(tx, actor.accountSid, serviceSid, input.roleSid);
      if (input.proxyAddress !== undefined) {
        if (before.binding_address === null) throw Errors.invalidParameter('MessagingBinding.ProxyAddress can only be changed on a participant bound to MessagingBinding.Address');
        checkProxy(before.binding_type ?? 'sms', input.proxyAddress);
        next.binding_proxy_address = input.proxyAddress;
      }
      if (input.projectedAddress !== undefined) {
        if (before.identity === null) throw Errors.invalidParameter('MessagingBinding.ProjectedAddress can only be set on a chat participant (with Identity)');
        next.binding_projected_address = input.projectedAddress;
        next.binding_type = input.projectedAddress === null ? null : 'sms';
      }
      if (input.lastReadMessageIndex !== undefined) {
        next.last_read_message_index = input.lastReadMessageIndex;
        next.last_read_timestamp = input.lastReadMessageIndex === null ? null : now;
      }
      if (input.lastReadTimestamp !== undefined) next.last_read_timestamp = input.lastReadTimestamp;
      next.open_binding_key = conv.state === 'closed' ? null : openBindingKey(actor.accountSid, next.binding_address, next.binding_proxy_address);
      if (next.open_binding_key !== null && next.open_binding_key !== before.open_binding_key) await this.checkBindingFree(tx, actor.accountSid, next.open_binding_key);
      const { seq: _seq, sid: _sid, account_sid: _a, service_sid: _s, conversation_sid: _c, ...patch } = next;
      await withUniqueErrors(next, () => participantsStore.update(tx, actor.accountSid, before.sid, patch));
      await this.hooks.post(tx, actor, {
        event: 'onParticipantUpdated',
        serviceSid,
        conversationSid: before.conversation_sid,
        params: {
          ...this.eventParams(next, attributes ?? current.attributes),
          DateUpdated: isoDate(next.date_updated)!,
          LastReadMessageIndex: next.last_read_message_index === null ? undefined : String(next.last_read_message_index),
        },
      });
      return next;
    });
    this.deps.outbox.committed();
    return this.decode(row);
  }

  async delete(actor: ActionSource, serviceSid: string, conversation: string, sidOrIdentity: string): Promise<void> {
    const current = await this.get(actor.accountSid, serviceSid, conversation, sidOrIdentity);
    await this.hooks.pre(actor, serviceSid, 'onParticipantRemove', this.eventParams(current.row, current.attributes));
    const now = this.deps.clock.now();
    await this.deps.storage.transaction(async (tx) => {
      await participantsStore.delete(tx, actor.accountSid, current.row.sid);
      await this.hooks.post(tx, actor, {
        event: 'onParticipantRemoved',
        serviceSid,
        conversationSid: current.row.conversation_sid,
        params: { ...this.eventParams(current.row, current.attributes), DateUpdated: isoDate(current.row.date_updated)!, DateRemoved: isoDate(now)! },
      });
    });
    this.deps.outbox.committed();
  }

  /** Every participant with this identity or address in the service, with its conversation. */
  async participantConversations(accountSid: string, serviceSid: string, match: ParticipantMatch, w: KeysetWindow): Promise<ParticipantConversation[]> {
    const db = this.deps.storage.db;
    const rows = await participantsStore.matching(db, accountSid, serviceSid, match, w);
    const conversations = new Map((await participantsStore.conversationsBySid(db, accountSid, [...new Set(rows.map((r) => r.conversation_sid))])).map((c) => [c.sid, c]));
    const identities = [...new Set(rows.map((r) => r.identity).filter((i): i is string => i !== null))];
    const users = new Map((await participantsStore.usersByIdentity(db, accountSid, serviceSid, identities)).map((u) => [u.identity, u.sid]));
    return rows.flatMap((r) => {
      const conv = conversations.get(r.conversation_sid);
      if (!conv) return [];
      return [{ seq: r.seq, participant: r, userSid: r.identity !== null ? (users.get(r.identity) ?? null) : null, conversation: this.conversations.decode(conv) }];
    });
  }

  /**
   * Adds one validated participant to a conversation inside the caller's
   * transaction (no pre-action webhook: callers run it, or act for a channel).
   */
  async insert(tx: Executor, actor: ActionSource, conv: ConversationRow, input: ParticipantInput): Promise<ParticipantRow> {
    const { accountSid } = actor;
    if (conv.state === 'closed') throw Errors.conversationClosed(conv.sid);
    const type = validateBinding(input);
    const counts = await participantsStore.counts(tx, accountSid, conv.sid);
    if (counts.total >= MAX_PARTICIPANTS) throw Errors.participantLimit(`A conversation may have at most ${MAX_PARTICIPANTS} participants`);
    if (input.address !== undefined && counts.nonChat >= MAX_NON_CHAT_PARTICIPANTS) throw Errors.participantLimit(`A conversation may have at most ${MAX_NON_CHAT_PARTICIPANTS} non-chat participants`);
    if (input.identity !== undefined && (await participantsStore.byIdentity(tx, accountSid, conv.sid, input.identity))) throw Errors.participantExists(input.identity);
    const key = openBindingKey(accountSid, input.address ?? null, input.proxyAddress ?? null);
    if (key !== null) await this.checkBindingFree(tx, accountSid, key);
    const roleSid = input.roleSid !== undefined ? await this.conversationRole(tx, accountSid, conv.service_sid, input.roleSid) : ((await servicesStore.get(tx, accountSid, conv.service_sid))?.default_conversation_role_sid ?? null);
    if (input.identity !== undefined) await this.ensureUser(tx, actor, conv.service_sid, input.identity);
    const now = this.deps.clock.now();
    const created = input.dateCreated ?? now;
    const attributes = input.attributes ?? '{}';
    const row: ParticipantRow = {
      seq: 0,
      sid: newSid(SidPrefix.Participant),
      account_sid: accountSid,
      service_sid: conv.service_sid,
      conversation_sid: conv.sid,
      identity: input.identity ?? null,
      attributes: this.deps.cipher.encrypt(attributes),
      binding_type: type,
      binding_address: input.address ?? null,
      binding_proxy_address: input.proxyAddress ?? null,
      binding_projected_address: input.projectedAddress ?? null,
      open_binding_key: key,
      role_sid: roleSid,
      last_read_message_index: null,
      last_read_timestamp: null,
      notification_level: 'default',
      date_created: created,
      date_updated: input.dateUpdated ?? created,
    };
    const { seq: _seq, ...values } = row;
    await withUniqueErrors(row, () => participantsStore.insert(tx, values));
    await this.hooks.post(tx, actor, { event: 'onParticipantAdded', serviceSid: conv.service_sid, conversationSid: conv.sid, params: this.eventParams(row, attributes) });
    return (await participantsStore.find(tx, accountSid, conv.sid, row.sid))!;
  }

  private async checkBindingFree(tx: Executor, accountSid: string, key: string): Promise<void> {
    const holder = await participantsStore.byOpenBinding(tx, accountSid, key);
    if (holder) throw Errors.participantBindingExists(holder.conversation_sid);
  }

  private async conversationRole(tx: Executor, accountSid: string, serviceSid: string, roleSid: string): Promise<string> {
    const role = await participantsStore.role(tx, accountSid, serviceSid, roleSid);
    if (!role || role.type !== 'conversation') throw Errors.invalidParameter(`RoleSid ${roleSid} is not a conversation role of this service`);
    return role.sid;
  }

  /** Twilio creates the Conversation User (service default role) when a chat identity first joins a conversation. */
  private async ensureUser(tx: Executor, actor: ActionSource, serviceSid: string, identity: string): Promise<void> {
    await this.users.ensureUser(tx, actor.accountSid, serviceSid, identity, actor);
  }

  /** The parameters of onParticipantAdded (reference §2.8); updated/removed add their dates. */
  eventParams(row: ParticipantRow, attributes: string): WebhookParams {
    return {
      ConversationSid: row.conversation_sid,
      ParticipantSid: row.sid,
      DateCreated: isoDate(row.date_created)!,
      Identity: row.identity ?? undefined,
      RoleSid: row.role_sid ?? undefined,
      Attributes: attributes,
      'MessagingBinding.ProxyAddress': row.binding_proxy_address ?? undefined,
      'MessagingBinding.Address': row.binding_address ?? undefined,
      'MessagingBinding.ProjectedAddress': row.binding_projected_address ?? undefined,
      'MessagingBinding.Type': (row.binding_type ?? 'chat').toUpperCase(),
    };
  }
}

function validateInput(input: ParticipantInput): void {
  validateBinding(input);
  attributesParam(input.attributes, 'Attributes', ATTRIBUTES_MAX);
}

function validateUpdate(input: ParticipantUpdate): void {
  attributesParam(input.attributes, 'Attributes', ATTRIBUTES_MAX);
  if (input.identity !== undefined && (input.identity.length === 0 || input.identity.length > IDENTITY_MAX)) throw Errors.invalidParameter(`Identity must be 1 to ${IDENTITY_MAX} characters`);
  for (const [name, value] of [['MessagingBinding.ProxyAddress', input.proxyAddress], ['MessagingBinding.ProjectedAddress', input.projectedAddress]] as const) {
    if (typeof value === 'string' && value.length > ADDRESS_MAX) throw Errors.invalidParameter(`${name} must be at most ${ADDRESS_MAX} characters`);
  }
  if (input.lastReadMessageIndex !== undefined && input.lastReadMessageIndex !== null && (!Number.isInteger(input.lastReadMessageIndex) || input.lastReadMessageIndex < 0)) {
    throw Errors.invalidParameter('LastReadMessageIndex must be a non-negative integer or null');
  }
}

/**
 * The checks above run first; a concurrent writer can still win the race to the
 * unique indexes, and the loser gets the same Twilio error instead of a 500.
 */
async function withUniqueErrors(row: Pick<ParticipantRow, 'identity' | 'conversation_sid'>, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    const e = err as { code?: string; message?: string; constraint?: string };
    const unique = e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE';
    if (!unique || err instanceof TwilioError) throw err;
    const where = `${e.constraint ?? ''} ${e.message ?? ''}`;
    if (where.includes('open_binding_key')) throw Errors.participantBindingExists(row.conversation_sid);
    if (row.identity !== null && (where.includes('conv_participants_identity') || where.includes('conv_participants.identity'))) throw Errors.participantExists(row.identity);
    throw err;
  }
}
