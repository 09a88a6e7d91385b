import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, form, listQuery } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { PageLimits, pageRequest, readPage } from '../../platform/paging.js';
import { restActor, type WorkspaceRouter, type WorkspaceScope } from '../workspaces/scope.js';
import type { WorkflowInput, WorkflowsService } from './service.js';
import type { WorkflowRow } from './store.js';

export function renderWorkflow(r: WorkflowRow, scope: WorkspaceScope): Record<string, unknown> {
  const url = `${scope.base}/Workflows/${r.sid}`;
  return {
    account_sid: r.account_sid,
    assignment_callback_url: r.assignment_callback_url,
    configuration: r.configuration,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    document_content_type: 'application/json',
    fallback_assignment_callback_url: r.fallback_assignment_callback_url,
    friendly_name: r.friendly_name,
    sid: r.sid,
    task_reservation_timeout: r.task_reservation_timeout,
    workspace_sid: r.workspace_sid,
    url,
    links: {
      statistics: `${url}/Statistics`,
      real_time_statistics: `${url}/RealTimeStatistics`,
      cumulative_statistics: `${url}/CumulativeStatistics`,
    },
  };
}

const workflowBody = {
  FriendlyName: Type.Optional(P.str()),
  Configuration: Type.Optional(P.json('Configuration')),
  AssignmentCallbackUrl: Type.Optional(P.str()),
  FallbackAssignmentCallbackUrl: Type.Optional(P.str()),
  TaskReservationTimeout: Type.Optional(P.int()),
};

type WorkflowBody = {
  FriendlyName?: string;
  Configuration?: string;
  AssignmentCallbackUrl?: string;
  FallbackAssignmentCallbackUrl?: string;
  TaskReservationTimeout?: number;
  ReEvaluateTasks?: string;
};

function workflowInput(b: WorkflowBody): WorkflowInput {
  return {
    friendlyName: b.FriendlyName,
    configuration: b.Configuration,
    assignmentCallbackUrl: b.AssignmentCallbackUrl,
    fallbackAssignmentCallbackUrl: b.FallbackAssignmentCallbackUrl,
    taskReservationTimeout: b.TaskReservationTimeout,
    reEvaluateTasks: b.ReEvaluateTasks,
  };
}

const sidParam = Type.Object({ Sid: P.str() });

export function registerWorkflowRoutes(m: WorkspaceRouter, workflows: WorkflowsService): void {
  m.route('POST', '/Workflows', { body: form(workflowBody), summary: 'Create a workflow' }, async (req, scope) => {
    return renderWorkflow(await workflows.create(restActor(req), scope.workspace, workflowInput((req.body ?? {}) as WorkflowBody)), scope);
  });

  m.route('GET', '/Workflows', { querystring: listQuery({ FriendlyName: Type.Optional(P.str()) }), summary: 'List workflows' }, async (req, scope) => {
    const q = req.query as { FriendlyName?: string; PageSize?: number; Page?: number; PageToken?: string };
    const page = pageRequest(q, PageLimits.standard);
    const filter = q.FriendlyName !== undefined ? { friendlyName: q.FriendlyName } : {};
    const result = await readPage(page, (w) => workflows.list(scope.accountSid, scope.workspaceSid, filter, w));
    return listEnvelope({
      req,
      key: 'workflows',
      path: `/v1/Workspaces/${scope.workspaceSid}/Workflows`,
      page,
      result,
      filters: { FriendlyName: q.FriendlyName },
      render: (r) => renderWorkflow(r, scope),
    });
  });

  m.route('GET', '/Workflows/:Sid', { params: sidParam, summary: 'Fetch a workflow' }, async (req, scope) => {
    return renderWorkflow(await workflows.get(scope.accountSid, scope.workspaceSid, (req.params as { Sid: string }).Sid), scope);
  });

  m.route(
    'POST',
    '/Workflows/:Sid',
    { params: sidParam, body: form({ ...workflowBody, ReEvaluateTasks: Type.Optional(P.str()) }), summary: 'Update a workflow' },
    async (req, scope) => {
      const row = await workflows.update(restActor(req), scope.workspace, (req.params as { Sid: string }).Sid, workflowInput((req.body ?? {}) as WorkflowBody));
      return renderWorkflow(row, scope);
    },
  );

  m.route('DELETE', '/Workflows/:Sid', { params: sidParam, summary: 'Delete a workflow' }, async (req, scope) => {
    await workflows.delete(restActor(req), scope.workspace, (req.params as { Sid: string }).Sid);
  });
}
