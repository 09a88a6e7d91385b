import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { Errors } from '../../platform/errors.js';
import { isoDate } from '../../platform/clock.js';
import { requestOrigin } from '../../platform/http/context.js';
import { P, form, listQuery } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { pageRequest, readPage, PageLimits } from '../../platform/paging.js';
import { MEDIA_MAX_BYTES } from '../../media/limits.js';
import { CarrierError } from '../messaging/carrier.js';
import type { InboundMedia } from '../messaging/inbound.js';
import type { MediaLinks } from '../messaging/media-links.js';
import { SETTABLE_STATUSES, type CustomerMessageInput, type Simulator, type SimulatorMessage } from './service.js';

const MAX_MEDIA = 10;

/** A simulator message in the shape of a Programmable Messaging Message, plus what became of inbound ones. */
async function renderSimulatorMessage(m: SimulatorMessage, req: FastifyRequest, links: MediaLinks, publicUrl: string | undefined): Promise<Record<string, unknown>> {
  const r = m.row;
  const origin = requestOrigin(req, publicUrl);
  const media = await Promise.all(
    m.media.map(async (x) => ({
      sid: x.sid ?? null,
      content_type: x.content_type ?? null,
      size: x.size ?? null,
      url: x.url ?? (x.sid && x.service_sid ? await links.url(origin, r.account_sid, x.service_sid, x.sid) : null),
    })),
  );
  return {
    sid: r.sid,
    account_sid: r.account_sid,
    direction: r.direction,
    from: r.from_address,
    to: r.to_address,
    body: m.body,
    status: r.status,
    error_code: r.error_code,
    num_media: String(media.length),
    media,
    conversation_sid: r.conversation_sid,
    message_sid: r.message_sid,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    url: `${req.productBase}/v1/Simulator/Messages/${r.sid}`,
  };
}

const sidParams = Type.Object({ Sid: Type.String({ pattern: '^SM[0-9a-fA-F]{32}$' }) });
const statusBody = form({
  Status: P.enumOf(SETTABLE_STATUSES, 'What the simulated phone reports'),
  ErrorCode: Type.Optional(P.int({ minimum: 1, description: 'With failed/undelivered (default 30003)' })),
});

/**
 * /parley/v1/Simulator: customers' phones for accounts without a carrier. A phone
 * sends (POST Messages: From, To, Body, MediaUrl or uploaded Media files) through
 * the same inbound path as a carrier webhook; GET lists what phones sent and
 * received; POST Messages/{SM} sets the delivery status of a message a phone got.
 */
export function registerSimulatorRoutes(app: FastifyInstance, simulator: Simulator, links: MediaLinks, publicUrl: string | undefined): void {
  const tags = ['parley'];
  const base = '/v1/Simulator/Messages';

  app.post(base, { config: { raw: true }, schema: { tags, summary: 'A simulated phone sends a message (form, or multipart with Media files)' } }, async (req, reply) => {
    const input = req.isMultipart() ? await multipartInput(req) : formInput(req.body);
    let result;
    try {
      result = await simulator.customerSends(req.auth.accountSid, input);
    } catch (err) {
      if (err instanceof CarrierError) throw Errors.invalidParameter(`MediaUrl could not be fetched: ${err.message}`);
      throw err;
    }
    reply.code(201);
    return { ...(await renderSimulatorMessage(result.message, req, links, publicUrl)), outcome: result.outcome.outcome, ...(result.outcome.reason ? { outcome_reason: result.outcome.reason } : {}) };
  });

  app.get(base, { schema: { tags, summary: 'Messages simulated phones sent and received', querystring: listQuery({ Address: Type.Optional(P.str()), Direction: Type.Optional(P.enumOf(['inbound', 'outbound-api'] as const)) }) } }, async (req) => {
    const q = req.query as { Address?: string; Direction?: string; PageSize?: number; Page?: number; PageToken?: string };
    const page = pageRequest(q, PageLimits.standard);
    const result = await readPage(page, (w) => simulator.list(req.auth.accountSid, { ...(q.Address ? { address: q.Address } : {}), ...(q.Direction ? { direction: q.Direction } : {}) }, w));
    const rendered = new Map<string, Record<string, unknown>>();
    for (const m of result.rows) rendered.set(m.row.sid, await renderSimulatorMessage(m, req, links, publicUrl));
    return listEnvelope({ req, key: 'messages', path: base, page, result, filters: { Address: q.Address, Direction: q.Direction }, render: (m) => rendered.get(m.row.sid) });
  });

  app.get(`${base}/:Sid`, { schema: { tags, summary: 'One simulated message', params: sidParams } }, async (req) => {
    const { Sid } = req.params as { Sid: string };
    return renderSimulatorMessage(await simulator.get(req.auth.accountSid, Sid), req, links, publicUrl);
  });

  app.post(`${base}/:Sid`, { schema: { tags, summary: 'The simulated phone reports a delivery status', params: sidParams, body: statusBody } }, async (req) => {
    const { Sid } = req.params as { Sid: string };
    const b = req.body as { Status: string; ErrorCode?: number };
    return renderSimulatorMessage(await simulator.setStatus(req.auth.accountSid, Sid, b.Status, b.ErrorCode), req, links, publicUrl);
  });
}

const FORM_KEYS = ['From', 'To', 'Body', 'MediaUrl'];

function formInput(raw: unknown): CustomerMessageInput {
  const b = (raw ?? {}) as Record<string, string | string[] | undefined>;
  for (const k of Object.keys(b)) if (!FORM_KEYS.includes(k)) throw Errors.invalidParameter(`Unknown parameter ${k}`);
  const urls = b.MediaUrl === undefined ? [] : Array.isArray(b.MediaUrl) ? b.MediaUrl : [b.MediaUrl];
  if (urls.length > MAX_MEDIA) throw Errors.invalidParameter(`At most ${MAX_MEDIA} MediaUrl values`);
  for (const u of urls) if (!/^https?:\/\//.test(u)) throw Errors.invalidParameter(`MediaUrl must be an absolute http(s) URL, got "${u}"`);
  return { from: single(b, 'From', true)!, to: single(b, 'To', true)!, ...optionalBody(single(b, 'Body', false)), media: urls.map((url) => ({ url })) };
}

async function multipartInput(req: FastifyRequest): Promise<CustomerMessageInput> {
  const fields: Record<string, string | string[]> = {};
  const media: InboundMedia[] = [];
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'Media') throw Errors.invalidParameter(`Unexpected file field ${part.fieldname}; files go in the Media field`);
        if (media.length >= MAX_MEDIA) throw Errors.invalidParameter(`At most ${MAX_MEDIA} Media files`);
        const data = await part.toBuffer();
        media.push({ data, contentType: part.mimetype, ...(part.filename ? { filename: part.filename } : {}) });
      } else {
        const prev = fields[part.fieldname];
        const value = String(part.value);
        fields[part.fieldname] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
      }
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw Errors.mediaTooLarge(MEDIA_MAX_BYTES);
    throw err;
  }
  const fromForm = formInput(fields);
  return { ...fromForm, media: [...fromForm.media, ...media] };
}

function single(b: Record<string, string | string[] | undefined>, name: string, required: boolean): string | undefined {
  const v = b[name];
  if (Array.isArray(v)) throw Errors.invalidParameter(`${name} may be given once`);
  if (required && (v === undefined || v.trim() === '')) throw Errors.missingParameter(name);
  return v;
}

function optionalBody(body: string | undefined): { body?: string } {
  return body !== undefined ? { body } : {};
}
