import { createHmac } from 'node:crypto';
import { sha256Hex } from './crypto.js';

/**
 * X-Twilio-Signature exactly as Twilio computes it (reference §1.8): the full URL,
 * then each POST parameter name+value in byte order of names (multi-valued params:
 * distinct values sorted), HMAC-SHA1 keyed with the auth token, base64.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string | string[]>): string {
  let data = url;
  for (const name of Object.keys(params).sort(byteOrder)) {
    const value = params[name]!;
    const values = Array.isArray(value) ? [...new Set(value)].sort(byteOrder) : [value];
    for (const v of values) data += name + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** For JSON bodies: the URL carries bodySHA256 and the signature covers the URL alone. */
export function withBodyHash(url: string, rawBody: string): string {
  const u = new URL(url);
  u.searchParams.set('bodySHA256', sha256Hex(rawBody));
  return u.toString();
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
