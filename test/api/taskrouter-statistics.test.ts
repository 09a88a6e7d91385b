import { it, expect, beforeAll } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { describeEngines, twilioError, type Server } from '../support/harness.js';

const T0 = Date.UTC(2026, 2, 2, 10, 0, 0);
const clock = new ManualClock(T0);
const at = (seconds: number) => clock.set(T0 + seconds * 1000);
const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString().replace('.000Z', 'Z');
const zero = { avg: 0, min: 0, max: 0, total: 0 };
const same = (n: number) => ({ avg: n, min: n, max: n, total: n });

async function settle(server: Server) {
  await server.parley.taskrouter.engine.settle();
  await server.drain();
  await server.parley.taskrouter.engine.settle();
}

/**
 * One known history (seconds after T0), so every figure has an expected value:
 *  0  workspace; Sales (dept sales) and Support (dept support) queues; workflow
 *     "sales → Sales for 60 s, then Support; everything else → Support",
 *     reservation timeout 30 s; alice (sales, Available), bob and carol (support;
 *     bob Available, carol Offline)
 *  10 t1 sales p5 → Sales, r1 offered to alice      40 alice accepts r1
 *  40 t2 support → Support, r2 offered to bob        50 bob rejects r2 and goes Offline
 *  70 t2 canceled; t3 sales p1 → Sales (alice is full)
 * 130 t3's step times out: moved to Support         140 t1 completed
 * 150 carol Available: r3 offered                   180 r3 times out, carol Offline
 * 190 carol Available: r5 offered                   195 carol accepts r5
 * 200 t4 sales p2 → Sales, r4 offered to alice      210 t4 canceled (r4 canceled)
 * 220 t2 deleted                                    230 t5 support p3 → Support, waits
 * 240 statistics are read
 */
async function history(server: Server) {
  at(0);
  const ws = await server.client.taskrouter.v1.workspaces.create({ friendlyName: 'Stats' });
  const w = server.client.taskrouter.v1.workspaces(ws.sid);
  const activities = await w.activities.list();
  const act = (name: string) => activities.find((a) => a.friendlyName === name)!.sid;
  const sales = await w.taskQueues.create({ friendlyName: 'Sales', targetWorkers: "dept == 'sales'" });
  const support = await w.taskQueues.create({ friendlyName: 'Support', targetWorkers: "dept == 'support'" });
  const workflow = await w.workflows.create({
    friendlyName: 'Main',
    taskReservationTimeout: 30,
    configuration: JSON.stringify({
      task_routing: {
        filters: [{ filter_friendly_name: 'Sales', expression: "type == 'sales'", targets: [{ queue: sales.sid, timeout: 60 }, { queue: support.sid }] }],
        default_filter: { queue: support.sid },
      },
    }),
  });
  const worker = (name: string, dept: string, activity: string) => w.workers.create({ friendlyName: name, attributes: JSON.stringify({ dept }), activitySid: act(activity) });
  const alice = await worker('alice', 'sales', 'Available');
  const bob = await worker('bob', 'support', 'Available');
  const carol = await worker('carol', 'support', 'Offline');
  const task = (type: string, priority: number) => w.tasks.create({ workflowSid: workflow.sid, attributes: JSON.stringify({ type }), priority });
  const offer = async (taskSid: string) => (await w.tasks(taskSid).reservations.list({ reservationStatus: 'pending' }))[0]!;

  at(10);
  const t1 = await task('sales', 5);
  const r1 = await offer(t1.sid);
  at(40);
  await w.tasks(t1.sid).reservations(r1.sid).update({ reservationStatus: 'accepted' });
  const t2 = await task('support', 0);
  const r2 = await offer(t2.sid);
  at(50);
  await w.tasks(t2.sid).reservations(r2.sid).update({ reservationStatus: 'rejected', workerActivitySid: act('Offline') });
  await settle(server);
  at(70);
  await w.tasks(t2.sid).update({ assignmentStatus: 'canceled', reason: 'gone' });
  const t3 = await task('sales', 1);
  at(130);
  await settle(server);
  at(140);
  await w.tasks(t1.sid).update({ assignmentStatus: 'completed', reason: 'done' });
  await settle(server);
  at(150);
  await w.workers(carol.sid).update({ activitySid: act('Available') });
  await settle(server);
  const r3 = await offer(t3.sid);
  at(180);
  await settle(server);
  at(190);
  await w.workers(carol.sid).update({ activitySid: act('Available') });
  await settle(server);
  const r5 = await offer(t3.sid);
  at(195);
  await w.tasks(t3.sid).reservations(r5.sid).update({ reservationStatus: 'accepted' });
  await settle(server);
  at(200);
  const t4 = await task('sales', 2);
  const r4 = await offer(t4.sid);
  at(210);
  await w.tasks(t4.sid).update({ assignmentStatus: 'canceled', reason: 'nope' });
  at(220);
  await w.tasks(t2.sid).remove();
  at(230);
  const t5 = await task('support', 3);
  await settle(server);
  at(240);
  return { ws, w, act, sales, support, workflow, alice, bob, carol, t1, t2, t3, t4, t5, r1, r2, r3, r4, r5 };
}

