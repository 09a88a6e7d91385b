import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, listQuery, dateParam } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { PageLimits, pageRequest, readPage } from '../../platform/paging.js';
import type { WorkspaceRouter, WorkspaceScope } from '../workspaces/scope.js';
import type { EventListQuery, EventsService, EventView } from './service.js';

/** `TaskQueueSidFrom` → `task_queue_sid_from`. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

/**
 * `event_data` as Twilio's Event resource shows it: the callback parameters in
 * snake_case with string values, plus the workspace's SID and name.
 */
export function renderEventData(data: Record<string, unknown>, scope: WorkspaceScope): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(data)) out[snakeCase(k)] = v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);
  out.workspace_sid = scope.workspaceSid;
  out.workspace_name = scope.workspace.friendly_name;
  return out;
}

const RESOURCE_PATHS: Record<string, string> = {
  activity: 'Activities',
  task: 'Tasks',
  task_channel: 'TaskChannels',
  task_queue: 'TaskQueues',
  worker: 'Workers',
  workflow: 'Workflows',
};

/** The URL of a workspace resource by its type; reservations live under their task. */
function resourceUrl(scope: WorkspaceScope, type: string, sid: string, taskSid: string | null): string | null {
  if (type === 'workspace') return scope.base;
  if (type === 'reservation') return taskSid ? `${scope.base}/Tasks/${taskSid}/Reservations/${sid}` : null;
  if (type === 'account') {
    // The account lives on the core API (api.*): the sibling of this product's base.
    const productBase = scope.base.slice(0, scope.base.indexOf('/v1/Workspaces/'));
    const apiBase = productBase.endsWith('/taskrouter') ? `${productBase.slice(0, -'/taskrouter'.length)}/api` : productBase.replace('://taskrouter.', '://api.');
    return `${apiBase}/2010-04-01/Accounts/${sid}.json`;
  }
  const path = RESOURCE_PATHS[type];
  return path ? `${scope.base}/${path}/${sid}` : null;
}

export function renderEvent(v: EventView, scope: WorkspaceScope): Record<string, unknown> {
  const r = v.row;
  return {
    account_sid: r.account_sid,
    actor_sid: r.actor_sid,
    actor_type: r.actor_type,
    actor_url: resourceUrl(scope, r.actor_type, r.actor_sid, r.task_sid),
    description: r.description,
    event_data: renderEventData(v.data, scope),
    event_date: isoDate(r.event_date),
    event_date_ms: r.event_date,
    event_type: r.event_type,
    resource_sid: r.resource_sid,
    resource_type: r.resource_type,
    resource_url: resourceUrl(scope, r.resource_type, r.resource_sid, r.task_sid),
    sid: r.sid,
    source: r.source,
    source_ip_address: r.source_ip_address,
    url: `${scope.base}/Events/${r.sid}`,
    workspace_sid: r.workspace_sid,
  };
}

type ListQuery = {
  EndDate?: string;
  EventType?: string;
  Minutes?: number;
  ReservationSid?: string;
  StartDate?: string;
  TaskQueueSid?: string;
  TaskSid?: string;
  WorkerSid?: string;
  WorkflowSid?: string;
  TaskChannel?: string;
  Sid?: string;
  PageSize?: number;
  Page?: number;
  PageToken?: string;
};

export function registerEventRoutes(ws: WorkspaceRouter, events: EventsService): void {
  ws.route(
    'GET',
    '/Events',
    {
      querystring: listQuery({
        EndDate: Type.Optional(P.date('Only events on or before')),
        EventType: Type.Optional(P.str()),
        Minutes: Type.Optional(P.int({ minimum: 1 })),
        ReservationSid: Type.Optional(P.sid('WR')),
        StartDate: Type.Optional(P.date('Only events on or after')),
        TaskQueueSid: Type.Optional(P.sid('WQ')),
        TaskSid: Type.Optional(P.sid('WT')),
        WorkerSid: Type.Optional(P.sid('WK')),
        WorkflowSid: Type.Optional(P.sid('WW')),
        TaskChannel: Type.Optional(P.str()),
        Sid: Type.Optional(P.sid('EV')),
      }),
      summary: 'List events (newest first)',
    },
    async (req, scope) => {
      const q = req.query as ListQuery;
      const query: EventListQuery = {
        ...(q.Minutes !== undefined ? { minutes: q.Minutes } : {}),
        ...(q.StartDate !== undefined ? { startDate: dateParam('StartDate', q.StartDate)! } : {}),
        ...(q.EndDate !== undefined ? { endDate: dateParam('EndDate', q.EndDate)! } : {}),
        ...(q.EventType !== undefined ? { eventType: q.EventType } : {}),
        ...(q.ReservationSid !== undefined ? { reservationSid: q.ReservationSid } : {}),
        ...(q.TaskQueueSid !== undefined ? { taskQueueSid: q.TaskQueueSid } : {}),
        ...(q.TaskSid !== undefined ? { taskSid: q.TaskSid } : {}),
        ...(q.WorkerSid !== undefined ? { workerSid: q.WorkerSid } : {}),
        ...(q.WorkflowSid !== undefined ? { workflowSid: q.WorkflowSid } : {}),
        ...(q.TaskChannel !== undefined ? { taskChannel: q.TaskChannel } : {}),
        ...(q.Sid !== undefined ? { sid: q.Sid } : {}),
      };
      const filter = await events.filter(scope.workspace, query);
      // Newest first, as an audit log is read; keyset paging keeps pages stable while events arrive.
      const page = pageRequest(q, PageLimits.standard, true);
      const result = await readPage(page, (w) => events.page(scope.workspace, filter, w));
      return listEnvelope({
        req,
        key: 'events',
        path: `/v1/Workspaces/${scope.workspaceSid}/Events`,
        page,
        result,
        filters: {
          EndDate: q.EndDate,
          EventType: q.EventType,
          Minutes: q.Minutes,
          ReservationSid: q.ReservationSid,
          StartDate: q.StartDate,
          TaskQueueSid: q.TaskQueueSid,
          TaskSid: q.TaskSid,
          WorkerSid: q.WorkerSid,
          WorkflowSid: q.WorkflowSid,
          TaskChannel: q.TaskChannel,
          Sid: q.Sid,
        },
        render: (v) => renderEvent(v, scope),
      });
    },
  );

  ws.route('GET', '/Events/:Sid', { params: Type.Object({ Sid: P.sid('EV') }), summary: 'Fetch an event' }, async (req, scope) => {
    return renderEvent(await events.get(scope.workspace, (req.params as { Sid: string }).Sid), scope);
  });
}
