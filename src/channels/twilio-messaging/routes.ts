import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { Errors, TwilioError } from '../../platform/errors.js';
import { isoDate } from '../../platform/clock.js';
import { requestOrigin } from '../../platform/http/context.js';
import { P, form } from '../../platform/http/params.js';
import { validTwilioSignature } from '../../platform/signature.js';
import type { MediaService } from '../../media/service.js';
import { CarrierError, type MessagingCarrier } from '../messaging/carrier.js';
import type { InboundMedia, InboundPipeline } from '../messaging/inbound.js';
import { MEDIA_LINK_PREFIX, type MediaLinks } from '../messaging/media-links.js';
import type { OutboundMessaging } from '../messaging/outbound.js';
import type { CarrierAccount, CarrierAccounts } from './accounts.js';
import { INBOUND_WEBHOOK_PATH, STATUS_CALLBACK_PATH } from './client.js';

/** What Twilio apps answer an inbound message with when they have nothing to say. */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

type Form = Record<string, string | string[] | undefined>;

export interface CarrierWebhookDeps {
  carriers: CarrierAccounts;
  carrierFor(accountSid: string): Promise<MessagingCarrier>;
  inbound: InboundPipeline;
  outbound: OutboundMessaging;
  media: MediaService;
  mediaLinks: MediaLinks;
  publicUrl: string | undefined;
}

/**
 * The carrier-facing routes, outside Basic auth: inbound messages and status
 * callbacks from Twilio Programmable Messaging (authenticated by X-Twilio-Signature
 * with the auth token of the carrier account named in AccountSid), and the signed
 * media links carriers fetch outbound media from.
 */
export function registerCarrierWebhooks(app: FastifyInstance, deps: CarrierWebhookDeps): void {
  const hide = { hide: true };

  app.post(INBOUND_WEBHOOK_PATH, { schema: hide }, async (req, reply) => {
    const params = (req.body ?? {}) as Form;
    const owner = await verified(req, deps);
    if (!owner) return forbidden(reply);
    const messageSid = one(params.MessageSid) ?? one(params.SmsMessageSid);
    const from = one(params.From);
    const to = one(params.To);
    if (!messageSid || !from || !to) return reply.code(400).type('text/plain').send('MessageSid, From and To are required');
    const media: InboundMedia[] = [];
    const count = Math.min(Number(one(params.NumMedia) ?? 0) || 0, 10);
    for (let i = 0; i < count; i++) {
      const url = one(params[`MediaUrl${i}`]);
      const contentType = one(params[`MediaContentType${i}`]);
      if (url) media.push({ url, ...(contentType ? { contentType } : {}) });
    }
    const body = one(params.Body);
    try {
      const carrier = await deps.carrierFor(owner.ownerSid);
      const outcome = await deps.inbound.receive(carrier, { accountSid: owner.ownerSid, channelMessageSid: messageSid, from, to, ...(body !== undefined ? { body } : {}), media });
      if (outcome.outcome === 'ignored' && !outcome.duplicate) req.log.info({ messageSid, to, reason: outcome.reason }, 'inbound message matched no conversation or address configuration');
    } catch (err) {
      if (err instanceof CarrierError) {
        // Media could not be fetched: nothing is stored and the carrier may retry.
        req.log.warn({ err, messageSid }, 'inbound media fetch failed');
        return reply.code(502).type('text/plain').send('media could not be fetched');
      }
      // Refused by a pre-action webhook or invalid: a retry would be refused again.
      if (err instanceof TwilioError && err.status < 500) {
        req.log.info({ messageSid, code: err.code, reason: err.message }, 'inbound message refused');
        return twiml(reply);
      }
      throw err;
    }
    return twiml(reply);
  });

  app.post(STATUS_CALLBACK_PATH, { schema: hide }, async (req, reply) => {
    const params = (req.body ?? {}) as Form;
    const owner = await verified(req, deps);
    if (!owner) return forbidden(reply);
    const messageSid = one(params.MessageSid) ?? one(params.SmsSid);
    const status = one(params.MessageStatus) ?? one(params.SmsStatus);
    if (!messageSid || !status) return reply.code(400).type('text/plain').send('MessageSid and MessageStatus are required');
    const code = one(params.ErrorCode);
    await deps.outbound.reportStatus(owner.ownerSid, messageSid, status, code !== undefined && /^\d+$/.test(code) ? Number(code) : null);
    return twiml(reply);
  });

  app.get(`${MEDIA_LINK_PREFIX}/:AccountSid/:ServiceSid/:MediaSid`, { schema: hide }, async (req, reply) => {
    const p = req.params as { AccountSid: string; ServiceSid: string; MediaSid: string };
    const q = req.query as { Expires?: string; Signature?: string };
    if (!(await deps.mediaLinks.verify(p.AccountSid, p.ServiceSid, p.MediaSid, q.Expires, q.Signature))) return forbidden(reply);
    const file = await deps.media.content(p.AccountSid, p.ServiceSid, p.MediaSid);
    reply.type(file.contentType);
    if (file.filename) reply.header('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
    return reply.send(file.data);
  });
}

/** The owning account when the request is signed with its carrier token; the URL is the one the carrier called. */
async function verified(req: FastifyRequest, deps: CarrierWebhookDeps): Promise<CarrierAccount | undefined> {
  const params = (req.body ?? {}) as Form;
  const carrierSid = one(params.AccountSid);
  if (!carrierSid) return undefined;
  const owner = await deps.carriers.byCarrierSid(carrierSid);
  if (!owner) return undefined;
  const header = req.headers['x-twilio-signature'];
  const signature = Array.isArray(header) ? header[0] : header;
  const url = `${deps.publicUrl ?? requestOrigin(req, undefined)}${req.url}`;
  const signed: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) signed[k] = v;
  return validTwilioSignature(owner.authToken, signature, url, signed) ? owner : undefined;
}