type H = Awaited<ReturnType<typeof history>>;

describeEngines(
  'TaskRouter statistics',
  (ctx) => {
    let h: H;
    beforeAll(async () => {
      h = await history(ctx.server);
    });

    it('the scenario ran as described', async () => {
      const status = async (sid: string) => (await h.w.tasks(sid).fetch()).assignmentStatus;
      expect([await status(h.t1.sid), await status(h.t3.sid), await status(h.t4.sid), await status(h.t5.sid)]).toEqual(['completed', 'assigned', 'canceled', 'pending']);
      expect(h.r3.workerSid).toBe(h.carol.sid);
      expect((await h.w.tasks(h.t3.sid).reservations(h.r3.sid).fetch()).reservationStatus).toBe('timeout');
      expect((await h.w.tasks(h.t3.sid).fetch()).taskQueueSid).toBe(h.support.sid);
      expect(h.r4.workerSid).toBe(h.alice.sid);
    });

    it('workspace real-time statistics count live tasks and workers by activity', async () => {
      const rt = await h.w.realTimeStatistics().fetch();
      expect(rt.toJSON()).toMatchObject({
        accountSid: ctx.server.accountSid,
        workspaceSid: h.ws.sid,
        activityStatistics: [
          { sid: h.act('Offline'), friendly_name: 'Offline', workers: 1 },
          { sid: h.act('Available'), friendly_name: 'Available', workers: 2 },
          { sid: h.act('Unavailable'), friendly_name: 'Unavailable', workers: 0 },
          { sid: h.act('Break'), friendly_name: 'Break', workers: 0 },
        ],
        longestTaskWaitingAge: 10,
        longestTaskWaitingSid: h.t5.sid,
        tasksByPriority: { '1': 1, '3': 1 },
        tasksByStatus: { pending: 1, reserved: 0, assigned: 1, wrapping: 0 },
        totalTasks: 2,
        totalWorkers: 3,
        url: `${ctx.server.origin}/taskrouter/v1/Workspaces/${h.ws.sid}/RealTimeStatistics`,
      });
      const chat = await h.w.realTimeStatistics().fetch({ taskChannel: 'chat' });
      expect(chat).toMatchObject({ totalTasks: 0, longestTaskWaitingSid: null, totalWorkers: 3, tasksByStatus: { pending: 0, assigned: 0 } });
      expect((await h.w.realTimeStatistics().fetch({ taskChannel: 'default' })).totalTasks).toBe(2);
    });

    it('workspace cumulative statistics count the window\'s events, with waits and SplitByWaitTime', async () => {
      const c = await h.w.cumulativeStatistics().fetch({ splitByWaitTime: '20,60' });
      expect(c.toJSON()).toMatchObject({
        accountSid: ctx.server.accountSid,
        workspaceSid: h.ws.sid,
        reservationsCreated: 5,
        reservationsAccepted: 2,
        reservationsRejected: 1,
        reservationsTimedOut: 1,
        reservationsCanceled: 1,
        reservationsRescinded: 0,
        tasksCreated: 5,
        tasksCanceled: 2,
        tasksCompleted: 1,
        tasksDeleted: 1,
        tasksMoved: 1,
        tasksTimedOutInWorkflow: 0,
        // Accepted after 30 s (t1) and 125 s (t3); canceled after 30 s (t2) and 10 s (t4).
        avgTaskAcceptanceTime: 78,
        waitDurationUntilAccepted: { avg: 78, min: 30, max: 125, total: 155 },
        waitDurationUntilCanceled: { avg: 20, min: 10, max: 30, total: 40 },
        splitByWaitTime: {
          '20': { below: { tasks_canceled: 1, reservations_accepted: 0 }, above: { tasks_canceled: 1, reservations_accepted: 2 } },
          '60': { below: { tasks_canceled: 2, reservations_accepted: 1 }, above: { tasks_canceled: 0, reservations_accepted: 1 } },
        },
        url: `${ctx.server.origin}/taskrouter/v1/Workspaces/${h.ws.sid}/CumulativeStatistics`,
      });
      expect(c.startTime.toISOString()).toBe(new Date(T0 + 240_000 - 15 * 60_000).toISOString());
      expect(c.endTime.toISOString()).toBe(new Date(T0 + 240_000).toISOString());

      // The last minute: r3's timeout at 180 up to t5 at 230.
      const lastMinute = await h.w.cumulativeStatistics().fetch({ minutes: 1 });
      expect(lastMinute).toMatchObject({ reservationsCreated: 2, reservationsAccepted: 1, reservationsTimedOut: 1, reservationsCanceled: 1, tasksCreated: 2, tasksCanceled: 1, tasksDeleted: 1, tasksCompleted: 0, tasksMoved: 0, splitByWaitTime: null });
      const window = await h.w.cumulativeStatistics().fetch({ startDate: new Date(T0 + 100_000), endDate: new Date(T0 + 185_000) });
      expect(window).toMatchObject({ reservationsCreated: 1, reservationsTimedOut: 1, reservationsAccepted: 0, tasksMoved: 1, tasksCompleted: 1, tasksCreated: 0, waitDurationUntilAccepted: zero });
      const chat = await h.w.cumulativeStatistics().fetch({ taskChannel: 'chat' });
      expect(chat).toMatchObject({ reservationsCreated: 0, tasksCreated: 0, tasksCanceled: 0 });

      const both = await h.w.statistics().fetch({ minutes: 1 });
      expect(both.realtime).toMatchObject({ total_tasks: 2, total_workers: 3, longest_task_waiting_sid: h.t5.sid });
      expect(both.cumulative).toMatchObject({ reservations_created: 2, tasks_created: 2, start_time: iso(180), end_time: iso(240) });
    });

    it('task queue statistics: eligible workers, waiting tasks, entries, moves and in-queue waits', async () => {
      const q = h.w.taskQueues(h.support.sid);
      const rt = await q.realTimeStatistics().fetch();
      expect(rt.toJSON()).toMatchObject({
        taskQueueSid: h.support.sid,
        totalEligibleWorkers: 2,
        totalAvailableWorkers: 1,
        totalTasks: 2,
        tasksByStatus: { pending: 1, reserved: 0, assigned: 1, wrapping: 0 },
        tasksByPriority: { '1': 1, '3': 1 },
        longestTaskWaitingSid: h.t5.sid,
        longestTaskWaitingAge: 10,
        longestRelativeTaskSidInQueue: h.t5.sid,
        longestRelativeTaskAgeInQueue: 10,
      });
      expect(rt.activityStatistics.map((a: { workers: number }) => a.workers)).toEqual([1, 1, 0, 0]);

      const support = await q.cumulativeStatistics().fetch({ splitByWaitTime: '100' });
      expect(support.toJSON()).toMatchObject({
        taskQueueSid: h.support.sid,
        reservationsCreated: 3,
        reservationsAccepted: 1,
        reservationsRejected: 1,
        reservationsTimedOut: 1,
        reservationsCanceled: 0,
        tasksEntered: 3, // t2 and t5 entered, t3 moved in
        tasksMoved: 0,
        tasksCanceled: 1,
        tasksCompleted: 0,
        tasksDeleted: 1,
        avgTaskAcceptanceTime: 125,
        waitDurationUntilAccepted: same(125),
        // t3 reached Support at 130 and was accepted at 195.
        waitDurationInQueueUntilAccepted: same(65),
        waitDurationUntilCanceled: same(30),
        splitByWaitTime: { '100': { below: { tasks_canceled: 1, reservations_accepted: 0 }, above: { tasks_canceled: 0, reservations_accepted: 1 } } },
      });
      const sales = await h.w.taskQueues(h.sales.sid).cumulativeStatistics().fetch();
      expect(sales).toMatchObject({
        reservationsCreated: 2,
        reservationsAccepted: 1,
        reservationsCanceled: 1,
        reservationsRejected: 0,
        tasksEntered: 3,
        tasksMoved: 1,
        tasksCanceled: 1,
        tasksCompleted: 1,
        waitDurationUntilAccepted: same(30),
        waitDurationInQueueUntilAccepted: same(30),
        waitDurationUntilCanceled: same(10),
      });
      const salesRt = await h.w.taskQueues(h.sales.sid).realTimeStatistics().fetch();
      expect(salesRt).toMatchObject({ totalTasks: 0, totalEligibleWorkers: 1, totalAvailableWorkers: 1, longestTaskWaitingSid: null, longestRelativeTaskSidInQueue: null });

      const both = await q.statistics().fetch({ minutes: 1 });
      expect(both.realtime).toMatchObject({ total_tasks: 2, total_eligible_workers: 2 });
      expect(both.cumulative).toMatchObject({ reservations_created: 1, reservations_accepted: 1, tasks_entered: 1, tasks_deleted: 1, end_time: iso(240) });
    });

    it('lists every queue\'s statistics across pages, filtered by FriendlyName', async () => {
      const all = await h.w.taskQueues.statistics.list({ pageSize: 1 });
      expect(all.map((s) => s.taskQueueSid)).toEqual([h.sales.sid, h.support.sid]);
      expect(all.map((s) => s.realtime.total_tasks)).toEqual([0, 2]);
      expect(all.map((s) => s.cumulative.reservations_created)).toEqual([2, 3]);
      const page = await ctx.server.http('GET', `/taskrouter/v1/Workspaces/${h.ws.sid}/TaskQueues/Statistics?PageSize=1&Minutes=1`);
      expect(page.body.meta).toMatchObject({ key: 'task_queues_statistics', page_size: 1 });
      expect(page.body.meta.next_page_url).toContain('Minutes=1');
      expect(page.body.task_queues_statistics[0]).toMatchObject({ account_sid: ctx.server.accountSid, workspace_sid: h.ws.sid, task_queue_sid: h.sales.sid, cumulative: { reservations_created: 1 } });
      const named = await h.w.taskQueues.statistics.list({ friendlyName: 'Support' });
      expect(named.map((s) => s.taskQueueSid)).toEqual([h.support.sid]);
    });

    it('bulk real-time statistics take a JSON list of up to 50 queues', async () => {
      const unknown = 'WQ' + 'f'.repeat(32);
      const bulk = await h.w.taskQueues.bulkRealTimeStatistics.create({ queueSids: [h.support.sid, h.sales.sid, unknown] });
      expect(bulk.taskQueueResponseCount).toBe(3);
      expect(bulk.taskQueueData.map((d: { task_queue_sid: string }) => d.task_queue_sid)).toEqual([h.support.sid, h.sales.sid, unknown]);
      expect(bulk.taskQueueData[0]).toMatchObject({ total_tasks: 2, total_eligible_workers: 2, total_available_workers: 1, longest_task_waiting_sid: h.t5.sid, longest_task_waiting_age: 10, tasks_by_status: { pending: 1, assigned: 1 } });
      expect(bulk.taskQueueData[1]).toMatchObject({ total_tasks: 0, total_eligible_workers: 1 });
      expect(bulk.taskQueueData[2]).toMatchObject({ total_tasks: 0, total_eligible_workers: 0, total_available_workers: 0, longest_task_waiting_sid: null });
      const path = `/taskrouter/v1/Workspaces/${h.ws.sid}/TaskQueues/RealTimeStatistics`;
      const raw = await ctx.server.http('POST', path, JSON.stringify({ QueueSids: [h.sales.sid] }), { 'Content-Type': 'application/json' });
      expect(raw.status).toBe(200);
      expect(raw.body).toMatchObject({ account_sid: ctx.server.accountSid, workspace_sid: h.ws.sid, task_queue_response_count: 1, url: `${ctx.server.origin}${path}` });

      const bad = async (body: unknown) => (await ctx.server.http('POST', path, JSON.stringify(body), { 'Content-Type': 'application/json' })).body;
      expect(await bad({ queueSids: [] })).toMatchObject({ status: 400, code: 20001 });
      expect(await bad({ queueSids: Array.from({ length: 51 }, (_, i) => 'WQ' + i.toString(16).padStart(32, '0')) })).toMatchObject({ status: 400, code: 20001 });
      expect(await bad({ queueSids: ['WQ123'] })).toMatchObject({ status: 400, code: 20001 });
      expect(await bad({})).toMatchObject({ status: 400, code: 20001 });
      const form = await ctx.server.http('POST', path, { QueueSids: h.sales.sid });
      expect(form.status).toBe(415);
    });

    it('workflow statistics count the workflow\'s tasks', async () => {
      const wf = h.w.workflows(h.workflow.sid);
      const rt = await wf.realTimeStatistics().fetch();
      expect(rt.toJSON()).toMatchObject({ workflowSid: h.workflow.sid, totalTasks: 2, longestTaskWaitingSid: h.t5.sid, longestTaskWaitingAge: 10, tasksByStatus: { pending: 1, assigned: 1 }, tasksByPriority: { '1': 1, '3': 1 } });
      const c = await wf.cumulativeStatistics().fetch();
      expect(c.toJSON()).toMatchObject({
        workflowSid: h.workflow.sid,
        tasksEntered: 5,
        tasksMoved: 1,
        tasksTimedOutInWorkflow: 0,
        tasksCanceled: 2,
        tasksCompleted: 1,
        tasksDeleted: 1,
        reservationsCreated: 5,
        reservationsAccepted: 2,
        avgTaskAcceptanceTime: 78,
        waitDurationUntilAccepted: { avg: 78, min: 30, max: 125, total: 155 },
      });
      const both = await wf.statistics().fetch({ startDate: new Date(T0 + 100_000), endDate: new Date(T0 + 185_000) });
      expect(both.realtime).toMatchObject({ total_tasks: 2 });
      expect(both.cumulative).toMatchObject({ tasks_entered: 0, tasks_moved: 1, reservations_timed_out: 1, start_time: iso(100), end_time: iso(185) });
    });

    it('worker statistics: activities now, reservations and time spent per activity', async () => {
      const rt = await h.w.workers.realTimeStatistics().fetch();
      expect(rt.toJSON()).toMatchObject({ totalWorkers: 3 });
      expect(rt.activityStatistics.map((a: { friendly_name: string; workers: number }) => [a.friendly_name, a.workers])).toEqual([['Offline', 1], ['Available', 2], ['Unavailable', 0], ['Break', 0]]);

      const c = await h.w.workers.cumulativeStatistics().fetch();
      expect(c.toJSON()).toMatchObject({ reservationsCreated: 5, reservationsAccepted: 2, reservationsRejected: 1, reservationsTimedOut: 1, reservationsCanceled: 1, reservationsRescinded: 0 });
      // Available: alice 240, bob 50, carol 30 and 50. Offline: bob 190, carol 150 and 10.
      expect(c.activityDurations).toEqual([
        { sid: h.act('Offline'), friendly_name: 'Offline', avg: 117, min: 10, max: 190, total: 350 },
        { sid: h.act('Available'), friendly_name: 'Available', avg: 93, min: 30, max: 240, total: 370 },
        { sid: h.act('Unavailable'), friendly_name: 'Unavailable', ...zero },
        { sid: h.act('Break'), friendly_name: 'Break', ...zero },
      ]);
      const window = await h.w.workers.cumulativeStatistics().fetch({ startDate: new Date(T0 + 100_000), endDate: new Date(T0 + 185_000) });
      expect(window.activityDurations.slice(0, 2)).toMatchObject([
        { friendly_name: 'Offline', avg: 47, min: 5, max: 85, total: 140 },
        { friendly_name: 'Available', avg: 58, min: 30, max: 85, total: 115 },
      ]);
      expect(window).toMatchObject({ reservationsCreated: 1, reservationsTimedOut: 1 });

      const carol = await h.w.workers(h.carol.sid).statistics().fetch();
      expect(carol.toJSON()).toMatchObject({ workerSid: h.carol.sid, workspaceSid: h.ws.sid, url: `${ctx.server.origin}/taskrouter/v1/Workspaces/${h.ws.sid}/Workers/${h.carol.sid}/Statistics` });
      expect(carol.cumulative).toMatchObject({ reservations_created: 2, reservations_accepted: 1, reservations_timed_out: 1, reservations_rejected: 0, start_time: iso(-660), end_time: iso(240) });
      expect(carol.cumulative.activity_durations.slice(0, 2)).toMatchObject([
        { friendly_name: 'Offline', avg: 80, min: 10, max: 150, total: 160 },
        { friendly_name: 'Available', avg: 40, min: 30, max: 50, total: 80 },
      ]);

      const support = await h.w.workers.statistics().fetch({ taskQueueSid: h.support.sid });
      expect(support.realtime).toMatchObject({ total_workers: 2 });
      expect(support.realtime.activity_statistics.map((a: { workers: number }) => a.workers)).toEqual([1, 1, 0, 0]);
      expect(support.cumulative).toMatchObject({ reservations_created: 3, reservations_accepted: 1, reservations_rejected: 1, reservations_timed_out: 1, reservations_canceled: 0 });
      const alice = await h.w.workers.statistics().fetch({ friendlyName: 'ALICE' });
      expect(alice.realtime).toMatchObject({ total_workers: 1 });
      expect(alice.cumulative).toMatchObject({ reservations_created: 2, reservations_accepted: 1, reservations_canceled: 1 });
      expect(alice.cumulative.activity_durations[1]).toMatchObject({ friendly_name: 'Available', total: 240, min: 240, max: 240, avg: 240 });
      expect((await h.w.workers.statistics().fetch({ taskQueueName: 'Sales' })).realtime.total_workers).toBe(1);
    });

    it('refuses unknown resources and bad parameters', async () => {
      expect(await twilioError(h.w.taskQueues('WQ' + '0'.repeat(32)).realTimeStatistics().fetch())).toMatchObject({ status: 404, code: 20404 });
      expect(await twilioError(h.w.workflows('WW' + '0'.repeat(32)).cumulativeStatistics().fetch())).toMatchObject({ status: 404, code: 20404 });
      expect(await twilioError(h.w.workers('WK' + '0'.repeat(32)).statistics().fetch())).toMatchObject({ status: 404, code: 20404 });
      expect(await twilioError(h.w.cumulativeStatistics().fetch({ splitByWaitTime: '10,abc' }))).toMatchObject({ status: 400, code: 20001 });
      expect(await twilioError(h.w.cumulativeStatistics().fetch({ minutes: 0 }))).toMatchObject({ status: 400, code: 20001 });
      expect(await twilioError(h.w.cumulativeStatistics().fetch({ startDate: new Date(T0 + 1000), endDate: new Date(T0) }))).toMatchObject({ status: 400, code: 20001 });
      expect(await twilioError(h.w.workers.statistics().fetch({ taskQueueName: 'Nope' }))).toMatchObject({ status: 400, code: 20001 });
    });
  },
  { clock, startWorker: false },
);
