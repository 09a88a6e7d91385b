import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { Errors } from '../../platform/errors.js';
import { isSid } from '../../platform/sid.js';
import { P, listQuery, dateParam } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { PageLimits, pageRequest, readPage } from '../../platform/paging.js';
import type { WorkspaceRouter, WorkspaceScope } from '../workspaces/scope.js';
import { waitThresholds, type CumulativeQuery, type StatisticsService, type Window } from './service.js';

/** Twilio accepts at most 50 queues per bulk real-time request. */
export const MAX_BULK_QUEUES = 50;

const cumulativeParams = {
  Minutes: Type.Optional(P.int({ minimum: 1 })),
  StartDate: Type.Optional(P.date('Only from this date')),
  EndDate: Type.Optional(P.date('Only until this date')),
  TaskChannel: Type.Optional(P.str()),
  SplitByWaitTime: Type.Optional(P.str()),
};
const realtimeQuery = Type.Object({ TaskChannel: Type.Optional(P.str()) }, { additionalProperties: false });
const cumulativeQuery = Type.Object(cumulativeParams, { additionalProperties: false });
const { SplitByWaitTime: _split, ...workerParams } = cumulativeParams;
const workersCumulativeQuery = Type.Object(workerParams, { additionalProperties: false });
const sidParam = Type.Object({ Sid: P.str() });

type Q = { Minutes?: number; StartDate?: string; EndDate?: string; TaskChannel?: string; SplitByWaitTime?: string; FriendlyName?: string; TaskQueueSid?: string; TaskQueueName?: string; PageSize?: number; Page?: number; PageToken?: string };

function cumulativeInput(q: Q): CumulativeQuery {
  return {
    ...(q.Minutes !== undefined ? { minutes: q.Minutes } : {}),
    ...(q.StartDate !== undefined ? { startDate: dateParam('StartDate', q.StartDate)! } : {}),
    ...(q.EndDate !== undefined ? { endDate: dateParam('EndDate', q.EndDate)! } : {}),
    ...(q.SplitByWaitTime !== undefined ? { splitByWaitTime: q.SplitByWaitTime } : {}),
  };
}

/** The window as start_time/end_time, then the figures. */
function cumulative<T extends Window>(c: T): Omit<T, 'start' | 'end'> & { start_time: string | null; end_time: string | null } {
  const { start, end, ...figures } = c;
  return { ...figures, start_time: isoDate(start), end_time: isoDate(end) };
}

