import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import { isoDate } from '../platform/clock.js';
import { Errors } from '../platform/errors.js';
import type { ProductModule } from '../platform/http/app.js';
import type { ServicesService } from '../conversations/services/service.js';
import { MEDIA_MAX_BYTES } from './limits.js';
import type { MediaService, MediaUpload } from './service.js';
import type { MediaMeta } from './store.js';

/** The MCS JSON shape of a Media instance. */
export function renderMedia(m: MediaMeta, productBase: string): Record<string, unknown> {
  const url = `${productBase}/v1/Services/${m.service_sid}/Media/${m.sid}`;
  return {
    sid: m.sid,
    account_sid: m.account_sid,
    service_sid: m.service_sid,
    date_created: isoDate(m.date_created),
    date_upload_completed: isoDate(m.date_created),
    date_updated: null,
    channel_sid: m.channel_sid,
    message_sid: m.message_sid,
    author: m.author,
    content_type: m.content_type,
    size: m.size,
    filename: m.filename,
    category: 'media',
    url,
    links: {
      content: `${url}/Content`,
      // Twilio issues a short-lived pre-signed CDN URL here; Parley serves the same authenticated content URL.
      content_direct_temporary: `${url}/Content`,
    },
  };
}

const serviceParams = Type.Object({ ServiceSid: Type.String({ minLength: 1, maxLength: 64 }) });
const mediaParams = Type.Object({ ServiceSid: Type.String({ minLength: 1, maxLength: 64 }), Sid: Type.String({ minLength: 1, maxLength: 64 }) });
const tags = ['mcs'];

/**
 * Twilio's Media Content Service (mcs.us1.twilio.com/v1): upload a file as the raw
 * request body (its Content-Type, optional `Filename` query) or as multipart/form-data
 * with a `Media` file field; fetch its metadata; download its bytes.
 */
export function mediaModule(media: MediaService, services: ServicesService): ProductModule {
  return {
    label: 'mcs',
    register: async (app: FastifyInstance) => {
      // Any body is a file here: keep every type (JSON and forms included) as raw bytes.
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MEDIA_MAX_BYTES }, (_req, body, done) => done(null, body));
      await app.register(multipart, { limits: { fileSize: MEDIA_MAX_BYTES, files: 1, fields: 20, parts: 25 } });

      app.post(
        '/v1/Services/:ServiceSid/Media',
        { config: { raw: true }, schema: { params: serviceParams, querystring: Type.Object({ Filename: Type.Optional(Type.String({ maxLength: 256 })) }, { additionalProperties: false }), tags, summary: 'Upload media' } },
        async (req, reply) => {
          const { ServiceSid } = req.params as { ServiceSid: string };
          await services.get(req.auth.accountSid, ServiceSid);
          const upload = req.isMultipart() ? await multipartUpload(req) : rawUpload(req);
          const created = await media.upload(req.auth.accountSid, ServiceSid, upload);
          reply.code(201);
          return renderMedia(created, req.productBase);
        },
      );

      app.get('/v1/Services/:ServiceSid/Media/:Sid', { schema: { params: mediaParams, tags, summary: 'Fetch media metadata' } }, async (req) => {
        const { ServiceSid, Sid } = req.params as { ServiceSid: string; Sid: string };
        await services.get(req.auth.accountSid, ServiceSid);
        return renderMedia(await media.get(req.auth.accountSid, ServiceSid, Sid), req.productBase);
      });

      app.get('/v1/Services/:ServiceSid/Media/:Sid/Content', { schema: { params: mediaParams, tags, summary: 'Download media content' } }, async (req, reply) => {
        const { ServiceSid, Sid } = req.params as { ServiceSid: string; Sid: string };
        await services.get(req.auth.accountSid, ServiceSid);
        const file = await media.content(req.auth.accountSid, ServiceSid, Sid);
        reply.type(file.contentType);
        if (file.filename) reply.header('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
        return reply.send(file.data);
      });
    },
  };
}

function rawUpload(req: FastifyRequest): MediaUpload {
  const filename = (req.query as { Filename?: string }).Filename;
  const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  return { contentType: req.headers['content-type'] ?? '', data, ...(filename ? { filename } : {}) };
}

async function multipartUpload(req: FastifyRequest): Promise<MediaUpload> {
  let part;
  try {
    part = await req.file();
  } catch (err) {
    throw Errors.invalidParameter(`Malformed multipart body: ${(err as Error).message}`);
  }
  if (!part) throw Errors.missingParameter('Media');
  if (part.fieldname !== 'Media') throw Errors.invalidParameter(`Unexpected file field ${part.fieldname}; the file goes in the Media field`);
  let data: Buffer;
  try {
    data = await part.toBuffer();
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw Errors.mediaTooLarge(MEDIA_MAX_BYTES);
    throw err;
  }
  const filename = (req.query as { Filename?: string }).Filename ?? part.filename;
  return { contentType: part.mimetype, data, ...(filename ? { filename } : {}) };
}
