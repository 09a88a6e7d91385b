import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { Errors } from '../../platform/errors.js';
import { P, dateParam, form, listQuery } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { PageLimits, pageRequest, readPage, type PagingQuery } from '../../platform/paging.js';
import { flowUrl } from '../flows/routes.js';
import type { Decoded, ExecutionsService } from './service.js';
import type { ExecutionRow, StepRow } from './store.js';

const executionUrl = (req: FastifyRequest, flowSid: string, sid: string) => `${flowUrl(req, flowSid)}/Executions/${sid}`;

export function renderExecution(d: Decoded<ExecutionRow>, req: FastifyRequest): Record<string, unknown> {
  const r = d.row;
  const url = executionUrl(req, r.flow_sid, r.sid);
  return {
    sid: r.sid,
    account_sid: r.account_sid,
    flow_sid: r.flow_sid,
    contact_sid: r.contact_sid,
    contact_channel_address: r.contact_address,
    context: d.context,
    status: r.status,
    flow_version: r.flow_revision,
    initiated_by: r.initiated_by,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    url,
    links: { steps: `${url}/Steps`, execution_context: `${url}/Context` },
  };
}

export function renderStep(d: Decoded<StepRow>, req: FastifyRequest): Record<string, unknown> {
  const r = d.row;
  const url = `${executionUrl(req, r.flow_sid, r.execution_sid)}/Steps/${r.sid}`;
  return {
    sid: r.sid,
    account_sid: r.account_sid,
    flow_sid: r.flow_sid,
    execution_sid: r.execution_sid,
    parent_step_sid: r.parent_step_sid,
    name: r.name,
    context: d.context,
    transitioned_from: r.transitioned_from,
    transitioned_to: r.transitioned_to,
    type: r.type,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    url,
    links: { step_context: `${url}/Context` },
  };
}

const flowParams = Type.Object({ FlowSid: P.str() });
const executionParams = Type.Object({ FlowSid: P.str(), Sid: P.str() });
const stepParams = Type.Object({ FlowSid: P.str(), ExecutionSid: P.str(), Sid: P.str() });
const schema = (extra: Record<string, unknown>) => ({ tags: ['studio'], ...extra });

type ListQuery = PagingQuery & { Status?: string; status?: string; DateCreatedFrom?: string; DateCreatedTo?: string };

