import { randomUUID } from 'node:crypto';
import type { Executor } from '../storage/db.js';
import type { Clock } from '../platform/clock.js';
import { twilioSignature, withBodyHash } from '../platform/signature.js';
import type { Jobs } from './jobs.js';

/**
 * Outbound webhooks as Twilio sends them: form-encoded (or JSON with bodySHA256),
 * signed with X-Twilio-Signature using the account's auth token, carrying an
 * I-Twilio-Idempotency-Token that stays the same on every retry.
 */
export interface WebhookRequest {
  accountSid: string;
  url: string;
  method: 'GET' | 'POST';
  /** Form parameters (POST body or GET query). */
  params?: Record<string, string | string[]>;
  /** A raw JSON body instead of form parameters (POST only). */
  json?: string;
}

export interface WebhookResponse {
  status: number;
  body: string;
  contentType: string;
}

export const WEBHOOK_JOB = 'webhook.deliver';

export interface WebhookSenderDeps {
  authTokenFor(accountSid: string): Promise<string>;
  clock: Clock;
  jobs: Jobs;
  /** Delivery attempts for post-event webhooks before giving up. */
  maxAttempts: number;
  defaultTimeoutMs: number;
  userAgent?: string;
}

/** Connection overrides from the URL fragment (#ct=..&rt=..&tt=..&rc=..), within Twilio's bounds. */
export function connectionOverrides(url: string, defaultTimeoutMs: number): { url: string; timeoutMs: number; retryCount?: number } {
  const hash = url.indexOf('#');
  if (hash < 0) return { url, timeoutMs: defaultTimeoutMs };
  const params = new URLSearchParams(url.slice(hash + 1));
  const clamp = (v: string | null, lo: number, hi: number) => (v !== null && /^\d+$/.test(v) ? Math.min(hi, Math.max(lo, Number(v))) : undefined);
  const rt = clamp(params.get('rt'), 100, 15000);
  const tt = clamp(params.get('tt'), 100, 15000);
  const rc = clamp(params.get('rc'), 0, 5);
  return { url: url.slice(0, hash), timeoutMs: tt ?? rt ?? defaultTimeoutMs, ...(rc !== undefined ? { retryCount: rc } : {}) };
}

export class WebhookSender {
  constructor(private readonly deps: WebhookSenderDeps) {
    deps.jobs.handle(WEBHOOK_JOB, async (job) => {
      const p = job.payload as unknown as WebhookRequest & { token: string };
      const res = await this.send(p, p.token);
      if (res.status < 200 || res.status >= 300) throw new Error(`webhook ${p.url} answered HTTP ${res.status}`);
    });
  }

  /** Queues a durable delivery inside the caller's transaction (post-event webhooks). */
  async enqueue(tx: Executor, req: WebhookRequest): Promise<void> {
    const { retryCount } = connectionOverrides(req.url, this.deps.defaultTimeoutMs);
    await this.deps.jobs.schedule(tx, {
      accountSid: req.accountSid,
      kind: WEBHOOK_JOB,
      payload: { ...req, token: randomUUID() },
      runAt: this.deps.clock.now(),
      maxAttempts: retryCount !== undefined ? retryCount + 1 : this.deps.maxAttempts,
    });
  }

  /** Sends one request now; network failures and timeouts surface as status 0. */
  async send(req: WebhookRequest, idempotencyToken: string = randomUUID(), timeoutOverrideMs?: number): Promise<WebhookResponse> {
    const { url, timeoutMs } = connectionOverrides(req.url, timeoutOverrideMs ?? this.deps.defaultTimeoutMs);
    const token = await this.deps.authTokenFor(req.accountSid);
    const headers: Record<string, string> = {
      'User-Agent': this.deps.userAgent ?? 'TwilioProxy/1.1',
      'I-Twilio-Idempotency-Token': idempotencyToken,
      Accept: '*/*',
    };
    let target = url;
    let body: string | undefined;
    if (req.json !== undefined) {
      target = withBodyHash(url, req.json);
      body = req.json;
      headers['Content-Type'] = 'application/json';
      headers['X-Twilio-Signature'] = twilioSignature(token, target, {});
    } else if (req.method === 'GET') {
      const u = new URL(url);
      for (const [k, v] of Object.entries(req.params ?? {})) for (const x of Array.isArray(v) ? v : [v]) u.searchParams.append(k, x);
      target = u.toString();
      headers['X-Twilio-Signature'] = twilioSignature(token, target, {});
    } else {
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(req.params ?? {})) for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
      body = form.toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['X-Twilio-Signature'] = twilioSignature(token, url, req.params ?? {});
    }
    try {
      const res = await fetch(target, { method: req.json !== undefined ? 'POST' : req.method, headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      const text = await res.text();
      return { status: res.status, body: text, contentType: res.headers.get('content-type') ?? '' };
    } catch {
      return { status: 0, body: '', contentType: '' };
    }
  }
}
