import type { Storage } from '../storage/db.js';
import type { Cipher } from '../platform/crypto.js';
import { randomToken, safeEqual } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';
import { Errors } from '../platform/errors.js';
import { newSid, SidPrefix } from '../platform/sid.js';
import type { AuthContext } from '../platform/http/context.js';
import { accountsStore, type AccountRow, type ApiKeyRow } from './store.js';
import type { KeysetWindow } from '../storage/keyset.js';
import { settings } from '../storage/settings.js';

export interface Account {
  sid: string;
  ownerAccountSid: string;
  friendlyName: string;
  authToken: string;
  status: string;
  type: string;
  dateCreated: number;
  dateUpdated: number;
}

export interface ApiKey {
  sid: string;
  accountSid: string;
  friendlyName: string;
  secret: string;
  dateCreated: number;
  dateUpdated: number;
}

interface CachedCredential {
  secret: string;
  auth: AuthContext;
  active: boolean;
  expires: number;
}

/** How long a verified credential is trusted before it is read again (other nodes' changes). */
const CREDENTIAL_TTL_MS = 5000;

export interface AccountsDeps {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
}

export class AccountsService {
  private cache = new Map<string, CachedCredential>();
  private readonly created: Array<(accountSid: string) => Promise<void>> = [];

  constructor(private readonly deps: AccountsDeps) {}

  /** Products that keep per-account defaults (a default Conversations service…) register here. */
  onAccountCreated(fn: (accountSid: string) => Promise<void>): void {
    this.created.push(fn);
  }

  private toAccount(row: AccountRow): Account {
    return {
      sid: row.sid,
      ownerAccountSid: row.owner_account_sid,
      friendlyName: row.friendly_name,
      authToken: this.deps.cipher.decrypt(row.auth_token),
      status: row.status,
      type: row.type,
      dateCreated: row.date_created,
      dateUpdated: row.date_updated,
    };
  }

  private toKey(row: ApiKeyRow): ApiKey {
    return {
      sid: row.sid,
      accountSid: row.account_sid,
      friendlyName: row.friendly_name,
      secret: this.deps.cipher.decrypt(row.secret),
      dateCreated: row.date_created,
      dateUpdated: row.date_updated,
    };
  }

  /**
   * The main account: from configuration, else generated once and persisted.
   * Returns it with `generated` true when this start created it (so main prints it).
   */
  async bootstrap(configured: { accountSid?: string; authToken?: string }): Promise<{ account: Account; generated: boolean }> {
    const { storage, cipher, clock } = this.deps;
    const existingSid = await settings.get(storage.db, 'bootstrap_account_sid');
    const sid = configured.accountSid ?? existingSid ?? newSid(SidPrefix.Account);
    const existing = await accountsStore.bySid(storage.db, sid);
    let generated = false;
    if (!existing) {
      const now = clock.now();
      const token = configured.authToken ?? randomToken(16);
      await storage.transaction(async (tx) => {
        await accountsStore.insert(tx, {
          sid,
          account_sid: sid,
          owner_account_sid: sid,
          friendly_name: 'Parley main account',
          auth_token: cipher.encrypt(token),
          status: 'active',
          type: 'Full',
          date_created: now,
          date_updated: now,
        });
        await settings.put(tx, 'bootstrap_account_sid', sid);
      });
      generated = configured.authToken === undefined;
    } else if (configured.authToken !== undefined && this.toAccount(existing).authToken !== configured.authToken) {
      // The environment is the source of truth for the bootstrap token: rotate to it.
      await storage.db.updateTable('accounts').set({ auth_token: cipher.encrypt(configured.authToken), date_updated: clock.now() }).where('sid', '=', sid).execute();
    }
    if (!existingSid) await settings.put(storage.db, 'bootstrap_account_sid', sid);
    await this.ensureProvisioned(sid);
    const account = await this.get(sid);
    return { account, generated };
  }

  /** Runs every product's per-account provisioning; each is idempotent. */
  async ensureProvisioned(accountSid: string): Promise<void> {
    for (const fn of this.created) await fn(accountSid);
  }

  async get(sid: string): Promise<Account> {
    const row = await accountsStore.bySid(this.deps.storage.db, sid);
    if (!row) throw Errors.notFound(`/Accounts/${sid}.json`);
    return this.toAccount(row);
  }

  /** Verifies HTTP Basic credentials: an account SID + auth token, or an API key SID + secret. */
  async authenticate(username: string, password: string): Promise<AuthContext> {
    const now = this.deps.clock.now();
    let entry = this.cache.get(username);
    if (!entry || entry.expires < now) {
      entry = await this.loadCredential(username, now);
      if (entry) this.cache.set(username, entry);
    }
    if (!entry || !entry.active || !safeEqual(entry.secret, password)) throw Errors.authenticationFailed();
    return entry.auth;
  }

