import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { Errors, TwilioError } from '../../platform/errors.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { Actor } from '../deps.js';
import { validateExpression, type ExpressionKind } from '../expressions/index.js';
import type { WorkspaceRow } from './store.js';

/**
 * Everything under `/v1/Workspaces/{WS}` acts on one workspace of the caller's
 * account. A WorkspaceScope is that workspace plus the absolute base for url/links.
 */
export interface WorkspaceScope {
  accountSid: string;
  workspaceSid: string;
  workspace: WorkspaceRow;
  /** `<product>/v1/Workspaces/WS…` */
  base: string;
}

export interface RouteSchemas {
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  summary?: string;
  /** The body is JSON rather than a form (Twilio's few JSON endpoints). */
  json?: boolean;
  /** Overrides the status (a POST that reads, like bulk statistics, answers 200). */
  status?: number;
}

type Handler = (req: FastifyRequest<{ Params: any; Querystring: any; Body: any }>, scope: WorkspaceScope, reply: FastifyReply) => Promise<unknown>;

export interface WorkspaceRouter {
  route(method: 'GET' | 'POST' | 'DELETE', path: string, schemas: RouteSchemas, handler: Handler): void;
}

export interface WorkspaceLookup {
  get(accountSid: string, sid: string): Promise<WorkspaceRow>;
}

/** Registers routes at `/v1/Workspaces/:WorkspaceSid<path>`: collection POSTs answer 201, DELETEs 204. */
export function workspaceRouter(app: FastifyInstance, workspaces: WorkspaceLookup): WorkspaceRouter {
  return {
    route(method, path, schemas, handler) {
      const params = { WorkspaceSid: Type.String(), ...((schemas.params as TObject | undefined)?.properties ?? {}) };
      app.route({
        method,
        url: `/v1/Workspaces/:WorkspaceSid${path}`,
        ...(schemas.json ? { config: { json: true } } : {}),
        schema: {
          params: Type.Object(params),
          ...(schemas.querystring ? { querystring: schemas.querystring } : {}),
          ...(schemas.body ? { body: schemas.body } : {}),
          tags: ['taskrouter'],
          ...(schemas.summary ? { summary: schemas.summary } : {}),
        },
        handler: async (req, reply) => {
          const accountSid = req.auth.accountSid;
          const workspaceSid = (req.params as { WorkspaceSid: string }).WorkspaceSid;
          const workspace = await workspaces.get(accountSid, workspaceSid);
          const scope: WorkspaceScope = { accountSid, workspaceSid, workspace, base: `${req.productBase}/v1/Workspaces/${workspaceSid}` };
          const out = await handler(req as never, scope, reply);
          if (method === 'DELETE') return reply.code(204).send();
          reply.code(schemas.status ?? (method === 'POST' && !/\/:[A-Za-z]+$/.test(path) ? 201 : 200));
          return out;
        },
      });
    },
  };
}

/** The If-Match request header (TaskRouter ETags). */
export function ifMatch(req: FastifyRequest): string | undefined {
  const h = req.headers['if-match'];
  return Array.isArray(h) ? h.join(',') : h;
}

/** The actor of a REST call (Event `actor_*`, `source`, `source_ip_address`). */
export function restActor(req: FastifyRequest): Actor {
  return { type: 'account', sid: req.auth.accountSid, source: 'API', ip: req.ip };
}

/** Twilio reads `true`, `1` and `yes` as true and anything else as false (Activity `Available`, list filters). */
export function truthy(value: string): boolean {
  return ['true', '1', 'yes'].includes(value.trim().toLowerCase());
}

/** The `Ordering` list parameter: only `DateCreated:asc|desc` (list order is creation order). */
export function orderingDesc(value: string | undefined): boolean {
  if (value === undefined) return false;
  const m = /^DateCreated:(asc|desc)$/i.exec(value.trim());
  if (!m) throw Errors.invalidParameter(`Invalid Ordering "${value}": expected DateCreated:asc or DateCreated:desc`);
  return m[1]!.toLowerCase() === 'desc';
}

/**
 * Applies a paging window to rows already filtered in memory (filters that
 * evaluate expressions cannot run in SQL). Rows must be in ascending seq order.
 */
export function windowRows<T extends { seq: number }>(rows: readonly T[], w: KeysetWindow): T[] {
  const inRange = rows.filter((r) => (w.gt === undefined || r.seq > w.gt) && (w.lt === undefined || r.seq < w.lt));
  return (w.ascending ? inRange : [...inRange].reverse()).slice(0, w.limit);
}

export function friendlyNameParam(name: string, value: string | undefined, required: boolean, max = 64): string | undefined {
  if (value === undefined) {
    if (required) throw Errors.missingParameter(name);
    return undefined;
  }
  if (value.trim() === '') throw Errors.invalidParameter(`${name} must not be empty`);
  if (value.length > max) throw Errors.invalidParameter(`${name} must be at most ${max} characters`);
  return value;
}

/** An absolute http(s) URL (event and assignment callbacks); an empty string clears it. */
export function urlParam(name: string, value: string | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === '') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw Errors.invalidParameter(`${name} must be an absolute URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw Errors.invalidParameter(`${name} must be an http or https URL`);
  return value;
}

/**
 * The check before an insert can lose a race to the unique index on PostgreSQL;
 * the loser gets the same Twilio error instead of a 500.
 */
export async function withUniqueError<T>(conflict: () => TwilioError, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (!(err instanceof TwilioError) && (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE')) throw conflict();
    throw err;
  }
}

/** Refuses a malformed expression with 20001 naming the parameter, the problem and its position. */
export function expressionParam(name: string, text: string, kind: ExpressionKind): string {
  const v = validateExpression(text, kind);
  if (!v.ok) throw Errors.invalidParameter(`Invalid ${name} ${JSON.stringify(text)}: ${v.message}`);
  return text;
}
