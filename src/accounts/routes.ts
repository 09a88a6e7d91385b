import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { rfc2822Date } from '../platform/clock.js';
import { P, form } from '../platform/http/params.js';
import { pageRequest, readPage, PageLimits, encodeToken } from '../platform/paging.js';
import type { PageRequest, PageResult } from '../platform/paging.js';
import type { AccountsService, Account, ApiKey } from './service.js';

/**
 * The slice of Twilio's 2010-04-01 core API that Parley answers: Accounts
 * (subaccounts) and API Keys. Its conventions differ from the newer products:
 * `.json` suffixes, RFC 2822 dates, relative `uri`s and its own paging envelope.
 */
function renderAccount(a: Account): Record<string, unknown> {
  const uri = `/2010-04-01/Accounts/${a.sid}.json`;
  return {
    auth_token: a.authToken,
    date_created: rfc2822Date(a.dateCreated),
    date_updated: rfc2822Date(a.dateUpdated),
    friendly_name: a.friendlyName,
    owner_account_sid: a.ownerAccountSid,
    sid: a.sid,
    status: a.status,
    subresource_uris: { keys: `/2010-04-01/Accounts/${a.sid}/Keys.json` },
    type: a.type,
    uri,
  };
}

function renderKey(k: ApiKey, withSecret: boolean): Record<string, unknown> {
  return {
    sid: k.sid,
    friendly_name: k.friendlyName,
    date_created: rfc2822Date(k.dateCreated),
    date_updated: rfc2822Date(k.dateUpdated),
    ...(withSecret ? { secret: k.secret } : {}),
  };
}

/** The 2010 list envelope: page, page_size, start, end, uri and first/next/previous_page_uri. */
function legacyList<T extends { seq: number }>(req: FastifyRequest, key: string, uri: string, page: PageRequest, result: PageResult<T>, render: (row: T) => unknown) {
  const withParams = (p: number, token?: string) => `${uri}?PageSize=${page.pageSize}&Page=${p}${token ? `&PageToken=${token}` : ''}`;
  const first = result.rows[0];
  const last = result.rows[result.rows.length - 1];
  const start = page.page * page.pageSize;
  return {
    [key]: result.rows.map(render),
    first_page_uri: withParams(0),
    end: Math.max(start, start + result.rows.length - 1),
    previous_page_uri: result.hasPrevious && first ? withParams(Math.max(0, page.page - 1), encodeToken({ b: first.seq })) : null,
    uri: withParams(page.page),
    page_size: page.pageSize,
    start,
    next_page_uri: result.hasNext && last ? withParams(page.page + 1, encodeToken({ a: last.seq })) : null,
    page: page.page,
  };
}

const listQs = Type.Object({ PageSize: Type.Optional(Type.Integer({ minimum: 1 })), Page: Type.Optional(Type.Integer({ minimum: 0 })), PageToken: Type.Optional(Type.String()), FriendlyName: Type.Optional(Type.String()), Status: Type.Optional(Type.String()) }, { additionalProperties: false });
const accountParams = Type.Object({ AccountSid: P.sid('AC') });
const keyParams = Type.Object({ AccountSid: P.sid('AC'), Sid: P.sid('SK') });

export function registerAccountRoutes(app: FastifyInstance, accounts: AccountsService): void {
  const tags = ['api'];
  app.post('/2010-04-01/Accounts.json', { schema: { body: form({ FriendlyName: Type.Optional(P.str({ maxLength: 64 })) }), tags } }, async (req, reply) => {
    const account = await accounts.createSubaccount(req.auth, (req.body as { FriendlyName?: string } | undefined)?.FriendlyName);
    reply.code(201);
    return renderAccount(account);
  });
  app.get('/2010-04-01/Accounts.json', { schema: { querystring: listQs, tags } }, async (req) => {
    const q = req.query as { FriendlyName?: string; Status?: string };
    const page = pageRequest(req.query as object, PageLimits.standard);
    const result = await readPage(page, (w) => accounts.listAccounts(req.auth, w, { ...(q.FriendlyName ? { friendlyName: q.FriendlyName } : {}), ...(q.Status ? { status: q.Status } : {}) }));
    return legacyList(req, 'accounts', '/2010-04-01/Accounts.json', page, result, renderAccount);
  });
  app.get('/2010-04-01/Accounts/:AccountSid.json', { schema: { params: accountParams, tags } }, async (req) => {
    return renderAccount(await accounts.accessibleAccount(req.auth, (req.params as { AccountSid: string }).AccountSid));
  });
  app.post('/2010-04-01/Accounts/:AccountSid.json', { schema: { params: accountParams, body: form({ FriendlyName: Type.Optional(P.str({ maxLength: 64 })), Status: Type.Optional(P.enumOf(['active', 'suspended', 'closed'] as const)) }), tags } }, async (req) => {
    const body = (req.body ?? {}) as { FriendlyName?: string; Status?: string };
    return renderAccount(await accounts.updateAccount(req.auth, (req.params as { AccountSid: string }).AccountSid, { ...(body.FriendlyName !== undefined ? { friendlyName: body.FriendlyName } : {}), ...(body.Status !== undefined ? { status: body.Status } : {}) }));
  });

  app.post('/2010-04-01/Accounts/:AccountSid/Keys.json', { schema: { params: accountParams, body: form({ FriendlyName: Type.Optional(P.str({ maxLength: 64 })) }), tags } }, async (req, reply) => {
    const account = await accounts.accessibleAccount(req.auth, (req.params as { AccountSid: string }).AccountSid);
    const key = await accounts.createKey(account.sid, (req.body as { FriendlyName?: string } | undefined)?.FriendlyName);
    reply.code(201);
    return renderKey(key, true);
  });
  app.get('/2010-04-01/Accounts/:AccountSid/Keys.json', { schema: { params: accountParams, querystring: listQs, tags } }, async (req) => {
    const account = await accounts.accessibleAccount(req.auth, (req.params as { AccountSid: string }).AccountSid);
    const page = pageRequest(req.query as object, PageLimits.standard);
    const result = await readPage(page, (w) => accounts.listKeys(account.sid, w));
    return legacyList(req, 'keys', `/2010-04-01/Accounts/${account.sid}/Keys.json`, page, result, (k) => renderKey(k, false));
  });
  app.get('/2010-04-01/Accounts/:AccountSid/Keys/:Sid.json', { schema: { params: keyParams, tags } }, async (req) => {
    const p = req.params as { AccountSid: string; Sid: string };
    const account = await accounts.accessibleAccount(req.auth, p.AccountSid);
    return renderKey(await accounts.getKey(account.sid, p.Sid), false);
  });
  app.post('/2010-04-01/Accounts/:AccountSid/Keys/:Sid.json', { schema: { params: keyParams, body: form({ FriendlyName: Type.Optional(P.str({ maxLength: 64 })) }), tags } }, async (req) => {
    const p = req.params as { AccountSid: string; Sid: string };
    const account = await accounts.accessibleAccount(req.auth, p.AccountSid);
    return renderKey(await accounts.updateKey(account.sid, p.Sid, (req.body as { FriendlyName?: string } | undefined)?.FriendlyName), false);
  });
  app.delete('/2010-04-01/Accounts/:AccountSid/Keys/:Sid.json', { schema: { params: keyParams, tags } }, async (req, reply) => {
    const p = req.params as { AccountSid: string; Sid: string };
    const account = await accounts.accessibleAccount(req.auth, p.AccountSid);
    await accounts.deleteKey(account.sid, p.Sid);
    reply.code(204).send();
  });
}
