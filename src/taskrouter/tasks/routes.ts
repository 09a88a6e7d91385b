import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { Errors } from '../../platform/errors.js';
import { P, form, listQuery, dateParam } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { PageLimits, pageRequest, readPage } from '../../platform/paging.js';
import { ifMatch, restActor, truthy, type WorkspaceRouter, type WorkspaceScope } from '../workspaces/scope.js';
import { TASK_STATUSES, type TaskFilter, type TaskView, type TasksService } from './service.js';

export function renderTask(v: TaskView, scope: WorkspaceScope, now: number): Record<string, unknown> {
  const r = v.row;
  const url = `${scope.base}/Tasks/${r.sid}`;
  return {
    account_sid: r.account_sid,
    age: Math.max(0, Math.floor((now - r.date_created) / 1000)),
    assignment_status: r.assignment_status,
    attributes: v.attributes,
    addons: r.addons,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    task_queue_entered_date: isoDate(r.task_queue_entered_date),
    priority: r.priority,
    reason: r.reason,
    sid: r.sid,
    task_queue_sid: r.task_queue_sid,
    task_queue_friendly_name: v.queueName,
    task_channel_sid: r.task_channel_sid,
    task_channel_unique_name: v.channelUniqueName,
    timeout: r.timeout,
    workflow_sid: r.workflow_sid,
    workflow_friendly_name: v.workflowName,
    workspace_sid: r.workspace_sid,
    url,
    links: {
      task_queue: r.task_queue_sid ? `${scope.base}/TaskQueues/${r.task_queue_sid}` : null,
      workflow: r.workflow_sid ? `${scope.base}/Workflows/${r.workflow_sid}` : null,
      workspace: scope.base,
      reservations: `${url}/Reservations`,
    },
    virtual_start_time: isoDate(r.virtual_start_time),
    ignore_capacity: r.ignore_capacity === 1,
    routing_target: r.routing_target,
  };
}

function withETag(reply: FastifyReply, v: TaskView): TaskView {
  reply.header('ETag', String(v.row.version));
  return v;
}

const sidParam = Type.Object({ Sid: P.sid('WT') });

type CreateBody = { Timeout?: number; Priority?: number; TaskChannel?: string; WorkflowSid?: string; Attributes?: string; VirtualStartTime?: string; RoutingTarget?: string; IgnoreCapacity?: string; TaskQueueSid?: string };
type UpdateBody = { Attributes?: string; AssignmentStatus?: (typeof TASK_STATUSES)[number]; Reason?: string; Priority?: number; TaskChannel?: string; VirtualStartTime?: string };
type ListQuery = { Priority?: number; AssignmentStatus?: string[]; WorkflowSid?: string; WorkflowName?: string; TaskQueueSid?: string; TaskQueueName?: string; EvaluateTaskAttributes?: string; RoutingTarget?: string; Ordering?: string; HasAddons?: string; PageSize?: number; Page?: number; PageToken?: string };

/** `Ordering=Priority:desc,DateCreated:asc` → sort keys. */
function parseOrdering(value: string | undefined): TaskFilter['ordering'] {
  if (value === undefined) return undefined;
  return value.split(',').map((part) => {
    const m = /^(DateCreated|Priority|VirtualStartTime):(asc|desc)$/i.exec(part.trim());
    if (!m) throw Errors.invalidParameter(`Invalid Ordering "${part}": expected DateCreated, Priority or VirtualStartTime with :asc or :desc`);
    const field = (['DateCreated', 'Priority', 'VirtualStartTime'] as const).find((f) => f.toLowerCase() === m[1]!.toLowerCase())!;
    return { field, desc: m[2]!.toLowerCase() === 'desc' };
  });
}