  private async loadCredential(username: string, now: number): Promise<CachedCredential | undefined> {
    const db = this.deps.storage.db;
    if (username.startsWith(SidPrefix.Account)) {
      const row = await accountsStore.bySid(db, username);
      if (!row) return undefined;
      const a = this.toAccount(row);
      return { secret: a.authToken, active: a.status === 'active', expires: now + CREDENTIAL_TTL_MS, auth: { accountSid: a.sid, credentialSid: a.sid, ownerAccountSid: a.ownerAccountSid } };
    }
    if (username.startsWith(SidPrefix.ApiKey)) {
      const row = await accountsStore.keyBySid(db, username);
      if (!row) return undefined;
      const account = await accountsStore.bySid(db, row.account_sid);
      if (!account) return undefined;
      return {
        secret: this.deps.cipher.decrypt(row.secret),
        active: account.status === 'active',
        expires: now + CREDENTIAL_TTL_MS,
        auth: { accountSid: row.account_sid, credentialSid: row.sid, ownerAccountSid: account.owner_account_sid },
      };
    }
    return undefined;
  }

  /** A caller may act on its own account and, as a main account, on its subaccounts. */
  async accessibleAccount(auth: AuthContext, sid: string): Promise<Account> {
    const account = await this.get(sid).catch(() => undefined);
    if (!account || (account.sid !== auth.accountSid && account.ownerAccountSid !== auth.accountSid)) {
      throw Errors.notFound(`/Accounts/${sid}.json`);
    }
    return account;
  }

  async createSubaccount(auth: AuthContext, friendlyName: string | undefined): Promise<Account> {
    if (auth.ownerAccountSid !== auth.accountSid) {
      throw Errors.permissionDenied('Subaccounts cannot create subaccounts');
    }
    const { storage, cipher, clock } = this.deps;
    const now = clock.now();
    const sid = newSid(SidPrefix.Account);
    await accountsStore.insert(storage.db, {
      sid,
      account_sid: sid,
      owner_account_sid: auth.accountSid,
      friendly_name: friendlyName ?? `SubAccount Created at ${new Date(now).toUTCString()}`,
      auth_token: cipher.encrypt(randomToken(16)),
      status: 'active',
      type: 'Full',
      date_created: now,
      date_updated: now,
    });
    await this.ensureProvisioned(sid);
    return this.get(sid);
  }

  async listAccounts(auth: AuthContext, w: KeysetWindow, filter: { friendlyName?: string; status?: string }): Promise<Array<Account & { seq: number }>> {
    const rows = await accountsStore.list(this.deps.storage.db, auth.accountSid, w, filter);
    return rows.map((r) => ({ ...this.toAccount(r), seq: r.seq }));
  }

  async updateAccount(auth: AuthContext, sid: string, patch: { friendlyName?: string; status?: string }): Promise<Account> {
    const account = await this.accessibleAccount(auth, sid);
    if (patch.status !== undefined) {
      if (!['active', 'suspended', 'closed'].includes(patch.status)) throw Errors.invalidParameter(`Status must be one of active, suspended, closed`);
      if (account.sid === account.ownerAccountSid) throw Errors.invalidParameter('The main account status cannot be changed');
      if (account.status === 'closed') throw Errors.invalidParameter('A closed account cannot be reopened');
    }
    await accountsStore.update(this.deps.storage.db, sid, {
      ...(patch.friendlyName !== undefined ? { friendly_name: patch.friendlyName } : {}),
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      date_updated: this.deps.clock.now(),
    });
    this.cache.clear();
    return this.get(sid);
  }

  async createKey(accountSid: string, friendlyName: string | undefined): Promise<ApiKey> {
    const { storage, cipher, clock } = this.deps;
    const now = clock.now();
    const sid = newSid(SidPrefix.ApiKey);
    const secret = randomToken(16);
    await accountsStore.insertKey(storage.db, {
      sid,
      account_sid: accountSid,
      friendly_name: friendlyName ?? sid,
      secret: cipher.encrypt(secret),
      date_created: now,
      date_updated: now,
    });
    return { sid, accountSid, friendlyName: friendlyName ?? sid, secret, dateCreated: now, dateUpdated: now };
  }

  async getKey(accountSid: string, sid: string): Promise<ApiKey> {
    const row = await accountsStore.keyBySid(this.deps.storage.db, sid);
    if (!row || row.account_sid !== accountSid) throw Errors.notFound(`/Accounts/${accountSid}/Keys/${sid}.json`);
    return this.toKey(row);
  }

  async listKeys(accountSid: string, w: KeysetWindow): Promise<Array<ApiKey & { seq: number }>> {
    const rows = await accountsStore.listKeys(this.deps.storage.db, accountSid, w);
    return rows.map((r) => ({ ...this.toKey(r), seq: r.seq }));
  }

  async updateKey(accountSid: string, sid: string, friendlyName: string | undefined): Promise<ApiKey> {
    await this.getKey(accountSid, sid);
    if (friendlyName !== undefined) {
      await accountsStore.updateKey(this.deps.storage.db, accountSid, sid, { friendly_name: friendlyName, date_updated: this.deps.clock.now() });
    }
    return this.getKey(accountSid, sid);
  }

  async deleteKey(accountSid: string, sid: string): Promise<void> {
    const n = await accountsStore.deleteKey(this.deps.storage.db, accountSid, sid);
    if (n === 0) throw Errors.notFound(`/Accounts/${accountSid}/Keys/${sid}.json`);
    this.cache.delete(sid);
  }
}
