import { Errors } from '../../platform/errors.js';
import { isoDate } from '../../platform/clock.js';
import { newSid, SidPrefix } from '../../platform/sid.js';
import { attributesParam } from '../../platform/http/params.js';
import type { Executor } from '../../storage/db.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { ActionSource, ConversationsDeps } from '../deps.js';
import type { ConversationHooks, WebhookParams } from '../hooks.js';
import type { ServicesService } from '../services/service.js';
import type { RolesService } from '../roles/service.js';
import { usersStore, type UserRow } from './store.js';

const IDENTITY_MAX = 256;
const FRIENDLY_NAME_MAX = 256;
/** Twilio publishes no User limit; 4 KB matches its Participant and Message attributes. */
const ATTRIBUTES_MAX = 4 * 1024;

export interface User {
  row: UserRow;
  attributes: string;
  /** Reachability, only known for single-resource reads (Twilio returns null in lists). */
  isOnline: boolean | null;
  isNotifiable: boolean | null;
}

export interface UserInput {
  identity?: string;
  friendlyName?: string;
  attributes?: string;
  roleSid?: string;
}

export class UsersService {
  constructor(
    private readonly deps: ConversationsDeps,
    private readonly services: ServicesService,
    private readonly roles: RolesService,
    private readonly hooks: ConversationHooks,
  ) {}

  decode(row: UserRow): User {
    return { row, attributes: this.deps.cipher.decrypt(row.attributes), isOnline: null, isNotifiable: null };
  }

  /** Resolves a user by SID or identity (no reachability lookup). */
  async find(accountSid: string, serviceSid: string, sidOrIdentity: string): Promise<UserRow> {
    const row = await usersStore.find(this.deps.storage.db, accountSid, serviceSid, sidOrIdentity);
    if (!row) throw Errors.notFound(`/Users/${sidOrIdentity}`);
    return row;
  }

  async get(accountSid: string, serviceSid: string, sidOrIdentity: string): Promise<User> {
    return this.withReachability(await this.find(accountSid, serviceSid, sidOrIdentity));
  }

  async list(accountSid: string, serviceSid: string, w: KeysetWindow): Promise<Array<User & { seq: number }>> {
    const rows = await usersStore.list(this.deps.storage.db, accountSid, serviceSid, w);
    return rows.map((r) => ({ ...this.decode(r), seq: r.seq }));
  }

  async create(actor: ActionSource, serviceSid: string, input: UserInput & { identity: string }): Promise<User> {
    validate(input);
    const { storage, clock, cipher } = this.deps;
    const roleSid = input.roleSid !== undefined
      ? (await this.roles.require(storage.db, actor.accountSid, serviceSid, input.roleSid, 'service')).sid
      : (await this.services.get(actor.accountSid, serviceSid)).default_chat_service_role_sid;
    const attributes = input.attributes ?? '{}';
    const now = clock.now();
    const sid = newSid(SidPrefix.User);
    const row = await storage.transaction(async (tx) => {
      const inserted = await usersStore.insertUnique(tx, {
        sid,
        account_sid: actor.accountSid,
        service_sid: serviceSid,
        identity: input.identity,
        friendly_name: input.friendlyName ?? null,
        attributes: cipher.encrypt(attributes),
        role_sid: roleSid,
        is_online: null,
        is_notifiable: null,
        date_created: now,
        date_updated: now,
      });
      if (!inserted) throw Errors.userExists(input.identity);
      const stored = (await usersStore.find(tx, actor.accountSid, serviceSid, sid))!;
      await this.hooks.post(tx, actor, { event: 'onUserAdded', serviceSid, conversationSid: null, params: addedParams(stored, attributes) });
      return stored;
    });
    this.deps.outbox.committed();
    return this.withReachability(row);
  }

