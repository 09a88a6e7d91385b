import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Registry } from 'prom-client';
import { Histogram } from 'prom-client';
import { Errors, TwilioError } from '../errors.js';
import { PRODUCT_LABELS, VIA_HOST, productBaseFor, type AuthContext, type ProductLabel } from './context.js';
import { installErrorHandling } from './errors.js';

export type App = FastifyInstance;

/** A product plugin: mounted under /<label> and on the <label>.* host, behind auth. */
export interface ProductModule {
  label: ProductLabel;
  register(scope: FastifyInstance): Promise<void> | void;
}

export interface AppDeps {
  publicUrl: string | undefined;
  logger: FastifyServerOptions['logger'];
  authenticate(username: string, password: string): Promise<AuthContext>;
  products: ProductModule[];
  metrics: Registry;
  /** Readiness probe for /health (e.g. a `select 1`). */
  ready(): Promise<void>;
  /** Largest request body accepted, in bytes (media uploads are the biggest). */
  bodyLimit?: number;
  /**
   * Routes outside the products' Basic auth: they authenticate themselves
   * (carrier webhooks by X-Twilio-Signature, the realtime socket by access token).
   */
  publicRoutes?: Array<(app: FastifyInstance) => Promise<void> | void>;
}

/** Builds the HTTP app without listening, so tests can inject or listen on an ephemeral port. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    logger: deps.logger,
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    // Twilio's conventions are PascalCase params where unknown ones are an error; keep
    // Fastify from silently stripping them, and coerce single values into arrays.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    rewriteUrl(req) {
      const url = req.url ?? '/';
      const label = (req.headers.host ?? '').split('.')[0]?.toLowerCase();
      if (label && (PRODUCT_LABELS as readonly string[]).includes(label) && (req.headers.host ?? '').includes('.') && !url.startsWith(`/${label}/`)) {
        (req as unknown as Record<symbol, unknown>)[VIA_HOST] = true;
        return `/${label}${url}`;
      }
      return url;
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(formbody);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Parley', description: 'Twilio-compatible contact center APIs', version: '0.1.0' },
      components: { securitySchemes: { accountSid_authToken: { type: 'http', scheme: 'basic' } } },
      security: [{ accountSid_authToken: [] }],
    },
    // Twilio's writes are form-encoded unless a route declares JSON (or raw media).
    transform: ({ schema, url, route }) => {
      const config = (route.config ?? {}) as { json?: boolean; raw?: boolean };
      const consumes = config.raw ? ['*/*'] : config.json ? ['application/json'] : ['application/x-www-form-urlencoded'];
      return { schema: { ...(schema ?? {}), consumes } as typeof schema, url };
    },
  });

  const routePatterns: Array<{ method: string; re: RegExp }> = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const re = new RegExp('^' + route.url.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+').replace(/\*/g, '.*') + '/?$');
    for (const m of methods) routePatterns.push({ method: m.toUpperCase(), re });
  });

  installErrorHandling(app, (method, path) => routePatterns.some((p) => p.method !== method && p.method !== 'HEAD' && p.re.test(path)));

  const httpDuration = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [deps.metrics],
  });
  app.addHook('onResponse', async (req, reply) => {
    httpDuration.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await deps.ready();
      return { status: 'ok' };
    } catch (err) {
      reply.code(503);
      return { status: 'unavailable', reason: err instanceof Error ? err.message : String(err) };
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(deps.metrics.contentType);
    return deps.metrics.metrics();
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  for (const routes of deps.publicRoutes ?? []) await app.register(async (scope) => routes(scope));

  for (const product of deps.products) {
    await app.register(
      async (scope) => {
        scope.decorateRequest('auth', null as unknown as AuthContext);
        scope.decorateRequest('productBase', '');
        scope.addHook('onRequest', async (req) => {
          req.productBase = productBaseFor(req, product.label, deps.publicUrl);
          req.auth = await authenticateRequest(req, deps.authenticate);
        });
        scope.addHook('preValidation', async (req) => checkContentType(req));
        await product.register(scope);
      },
      { prefix: `/${product.label}` },
    );
  }
  return app;
}

async function authenticateRequest(req: FastifyRequest, authenticate: AppDeps['authenticate']): Promise<AuthContext> {
  const header = req.headers.authorization;
  if (!header || !header.toLowerCase().startsWith('basic ')) throw Errors.authenticationFailed();
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw Errors.authenticationFailed();
  return authenticate(decoded.slice(0, colon), decoded.slice(colon + 1));
}

/**
 * Writes are form-encoded everywhere except the few routes Twilio declares as JSON
 * (route config `json: true`); media uploads declare `raw: true`.
 */
function checkContentType(req: FastifyRequest): void {
  if (req.method !== 'POST') return;
  const config = (req.routeOptions.config ?? {}) as { json?: boolean; raw?: boolean };
  if (config.raw) return;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody && type === '') return;
  const expected = config.json ? 'application/json' : 'application/x-www-form-urlencoded';
  if (type !== expected) throw Errors.unsupportedMediaType(type || '(none)');
}

export { TwilioError };
