import http from 'node:http';
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';

/** One POST …/Messages.json the fake carrier received. */
export interface CarrierRequest {
  accountSid: string;
  /** Form values; MediaUrl is always a list. */
  params: Record<string, string>;
  mediaUrls: string[];
  /** The SM SID answered (undefined when it failed the request). */
  sid?: string;
}

/** A Twilio error answer ({code, message, status}) the carrier should give instead of accepting. */
export interface CarrierFailure {
  status: number;
  code: number;
  message: string;
}

export interface FakeCarrier {
  /** The Messaging API base (PARLEY_TWILIO_API_URL / ApiUrl). */
  url: string;
  accountSid: string;
  authToken: string;
  requests: CarrierRequest[];
  /** Every media download: whether it carried the carrier's Basic auth. */
  mediaFetches: Array<{ path: string; authorized: boolean }>;
  /** How the next sends are answered: a failure, or undefined to accept. */
  failWith(fn: ((r: CarrierRequest) => CarrierFailure | undefined) | undefined): void;
  /** Hosts a file, as Twilio hosts inbound MMS media (Basic auth required); returns its URL. */
  hostMedia(contentType: string, data: Buffer): string;
  /** Waits until `n` sends arrived. */
  waitForRequests(n: number, timeoutMs?: number): Promise<CarrierRequest[]>;
  close(): Promise<void>;
}

function twilioError(res: http.ServerResponse, f: CarrierFailure): void {
  res.writeHead(f.status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ code: f.code, message: f.message, more_info: `https://www.twilio.com/docs/errors/${f.code}`, status: f.status }));
}

/**
 * A local stand-in for Twilio Programmable Messaging: `POST /2010-04-01/Accounts/{AC}/Messages.json`
 * with Basic auth checked, answering like Twilio (201 + Message JSON with an SM SID,
 * or Twilio's error JSON on demand), and serving media files behind Basic auth.
 */
export async function startFakeCarrier(): Promise<FakeCarrier> {
  const accountSid = 'AC' + randomBytes(16).toString('hex');
  const authToken = randomBytes(16).toString('hex');
  const requests: CarrierRequest[] = [];
  const mediaFetches: FakeCarrier['mediaFetches'] = [];
  const media = new Map<string, { contentType: string; data: Buffer }>();
  let failure: ((r: CarrierRequest) => CarrierFailure | undefined) | undefined;
  const expectedAuth = 'Basic ' + Buffer.from(`${accountSid}:${authToken}`).toString('base64');

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const authorized = req.headers.authorization === expectedAuth;
      if (req.method === 'GET' && path.startsWith('/media/')) {
        mediaFetches.push({ path, authorized });
        const file = media.get(path);
        if (!authorized) return twilioError(res, { status: 401, code: 20003, message: 'Authenticate' });
        if (!file) return twilioError(res, { status: 404, code: 20404, message: 'The requested resource was not found' });
        res.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': String(file.data.length) });
        return res.end(file.data);
      }
      const m = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/.exec(path);
      if (req.method !== 'POST' || !m) return twilioError(res, { status: 404, code: 20404, message: 'The requested resource was not found' });
      if (!authorized || m[1] !== accountSid) return twilioError(res, { status: 401, code: 20003, message: 'Authenticate' });
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const params: Record<string, string> = {};
      for (const [k, v] of form) if (k !== 'MediaUrl') params[k] = v;
      const r: CarrierRequest = { accountSid: m[1]!, params, mediaUrls: form.getAll('MediaUrl') };
      requests.push(r);
      const fail = failure?.(r);
      if (fail) return twilioError(res, fail);
      r.sid = 'SM' + randomBytes(16).toString('hex');
      const now = new Date().toUTCString().replace('GMT', '+0000');
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          sid: r.sid,
          account_sid: accountSid,
          from: params.From ?? null,
          to: params.To,
          body: params.Body ?? '',
          status: 'queued',
          num_media: String(r.mediaUrls.length),
          num_segments: '1',
          direction: 'outbound-api',
          api_version: '2010-04-01',
          date_created: now,
          date_updated: now,
          date_sent: null,
          error_code: null,
          error_message: null,
          price: null,
          uri: `/2010-04-01/Accounts/${accountSid}/Messages/${r.sid}.json`,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    accountSid,
    authToken,
    requests,
    mediaFetches,
    failWith(fn) {
      failure = fn;
    },
    hostMedia(contentType, data) {
      const path = `/media/ME${randomBytes(16).toString('hex')}`;
      media.set(path, { contentType, data });
      return url + path;
    },
    async waitForRequests(n, timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (requests.length < n) {
        if (Date.now() > end) throw new Error(`fake carrier got ${requests.length} sends, expected ${n}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return requests.slice(0, n);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * POSTs a form to a Parley carrier webhook as Twilio does: form-encoded, signed
 * with X-Twilio-Signature over the exact URL by the official `twilio` helper
 * (`token: null` sends no signature).
 */
export async function sendSignedWebhook(url: string, params: Record<string, string>, token: string | null): Promise<{ status: number; body: string; contentType: string }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', 'User-Agent': 'TwilioProxy/1.1' };
  if (token !== null) {
    headers['X-Twilio-Signature'] = twilio.getExpectedTwilioSignature(token, url, params);
    // The helper must agree with the official validator, or the test proves nothing.
    if (!twilio.validateRequest(token, headers['X-Twilio-Signature'], url, params)) throw new Error('signature helper disagrees with twilio.validateRequest');
  }
  const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
}

/** An inbound message webhook's parameters, as Twilio Programmable Messaging sends them. */
export function inboundParams(carrier: Pick<FakeCarrier, 'accountSid'>, m: { from: string; to: string; body?: string; media?: Array<{ url: string; contentType: string }>; messageSid?: string }): Record<string, string> {
  const sid = m.messageSid ?? (m.media && m.media.length > 0 ? 'MM' : 'SM') + randomBytes(16).toString('hex');
  const params: Record<string, string> = {
    ToCountry: 'US',
    SmsMessageSid: sid,
    NumMedia: String(m.media?.length ?? 0),
    SmsSid: sid,
    SmsStatus: 'received',
    Body: m.body ?? '',
    To: m.to,
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: carrier.accountSid,
    From: m.from,
    ApiVersion: '2010-04-01',
  };
  (m.media ?? []).forEach((x, i) => {
    params[`MediaUrl${i}`] = x.url;
    params[`MediaContentType${i}`] = x.contentType;
  });
  return params;
}

let phoneCounter = 0;
/** A fresh E.164 number per call (tests share one server per engine). */
export function phone(): string {
  phoneCounter += 1;
  return `+1555${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}${String(phoneCounter).padStart(4, '0')}`;
}

/** Polls until `check` returns a value that is not undefined/false. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until no carrier send job is left (sent, failed or skipped). */
export async function sendsIdle(server: { parley: { storage: { db: import('kysely').Kysely<import('../../src/storage/schema.js').Database> } }; drain(): Promise<void> }): Promise<void> {
  await eventually(async () => {
    await server.drain();
    const left = await server.parley.storage.db.selectFrom('jobs').select('seq').where('kind', '=', 'channels.messaging.send').where('status', '=', 'pending').limit(1).execute();
    return left.length === 0;
  });
}