  async update(actor: ActionSource, serviceSid: string, sidOrIdentity: string, input: UserInput): Promise<User> {
    validate(input);
    const { storage, clock, cipher } = this.deps;
    const current = this.decode(await this.find(actor.accountSid, serviceSid, sidOrIdentity));
    if (input.roleSid !== undefined) await this.roles.require(storage.db, actor.accountSid, serviceSid, input.roleSid, 'service');
    const pre = await this.hooks.pre(actor, serviceSid, 'onUserUpdate', {
      UserSid: current.row.sid,
      Identity: current.row.identity,
      FriendlyName: input.friendlyName ?? current.row.friendly_name ?? undefined,
      Attributes: input.attributes ?? current.attributes,
      RoleSid: input.roleSid ?? current.row.role_sid ?? undefined,
    });
    const friendlyName = typeof pre.friendly_name === 'string' ? pre.friendly_name : input.friendlyName;
    const attributes = typeof pre.attributes === 'string' ? pre.attributes : input.attributes;
    const now = clock.now();
    const row = await storage.transaction(async (tx) => {
      const before = await usersStore.find(tx, actor.accountSid, serviceSid, current.row.sid);
      if (!before) throw Errors.notFound(`/Users/${sidOrIdentity}`);
      await usersStore.update(tx, actor.accountSid, before.sid, {
        friendly_name: friendlyName !== undefined ? friendlyName : before.friendly_name,
        attributes: attributes !== undefined ? cipher.encrypt(attributes) : before.attributes,
        role_sid: input.roleSid ?? before.role_sid,
        date_updated: now,
      });
      const after = (await usersStore.find(tx, actor.accountSid, serviceSid, before.sid))!;
      const params: WebhookParams = { ...addedParams(after, attributes ?? current.attributes), DateUpdated: isoDate(after.date_updated)! };
      if (after.is_online !== null) params.IsOnline = String(after.is_online === 1);
      if (after.is_notifiable !== null) params.IsNotifiable = String(after.is_notifiable === 1);
      await this.hooks.post(tx, actor, { event: 'onUserUpdated', serviceSid, conversationSid: null, params });
      return after;
    });
    this.deps.outbox.committed();
    return this.withReachability(row);
  }

  /**
   * Removes the User only. Participants are keyed by identity and stay in their
   * conversations (a chat client logging in again gets a fresh User).
   */
  async delete(actor: ActionSource, serviceSid: string, sidOrIdentity: string): Promise<void> {
    const current = await this.find(actor.accountSid, serviceSid, sidOrIdentity);
    await this.deps.storage.transaction((tx) => usersStore.delete(tx, actor.accountSid, current.sid));
  }

  /**
   * The User behind a chat identity, created with the service's default role when
   * missing (chat participants and SDK logins). Runs inside the caller's transaction;
   * with an actor, a creation records onUserAdded there too.
   */
  async ensureUser(tx: Executor, accountSid: string, serviceSid: string, identity: string, actor?: ActionSource): Promise<UserRow> {
    const existing = await usersStore.byIdentity(tx, accountSid, serviceSid, identity);
    if (existing) return existing;
    const now = this.deps.clock.now();
    const inserted = await usersStore.insertUnique(tx, {
      sid: newSid(SidPrefix.User),
      account_sid: accountSid,
      service_sid: serviceSid,
      identity,
      friendly_name: null,
      attributes: this.deps.cipher.encrypt('{}'),
      role_sid: await usersStore.defaultRoleSid(tx, accountSid, serviceSid),
      is_online: null,
      is_notifiable: null,
      date_created: now,
      date_updated: now,
    });
    const row = (await usersStore.byIdentity(tx, accountSid, serviceSid, identity))!;
    if (inserted && actor) await this.hooks.post(tx, actor, { event: 'onUserAdded', serviceSid, conversationSid: null, params: addedParams(row, '{}') });
    return row;
  }

  /** is_online / is_notifiable are null unless the service has reachability enabled. */
  private async withReachability(row: UserRow): Promise<User> {
    const user = this.decode(row);
    const service = await this.services.get(row.account_sid, row.service_sid);
    if (!service.reachability_enabled) return user;
    const pushable = await usersStore.hasPushBinding(this.deps.storage.db, row.account_sid, row.service_sid, row.identity);
    return {
      ...user,
      isOnline: row.is_online === null ? null : row.is_online === 1,
      isNotifiable: pushable ? true : row.is_notifiable === null ? null : row.is_notifiable === 1,
    };
  }
}

function addedParams(row: UserRow, attributes: string): WebhookParams {
  return {
    UserSid: row.sid,
    Identity: row.identity,
    FriendlyName: row.friendly_name ?? undefined,
    RoleSid: row.role_sid ?? undefined,
    Attributes: attributes,
    DateCreated: isoDate(row.date_created)!,
  };
}

function validate(input: UserInput): void {
  if (input.identity !== undefined && (input.identity.length === 0 || input.identity.length > IDENTITY_MAX)) {
    throw Errors.invalidParameter(`Identity must be 1 to ${IDENTITY_MAX} characters`);
  }
  if (input.friendlyName !== undefined && input.friendlyName.length > FRIENDLY_NAME_MAX) {
    throw Errors.invalidParameter(`FriendlyName must be at most ${FRIENDLY_NAME_MAX} characters`);
  }
  attributesParam(input.attributes, 'Attributes', ATTRIBUTES_MAX);
}
