import { createHmac } from 'node:crypto';
import { safeEqual, sha256Hex } from './crypto.js';

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

/**
 * Checks an incoming X-Twilio-Signature (carrier webhooks) the way Twilio's own
 * validators do: the URL as called, and with its default port removed or added,
 * since proxies disagree on whether the port is part of it.
 */
export function validTwilioSignature(authToken: string, signature: string | undefined, url: string, params: Record<string, string | string[]>): boolean {
  if (!signature) return false;
  return urlVariants(url).some((candidate) => safeEqual(twilioSignature(authToken, candidate, params), signature));
}

function urlVariants(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [url];
  }
  const defaultPort = u.protocol === 'https:' ? '443' : '80';
  const withoutPort = new URL(url);
  withoutPort.port = '';
  // URL drops a default port on assignment, so the with-port form is spliced in by hand.
  const bare = withoutPort.toString();
  const withPort = `${u.protocol}//${u.username ? `${u.username}${u.password ? `:${u.password}` : ''}@` : ''}${u.hostname}:${u.port || defaultPort}${u.pathname}${u.search}`;
  return [...new Set([url, bare, withPort])];
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
