import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, form, listQuery } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { PageLimits, pageRequest, readPage, type PagingQuery } from '../../platform/paging.js';
import type { FlowInput, FlowsService, FlowView } from './service.js';
import type { FlowRow, RevisionRow } from './store.js';

export const flowUrl = (req: FastifyRequest, sid: string) => `${req.productBase}/v2/Flows/${sid}`;

/** The fields a flow and each of its revisions share. */
function flowFields(v: FlowView<FlowRow | RevisionRow>, sid: string): Record<string, unknown> {
  const r = v.row;
  return {
    sid,
    account_sid: r.account_sid,
    author_sid: null,
    friendly_name: r.friendly_name,
    definition: v.definition,
    status: r.status,
    revision: r.revision,
    commit_message: r.commit_message,
    valid: r.valid === 1,
    errors: v.errors,
  };
}

export function renderFlow(v: FlowView<FlowRow>, req: FastifyRequest): Record<string, unknown> {
  const r = v.row;
  const url = flowUrl(req, r.sid);
  return {
    ...flowFields(v, r.sid),
    warnings: v.warnings,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    // Parley has no public inbound-trigger URL of its own: carrier channels call handleIncomingMessage.
    webhook_url: null,
    url,
    links: { test_users: `${url}/TestUsers`, revisions: `${url}/Revisions`, executions: `${url}/Executions` },
  };
}

export function renderRevision(v: FlowView<RevisionRow>, req: FastifyRequest): Record<string, unknown> {
  const r = v.row;
  return {
    ...flowFields(v, r.flow_sid),
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    url: `${flowUrl(req, r.flow_sid)}/Revisions/${r.revision}`,
  };
}

const flowBody = {
  FriendlyName: Type.Optional(P.str()),
  Status: Type.Optional(P.str({ description: 'draft or published' })),
  Definition: Type.Optional(P.json('Flow definition')),
  CommitMessage: Type.Optional(P.str()),
};
type FlowBody = { FriendlyName?: string; Status?: string; Definition?: string; CommitMessage?: string };
const input = (b: FlowBody | undefined): FlowInput => ({ friendlyName: b?.FriendlyName, status: b?.Status, definition: b?.Definition, commitMessage: b?.CommitMessage });

const sidParams = Type.Object({ Sid: P.str() });
const schema = (extra: Record<string, unknown>) => ({ tags: ['studio'], ...extra });

export function registerFlowRoutes(app: FastifyInstance, flows: FlowsService): void {
  app.post('/v2/Flows', { schema: schema({ body: form(flowBody), summary: 'Create a flow' }) }, async (req, reply) => {
    const v = await flows.create(req.auth.accountSid, input(req.body as FlowBody));
    reply.code(201);
    return renderFlow(v, req);
  });

  app.get('/v2/Flows', { schema: schema({ querystring: listQuery({}), summary: 'List flows' }) }, async (req) => {
    const page = pageRequest(req.query as PagingQuery, PageLimits.standard);
    const result = await readPage(page, (w) => flows.list(req.auth.accountSid, w));
    return listEnvelope({ req, key: 'flows', path: '/v2/Flows', page, result, render: (v) => renderFlow(v, req) });
  });

  app.post('/v2/Flows/Validate', { schema: schema({ body: form(flowBody), summary: 'Validate a flow definition' }) }, async (req) => {
    flows.validate(input(req.body as FlowBody));
    return { valid: true };
  });

  app.get('/v2/Flows/:Sid', { schema: schema({ params: sidParams, summary: 'Fetch a flow' }) }, async (req) => {
    return renderFlow(await flows.get(req.auth.accountSid, (req.params as { Sid: string }).Sid), req);
  });

  app.post('/v2/Flows/:Sid', { schema: schema({ params: sidParams, body: form(flowBody), summary: 'Update a flow (a new revision)' }) }, async (req) => {
    return renderFlow(await flows.update(req.auth.accountSid, (req.params as { Sid: string }).Sid, input(req.body as FlowBody)), req);
  });

  app.delete('/v2/Flows/:Sid', { schema: schema({ params: sidParams, summary: 'Delete a flow' }) }, async (req, reply) => {
    await flows.delete(req.auth.accountSid, (req.params as { Sid: string }).Sid);
    return reply.code(204).send();
  });

  app.get('/v2/Flows/:Sid/Revisions', { schema: schema({ params: sidParams, querystring: listQuery({}), summary: 'List revisions (newest first)' }) }, async (req) => {
    const sid = (req.params as { Sid: string }).Sid;
    const page = pageRequest(req.query as PagingQuery, PageLimits.standard, true);
    const result = await readPage(page, (w) => flows.revisions(req.auth.accountSid, sid, w));
    return listEnvelope({ req, key: 'revisions', path: `/v2/Flows/${sid}/Revisions`, page, result, render: (v) => renderRevision(v, req) });
  });

  app.get('/v2/Flows/:Sid/Revisions/:Revision', { schema: schema({ params: Type.Object({ Sid: P.str(), Revision: P.str() }), summary: 'Fetch a revision (number, LatestPublished or LatestRevision)' }) }, async (req) => {
    const p = req.params as { Sid: string; Revision: string };
    return renderRevision(await flows.revision(req.auth.accountSid, p.Sid, p.Revision), req);
  });

  const renderTestUsers = (req: FastifyRequest, sid: string, users: string[]) => ({ sid, test_users: users, url: `${flowUrl(req, sid)}/TestUsers` });

  app.get('/v2/Flows/:Sid/TestUsers', { schema: schema({ params: sidParams, summary: 'Fetch the test users' }) }, async (req) => {
    const sid = (req.params as { Sid: string }).Sid;
    return renderTestUsers(req, sid, await flows.testUsers(req.auth.accountSid, sid));
  });

  app.post('/v2/Flows/:Sid/TestUsers', { schema: schema({ params: sidParams, body: form({ TestUsers: Type.Optional(P.list(P.str())) }), summary: 'Replace the test users' }) }, async (req) => {
    const sid = (req.params as { Sid: string }).Sid;
    const users = await flows.setTestUsers(req.auth.accountSid, sid, (req.body as { TestUsers?: string[] } | undefined)?.TestUsers);
    return renderTestUsers(req, sid, users);
  });
}
