import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Selectable } from 'kysely';
import { Errors } from '../../platform/errors.js';
import { isSmtpUrl } from '../../platform/config.js';
import type { Cipher } from '../../platform/crypto.js';
import type { Clock } from '../../platform/clock.js';
import type { Storage } from '../../storage/db.js';
import type { ChannelEmailAccountsTable } from '../../storage/schema-channels.js';

type Row = Selectable<ChannelEmailAccountsTable>;

/** An account's email channel settings, decrypted. */
export interface EmailAccount {
  accountSid: string;
  /** The relay outbound mail goes through, and where the setting came from. */
  smtpUrl: string | undefined;
  smtpSource: 'api' | 'environment' | null;
  /** The secret path segment of the inbound webhook; undefined until issued. */
  inboundToken: string | undefined;
  dateCreated: number | null;
  dateUpdated: number | null;
}

export interface EmailAccountsDeps {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
  /** PARLEY_SMTP_URL: the main account's relay unless it configured its own. */
  environmentSmtpUrl: string | undefined;
  mainAccountSid: () => string;
}

/**
 * Per-account email settings (/parley/v1/Channels/Email): the SMTP relay URL
 * (credentials inside, stored encrypted) and the token that authenticates the
 * inbound webhook URL handed to the inbound-parse provider.
 */
export class EmailAccounts {
  constructor(private readonly deps: EmailAccountsDeps) {}

  async forAccount(accountSid: string): Promise<EmailAccount> {
    const row = await this.row(accountSid);
    const env = accountSid === this.deps.mainAccountSid() ? this.deps.environmentSmtpUrl : undefined;
    const own = row?.smtp_url ? this.deps.cipher.decrypt(row.smtp_url) : undefined;
    const smtpUrl = own ?? env;
    return {
      accountSid,
      smtpUrl,
      smtpSource: own ? 'api' : env ? 'environment' : null,
      inboundToken: row ? this.deps.cipher.decrypt(row.inbound_token) : undefined,
      dateCreated: row?.date_created ?? null,
      dateUpdated: row?.date_updated ?? null,
    };
  }

  /** True when `token` is the account's inbound token (constant time). */
  async verifyToken(accountSid: string, token: string): Promise<boolean> {
    if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) return false;
    const expected = (await this.forAccount(accountSid)).inboundToken;
    if (!expected) return false;
    const a = Buffer.from(expected);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Sets the SMTP URL (when given; "" clears it) and issues the inbound token on first use or when asked to rotate. */
  async configure(accountSid: string, input: { smtpUrl?: string; rotateToken?: boolean }): Promise<EmailAccount> {
    if (input.smtpUrl !== undefined && input.smtpUrl !== '' && !isSmtpUrl(input.smtpUrl)) {
      throw Errors.invalidParameter('SmtpUrl must be an smtp:// or smtps:// URL with a host, e.g. smtp://user:pass@smtp.example.com:587');
    }
    const { storage, cipher, clock } = this.deps;
    const now = clock.now();
    await storage.transaction(async (tx) => {
      const existing = await tx.selectFrom('channel_email_accounts').selectAll().where('account_sid', '=', accountSid).executeTakeFirst();
      const smtp = input.smtpUrl === undefined ? undefined : input.smtpUrl === '' ? null : cipher.encrypt(input.smtpUrl);
      const token = !existing || input.rotateToken ? cipher.encrypt(randomBytes(24).toString('base64url')) : undefined;
      if (existing) {
        await tx
          .updateTable('channel_email_accounts')
          .set({ ...(smtp !== undefined ? { smtp_url: smtp } : {}), ...(token ? { inbound_token: token } : {}), date_updated: now })
          .where('account_sid', '=', accountSid)
          .execute();
      } else {
        await tx.insertInto('channel_email_accounts').values({ account_sid: accountSid, smtp_url: smtp ?? null, inbound_token: token!, date_created: now, date_updated: now }).execute();
      }
    });
    return this.forAccount(accountSid);
  }

  /** Forgets the account's settings (its relay and inbound token); false when it had none. */
  async remove(accountSid: string): Promise<boolean> {
    const res = await this.deps.storage.db.deleteFrom('channel_email_accounts').where('account_sid', '=', accountSid).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  private row(accountSid: string): Promise<Row | undefined> {
    return this.deps.storage.db.selectFrom('channel_email_accounts').selectAll().where('account_sid', '=', accountSid).executeTakeFirst();
  }
}
