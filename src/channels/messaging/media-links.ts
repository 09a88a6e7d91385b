import { createHmac } from 'node:crypto';
import { safeEqual } from '../../platform/crypto.js';
import type { Clock } from '../../platform/clock.js';

export const MEDIA_LINK_PREFIX = '/channels/media';

/**
 * Public, expiring URLs for Parley-stored media: a carrier fetches a MediaUrl
 * without credentials, so the URL itself is the credential. Signed with the
 * owning account's auth token (rotating the token revokes outstanding links).
 */
export class MediaLinks {
  constructor(
    private readonly tokenFor: (accountSid: string) => Promise<string>,
    private readonly clock: Clock,
    /** Long enough for a carrier's retries of the fetch; short enough not to be a permanent link. */
    private readonly ttlMs = 24 * 60 * 60 * 1000,
  ) {}

  async url(base: string, accountSid: string, serviceSid: string, mediaSid: string): Promise<string> {
    const expires = String(Math.floor((this.clock.now() + this.ttlMs) / 1000));
    const signature = sign(await this.tokenFor(accountSid), accountSid, serviceSid, mediaSid, expires);
    return `${base}${MEDIA_LINK_PREFIX}/${accountSid}/${serviceSid}/${mediaSid}?Expires=${expires}&Signature=${signature}`;
  }

  async verify(accountSid: string, serviceSid: string, mediaSid: string, expires: string | undefined, signature: string | undefined): Promise<boolean> {
    if (!expires || !signature || !/^\d{1,12}$/.test(expires)) return false;
    if (Number(expires) * 1000 < this.clock.now()) return false;
    let token: string;
    try {
      token = await this.tokenFor(accountSid);
    } catch {
      return false;
    }
    return safeEqual(sign(token, accountSid, serviceSid, mediaSid, expires), signature);
  }
}

function sign(token: string, accountSid: string, serviceSid: string, mediaSid: string, expires: string): string {
  return createHmac('sha256', token).update(`${accountSid}/${serviceSid}/${mediaSid}/${expires}`).digest('base64url');
}