export function registerExecutionRoutes(app: FastifyInstance, executions: ExecutionsService): void {
  app.post(
    '/v2/Flows/:FlowSid/Executions',
    { schema: schema({ params: flowParams, body: form({ To: Type.Optional(P.str()), From: Type.Optional(P.str()), Parameters: Type.Optional(P.json('Flow data')) }), summary: 'Start an execution' }) },
    async (req, reply) => {
      const b = (req.body ?? {}) as { To?: string; From?: string; Parameters?: string };
      const d = await executions.create(req.auth.accountSid, (req.params as { FlowSid: string }).FlowSid, { to: b.To, from: b.From, parameters: b.Parameters }, req.auth.credentialSid);
      reply.code(201);
      return renderExecution(d, req);
    },
  );

  app.get(
    '/v2/Flows/:FlowSid/Executions',
    {
      schema: schema({
        params: flowParams,
        // The spec names the filter `status` (lower case); `Status` is accepted too.
        querystring: listQuery({ Status: Type.Optional(P.str()), status: Type.Optional(P.str()), DateCreatedFrom: Type.Optional(P.str()), DateCreatedTo: Type.Optional(P.str()) }),
        summary: 'List executions (newest first)',
      }),
    },
    async (req) => {
      const flowSid = (req.params as { FlowSid: string }).FlowSid;
      const q = req.query as ListQuery;
      const status = q.status ?? q.Status;
      if (status !== undefined && status !== 'active' && status !== 'ended') throw Errors.invalidParameter('Status must be active or ended');
      const createdFrom = dateParam('DateCreatedFrom', q.DateCreatedFrom);
      const createdTo = dateParam('DateCreatedTo', q.DateCreatedTo);
      const page = pageRequest(q, PageLimits.standard, true);
      const filter = { ...(status ? { status: status as 'active' | 'ended' } : {}), ...(createdFrom !== undefined ? { createdFrom } : {}), ...(createdTo !== undefined ? { createdTo } : {}) };
      const result = await readPage(page, (w) => executions.list(req.auth.accountSid, flowSid, filter, w));
      return listEnvelope({
        req,
        key: 'executions',
        path: `/v2/Flows/${flowSid}/Executions`,
        page,
        result,
        filters: { status, DateCreatedFrom: q.DateCreatedFrom, DateCreatedTo: q.DateCreatedTo },
        render: (d) => renderExecution(d, req),
      });
    },
  );

  app.get('/v2/Flows/:FlowSid/Executions/:Sid', { schema: schema({ params: executionParams, summary: 'Fetch an execution' }) }, async (req) => {
    const p = req.params as { FlowSid: string; Sid: string };
    return renderExecution(await executions.get(req.auth.accountSid, p.FlowSid, p.Sid), req);
  });

  app.post(
    '/v2/Flows/:FlowSid/Executions/:Sid',
    { schema: schema({ params: executionParams, body: form({ Status: Type.Optional(P.str({ description: 'ended' })) }), summary: 'End an execution' }) },
    async (req) => {
      const p = req.params as { FlowSid: string; Sid: string };
      return renderExecution(await executions.update(req.auth.accountSid, p.FlowSid, p.Sid, (req.body as { Status?: string } | undefined)?.Status), req);
    },
  );

  app.delete('/v2/Flows/:FlowSid/Executions/:Sid', { schema: schema({ params: executionParams, summary: 'Delete an execution' }) }, async (req, reply) => {
    const p = req.params as { FlowSid: string; Sid: string };
    await executions.delete(req.auth.accountSid, p.FlowSid, p.Sid);
    return reply.code(204).send();
  });

  app.get('/v2/Flows/:FlowSid/Executions/:Sid/Context', { schema: schema({ params: executionParams, summary: 'Fetch an execution context' }) }, async (req) => {
    const p = req.params as { FlowSid: string; Sid: string };
    const d = await executions.get(req.auth.accountSid, p.FlowSid, p.Sid);
    return { account_sid: d.row.account_sid, context: d.context, flow_sid: d.row.flow_sid, execution_sid: d.row.sid, url: `${executionUrl(req, p.FlowSid, p.Sid)}/Context` };
  });

  app.get(
    '/v2/Flows/:FlowSid/Executions/:Sid/Steps',
    { schema: schema({ params: executionParams, querystring: listQuery({}), summary: 'List the steps of an execution' }) },
    async (req) => {
      const p = req.params as { FlowSid: string; Sid: string };
      const page = pageRequest(req.query as PagingQuery, PageLimits.standard);
      const result = await readPage(page, (w) => executions.steps(req.auth.accountSid, p.FlowSid, p.Sid, w));
      return listEnvelope({ req, key: 'steps', path: `/v2/Flows/${p.FlowSid}/Executions/${p.Sid}/Steps`, page, result, render: (d) => renderStep(d, req) });
    },
  );

  app.get('/v2/Flows/:FlowSid/Executions/:ExecutionSid/Steps/:Sid', { schema: schema({ params: stepParams, summary: 'Fetch a step' }) }, async (req) => {
    const p = req.params as { FlowSid: string; ExecutionSid: string; Sid: string };
    return renderStep(await executions.step(req.auth.accountSid, p.FlowSid, p.ExecutionSid, p.Sid), req);
  });

  app.get('/v2/Flows/:FlowSid/Executions/:ExecutionSid/Steps/:Sid/Context', { schema: schema({ params: stepParams, summary: 'Fetch a step context' }) }, async (req) => {
    const p = req.params as { FlowSid: string; ExecutionSid: string; Sid: string };
    const d = await executions.step(req.auth.accountSid, p.FlowSid, p.ExecutionSid, p.Sid);
    return { account_sid: d.row.account_sid, context: d.context, execution_sid: d.row.execution_sid, flow_sid: d.row.flow_sid, step_sid: d.row.sid, url: `${executionUrl(req, p.FlowSid, p.ExecutionSid)}/Steps/${p.Sid}/Context` };
  });
}
