import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, form, listQuery } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { PageLimits, pageRequest, readPage } from '../../platform/paging.js';
import { restActor } from './scope.js';
import { QUEUE_ORDERS, type WorkspaceInput, type WorkspacesService, type WorkspaceView } from './service.js';

export function renderWorkspace(v: WorkspaceView, productBase: string): Record<string, unknown> {
  const r = v.row;
  const url = `${productBase}/v1/Workspaces/${r.sid}`;
  return {
    account_sid: r.account_sid,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    default_activity_name: v.defaultActivityName,
    default_activity_sid: r.default_activity_sid,
    event_callback_url: r.event_callback_url,
    events_filter: r.events_filter,
    friendly_name: r.friendly_name,
    multi_task_enabled: r.multi_task_enabled === 1,
    prioritize_queue_order: r.prioritize_queue_order,
    sid: r.sid,
    timeout_activity_name: v.timeoutActivityName,
    timeout_activity_sid: r.timeout_activity_sid,
    url,
    links: {
      activities: `${url}/Activities`,
      statistics: `${url}/Statistics`,
      real_time_statistics: `${url}/RealTimeStatistics`,
      cumulative_statistics: `${url}/CumulativeStatistics`,
      task_queues: `${url}/TaskQueues`,
      tasks: `${url}/Tasks`,
      workers: `${url}/Workers`,
      workflows: `${url}/Workflows`,
      task_channels: `${url}/TaskChannels`,
      events: `${url}/Events`,
    },
  };
}

const commonBody = {
  FriendlyName: Type.Optional(P.str()),
  EventCallbackUrl: Type.Optional(P.str()),
  EventsFilter: Type.Optional(P.str()),
  MultiTaskEnabled: Type.Optional(P.bool()),
  PrioritizeQueueOrder: Type.Optional(P.enumOf(QUEUE_ORDERS)),
};

type WorkspaceBody = {
  FriendlyName?: string;
  EventCallbackUrl?: string;
  EventsFilter?: string;
  MultiTaskEnabled?: boolean;
  Template?: string;
  PrioritizeQueueOrder?: 'FIFO' | 'LIFO';
  DefaultActivitySid?: string;
  TimeoutActivitySid?: string;
};

function workspaceInput(b: WorkspaceBody): WorkspaceInput {
  return {
    friendlyName: b.FriendlyName,
    eventCallbackUrl: b.EventCallbackUrl,
    eventsFilter: b.EventsFilter,
    multiTaskEnabled: b.MultiTaskEnabled,
    template: b.Template,
    prioritizeQueueOrder: b.PrioritizeQueueOrder,
    defaultActivitySid: b.DefaultActivitySid,
    timeoutActivitySid: b.TimeoutActivitySid,
  };
}

const sidParam = Type.Object({ Sid: P.str() });
const tags = ['taskrouter'];

export function registerWorkspaceRoutes(app: FastifyInstance, workspaces: WorkspacesService): void {
  app.post('/v1/Workspaces', { schema: { body: form({ ...commonBody, Template: Type.Optional(P.str()) }), tags, summary: 'Create a workspace' } }, async (req, reply) => {
    const v = await workspaces.create(restActor(req), req.auth.accountSid, workspaceInput((req.body ?? {}) as WorkspaceBody));
    reply.code(201);
    return renderWorkspace(v, req.productBase);
  });

  app.get('/v1/Workspaces', { schema: { querystring: listQuery({ FriendlyName: Type.Optional(P.str()) }), tags, summary: 'List workspaces' } }, async (req) => {
    const q = req.query as { FriendlyName?: string; PageSize?: number; Page?: number; PageToken?: string };
    const page = pageRequest(q, PageLimits.standard);
    const filter = q.FriendlyName !== undefined ? { friendlyName: q.FriendlyName } : {};
    const result = await readPage(page, (w) => workspaces.list(req.auth.accountSid, filter, w));
    return listEnvelope({ req, key: 'workspaces', path: '/v1/Workspaces', page, result, filters: { FriendlyName: q.FriendlyName }, render: (v) => renderWorkspace(v, req.productBase) });
  });

  app.get('/v1/Workspaces/:Sid', { schema: { params: sidParam, tags, summary: 'Fetch a workspace' } }, async (req) => {
    return renderWorkspace(await workspaces.fetch(req.auth.accountSid, (req.params as { Sid: string }).Sid), req.productBase);
  });

  app.post(
    '/v1/Workspaces/:Sid',
    {
      schema: {
        params: sidParam,
        body: form({ ...commonBody, DefaultActivitySid: Type.Optional(P.str()), TimeoutActivitySid: Type.Optional(P.str()) }),
        tags,
        summary: 'Update a workspace',
      },
    },
    async (req) => {
      const v = await workspaces.update(restActor(req), req.auth.accountSid, (req.params as { Sid: string }).Sid, workspaceInput((req.body ?? {}) as WorkspaceBody));
      return renderWorkspace(v, req.productBase);
    },
  );

  app.delete('/v1/Workspaces/:Sid', { schema: { params: sidParam, tags, summary: 'Delete a workspace and everything in it' } }, async (req, reply) => {
    await workspaces.delete(restActor(req), req.auth.accountSid, (req.params as { Sid: string }).Sid);
    return reply.code(204).send();
  });
}
