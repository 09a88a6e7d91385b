import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, form, listQuery } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { PageLimits, pageRequest, readPage } from '../../platform/paging.js';
import { ifMatch, orderingDesc, restActor, truthy, type WorkspaceRouter, type WorkspaceScope } from '../workspaces/scope.js';
import type { WorkerView, WorkersService } from './service.js';
import { availableCapacityPercentage, type WorkerChannelView, type WorkerChannelsService } from './channels.js';

export function renderWorker(v: WorkerView, scope: WorkspaceScope): Record<string, unknown> {
  const r = v.row;
  const url = `${scope.base}/Workers/${r.sid}`;
  return {
    account_sid: r.account_sid,
    activity_name: v.activityName,
    activity_sid: r.activity_sid,
    attributes: v.attributes,
    available: r.available === 1,
    date_created: isoDate(r.date_created),
    date_status_changed: isoDate(r.date_status_changed),
    date_updated: isoDate(r.date_updated),
    friendly_name: r.friendly_name,
    sid: r.sid,
    workspace_sid: r.workspace_sid,
    url,
    links: {
      channels: `${url}/Channels`,
      activity: `${scope.base}/Activities/${r.activity_sid}`,
      workspace: scope.base,
      statistics: `${scope.base}/Workers/Statistics`,
      real_time_statistics: `${scope.base}/Workers/RealTimeStatistics`,
      cumulative_statistics: `${scope.base}/Workers/CumulativeStatistics`,
      worker_statistics: `${url}/Statistics`,
      worker_channels: `${url}/Channels`,
      reservations: `${url}/Reservations`,
    },
  };
}

export function renderWorkerChannel(v: WorkerChannelView, scope: WorkspaceScope): Record<string, unknown> {
  const r = v.row;
  return {
    account_sid: r.account_sid,
    assigned_tasks: v.assignedTasks,
    available: r.available === 1,
    available_capacity_percentage: availableCapacityPercentage(v),
    configured_capacity: r.capacity,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    sid: r.sid,
    task_channel_sid: r.task_channel_sid,
    task_channel_unique_name: v.taskChannelUniqueName,
    worker_sid: r.worker_sid,
    workspace_sid: r.workspace_sid,
    url: `${scope.base}/Workers/${r.worker_sid}/Channels/${r.sid}`,
  };
}

/** Worker responses carry the version as ETag, for If-Match on the next write. */
function withETag(reply: FastifyReply, v: WorkerView): WorkerView {
  reply.header('ETag', String(v.row.version));
  return v;
}


const sidParam = Type.Object({ Sid: P.str() });
const channelParams = Type.Object({ WorkerSid: P.str(), Sid: P.sidOrName('WorkerChannel SID or task channel unique name') });

type WorkerBody = { FriendlyName?: string; ActivitySid?: string; Attributes?: string; RejectPendingReservations?: boolean };

type WorkerListQuery = {
  ActivityName?: string;
  ActivitySid?: string;
  Available?: string;
  FriendlyName?: string;
  TargetWorkersExpression?: string;
  TaskQueueName?: string;
  TaskQueueSid?: string;
  Ordering?: string;
  PageSize?: number;
  Page?: number;
  PageToken?: string;
};

