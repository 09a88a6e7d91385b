import { MEDIA_MAX_BYTES } from '../../media/limits.js';
import { CarrierError, type CarrierAccepted, type FetchedMedia, type MessagingCarrier, type OutboundCarrierMessage, type StoredMediaRef } from '../messaging/carrier.js';

/** One account's connection to Twilio Programmable Messaging. */
export interface TwilioCarrierSettings {
  accountSid: string;
  authToken: string;
  /** https://api.twilio.com unless configured otherwise. */
  apiUrl: string;
  /** Where Twilio reaches Parley (status callbacks, media URLs); undefined: neither can be offered. */
  callbackBase: string | undefined;
}

export const STATUS_CALLBACK_PATH = '/webhooks/twilio/messaging/status';
export const INBOUND_WEBHOOK_PATH = '/webhooks/twilio/messaging';
const TIMEOUT_MS = 15_000;

/**
 * The Twilio Programmable Messaging adapter: `POST /2010-04-01/Accounts/{AC}/Messages.json`
 * with the account's credentials, media by public signed URL, delivery by
 * StatusCallback. Twilio's error JSON ({code, message, status}) becomes a CarrierError.
 */
export class TwilioMessagingCarrier implements MessagingCarrier {
  readonly provider = 'twilio' as const;

  constructor(
    readonly settings: TwilioCarrierSettings,
    private readonly mediaUrl: (base: string, ref: StoredMediaRef) => Promise<string>,
  ) {}

  async sendsFrom(): Promise<boolean> {
    return true;
  }

  async send(m: OutboundCarrierMessage): Promise<CarrierAccepted> {
    const { settings } = this;
    const form = new URLSearchParams({ To: m.to, From: m.from });
    if (m.body !== undefined) form.append('Body', m.body);
    if (m.contentSid !== undefined) form.append('ContentSid', m.contentSid);
    if (m.contentVariables !== undefined) form.append('ContentVariables', m.contentVariables);
    for (const url of m.mediaUrls) form.append('MediaUrl', url);
    if (m.media.length > 0) {
      if (!settings.callbackBase) throw new CarrierError(21620, 'Parley has no public URL (PUBLIC_URL) the carrier could fetch media from', 400);
      for (const ref of m.media) form.append('MediaUrl', await this.mediaUrl(settings.callbackBase, ref));
    }
    if (m.track && settings.callbackBase) form.append('StatusCallback', settings.callbackBase + STATUS_CALLBACK_PATH);
    let res: Response;
    try {
      res = await fetch(`${settings.apiUrl}/2010-04-01/Accounts/${settings.accountSid}/Messages.json`, {
        method: 'POST',
        headers: { Authorization: this.basicAuth(), 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new CarrierError(0, `carrier unreachable: ${(err as Error).message}`, 0);
    }
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* not JSON: judged by the status alone */
    }
    if (res.status >= 200 && res.status < 300 && typeof json.sid === 'string') return { sid: json.sid, status: typeof json.status === 'string' ? json.status : 'queued' };
    const code = typeof json.code === 'number' ? json.code : 0;
    throw new CarrierError(code, typeof json.message === 'string' ? json.message : `carrier answered HTTP ${res.status}`, res.status >= 200 && res.status < 300 ? 502 : res.status);
  }

  async fetchMedia(url: string): Promise<FetchedMedia> {
    // Credentials go only to the carrier's own host; its redirects (to a CDN) drop them (fetch spec).
    const own = sameOrigin(url, this.settings.apiUrl);
    let res: Response;
    try {
      res = await fetch(url, { headers: own ? { Authorization: this.basicAuth() } : {}, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new CarrierError(0, `media ${url} unreachable: ${(err as Error).message}`, 0);
    }
    return readMedia(url, res);
  }

  private basicAuth(): string {
    return 'Basic ' + Buffer.from(`${this.settings.accountSid}:${this.settings.authToken}`).toString('base64');
  }
}

/** Reads a media download, refusing what Parley's media store could not hold. */
export async function readMedia(url: string, res: Response): Promise<FetchedMedia> {
  if (!res.ok) throw new CarrierError(0, `media ${url} answered HTTP ${res.status}`, res.status >= 500 ? res.status : 502);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MEDIA_MAX_BYTES) throw new CarrierError(11751, `media ${url} is larger than ${MEDIA_MAX_BYTES} bytes`, 413);
  const data = Buffer.from(await res.arrayBuffer());
  if (data.length > MEDIA_MAX_BYTES) throw new CarrierError(11751, `media ${url} is larger than ${MEDIA_MAX_BYTES} bytes`, 413);
  const filename = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(res.headers.get('content-disposition') ?? '')?.[1];
  return { contentType: res.headers.get('content-type') ?? 'application/octet-stream', data, ...(filename ? { filename: decodeURIComponent(filename) } : {}) };
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
