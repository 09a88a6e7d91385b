import { Errors } from '../platform/errors.js';
import type { Storage } from '../storage/db.js';
import type { Cipher } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';
import type { AddressConfiguration, AddressesService } from '../conversations/addresses/service.js';
import { webchatStore } from './store.js';

/** `self`: the origin Parley itself is reached at (the demo page, a widget served by Parley). */
export const SELF_ORIGIN = 'self';
export const ANY_ORIGIN = '*';
/** An address without settings accepts only pages served by Parley itself. */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = [SELF_ORIGIN];
const MAX_ORIGINS = 100;
const SECRET_MIN_BYTES = 32;
const SECRET_MAX_BYTES = 512;

export interface AddressSettings {
  accountSid: string;
  addressSid: string;
  address: string;
  allowedOrigins: string[];
  /** Plaintext; only the services see it, the admin API says whether one is set. */
  userTokenSecret: string | null;
  dateCreated: number | null;
  dateUpdated: number | null;
}

export interface SettingsUpdate {
  allowedOrigins?: string[];
  /** Empty string removes the secret (user tokens are then refused). */
  userTokenSecret?: string;
}

export interface SettingsDeps {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
  addresses: Pick<AddressesService, 'get'>;
}

/** Parley's per-address web chat settings, keyed by the address configuration SID. */
export class WebChatSettings {
  constructor(private readonly deps: SettingsDeps) {}

  /** The chat address by SID or address string, refusing other types as unknown (a browser learns nothing). */
  async chatAddress(accountSid: string, sidOrAddress: string): Promise<AddressConfiguration> {
    const address = await this.deps.addresses.get(accountSid, sidOrAddress);
    if (address.row.type !== 'chat') throw Errors.notFound(`/WebChat/Addresses/${sidOrAddress}`);
    return address;
  }

  async get(accountSid: string, sidOrAddress: string): Promise<AddressSettings> {
    return this.of(await this.chatAddress(accountSid, sidOrAddress));
  }

  async of(address: AddressConfiguration): Promise<AddressSettings> {
    const row = await webchatStore.settings(this.deps.storage.db, address.row.account_sid, address.row.sid);
    return {
      accountSid: address.row.account_sid,
      addressSid: address.row.sid,
      address: address.row.address,
      allowedOrigins: row ? (JSON.parse(row.allowed_origins) as string[]) : [...DEFAULT_ALLOWED_ORIGINS],
      userTokenSecret: row?.user_token_secret ? this.deps.cipher.decrypt(row.user_token_secret) : null,
      dateCreated: row?.date_created ?? null,
      dateUpdated: row?.date_updated ?? null,
    };
  }

  /** Allowed origins of an address by SID only (a session's address may since have been deleted: defaults then). */
  async originsOf(accountSid: string, addressSid: string): Promise<string[]> {
    const row = await webchatStore.settings(this.deps.storage.db, accountSid, addressSid);
    return row ? (JSON.parse(row.allowed_origins) as string[]) : [...DEFAULT_ALLOWED_ORIGINS];
  }

  async update(accountSid: string, sidOrAddress: string, input: SettingsUpdate): Promise<AddressSettings> {
    const current = await this.get(accountSid, sidOrAddress);
    const origins = input.allowedOrigins !== undefined ? normalizeOrigins(input.allowedOrigins) : current.allowedOrigins;
    let secret = current.userTokenSecret;
    if (input.userTokenSecret !== undefined) {
      const bytes = Buffer.byteLength(input.userTokenSecret, 'utf8');
      if (bytes !== 0 && (bytes < SECRET_MIN_BYTES || bytes > SECRET_MAX_BYTES)) {
        throw Errors.invalidParameter(`UserTokenSecret must be ${SECRET_MIN_BYTES} to ${SECRET_MAX_BYTES} bytes (HS256 wants at least 256 bits), or empty to remove it`);
      }
      secret = bytes === 0 ? null : input.userTokenSecret;
    }
    const now = this.deps.clock.now();
    await webchatStore.upsertSettings(this.deps.storage.db, {
      account_sid: accountSid,
      address_sid: current.addressSid,
      allowed_origins: JSON.stringify(origins),
      user_token_secret: secret === null ? null : this.deps.cipher.encrypt(secret),
      date_created: now,
      date_updated: now,
    });
    return this.get(accountSid, current.addressSid);
  }
}

/**
 * Validates and normalizes AllowedOrigins entries: `self`, `*`, an origin
 * (`https://shop.example.com`, `http://localhost:8080`) or one wildcard label
 * (`https://*.example.com`, which does not match example.com itself).
 */
export function normalizeOrigins(values: string[]): string[] {
  if (values.length > MAX_ORIGINS) throw Errors.invalidParameter(`AllowedOrigins takes at most ${MAX_ORIGINS} entries`);
  const out = new Set<string>();
  for (const raw of values) {
    const v = raw.trim();
    if (v === SELF_ORIGIN || v === ANY_ORIGIN) {
      out.add(v);
      continue;
    }
    const wildcard = /^(https?):\/\/\*\.(.+)$/i.exec(v);
    const probe = wildcard ? `${wildcard[1]}://wildcard.${wildcard[2]}` : v;
    let url: URL;
    try {
      url = new URL(probe);
    } catch {
      throw Errors.invalidParameter(`AllowedOrigins entry "${raw}" is not an origin such as https://shop.example.com`);
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
      throw Errors.invalidParameter(`AllowedOrigins entry "${raw}" must be a scheme and host (and port) only, such as https://shop.example.com`);
    }
    out.add(wildcard ? url.origin.replace('://wildcard.', '://*.') : url.origin);
  }
  return [...out];
}

/** Whether a page at `origin` may use the address; `self` is Parley's own origin for this request. */
export function originAllowed(allowed: readonly string[], origin: string | undefined, self: string): boolean {
  if (origin === undefined || origin === '' || origin === 'null') return false;
  const o = origin.toLowerCase();
  for (const entry of allowed) {
    if (entry === ANY_ORIGIN) return true;
    if (entry === SELF_ORIGIN) {
      if (o === new URL(self).origin) return true;
      continue;
    }
    if (entry === o) return true;
    const star = entry.indexOf('://*.');
    if (star >= 0) {
      const scheme = entry.slice(0, star + 3);
      const suffix = entry.slice(star + 4);
      if (o.startsWith(scheme) && o.endsWith(suffix) && o.length > scheme.length + suffix.length) return true;
    }
  }
  return false;
}