export function registerStatisticsRoutes(m: WorkspaceRouter, stats: StatisticsService): void {
  const header = (scope: WorkspaceScope) => ({ account_sid: scope.accountSid, workspace_sid: scope.workspaceSid });
  /** Parses the cumulative query and opens a snapshot for it. */
  const prepare = async (scope: WorkspaceScope, q: Q) => {
    const input = cumulativeInput(q);
    const window = stats.window(input);
    const thresholds = waitThresholds(input.splitByWaitTime);
    return { window, thresholds, s: await stats.snapshot(scope.workspace, q.TaskChannel) };
  };

  // Workspace
  m.route('GET', '/RealTimeStatistics', { querystring: realtimeQuery, summary: 'Workspace real-time statistics' }, async (req, scope) => {
    const s = await stats.snapshot(scope.workspace, (req.query as Q).TaskChannel);
    return { ...header(scope), ...(await stats.workspaceRealtime(s)), url: `${scope.base}/RealTimeStatistics` };
  });
  m.route('GET', '/CumulativeStatistics', { querystring: cumulativeQuery, summary: 'Workspace cumulative statistics' }, async (req, scope) => {
    const { window, thresholds, s } = await prepare(scope, req.query as Q);
    return { ...header(scope), ...cumulative(await stats.workspaceCumulative(s, window, thresholds)), url: `${scope.base}/CumulativeStatistics` };
  });
  m.route('GET', '/Statistics', { querystring: cumulativeQuery, summary: 'Workspace statistics' }, async (req, scope) => {
    const { window, thresholds, s } = await prepare(scope, req.query as Q);
    return { ...header(scope), realtime: await stats.workspaceRealtime(s), cumulative: cumulative(await stats.workspaceCumulative(s, window, thresholds)), url: `${scope.base}/Statistics` };
  });

  // Task queues: the list and the bulk read are registered before `/TaskQueues/:Sid/...`; static segments win anyway.
  m.route(
    'GET',
    '/TaskQueues/Statistics',
    { querystring: listQuery({ ...cumulativeParams, FriendlyName: Type.Optional(P.str()) }), summary: 'Statistics of every task queue' },
    async (req, scope) => {
      const q = req.query as Q;
      const { window, thresholds, s } = await prepare(scope, q);
      const page = pageRequest(q, PageLimits.standard);
      const filter = q.FriendlyName !== undefined ? { friendlyName: q.FriendlyName } : {};
      const result = await readPage(page, async (w) => {
        const queues = await stats.queuesPage(scope.workspace, filter, w);
        return Promise.all(
          queues.map(async (queue) => ({
            seq: queue.seq,
            task_queue_sid: queue.sid,
            realtime: await stats.queueRealtime(s, queue),
            cumulative: cumulative(await stats.queueCumulative(s, queue, window, thresholds)),
          })),
        );
      });
      return listEnvelope({
        req,
        key: 'task_queues_statistics',
        path: `/v1/Workspaces/${scope.workspaceSid}/TaskQueues/Statistics`,
        page,
        result,
        filters: { FriendlyName: q.FriendlyName, Minutes: q.Minutes, StartDate: q.StartDate, EndDate: q.EndDate, TaskChannel: q.TaskChannel, SplitByWaitTime: q.SplitByWaitTime },
        render: ({ seq: _seq, ...r }) => ({ ...header(scope), cumulative: r.cumulative, realtime: r.realtime, task_queue_sid: r.task_queue_sid }),
      });
    },
  );

  const bulkBody = Type.Object({ QueueSids: Type.Optional(Type.Array(P.str())), queueSids: Type.Optional(Type.Array(P.str())) });
  m.route('POST', '/TaskQueues/RealTimeStatistics', { body: bulkBody, json: true, status: 200, summary: 'Real-time statistics of up to 50 task queues' }, async (req, scope) => {
    const sids = bulkQueueSids(req.body);
    const s = await stats.snapshot(scope.workspace, undefined);
    const data = await Promise.all(
      sids.map(async (sid) => {
        const queue = await stats.findQueue(scope.workspace, sid);
        // A SID that is not a queue of this workspace still answers, with zeros.
        const r = queue ? await stats.queueRealtime(s, queue) : await stats.emptyQueueRealtime(s);
        return {
          task_queue_sid: sid,
          longest_task_waiting_age: r.longest_task_waiting_age,
          longest_task_waiting_sid: r.longest_task_waiting_sid,
          total_tasks: r.total_tasks,
          total_eligible_workers: r.total_eligible_workers,
          total_available_workers: r.total_available_workers,
          tasks_by_status: r.tasks_by_status,
          tasks_by_priority: r.tasks_by_priority,
          activity_statistics: r.activity_statistics,
        };
      }),
    );
    return { ...header(scope), task_queue_data: data, task_queue_response_count: data.length, url: `${scope.base}/TaskQueues/RealTimeStatistics` };
  });

  m.route('GET', '/TaskQueues/:Sid/RealTimeStatistics', { params: sidParam, querystring: realtimeQuery, summary: 'Task queue real-time statistics' }, async (req, scope) => {
    const queue = await stats.queue(scope.workspace, (req.params as { Sid: string }).Sid);
    const s = await stats.snapshot(scope.workspace, (req.query as Q).TaskChannel);
    return { ...header(scope), task_queue_sid: queue.sid, ...(await stats.queueRealtime(s, queue)), url: `${scope.base}/TaskQueues/${queue.sid}/RealTimeStatistics` };
  });
  m.route('GET', '/TaskQueues/:Sid/CumulativeStatistics', { params: sidParam, querystring: cumulativeQuery, summary: 'Task queue cumulative statistics' }, async (req, scope) => {
    const queue = await stats.queue(scope.workspace, (req.params as { Sid: string }).Sid);
    const { window, thresholds, s } = await prepare(scope, req.query as Q);
    return { ...header(scope), task_queue_sid: queue.sid, ...cumulative(await stats.queueCumulative(s, queue, window, thresholds)), url: `${scope.base}/TaskQueues/${queue.sid}/CumulativeStatistics` };
  });
  m.route('GET', '/TaskQueues/:Sid/Statistics', { params: sidParam, querystring: cumulativeQuery, summary: 'Task queue statistics' }, async (req, scope) => {
    const queue = await stats.queue(scope.workspace, (req.params as { Sid: string }).Sid);
    const { window, thresholds, s } = await prepare(scope, req.query as Q);
    return {
      ...header(scope),
      task_queue_sid: queue.sid,
      realtime: await stats.queueRealtime(s, queue),
      cumulative: cumulative(await stats.queueCumulative(s, queue, window, thresholds)),
      url: `${scope.base}/TaskQueues/${queue.sid}/Statistics`,
    };
  });

  // Workflows
  m.route('GET', '/Workflows/:Sid/RealTimeStatistics', { params: sidParam, querystring: realtimeQuery, summary: 'Workflow real-time statistics' }, async (req, scope) => {
    const sid = await stats.workflow(scope.workspace, (req.params as { Sid: string }).Sid);
    const s = await stats.snapshot(scope.workspace, (req.query as Q).TaskChannel);
    return { ...header(scope), workflow_sid: sid, ...(await stats.workflowRealtime(s, sid)), url: `${scope.base}/Workflows/${sid}/RealTimeStatistics` };
  });
  m.route('GET', '/Workflows/:Sid/CumulativeStatistics', { params: sidParam, querystring: cumulativeQuery, summary: 'Workflow cumulative statistics' }, async (req, scope) => {
    const sid = await stats.workflow(scope.workspace, (req.params as { Sid: string }).Sid);
    const { window, thresholds, s } = await prepare(scope, req.query as Q);
    return { ...header(scope), workflow_sid: sid, ...cumulative(await stats.workflowCumulative(s, sid, window, thresholds)), url: `${scope.base}/Workflows/${sid}/CumulativeStatistics` };
  });
  m.route('GET', '/Workflows/:Sid/Statistics', { params: sidParam, querystring: cumulativeQuery, summary: 'Workflow statistics' }, async (req, scope) => {
    const sid = await stats.workflow(scope.workspace, (req.params as { Sid: string }).Sid);
    const { window, thresholds, s } = await prepare(scope, req.query as Q);
    return {
      ...header(scope),
      workflow_sid: sid,
      realtime: await stats.workflowRealtime(s, sid),
      cumulative: cumulative(await stats.workflowCumulative(s, sid, window, thresholds)),
      url: `${scope.base}/Workflows/${sid}/Statistics`,
    };
  });

  // Workers
  m.route('GET', '/Workers/RealTimeStatistics', { querystring: realtimeQuery, summary: 'Workers real-time statistics' }, async (req, scope) => {
    const s = await stats.snapshot(scope.workspace, (req.query as Q).TaskChannel);
    return { ...header(scope), ...(await stats.workersRealtime(s)), url: `${scope.base}/Workers/RealTimeStatistics` };
  });
  m.route('GET', '/Workers/CumulativeStatistics', { querystring: workersCumulativeQuery, summary: 'Workers cumulative statistics' }, async (req, scope) => {
    const { window, s } = await prepare(scope, req.query as Q);
    return { ...header(scope), ...cumulative(await stats.workersCumulative(s, window)), url: `${scope.base}/Workers/CumulativeStatistics` };
  });
  m.route(
    'GET',
    '/Workers/Statistics',
    {
      querystring: Type.Object({ ...workerParams, TaskQueueSid: Type.Optional(P.sid('WQ')), TaskQueueName: Type.Optional(P.str()), FriendlyName: Type.Optional(P.str()) }, { additionalProperties: false }),
      summary: 'Workers statistics',
    },
    async (req, scope) => {
      const q = req.query as Q;
      const { window, s } = await prepare(scope, q);
      const only = await stats.workersMatching(s, {
        ...(q.FriendlyName !== undefined ? { friendlyName: q.FriendlyName } : {}),
        ...(q.TaskQueueSid !== undefined ? { taskQueueSid: q.TaskQueueSid } : {}),
        ...(q.TaskQueueName !== undefined ? { taskQueueName: q.TaskQueueName } : {}),
      });
      return { ...header(scope), realtime: await stats.workersRealtime(s, only), cumulative: cumulative(await stats.workersCumulative(s, window, only)), url: `${scope.base}/Workers/Statistics` };
    },
  );
  m.route('GET', '/Workers/:Sid/Statistics', { params: sidParam, querystring: workersCumulativeQuery, summary: 'Worker statistics' }, async (req, scope) => {
    const worker = await stats.worker(scope.workspace, (req.params as { Sid: string }).Sid);
    const { window, s } = await prepare(scope, req.query as Q);
    return { ...header(scope), worker_sid: worker.sid, cumulative: cumulative(await stats.workersCumulative(s, window, [worker])), url: `${scope.base}/Workers/${worker.sid}/Statistics` };
  });
}

/** The bulk body: `{"QueueSids": [...]}` (Twilio's docs spell it both QueueSids and queueSids). */
function bulkQueueSids(body: unknown): string[] {
  const b = (body ?? {}) as Record<string, unknown>;
  const sids = b.QueueSids ?? b.queueSids;
  if (!Array.isArray(sids)) throw Errors.missingParameter('QueueSids');
  if (sids.length < 1 || sids.length > MAX_BULK_QUEUES) throw Errors.invalidParameter(`QueueSids must list between 1 and ${MAX_BULK_QUEUES} TaskQueue SIDs`);
  for (const sid of sids) if (typeof sid !== 'string' || !isSid(sid, 'WQ')) throw Errors.invalidParameter(`QueueSids contains an invalid TaskQueue SID: ${JSON.stringify(sid)}`);
  return [...new Set(sids as string[])];
}
