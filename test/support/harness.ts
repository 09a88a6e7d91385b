import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, beforeAll, afterAll } from 'vitest';
import twilio from 'twilio';
import type RequestClientBase from 'twilio/lib/base/RequestClient.js';

import { parseConfig } from '../../src/platform/config.js';
import { createParley, type Parley, type ParleyOptions } from '../../src/server.js';
import { dropPgSchema } from '../../src/storage/db.js';

export type Engine = 'sqlite' | 'postgres';

const pgUrl = process.env.DATABASE_URL;
const inCi = process.env.CI === 'true';

if (inCi && !pgUrl) {
  throw new Error('CI=true but DATABASE_URL is not set: the PostgreSQL suites may not be skipped in CI');
}

/** The engines this run covers: SQLite always, PostgreSQL when DATABASE_URL is set. */
export const ENGINES: Engine[] = pgUrl ? ['sqlite', 'postgres'] : ['sqlite'];

let warned = false;
function warnSkip(): void {
  if (!pgUrl && !warned) {
    warned = true;
    process.stderr.write('\n[parley tests] DATABASE_URL is not set: PostgreSQL variants are SKIPPED (set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run them)\n');
  }
}

export interface Server {
  engine: Engine;
  parley: Parley;
  /** http://127.0.0.1:<port> */
  origin: string;
  accountSid: string;
  authToken: string;
  /** The official SDK, pointed at this server. */
  client: twilio.Twilio;
  /** Another SDK client for other credentials (subaccounts, API keys). */
  clientFor(username: string, password: string, accountSid?: string): twilio.Twilio;
  /** Raw HTTP with the main account's credentials. */
  http(method: string, pathname: string, body?: Record<string, string | string[]> | string, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  /** Runs the outbox and due jobs until idle. */
  drain(): Promise<void>;
  /** Waits until every committed event is dispatched and every webhook delivered (or given up). */
  settle(timeoutMs?: number): Promise<void>;
  /** Restarts the process-level objects on the same data (durability tests). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One HTTP request to a test server: a string or bytes as is, a record as a
 * form (repeated keys for lists); the answer parsed as JSON when it is JSON.
 */
export async function request(origin: string, method: string, pathname: string, body: Record<string, string | string[]> | string | Uint8Array | undefined, headers: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    if (typeof body === 'string' || body instanceof Uint8Array) init.body = body;
    else {
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(body)) for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
      init.body = form.toString();
      (init.headers as Record<string, string>)['Content-Type'] ??= 'application/x-www-form-urlencoded';
    }
  }
  const res = await fetch(origin + pathname, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/**
 * Rewrites https://<product>.twilio.com/... to the local server, so the official
 * SDK runs unchanged; everything else (absolute page URLs we issued) passes through.
 */
export function localHttpClient(origin: string): twilio.RequestClient {
  const base = new twilio.RequestClient();
  const client = {
    request(opts: RequestClientBase.RequestOptions) {
      const m = /^https:\/\/([a-z-]+)\.twilio\.com(\/.*)$/.exec(opts.uri);
      return base.request({ ...opts, uri: m ? `${origin}/${m[1]}${m[2]}` : opts.uri });
    },
  };
  return client as unknown as twilio.RequestClient;
}

export async function startServer(engine: Engine, options: ParleyOptions = {}): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
  const pgSchema = engine === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const config = parseConfig({ DATA_DIR: dataDir, ...(engine === 'postgres' ? { DATABASE_URL: pgUrl } : {}), PARLEY_WORKER_POLL_MS: '20', PARLEY_PRE_WEBHOOK_TIMEOUT_MS: '1000' });
  const opts: ParleyOptions = { logger: false, webhookRetryBaseMs: 20, ...(pgSchema ? { pgSchema } : {}), ...options };
  let parley = await createParley(config, opts);
  await parley.app.listen({ port: 0, host: '127.0.0.1' });
  let port = (parley.app.server.address() as { port: number }).port;
  const server: Server = {
    engine,
    parley,
    origin: `http://127.0.0.1:${port}`,
    accountSid: parley.account.sid,
    authToken: parley.account.authToken,
    client: undefined as unknown as twilio.Twilio,
    clientFor(username, password, accountSid) {
      return twilio(username, password, { httpClient: localHttpClient(server.origin), ...(accountSid ? { accountSid } : {}) });
    },
    http(method, pathname, body, headers = {}) {
      return request(server.origin, method, pathname, body, { Authorization: 'Basic ' + Buffer.from(`${server.accountSid}:${server.authToken}`).toString('base64'), ...headers });
    },
    drain: () => parley.worker.drain(),
    async settle(timeoutMs = 10_000) {
      const db = parley.storage.db;
      const end = Date.now() + timeoutMs;
      for (;;) {
        await parley.worker.drain();
        const outbox = await db.selectFrom('outbox').select('seq').where('dispatched_at', 'is', null).limit(1).execute();
        const due = await db.selectFrom('jobs').select('seq').where('kind', '=', 'webhook.deliver').where('status', '=', 'pending').where('run_at', '<=', Date.now()).limit(1).execute();
        if (outbox.length === 0 && due.length === 0) return;
        if (Date.now() > end) throw new Error('events still undelivered after settle timeout');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async restart() {
      await parley.close();
      parley = await createParley(config, opts);
      await parley.app.listen({ port, host: '127.0.0.1' });
      port = (parley.app.server.address() as { port: number }).port;
      server.parley = parley;
      // The SDK keeps sockets alive; let the client side see the old ones close.
      await new Promise((r) => setTimeout(r, 50));
      server.client = server.clientFor(server.accountSid, server.authToken);
    },
    async close() {
      await parley.close();
      if (pgSchema && pgUrl) await dropPgSchema(pgUrl, pgSchema);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  server.client = server.clientFor(server.accountSid, server.authToken);
  return server;
}

/**
 * Declares a suite once per engine, each with its own server:
 * `describeEngines('conversations', (ctx) => { it(..., () => ctx.server.client...) })`.
 */
export function describeEngines(name: string, body: (ctx: { server: Server }, engine: Engine) => void, options: ParleyOptions = {}): void {
  warnSkip();
  for (const engine of ['sqlite', 'postgres'] as const) {
    const enabled = ENGINES.includes(engine);
    (enabled ? describe : describe.skip)(`${name} [${engine}]`, () => {
      const ctx = {} as { server: Server };
      beforeAll(async () => {
        ctx.server = await startServer(engine, options);
      });
      afterAll(async () => {
        await ctx.server?.close();
      });
      body(ctx, engine);
    });
  }
}

/** Captures Twilio errors from the SDK as {status, code}. */
export async function twilioError(p: Promise<unknown>): Promise<{ status: number; code: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { status: number; code: number; message: string };
    return { status: e.status, code: e.code, message: e.message };
  }
  throw new Error('expected the call to fail');
}
