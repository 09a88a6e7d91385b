import type { FastifyInstance, FastifyReply } from 'fastify';
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import { Errors, TwilioError } from '../../platform/errors.js';
import { isoDate } from '../../platform/clock.js';
import { requestOrigin } from '../../platform/http/context.js';
import { P, form } from '../../platform/http/params.js';
import { MEDIA_MAX_BYTES } from '../../media/limits.js';
import type { EmailAccount, EmailAccounts } from './accounts.js';
import type { EmailInbound, ParsedEmail } from './inbound.js';

export const EMAIL_INBOUND_PATH = '/webhooks/email/inbound';

/**
 * The inbound-parse webhook (SendGrid Inbound Parse's multipart form), outside
 * Basic auth: the URL's secret token authenticates it. Answers 200 to anything
 * authenticated, stored or not, since the provider would only retry it.
 */
export function registerEmailWebhook(accounts: EmailAccounts, inbound: EmailInbound): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    await app.register(multipart, { limits: { fileSize: MEDIA_MAX_BYTES, files: 10, fields: 50, parts: 60, fieldSize: 4 * 1024 * 1024 } });
    const hide = { hide: true };
    app.post(EMAIL_INBOUND_PATH, { schema: hide }, async (_req, reply) => forbidden(reply));
    app.post(`${EMAIL_INBOUND_PATH}/:AccountSid/:Token`, { schema: hide }, async (req, reply) => {
      const { AccountSid, Token } = req.params as { AccountSid: string; Token: string };
      if (!(await accounts.verifyToken(AccountSid, Token))) return forbidden(reply);
      if (!req.isMultipart()) return reply.code(415).type('text/plain').send('multipart/form-data expected (SendGrid Inbound Parse)');
      const fields: Record<string, string> = {};
      const files: Array<{ field: string; data: Buffer; contentType: string; filename?: string }> = [];
      for await (const part of req.parts()) {
        if (part.type === 'file') files.push({ field: part.fieldname, data: await part.toBuffer(), contentType: part.mimetype, ...(part.filename ? { filename: part.filename } : {}) });
        else fields[part.fieldname] = String(part.value);
      }
      if (!fields.from) return reply.code(400).type('text/plain').send('from is required');
      const info = attachmentInfo(fields['attachment-info']);
      const envelope = envelopeOf(fields.envelope);
      const email: ParsedEmail = {
        from: fields.from,
        recipients: [...envelope, fields.to ?? '', fields.cc ?? ''].filter((r) => r !== ''),
        ...(fields.subject !== undefined ? { subject: fields.subject } : {}),
        ...(fields.text !== undefined ? { text: fields.text } : {}),
        ...(fields.html !== undefined ? { html: fields.html } : {}),
        ...(fields.headers !== undefined ? { headers: fields.headers } : {}),
        attachments: files.map((f) => {
          const meta = info[f.field];
          const filename = meta?.filename ?? f.filename;
          const generic = f.contentType === '' || f.contentType === 'application/octet-stream';
          return { data: f.data, contentType: generic && meta?.type ? meta.type : f.contentType, ...(filename ? { filename } : {}) };
        }),
      };
      try {
        const outcome = await inbound.receive(AccountSid, email);
        if (outcome.outcome === 'ignored' && !outcome.duplicate) req.log.info({ messageId: outcome.messageId, reason: outcome.reason }, 'inbound email matched no conversation or address configuration');
      } catch (err) {
        // Refused by a pre-action webhook or invalid (a file type, an empty message): a retry would be refused again.
        if (err instanceof TwilioError && err.status < 500) {
          req.log.info({ code: err.code, reason: err.message }, 'inbound email refused');
          return reply.code(200).send({ stored: false });
        }
        throw err;
      }
      return reply.code(200).send({ stored: true });
    });
  };
}

function attachmentInfo(raw: string | undefined): Record<string, { filename?: string; type?: string }> {
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as Record<string, { filename?: string; name?: string; type?: string }>;
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, { ...(v.filename ?? v.name ? { filename: (v.filename ?? v.name)! } : {}), ...(v.type ? { type: v.type } : {}) }]));
  } catch {
    return {};
  }
}

function envelopeOf(raw: string | undefined): string[] {
  if (!raw) return [];
  try {
    const to = (JSON.parse(raw) as { to?: unknown }).to;
    return Array.isArray(to) ? to.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function forbidden(reply: FastifyReply): FastifyReply {
  return reply.code(403).type('text/plain').send('Forbidden');
}

/** The admin view: the relay's host and user, never its password; the inbound URL carries the token. */
export function renderEmailChannel(a: EmailAccount, origin: string): Record<string, unknown> {
  let smtp: URL | undefined;
  try {
    smtp = a.smtpUrl ? new URL(a.smtpUrl) : undefined;
  } catch {
    smtp = undefined;
  }
  return {
    account_sid: a.accountSid,
    smtp_configured: a.smtpUrl !== undefined,
    smtp_source: a.smtpSource,
    smtp_host: smtp ? smtp.hostname : null,
    smtp_port: smtp ? (smtp.port ? Number(smtp.port) : smtp.protocol === 'smtps:' ? 465 : 587) : null,
    smtp_user: smtp && smtp.username ? decodeURIComponent(smtp.username) : null,
    inbound_webhook_url: a.inboundToken ? `${origin}${EMAIL_INBOUND_PATH}/${a.accountSid}/${a.inboundToken}` : null,
    date_created: a.dateCreated !== null ? isoDate(a.dateCreated) : null,
    date_updated: a.dateUpdated !== null ? isoDate(a.dateUpdated) : null,
    url: `${origin}/parley/v1/Channels/Email`,
  };
}

const configureBody = form({
  SmtpUrl: Type.Optional(P.str({ description: 'smtp(s)://user:pass@host:port of the relay outbound mail goes through (stored encrypted); empty clears it' })),
  RotateToken: Type.Optional(P.bool('Issue a new inbound webhook token (the old URL stops working)')),
});

/** /parley/v1/Channels/Email: an account's SMTP relay and inbound webhook URL (Parley's admin API). */
export function registerEmailAdminRoutes(app: FastifyInstance, accounts: EmailAccounts, publicUrl: string | undefined): void {
  const tags = ['parley'];
  const path = '/v1/Channels/Email';
  app.get(path, { schema: { tags, summary: 'The email channel: SMTP relay and inbound webhook URL' } }, async (req) => {
    return renderEmailChannel(await accounts.forAccount(req.auth.accountSid), requestOrigin(req, publicUrl));
  });
  app.post(path, { schema: { tags, summary: 'Set the SMTP relay and/or issue the inbound webhook token', body: configureBody } }, async (req) => {
    const b = (req.body ?? {}) as { SmtpUrl?: string; RotateToken?: boolean };
    const a = await accounts.configure(req.auth.accountSid, { ...(b.SmtpUrl !== undefined ? { smtpUrl: b.SmtpUrl } : {}), ...(b.RotateToken !== undefined ? { rotateToken: b.RotateToken } : {}) });
    return renderEmailChannel(a, requestOrigin(req, publicUrl));
  });
  app.delete(path, { schema: { tags, summary: 'Forget the relay and the inbound token' } }, async (req, reply) => {
    if (!(await accounts.remove(req.auth.accountSid))) throw Errors.notFound('/Channels/Email');
    reply.code(204).send();
  });
}