export function registerWorkerRoutes(m: WorkspaceRouter, workers: WorkersService, channels: WorkerChannelsService): void {
  m.route(
    'POST',
    '/Workers',
    { body: form({ FriendlyName: Type.Optional(P.str()), ActivitySid: Type.Optional(P.str()), Attributes: Type.Optional(P.json('Attributes')) }), summary: 'Create a worker' },
    async (req, scope, reply) => {
      const b = (req.body ?? {}) as WorkerBody;
      const v = await workers.create(restActor(req), scope.workspace, { friendlyName: b.FriendlyName, activitySid: b.ActivitySid, attributes: b.Attributes });
      return renderWorker(withETag(reply, v), scope);
    },
  );

  m.route(
    'GET',
    '/Workers',
    {
      querystring: listQuery({
        ActivityName: Type.Optional(P.str()),
        ActivitySid: Type.Optional(P.str()),
        Available: Type.Optional(P.str()),
        FriendlyName: Type.Optional(P.str()),
        TargetWorkersExpression: Type.Optional(P.str()),
        TaskQueueName: Type.Optional(P.str()),
        TaskQueueSid: Type.Optional(P.str()),
        Ordering: Type.Optional(P.str()),
      }),
      summary: 'List workers',
    },
    async (req, scope) => {
      const q = req.query as WorkerListQuery;
      const page = pageRequest(q, PageLimits.standard, orderingDesc(q.Ordering));
      const filter = {
        ...(q.ActivityName !== undefined ? { activityName: q.ActivityName } : {}),
        ...(q.ActivitySid !== undefined ? { activitySid: q.ActivitySid } : {}),
        ...(q.Available !== undefined ? { available: truthy(q.Available) } : {}),
        ...(q.FriendlyName !== undefined ? { friendlyName: q.FriendlyName } : {}),
        ...(q.TargetWorkersExpression !== undefined ? { targetWorkersExpression: q.TargetWorkersExpression } : {}),
        ...(q.TaskQueueName !== undefined ? { taskQueueName: q.TaskQueueName } : {}),
        ...(q.TaskQueueSid !== undefined ? { taskQueueSid: q.TaskQueueSid } : {}),
      };
      const result = await readPage(page, (w) => workers.list(scope.accountSid, scope.workspaceSid, filter, w));
      const { PageSize: _s, Page: _p, PageToken: _t, ...filters } = q;
      return listEnvelope({ req, key: 'workers', path: `/v1/Workspaces/${scope.workspaceSid}/Workers`, page, result, filters, render: (v) => renderWorker(v, scope) });
    },
  );

  m.route('GET', '/Workers/:Sid', { params: sidParam, summary: 'Fetch a worker' }, async (req, scope, reply) => {
    const v = await workers.get(scope.accountSid, scope.workspaceSid, (req.params as { Sid: string }).Sid);
    return renderWorker(withETag(reply, v), scope);
  });

  m.route(
    'POST',
    '/Workers/:Sid',
    {
      params: sidParam,
      body: form({
        FriendlyName: Type.Optional(P.str()),
        ActivitySid: Type.Optional(P.str()),
        Attributes: Type.Optional(P.json('Attributes')),
        RejectPendingReservations: Type.Optional(P.bool()),
      }),
      summary: 'Update a worker (If-Match: the ETag last seen)',
    },
    async (req, scope, reply) => {
      const b = (req.body ?? {}) as WorkerBody;
      const input = { friendlyName: b.FriendlyName, activitySid: b.ActivitySid, attributes: b.Attributes, rejectPendingReservations: b.RejectPendingReservations };
      const v = await workers.update(restActor(req), scope.workspace, (req.params as { Sid: string }).Sid, input, ifMatch(req));
      return renderWorker(withETag(reply, v), scope);
    },
  );

  m.route('DELETE', '/Workers/:Sid', { params: sidParam, summary: 'Delete a worker (If-Match: the ETag last seen)' }, async (req, scope) => {
    await workers.delete(restActor(req), scope.workspace, (req.params as { Sid: string }).Sid, ifMatch(req));
  });

  m.route('GET', '/Workers/:WorkerSid/Channels', { params: Type.Object({ WorkerSid: P.str() }), querystring: listQuery({}), summary: 'List worker channels' }, async (req, scope) => {
    const workerSid = (req.params as { WorkerSid: string }).WorkerSid;
    const q = req.query as { PageSize?: number; Page?: number; PageToken?: string };
    const page = pageRequest(q, PageLimits.standard);
    const result = await readPage(page, (w) => channels.list(scope.accountSid, scope.workspaceSid, workerSid, w));
    return listEnvelope({ req, key: 'channels', path: `/v1/Workspaces/${scope.workspaceSid}/Workers/${workerSid}/Channels`, page, result, render: (v) => renderWorkerChannel(v, scope) });
  });

  m.route('GET', '/Workers/:WorkerSid/Channels/:Sid', { params: channelParams, summary: 'Fetch a worker channel' }, async (req, scope) => {
    const p = req.params as { WorkerSid: string; Sid: string };
    return renderWorkerChannel(await channels.get(scope.accountSid, scope.workspaceSid, p.WorkerSid, p.Sid), scope);
  });

  m.route(
    'POST',
    '/Workers/:WorkerSid/Channels/:Sid',
    { params: channelParams, body: form({ Capacity: Type.Optional(P.int()), Available: Type.Optional(P.bool()) }), summary: 'Update a worker channel' },
    async (req, scope) => {
      const p = req.params as { WorkerSid: string; Sid: string };
      const b = (req.body ?? {}) as { Capacity?: number; Available?: boolean };
      return renderWorkerChannel(await channels.update(restActor(req), scope.workspace, p.WorkerSid, p.Sid, { capacity: b.Capacity, available: b.Available }), scope);
    },
  );
}
