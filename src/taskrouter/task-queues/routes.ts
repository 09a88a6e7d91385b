import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, form, listQuery } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { PageLimits, pageRequest, readPage } from '../../platform/paging.js';
import { orderingDesc, restActor, type WorkspaceRouter, type WorkspaceScope } from '../workspaces/scope.js';
import { TASK_ORDERS, type TaskQueueInput, type TaskQueuesService, type TaskQueueView } from './service.js';

export function renderTaskQueue(v: TaskQueueView, scope: WorkspaceScope): Record<string, unknown> {
  const r = v.row;
  const url = `${scope.base}/TaskQueues/${r.sid}`;
  return {
    account_sid: r.account_sid,
    assignment_activity_sid: r.assignment_activity_sid,
    assignment_activity_name: v.assignmentActivityName,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    friendly_name: r.friendly_name,
    max_reserved_workers: r.max_reserved_workers,
    reservation_activity_sid: r.reservation_activity_sid,
    reservation_activity_name: v.reservationActivityName,
    sid: r.sid,
    target_workers: r.target_workers,
    task_order: r.task_order,
    url,
    workspace_sid: r.workspace_sid,
    links: {
      ...(r.assignment_activity_sid !== null ? { assignment_activity: `${scope.base}/Activities/${r.assignment_activity_sid}` } : {}),
      ...(r.reservation_activity_sid !== null ? { reservation_activity: `${scope.base}/Activities/${r.reservation_activity_sid}` } : {}),
      workspace: scope.base,
      statistics: `${url}/Statistics`,
      real_time_statistics: `${url}/RealTimeStatistics`,
      cumulative_statistics: `${url}/CumulativeStatistics`,
      list_statistics: `${scope.base}/TaskQueues/Statistics`,
      bulk_real_time_statistics: `${scope.base}/TaskQueues/RealTimeStatistics`,
    },
  };
}

const queueBody = {
  FriendlyName: Type.Optional(P.str()),
  TargetWorkers: Type.Optional(P.str()),
  MaxReservedWorkers: Type.Optional(P.int()),
  TaskOrder: Type.Optional(P.enumOf(TASK_ORDERS)),
  ReservationActivitySid: Type.Optional(P.str()),
  AssignmentActivitySid: Type.Optional(P.str()),
};

type QueueBody = { FriendlyName?: string; TargetWorkers?: string; MaxReservedWorkers?: number; TaskOrder?: 'FIFO' | 'LIFO'; ReservationActivitySid?: string; AssignmentActivitySid?: string };

function queueInput(b: QueueBody): TaskQueueInput {
  return {
    friendlyName: b.FriendlyName,
    targetWorkers: b.TargetWorkers,
    maxReservedWorkers: b.MaxReservedWorkers,
    taskOrder: b.TaskOrder,
    reservationActivitySid: b.ReservationActivitySid,
    assignmentActivitySid: b.AssignmentActivitySid,
  };
}

const sidParam = Type.Object({ Sid: P.str() });

export function registerTaskQueueRoutes(m: WorkspaceRouter, queues: TaskQueuesService): void {
  m.route('POST', '/TaskQueues', { body: form(queueBody), summary: 'Create a task queue' }, async (req, scope) => {
    return renderTaskQueue(await queues.create(restActor(req), scope.workspace, queueInput((req.body ?? {}) as QueueBody)), scope);
  });

  m.route(
    'GET',
    '/TaskQueues',
    {
      querystring: listQuery({
        FriendlyName: Type.Optional(P.str()),
        EvaluateWorkerAttributes: Type.Optional(P.str()),
        WorkerSid: Type.Optional(P.str()),
        Ordering: Type.Optional(P.str()),
      }),
      summary: 'List task queues',
    },
    async (req, scope) => {
      const q = req.query as { FriendlyName?: string; EvaluateWorkerAttributes?: string; WorkerSid?: string; Ordering?: string; PageSize?: number; Page?: number; PageToken?: string };
      const page = pageRequest(q, PageLimits.standard, orderingDesc(q.Ordering));
      const filter = {
        ...(q.FriendlyName !== undefined ? { friendlyName: q.FriendlyName } : {}),
        ...(q.EvaluateWorkerAttributes !== undefined ? { evaluateWorkerAttributes: q.EvaluateWorkerAttributes } : {}),
        ...(q.WorkerSid !== undefined ? { workerSid: q.WorkerSid } : {}),
      };
      const result = await readPage(page, (w) => queues.list(scope.accountSid, scope.workspaceSid, filter, w));
      return listEnvelope({
        req,
        key: 'task_queues',
        path: `/v1/Workspaces/${scope.workspaceSid}/TaskQueues`,
        page,
        result,
        filters: { FriendlyName: q.FriendlyName, EvaluateWorkerAttributes: q.EvaluateWorkerAttributes, WorkerSid: q.WorkerSid, Ordering: q.Ordering },
        render: (v) => renderTaskQueue(v, scope),
      });
    },
  );

  m.route('GET', '/TaskQueues/:Sid', { params: sidParam, summary: 'Fetch a task queue' }, async (req, scope) => {
    return renderTaskQueue(await queues.get(scope.accountSid, scope.workspaceSid, (req.params as { Sid: string }).Sid), scope);
  });

  m.route('POST', '/TaskQueues/:Sid', { params: sidParam, body: form(queueBody), summary: 'Update a task queue' }, async (req, scope) => {
    const view = await queues.update(restActor(req), scope.workspace, (req.params as { Sid: string }).Sid, queueInput((req.body ?? {}) as QueueBody));
    return renderTaskQueue(view, scope);
  });

  m.route('DELETE', '/TaskQueues/:Sid', { params: sidParam, summary: 'Delete a task queue' }, async (req, scope) => {
    await queues.delete(restActor(req), scope.workspace, (req.params as { Sid: string }).Sid);
  });
}