export function registerTaskRoutes(ws: WorkspaceRouter, tasks: TasksService, now: () => number): void {
  ws.route(
    'POST',
    '/Tasks',
    {
      body: form({
        Timeout: Type.Optional(P.int()),
        Priority: Type.Optional(P.int()),
        TaskChannel: Type.Optional(P.str()),
        WorkflowSid: Type.Optional(P.sid('WW')),
        Attributes: Type.Optional(P.json('Task attributes')),
        VirtualStartTime: Type.Optional(P.date('Virtual start time')),
        RoutingTarget: Type.Optional(P.str()),
        IgnoreCapacity: Type.Optional(P.str()),
        TaskQueueSid: Type.Optional(P.sid('WQ')),
      }),
      summary: 'Create a task',
    },
    async (req, scope, reply) => {
      const b = (req.body ?? {}) as CreateBody;
      const v = await tasks.create(restActor(req), scope.workspace, {
        ...(b.Timeout !== undefined ? { timeout: b.Timeout } : {}),
        ...(b.Priority !== undefined ? { priority: b.Priority } : {}),
        ...(b.TaskChannel !== undefined ? { taskChannel: b.TaskChannel } : {}),
        ...(b.WorkflowSid !== undefined ? { workflowSid: b.WorkflowSid } : {}),
        ...(b.Attributes !== undefined ? { attributes: b.Attributes } : {}),
        ...(b.VirtualStartTime !== undefined ? { virtualStartTime: dateParam('VirtualStartTime', b.VirtualStartTime)! } : {}),
        ...(b.RoutingTarget !== undefined ? { routingTarget: b.RoutingTarget } : {}),
        ...(b.IgnoreCapacity !== undefined ? { ignoreCapacity: truthy(b.IgnoreCapacity) } : {}),
        ...(b.TaskQueueSid !== undefined ? { taskQueueSid: b.TaskQueueSid } : {}),
      });
      return renderTask(withETag(reply, v), scope, now());
    },
  );

  ws.route(
    'GET',
    '/Tasks',
    {
      querystring: listQuery({
        Priority: Type.Optional(P.int()),
        AssignmentStatus: Type.Optional(P.list(P.str())),
        WorkflowSid: Type.Optional(P.str()),
        WorkflowName: Type.Optional(P.str()),
        TaskQueueSid: Type.Optional(P.str()),
        TaskQueueName: Type.Optional(P.str()),
        EvaluateTaskAttributes: Type.Optional(P.str()),
        RoutingTarget: Type.Optional(P.str()),
        Ordering: Type.Optional(P.str()),
        HasAddons: Type.Optional(P.str()),
      }),
      summary: 'List tasks',
    },
    async (req, scope) => {
      const q = req.query as ListQuery;
      const statuses = q.AssignmentStatus?.flatMap((s) => s.split(',')).map((s) => s.trim());
      for (const s of statuses ?? []) if (!(TASK_STATUSES as readonly string[]).includes(s)) throw Errors.invalidParameter(`Invalid AssignmentStatus ${s}`);
      const filter: TaskFilter = {
        ...(q.Priority !== undefined ? { priority: q.Priority } : {}),
        ...(statuses ? { assignmentStatus: statuses } : {}),
        ...(q.WorkflowSid !== undefined ? { workflowSid: q.WorkflowSid } : {}),
        ...(q.WorkflowName !== undefined ? { workflowName: q.WorkflowName } : {}),
        ...(q.TaskQueueSid !== undefined ? { taskQueueSid: q.TaskQueueSid } : {}),
        ...(q.TaskQueueName !== undefined ? { taskQueueName: q.TaskQueueName } : {}),
        ...(q.EvaluateTaskAttributes !== undefined ? { evaluateTaskAttributes: q.EvaluateTaskAttributes } : {}),
        ...(q.RoutingTarget !== undefined ? { routingTarget: q.RoutingTarget } : {}),
        ...(q.HasAddons !== undefined ? { hasAddons: truthy(q.HasAddons) } : {}),
        ...(q.Ordering !== undefined ? { ordering: parseOrdering(q.Ordering)! } : {}),
      };
      const page = pageRequest(q, PageLimits.standard);
      const result = await readPage(page, (w) => tasks.list(scope.workspace, filter, w));
      const t = now();
      return listEnvelope({
        req,
        key: 'tasks',
        path: `/v1/Workspaces/${scope.workspaceSid}/Tasks`,
        page,
        result,
        filters: { Priority: q.Priority, AssignmentStatus: q.AssignmentStatus, WorkflowSid: q.WorkflowSid, WorkflowName: q.WorkflowName, TaskQueueSid: q.TaskQueueSid, TaskQueueName: q.TaskQueueName, EvaluateTaskAttributes: q.EvaluateTaskAttributes, RoutingTarget: q.RoutingTarget, Ordering: q.Ordering, HasAddons: q.HasAddons },
        render: (v) => renderTask(v, scope, t),
      });
    },
  );

  ws.route('GET', '/Tasks/:Sid', { params: sidParam, summary: 'Fetch a task' }, async (req, scope, reply) => {
    const v = await tasks.get(scope.workspace, (req.params as { Sid: string }).Sid);
    return renderTask(withETag(reply, v), scope, now());
  });

  ws.route(
    'POST',
    '/Tasks/:Sid',
    {
      params: sidParam,
      body: form({
        Attributes: Type.Optional(P.json('Task attributes')),
        AssignmentStatus: Type.Optional(P.enumOf(TASK_STATUSES)),
        Reason: Type.Optional(P.str()),
        Priority: Type.Optional(P.int()),
        TaskChannel: Type.Optional(P.str()),
        VirtualStartTime: Type.Optional(P.date('Virtual start time')),
      }),
      summary: 'Update a task',
    },
    async (req, scope, reply) => {
      const b = (req.body ?? {}) as UpdateBody;
      const v = await tasks.update(
        restActor(req),
        scope.workspace,
        (req.params as { Sid: string }).Sid,
        {
          ...(b.Attributes !== undefined ? { attributes: b.Attributes } : {}),
          ...(b.AssignmentStatus !== undefined ? { assignmentStatus: b.AssignmentStatus } : {}),
          ...(b.Reason !== undefined ? { reason: b.Reason } : {}),
          ...(b.Priority !== undefined ? { priority: b.Priority } : {}),
          ...(b.TaskChannel !== undefined ? { taskChannel: b.TaskChannel } : {}),
          ...(b.VirtualStartTime !== undefined ? { virtualStartTime: dateParam('VirtualStartTime', b.VirtualStartTime)! } : {}),
        },
        ifMatch(req),
      );
      return renderTask(withETag(reply, v), scope, now());
    },
  );

  ws.route('DELETE', '/Tasks/:Sid', { params: sidParam, summary: 'Delete a task' }, async (req, scope) => {
    await tasks.delete(restActor(req), scope.workspace, (req.params as { Sid: string }).Sid, ifMatch(req));
  });
}
