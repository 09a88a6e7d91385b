import type { Selectable } from 'kysely';
import { Errors } from '../../platform/errors.js';
import type { Cipher } from '../../platform/crypto.js';
import type { Clock } from '../../platform/clock.js';
import type { Executor, Storage } from '../../storage/db.js';
import type { ChannelCarriersTable } from '../../storage/schema-channels.js';
import type { TwilioCarrierSettings } from './client.js';
import { isUniqueViolation } from '../messaging/store.js';

type CarrierRow = Selectable<ChannelCarriersTable>;

/** A Parley account's carrier connection and where it came from. */
export interface CarrierAccount extends TwilioCarrierSettings {
  /** The Parley account it belongs to. */
  ownerSid: string;
  source: 'api' | 'environment';
  dateCreated: number | null;
  dateUpdated: number | null;
}

export interface CarrierAccountInput {
  accountSid: string;
  authToken: string;
  apiUrl?: string;
}

export interface CarrierAccountsDeps {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
  /** PARLEY_TWILIO_*: the main account's carrier unless it configured its own. */
  environment: { accountSid: string; authToken: string } | undefined;
  defaultApiUrl: string;
  publicUrl: string | undefined;
  mainAccountSid: () => string;
}

const store = {
  byAccount(db: Executor, accountSid: string): Promise<CarrierRow | undefined> {
    return db.selectFrom('channel_carriers').selectAll().where('account_sid', '=', accountSid).executeTakeFirst();
  },
  byCarrier(db: Executor, carrierSid: string): Promise<CarrierRow | undefined> {
    return db.selectFrom('channel_carriers').selectAll().where('carrier_account_sid', '=', carrierSid).executeTakeFirst();
  },
};

/**
 * Which Twilio Messaging account each Parley account uses: its own (set through
 * /parley/v1/Channels/TwilioMessaging, token stored encrypted), else for the main
 * account the one from the environment, else none (the simulator plays the carrier).
 * Inbound webhooks name the carrier account, so one carrier account serves one
 * Parley account.
 */
export class CarrierAccounts {
  constructor(private readonly deps: CarrierAccountsDeps) {}

  async forAccount(accountSid: string): Promise<CarrierAccount | undefined> {
    const row = await store.byAccount(this.deps.storage.db, accountSid);
    if (row) return this.decode(row);
    return accountSid === this.deps.mainAccountSid() ? this.fromEnvironment() : undefined;
  }

  /** The Parley account a carrier's webhook is for, by the carrier's AccountSid. */
  async byCarrierSid(carrierSid: string): Promise<CarrierAccount | undefined> {
    const row = await store.byCarrier(this.deps.storage.db, carrierSid);
    if (row) return this.decode(row);
    const env = this.fromEnvironment();
    if (env?.accountSid !== carrierSid) return undefined;
    // The environment's carrier stops serving the main account once it configured another.
    return (await store.byAccount(this.deps.storage.db, env.ownerSid)) ? undefined : env;
  }

  /** `origin`: where the admin request reached Parley, used when PUBLIC_URL is not set. */
  async configure(ownerSid: string, input: CarrierAccountInput, origin: string): Promise<CarrierAccount> {
    if (!/^AC[0-9a-fA-F]{32}$/.test(input.accountSid)) throw Errors.invalidParameter(`AccountSid must be an AC SID, got "${input.accountSid}"`);
    if (input.authToken.trim() === '' || input.authToken.length > 256) throw Errors.invalidParameter('AuthToken must be 1 to 256 characters');
    const apiUrl = (input.apiUrl ?? this.deps.defaultApiUrl).replace(/\/+$/, '');
    if (!isHttpUrl(apiUrl)) throw Errors.invalidParameter(`ApiUrl must be an absolute http(s) URL, got "${input.apiUrl}"`);
    const { storage, cipher, clock } = this.deps;
    const now = clock.now();
    const write = storage.transaction(async (tx) => {
      const holder = await store.byCarrier(tx, input.accountSid);
      const env = this.deps.environment;
      const envHeldElsewhere = env?.accountSid === input.accountSid && ownerSid !== this.deps.mainAccountSid();
      if ((holder && holder.account_sid !== ownerSid) || envHeldElsewhere) throw Errors.carrierAccountInUse(input.accountSid);
      const values = {
        provider: 'twilio',
        carrier_account_sid: input.accountSid,
        auth_token: cipher.encrypt(input.authToken),
        api_url: apiUrl,
        callback_base: this.deps.publicUrl ?? origin,
        date_updated: now,
      };
      const existing = await store.byAccount(tx, ownerSid);
      if (existing) await tx.updateTable('channel_carriers').set(values).where('account_sid', '=', ownerSid).execute();
      else await tx.insertInto('channel_carriers').values({ ...values, account_sid: ownerSid, date_created: now }).execute();
    });
    await write.catch((err: unknown) => {
      // Another account took the same carrier account between the check and the write.
      throw isUniqueViolation(err, 'carrier_account_sid') || isUniqueViolation(err, 'channel_carriers') ? Errors.carrierAccountInUse(input.accountSid) : err;
    });
    return (await this.forAccount(ownerSid))!;
  }

  /** Removes the account's own carrier; false when it had none. */
  async remove(ownerSid: string): Promise<boolean> {
    const res = await this.deps.storage.db.deleteFrom('channel_carriers').where('account_sid', '=', ownerSid).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  private decode(row: CarrierRow): CarrierAccount {
    return {
      ownerSid: row.account_sid,
      accountSid: row.carrier_account_sid,
      authToken: this.deps.cipher.decrypt(row.auth_token),
      apiUrl: row.api_url,
      callbackBase: this.deps.publicUrl ?? row.callback_base ?? undefined,
      source: 'api',
      dateCreated: row.date_created,
      dateUpdated: row.date_updated,
    };
  }

  private fromEnvironment(): CarrierAccount | undefined {
    const env = this.deps.environment;
    if (!env) return undefined;
    return { ownerSid: this.deps.mainAccountSid(), accountSid: env.accountSid, authToken: env.authToken, apiUrl: this.deps.defaultApiUrl, callbackBase: this.deps.publicUrl, source: 'environment', dateCreated: null, dateUpdated: null };
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
