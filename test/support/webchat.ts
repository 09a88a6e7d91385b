import { SignJWT } from 'jose';
import type { Server } from './harness.js';

export interface WcResponse {
  status: number;
  body: any;
  headers: Headers;
}

/**
 * A browser's call to the web chat API: JSON in and out, an Origin header
 * (the server's own unless told; `null` sends none), optional bearer token.
 */
export async function wc(server: Server, method: string, path: string, opts: { body?: unknown; origin?: string | null; token?: string; raw?: Buffer; contentType?: string } = {}): Promise<WcResponse> {
  const headers: Record<string, string> = {};
  const origin = opts.origin === undefined ? server.origin : opts.origin;
  if (origin !== null) headers.Origin = origin;
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let body: Uint8Array | string | undefined;
  if (opts.raw) {
    body = new Uint8Array(opts.raw);
    if (opts.contentType) headers['Content-Type'] = opts.contentType;
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(`${server.origin}/webchat/v1${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* binary content */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export interface StartedChat {
  accountSid: string;
  conversationSid: string;
  identity: string;
  token: string;
  expiresAt: string;
  resumeSecret: string;
}

/** Starts a web chat as a page on the server's own origin would; fails the test unless 201. */
export async function startChat(server: Server, body: Record<string, unknown> = {}, origin?: string): Promise<StartedChat> {
  const res = await wc(server, 'POST', '/Sessions', { body: { address: 'parley-webchat', ...body }, ...(origin !== undefined ? { origin } : {}) });
  if (res.status !== 201) throw new Error(`web chat did not start: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as StartedChat;
}

/** A user token as the embedding site would sign it. */
export async function userToken(secret: string, claims: Record<string, unknown>, opts: { expiresIn?: number | null; alg?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? 'HS256' }).setIssuedAt(now);
  if (opts.expiresIn !== null) jwt = jwt.setExpirationTime(now + (opts.expiresIn ?? 600));
  return jwt.sign(new TextEncoder().encode(secret));
}

/** Sets a chat address's web chat settings through the admin API. */
export async function addressSettings(server: Server, address: string, form: Record<string, string | string[]>) {
  return server.http('POST', `/parley/v1/WebChat/Addresses/${encodeURIComponent(address)}`, form);
}