function forbidden(reply: FastifyReply): FastifyReply {
  return reply.code(403).type('text/plain').send('Twilio Request Validation Failed.');
}

function twiml(reply: FastifyReply): FastifyReply {
  return reply.code(200).type('text/xml').send(EMPTY_TWIML);
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The admin view of an account's carrier: never the token. */
export function renderCarrier(accountSid: string, c: CarrierAccount | undefined, origin: string): Record<string, unknown> {
  const base = c?.callbackBase ?? origin;
  return {
    account_sid: accountSid,
    provider: c ? 'twilio' : 'simulator',
    source: c?.source ?? null,
    carrier_account_sid: c?.accountSid ?? null,
    api_url: c?.apiUrl ?? null,
    inbound_webhook_url: `${base}${INBOUND_WEBHOOK_PATH}`,
    status_callback_url: c ? (c.callbackBase ? `${c.callbackBase}${STATUS_CALLBACK_PATH}` : null) : null,
    date_created: c?.dateCreated != null ? isoDate(c.dateCreated) : null,
    date_updated: c?.dateUpdated != null ? isoDate(c.dateUpdated) : null,
    url: `${origin}/parley/v1/Channels/TwilioMessaging`,
  };
}

const configureBody = form({
  AccountSid: P.str({ description: 'The Twilio account (AC…) Parley sends through and receives for' }),
  AuthToken: P.str({ description: 'Its auth token (stored encrypted, never returned)' }),
  ApiUrl: Type.Optional(P.str({ description: 'Messaging API base, default PARLEY_TWILIO_API_URL or https://api.twilio.com' })),
});

/** /parley/v1/Channels/TwilioMessaging: an account's own carrier connection (Parley's admin API). */
export function registerCarrierAdminRoutes(app: FastifyInstance, carriers: CarrierAccounts, publicUrl: string | undefined): void {
  const tags = ['parley'];
  const path = '/v1/Channels/TwilioMessaging';
  app.get(path, { schema: { tags, summary: 'The carrier this account sends SMS/WhatsApp through' } }, async (req) => {
    return renderCarrier(req.auth.accountSid, await carriers.forAccount(req.auth.accountSid), requestOrigin(req, publicUrl));
  });
  app.post(path, { schema: { tags, summary: 'Connect a Twilio Programmable Messaging account', body: configureBody } }, async (req) => {
    const b = req.body as { AccountSid: string; AuthToken: string; ApiUrl?: string };
    const origin = requestOrigin(req, publicUrl);
    const c = await carriers.configure(req.auth.accountSid, { accountSid: b.AccountSid, authToken: b.AuthToken, ...(b.ApiUrl !== undefined ? { apiUrl: b.ApiUrl } : {}) }, origin);
    return renderCarrier(req.auth.accountSid, c, origin);
  });
  app.delete(path, { schema: { tags, summary: 'Disconnect it (back to the environment carrier or the simulator)' } }, async (req, reply) => {
    if (!(await carriers.remove(req.auth.accountSid))) throw Errors.notFound('/Channels/TwilioMessaging');
    reply.code(204).send();
  });
}
