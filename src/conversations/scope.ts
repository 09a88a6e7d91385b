import type { FastifyInstance, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { Errors } from '../platform/errors.js';
import type { ActionSource } from './deps.js';
import type { ServicesService } from './services/service.js';

/**
 * Conversations resources answer both on the account's default service
 * (`/v1/Conversations/...`) and under an explicit one (`/v1/Services/{IS}/Conversations/...`).
 * A Scope says which service a request acts on and how URLs of that route look.
 */
export interface Scope {
  accountSid: string;
  serviceSid: string;
  /** Absolute base for url/links: `<product>/v1` or `<product>/v1/Services/IS…`. */
  base: string;
}

export interface RouteSchemas {
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  summary?: string;
  tags?: string[];
}

type Handler = (req: FastifyRequest<{ Params: any; Querystring: any; Body: any }>, scope: Scope) => Promise<unknown>;

export interface Mirror {
  route(method: 'GET' | 'POST' | 'DELETE', path: string, schemas: RouteSchemas, handler: Handler, opts?: { status?: number }): void;
}

/** Registers each route at /v1<path> and /v1/Services/:ChatServiceSid<path>. */
export function mirrored(app: FastifyInstance, services: ServicesService): Mirror {
  return {
    route(method, path, schemas, handler, opts = {}) {
      for (const scoped of [false, true]) {
        const url = scoped ? `/v1/Services/:ChatServiceSid${path}` : `/v1${path}`;
        const options: RouteShorthandOptions = {
          schema: {
            ...(schemas.params || scoped ? { params: paramsSchema(schemas.params, scoped) } : {}),
            ...(schemas.querystring ? { querystring: schemas.querystring } : {}),
            ...(schemas.body ? { body: schemas.body } : {}),
            tags: schemas.tags ?? ['conversations'],
            ...(schemas.summary ? { summary: schemas.summary } : {}),
          },
        };
        app.route({
          method,
          url,
          ...options,
          handler: async (req, reply) => {
            const params = req.params as Record<string, string>;
            const scope = await resolveScope(req, services, scoped ? params.ChatServiceSid : undefined);
            const out = await handler(req as never, scope);
            if (method === 'DELETE') {
              reply.code(204);
              return reply.send();
            }
            reply.code(opts.status ?? (method === 'POST' && isCreate(path) ? 201 : 200));
            return out;
          },
        });
      }
    },
  };
}

function isCreate(path: string): boolean {
  // Collection POSTs create (201); instance POSTs update (200).
  return !/\/:[A-Za-z]+$/.test(path);
}

import { Type, type TObject } from '@sinclair/typebox';

function paramsSchema(extra: TSchema | undefined, scoped: boolean): TSchema {
  const props = { ...((extra as TObject | undefined)?.properties ?? {}) } as Record<string, TSchema>;
  if (scoped) props.ChatServiceSid = Type.String({ pattern: '^IS[0-9a-fA-F]{32}$' });
  return Type.Object(props);
}

export async function resolveScope(req: FastifyRequest, services: ServicesService, explicit: string | undefined): Promise<Scope> {
  const accountSid = req.auth.accountSid;
  if (explicit !== undefined) {
    await services.get(accountSid, explicit);
    return { accountSid, serviceSid: explicit, base: `${req.productBase}/v1/Services/${explicit}` };
  }
  const serviceSid = await services.defaultServiceSid(accountSid);
  return { accountSid, serviceSid, base: `${req.productBase}/v1` };
}

/** The action source of a REST request (X-Twilio-Webhook-Enabled decides service-level hooks). */
export function restSource(req: FastifyRequest): ActionSource {
  const header = req.headers['x-twilio-webhook-enabled'];
  const value = Array.isArray(header) ? header[0] : header;
  if (value !== undefined && value !== 'true' && value !== 'false') {
    throw Errors.invalidParameter('X-Twilio-Webhook-Enabled must be true or false');
  }
  return { accountSid: req.auth.accountSid, source: 'API', webhooksEnabled: value === 'true' };
}
