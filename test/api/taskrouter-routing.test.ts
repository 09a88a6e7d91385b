import { it, expect } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { describeEngines, twilioError, type Server } from '../support/harness.js';
import { trEvents } from '../support/taskrouter.js';
import { startReceiver } from '../support/receiver.js';
import twilio from 'twilio';

const clock = new ManualClock(Date.UTC(2026, 2, 2, 10, 0, 0));

/** A fresh workspace with its default activities and channels. */
async function workspace(server: Server, opts: { multiTask?: boolean } = {}) {
  const ws = await server.client.taskrouter.v1.workspaces.create({ friendlyName: `ws-${Math.random().toString(36).slice(2)}`, ...(opts.multiTask === false ? { multiTaskEnabled: false } : {}) });
  const w = server.client.taskrouter.v1.workspaces(ws.sid);
  const activities = await w.activities.list();
  const act = (name: string) => activities.find((a) => a.friendlyName === name)!.sid;
  return { ws, w, available: act('Available'), offline: act('Offline'), unavailable: act('Unavailable') };
}

type W = Awaited<ReturnType<typeof workspace>>;

async function worker(t: W, name: string, attributes: object, available = true) {
  return t.w.workers.create({ friendlyName: name, attributes: JSON.stringify(attributes), activitySid: available ? t.available : t.offline });
}

async function reservationsOf(t: W, taskSid: string) {
  return t.w.tasks(taskSid).reservations.list();
}

async function settle(server: Server) {
  await server.parley.taskrouter.engine.settle();
  await server.drain();
  await server.parley.taskrouter.engine.settle();
}

describeEngines(
  'TaskRouter routing',
  (ctx) => {
    it('answers a create with the task exactly as stored, for a burst routed in one pass (reserved, waiting, direct)', async () => {
      const t = await workspace(ctx.server);
      const q = await t.w.taskQueues.create({ friendlyName: 'Sales', targetWorkers: "skill == 'sales'" });
      const wf = await t.w.workflows.create({ friendlyName: 'Sales', configuration: JSON.stringify({ task_routing: { filters: [{ filter_friendly_name: 'sales', expression: "skill == 'sales'", targets: [{ queue: q.sid, timeout: 30 }] }], default_filter: { queue: q.sid } } }) });
      await worker(t, 'alice', { skill: 'sales' });
      await worker(t, 'bob', { skill: 'sales' });
      // Six at once share passes: two find a worker, the rest wait in the queue; one more goes straight to the queue.
      const path = `/taskrouter/v1/Workspaces/${t.ws.sid}/Tasks`;
      const created = await Promise.all([
        ...Array.from({ length: 6 }, (_, i) => ctx.server.http('POST', path, { WorkflowSid: wf.sid, Attributes: JSON.stringify({ skill: 'sales', n: i }), TaskChannel: 'chat' })),
        ctx.server.http('POST', path, { TaskQueueSid: q.sid, Attributes: JSON.stringify({ n: 'direct' }), TaskChannel: 'chat' }),
      ]);
      const bodies = created.map((res) => ({ status: res.status, etag: res.headers.get('etag'), body: res.body as { sid: string; assignment_status: string } }));
      expect(bodies.filter((b) => b.body.assignment_status === 'reserved')).toHaveLength(2);
      for (const c of bodies) {
        expect(c.status).toBe(201);
        const stored = await ctx.server.http('GET', `${path}/${c.body.sid}`);
        expect(c.etag).toBeTruthy();
        expect({ etag: c.etag, body: c.body }).toEqual({ etag: stored.headers.get('etag'), body: stored.body });
      }
    });

    it('answers a burst whose pass cancels one new task and reserves another with each task as stored', async () => {
      const t = await workspace(ctx.server);
      const q = await t.w.taskQueues.create({ friendlyName: 'Q', targetWorkers: "skill == 'sales'" });
      const nobody = await t.w.taskQueues.create({ friendlyName: 'Nobody', targetWorkers: "skill == 'ghost'" });
      // No default filter: a task whose only step is skipped, matching no later filter, leaves the workflow canceled in its first pass.
      const wf = await t.w.workflows.create({
        friendlyName: 'WF',
        configuration: JSON.stringify({
          task_routing: {
            filters: [
              { filter_friendly_name: 'vip', expression: 'vip == true', targets: [{ queue: nobody.sid, skip_if: 'workers.available == 0' }] },
              { filter_friendly_name: 'rest', expression: 'vip == false', targets: [{ queue: q.sid }] },
            ],
          },
        }),
      });
      await worker(t, 'alice', { skill: 'sales' });
      const path = `/taskrouter/v1/Workspaces/${t.ws.sid}/Tasks`;
      const created = await Promise.all([
        ctx.server.http('POST', path, { WorkflowSid: wf.sid, Attributes: JSON.stringify({ vip: true }), TaskChannel: 'chat' }),
        ctx.server.http('POST', path, { WorkflowSid: wf.sid, Attributes: JSON.stringify({ vip: false }), TaskChannel: 'chat' }),
      ]);
      const [skipped, routed] = created.map((res) => ({ status: res.status, etag: res.headers.get('etag'), body: res.body as { sid: string; assignment_status: string; reason: string | null } }));
      expect(skipped!.body).toMatchObject({ assignment_status: 'canceled', reason: 'Workflow Skipped' });
      expect(routed!.body).toMatchObject({ assignment_status: 'reserved' });
      for (const c of [skipped!, routed!]) {
        expect(c.status).toBe(201);
        const stored = await ctx.server.http('GET', `${path}/${c.body.sid}`);
        expect({ etag: c.etag, body: c.body }).toEqual({ etag: stored.headers.get('etag'), body: stored.body });
      }
      const events = (await trEvents(ctx.server, t.ws.sid)).filter((e) => e.data.TaskSid === skipped!.body.sid).map((e) => e.type);
      expect(events[0]).toBe('task.created');
      expect(events.slice(-2)).toEqual(['workflow.skipped', 'task.canceled']);
    });

    it('offers a task to the matching worker; accept assigns, complete frees the worker', async () => {
      const t = await workspace(ctx.server);
      const q = await t.w.taskQueues.create({ friendlyName: 'Everyone', targetWorkers: '1==1' });
      const wf = await t.w.workflows.create({ friendlyName: 'All', configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: q.sid } } }) });
      const alice = await worker(t, 'alice', {});
      const task = await t.w.tasks.create({ workflowSid: wf.sid, attributes: JSON.stringify({ type: 'chat' }), taskChannel: 'chat' });
      expect(task.taskQueueSid).toBe(q.sid);
      expect(task.assignmentStatus).toBe('reserved');
      const [r] = await reservationsOf(t, task.sid);
      expect(r).toMatchObject({ workerSid: alice.sid, reservationStatus: 'pending', workerName: 'alice' });
      const accepted = await t.w.tasks(task.sid).reservations(r!.sid).update({ reservationStatus: 'accepted' });
      expect(accepted.reservationStatus).toBe('accepted');
      expect((await t.w.tasks(task.sid).fetch()).assignmentStatus).toBe('assigned');
      const viaWorker = await t.w.workers(alice.sid).reservations.list();
      expect(viaWorker.map((x) => x.sid)).toEqual([r!.sid]);
      const chat = await t.w.workers(alice.sid).workerChannels('chat').fetch();
      expect(chat.assignedTasks).toBe(1);
      await t.w.tasks(task.sid).update({ assignmentStatus: 'wrapping' });
      expect((await t.w.tasks(task.sid).reservations(r!.sid).fetch()).reservationStatus).toBe('wrapping');
      const done = await t.w.tasks(task.sid).update({ assignmentStatus: 'completed', reason: 'resolved' });
      expect(done).toMatchObject({ assignmentStatus: 'completed', reason: 'resolved' });
      expect((await t.w.tasks(task.sid).reservations(r!.sid).fetch()).reservationStatus).toBe('completed');
      expect((await t.w.workers(alice.sid).workerChannels('chat').fetch()).assignedTasks).toBe(0);
      const types = (await trEvents(ctx.server, t.ws.sid)).map((e) => e.type);
      for (const type of ['task.created', 'workflow.entered', 'workflow.target-matched', 'task-queue.entered', 'reservation.created', 'reservation.accepted', 'task.wrapup', 'reservation.wrapup', 'reservation.completed', 'task.completed']) expect(types).toContain(type);
    });

    it('keeps a backlog that found no room out of passes for new tasks, until room frees up or a waiting task changes', async () => {
      const t = await workspace(ctx.server);
      const sales = await t.w.taskQueues.create({ friendlyName: 'Sales', targetWorkers: "team == 'sales'" });
      const help = await t.w.taskQueues.create({ friendlyName: 'Help', targetWorkers: "team == 'help'" });
      const wf = await t.w.workflows.create({
        friendlyName: 'Teams',
        configuration: JSON.stringify({ task_routing: { filters: [{ filter_friendly_name: 'sales', expression: "team == 'sales'", targets: [{ queue: sales.sid }] }], default_filter: { queue: help.sid } } }),
      });
      const create = (team: string, priority = 0) => t.w.tasks.create({ workflowSid: wf.sid, attributes: JSON.stringify({ team }), taskChannel: 'chat', priority });
      const sam = await worker(t, 'sam', { team: 'sales' });
      const first = await create('sales');
      expect(first.assignmentStatus).toBe('reserved');
      // Sam is busy: a backlog builds in Sales.
      const backlog = [];
      for (let i = 0; i < 5; i++) backlog.push(await create('sales'));
      expect(backlog.every((x) => x.assignmentStatus === 'pending')).toBe(true);
      // New work for a queue with room still routes at once.
      const hal = await worker(t, 'hal', { team: 'help' });
      const helpTask = await create('help');
      expect((await reservationsOf(t, helpTask.sid)).map((r) => r.workerSid)).toEqual([hal.sid]);
      // A waiting task's priority changes: the next pass looks at the whole backlog again.
      await t.w.tasks(backlog[3]!.sid).update({ priority: 10 });
      await create('sales');
      // Room frees up: the highest-priority waiting task gets it, then the oldest.
      const [r1] = await reservationsOf(t, first.sid);
      await t.w.tasks(first.sid).reservations(r1!.sid).update({ reservationStatus: 'rejected' });
      await settle(ctx.server);
      expect((await t.w.tasks(backlog[3]!.sid).fetch()).assignmentStatus).toBe('reserved');
      const r2 = (await reservationsOf(t, backlog[3]!.sid)).find((r) => r.reservationStatus === 'pending')!;
      await t.w.tasks(backlog[3]!.sid).reservations(r2.sid).update({ reservationStatus: 'accepted' });
      await t.w.tasks(backlog[3]!.sid).update({ assignmentStatus: 'completed', reason: 'done' });
      await settle(ctx.server);
      // Sam is free again: the oldest waiting task (the one he rejected keeps its age) is next.
      const reserved = (await t.w.tasks.list({ assignmentStatus: ['reserved'] })).map((x) => x.sid).sort();
      expect(reserved).toEqual([first.sid, helpTask.sid].sort());
    });

    it('routes by skills and language through workflow filters, first match wins', async () => {
      const t = await workspace(ctx.server);
      const billing = await t.w.taskQueues.create({ friendlyName: 'Billing', targetWorkers: "skills HAS 'billing'" });
      const spanish = await t.w.taskQueues.create({ friendlyName: 'Spanish', targetWorkers: "languages HAS 'es'" });
      const everyone = await t.w.taskQueues.create({ friendlyName: 'Everyone', targetWorkers: '1==1' });
      const wf = await t.w.workflows.create({
        friendlyName: 'Skills',
        configuration: JSON.stringify({
          task_routing: {
            filters: [
              { filter_friendly_name: 'Spanish', expression: "language == 'es'", targets: [{ queue: spanish.sid }] },
              { filter_friendly_name: 'Billing', expression: "type == 'billing'", targets: [{ queue: billing.sid }] },
            ],
            default_filter: { queue: everyone.sid },
          },
        }),
      });
      const bob = await worker(t, 'bob', { skills: ['support'], languages: ['en'] });
      const carol = await worker(t, 'carol', { skills: ['billing'], languages: ['en'] });
      const dan = await worker(t, 'dan', { skills: ['support'], languages: ['es', 'en'] });
      const b = await t.w.tasks.create({ workflowSid: wf.sid, attributes: JSON.stringify({ type: 'billing', language: 'en' }) });
      expect(b.taskQueueSid).toBe(billing.sid);
      expect((await reservationsOf(t, b.sid))[0]!.workerSid).toBe(carol.sid);
      const s = await t.w.tasks.create({ workflowSid: wf.sid, attributes: JSON.stringify({ type: 'billing', language: 'es' }) });
      expect(s.taskQueueSid).toBe(spanish.sid);
      expect((await reservationsOf(t, s.sid))[0]!.workerSid).toBe(dan.sid);
      const other = await t.w.tasks.create({ workflowSid: wf.sid, attributes: JSON.stringify({ type: 'other' }) });
      expect(other.taskQueueSid).toBe(everyone.sid);
      expect((await reservationsOf(t, other.sid))[0]!.workerSid).toBe(bob.sid);
    });

    it('escalates to the next target after its timeout, and cancels after the last (workflow timeout)', async () => {
      const t = await workspace(ctx.server);
      const tier1 = await t.w.taskQueues.create({ friendlyName: 'Tier 1', targetWorkers: 'tier == 1' });
      const tier2 = await t.w.taskQueues.create({ friendlyName: 'Tier 2', targetWorkers: 'tier == 2' });
      const wf = await t.w.workflows.create({
        friendlyName: 'Escalation',
        configuration: JSON.stringify({ task_routing: { filters: [{ filter_friendly_name: 'All', expression: '1==1', targets: [{ queue: tier1.sid, timeout: 30 }, { queue: tier2.sid, timeout: 60 }] }] } }),
      });
      await worker(t, 'senior', { tier: 2 });
      const task = await t.w.tasks.create({ workflowSid: wf.sid, attributes: '{}' });
      expect(task).toMatchObject({ taskQueueSid: tier1.sid, assignmentStatus: 'pending' });
      clock.advance(31_000);
      await settle(ctx.server);
      const moved = await t.w.tasks(task.sid).fetch();
      expect(moved).toMatchObject({ taskQueueSid: tier2.sid, assignmentStatus: 'reserved' });
      const [r] = await reservationsOf(t, task.sid);
      await t.w.tasks(task.sid).reservations(r!.sid).update({ reservationStatus: 'rejected', workerActivitySid: t.offline });
      expect((await t.w.tasks(task.sid).fetch()).assignmentStatus).toBe('pending');
      clock.advance(61_000);
      await settle(ctx.server);
      const canceled = await t.w.tasks(task.sid).fetch();
      expect(canceled).toMatchObject({ assignmentStatus: 'canceled', reason: 'Workflow Timeout' });
      const types = (await trEvents(ctx.server, t.ws.sid)).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['task-queue.timeout', 'task-queue.moved', 'workflow.timeout', 'task.canceled']));
    });

    it('never offers beyond per-channel capacity; freed capacity picks up waiting work', async () => {
      const t = await workspace(ctx.server);
      const q = await t.w.taskQueues.create({ friendlyName: 'Q', targetWorkers: '1==1' });
      const wf = await t.w.workflows.create({ friendlyName: 'WF', configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: q.sid } } }) });
      const erin = await worker(t, 'erin', {});
      await t.w.workers(erin.sid).workerChannels('chat').update({ capacity: 2 });
      const tasks: Array<{ sid: string }> = [];
      for (let i = 0; i < 3; i++) tasks.push(await t.w.tasks.create({ workflowSid: wf.sid, taskChannel: 'chat', attributes: JSON.stringify({ n: i }) }));
      const statuses = async () => Promise.all(tasks.map(async (x) => (await t.w.tasks(x.sid).fetch()).assignmentStatus));
      expect(await statuses()).toEqual(['reserved', 'reserved', 'pending']);
      for (const x of tasks.slice(0, 2)) {
        const [r] = await reservationsOf(t, x.sid);
        await t.w.tasks(x.sid).reservations(r!.sid).update({ reservationStatus: 'accepted' });
      }
      expect(await statuses()).toEqual(['assigned', 'assigned', 'pending']);
      await t.w.tasks(tasks[0]!.sid).update({ assignmentStatus: 'completed', reason: 'done' });
      await settle(ctx.server);
      expect(await statuses()).toEqual(['completed', 'assigned', 'reserved']);
    });

    it('orders waiting work by priority, then age (FIFO), or newest first in a LIFO queue', async () => {
      const t = await workspace(ctx.server);
      const fifo = await t.w.taskQueues.create({ friendlyName: 'FIFO', targetWorkers: '1==1' });
      const lifo = await t.w.taskQueues.create({ friendlyName: 'LIFO', targetWorkers: '1==1', taskOrder: 'LIFO' });
      const wf = await t.w.workflows.create({
        friendlyName: 'WF',
        configuration: JSON.stringify({ task_routing: { filters: [{ expression: "q == 'lifo'", targets: [{ queue: lifo.sid }] }], default_filter: { queue: fifo.sid } } }),
      });
      const frank = await worker(t, 'frank', {}, false);
      const old = await t.w.tasks.create({ workflowSid: wf.sid, attributes: '{}' });
      clock.advance(1000);
      const urgent = await t.w.tasks.create({ workflowSid: wf.sid, attributes: '{}', priority: 10 });
      clock.advance(1000);
      await t.w.tasks.create({ workflowSid: wf.sid, attributes: '{}' });
      await t.w.workers(frank.sid).update({ activitySid: t.available });
      await settle(ctx.server);
      const first = await t.w.workers(frank.sid).reservations.list({ reservationStatus: 'pending' });
      expect(first.map((r) => r.taskSid)).toEqual([urgent.sid]);
      await t.w.tasks(urgent.sid).update({ assignmentStatus: 'canceled', reason: 'test' });
      await settle(ctx.server);
      const second = await t.w.workers(frank.sid).reservations.list({ reservationStatus: 'pending' });
      expect(second.map((r) => r.taskSid)).toEqual([old.sid]);

      const t2 = await workspace(ctx.server);
      const lq = await t2.w.taskQueues.create({ friendlyName: 'LIFO', targetWorkers: '1==1', taskOrder: 'LIFO' });
      const wf2 = await t2.w.workflows.create({ friendlyName: 'WF', configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: lq.sid } } }) });
      const gina = await worker(t2, 'gina', {}, false);
      await t2.w.tasks.create({ workflowSid: wf2.sid, attributes: '{}' });
      clock.advance(1000);
      const newest = await t2.w.tasks.create({ workflowSid: wf2.sid, attributes: '{}' });
      await t2.w.workers(gina.sid).update({ activitySid: t2.available });
      await settle(ctx.server);
      expect((await t2.w.workers(gina.sid).reservations.list()).map((r) => r.taskSid)).toEqual([newest.sid]);
    });

    it('skips a step whose skip_if holds, orders workers by order_by, honours known_worker_sid', async () => {
      const t = await workspace(ctx.server);
      const nobody = await t.w.taskQueues.create({ friendlyName: 'Nobody', targetWorkers: "team == 'ghosts'" });
      const team = await t.w.taskQueues.create({ friendlyName: 'Team', targetWorkers: "team == 'a'" });
      const wf = await t.w.workflows.create({
        friendlyName: 'WF',
        configuration: JSON.stringify({
          task_routing: {
            filters: [
              { filter_friendly_name: 'Known', expression: 'preferred != null', targets: [{ queue: team.sid, known_worker_sid: 'task.preferred' }] },
              {
                filter_friendly_name: 'Skip',
                expression: '1==1',
                targets: [
                  { queue: nobody.sid, skip_if: 'workers.available == 0', timeout: 300 },
                  { queue: team.sid, order_by: 'worker.level DESC' },
                ],
              },
            ],
          },
        }),
      });
      const low = await worker(t, 'low', { team: 'a', level: 1 });
      const high = await worker(t, 'high', { team: 'a', level: 5 });
      const task = await t.w.tasks.create({ workflowSid: wf.sid, attributes: '{}' });
      expect(task.taskQueueSid).toBe(team.sid);
      expect((await reservationsOf(t, task.sid))[0]!.workerSid).toBe(high.sid);
      const known = await t.w.tasks.create({ workflowSid: wf.sid, attributes: JSON.stringify({ preferred: low.sid }) });
      expect((await reservationsOf(t, known.sid))[0]!.workerSid).toBe(low.sid);
    });

    it('offers to several workers with MaxReservedWorkers: first accept wins, the rest are rescinded', async () => {
      const t = await workspace(ctx.server);
      const q = await t.w.taskQueues.create({ friendlyName: 'Q', targetWorkers: '1==1', maxReservedWorkers: 3 });
      const wf = await t.w.workflows.create({ friendlyName: 'WF', configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: q.sid } } }) });
      for (const n of ['h1', 'h2', 'h3', 'h4']) await worker(t, n, {});
      const task = await t.w.tasks.create({ workflowSid: wf.sid, attributes: '{}' });
      const offers = await reservationsOf(t, task.sid);
      expect(offers.length).toBe(3);
      await t.w.tasks(task.sid).reservations(offers[1]!.sid).update({ reservationStatus: 'accepted' });
      const after = await reservationsOf(t, task.sid);
      expect(after.map((r) => r.reservationStatus).sort()).toEqual(['accepted', 'rescinded', 'rescinded']);
      expect(await twilioError(t.w.tasks(task.sid).reservations(offers[0]!.sid).update({ reservationStatus: 'accepted' }))).toMatchObject({ status: 400, code: 20001 });
    });

    it('times out an unanswered reservation: worker goes to the timeout activity, task re-routes', async () => {
      const t = await workspace(ctx.server);
      const q = await t.w.taskQueues.create({ friendlyName: 'Q', targetWorkers: '1==1' });
      const wf = await t.w.workflows.create({ friendlyName: 'WF', configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: q.sid } } }), taskReservationTimeout: 30 });
      const ivy = await worker(t, 'ivy', {});
      const task = await t.w.tasks.create({ workflowSid: wf.sid, attributes: '{}' });
      const [r] = await reservationsOf(t, task.sid);
      expect(r!.workerSid).toBe(ivy.sid);
      clock.advance(10_000);
      const jack = await worker(t, 'jack', {});
      clock.advance(21_000);
      await settle(ctx.server);
      expect((await t.w.tasks(task.sid).reservations(r!.sid).fetch()).reservationStatus).toBe('timeout');
      expect((await t.w.workers(ivy.sid).fetch()).activityName).toBe('Offline');
      const now = await reservationsOf(t, task.sid);
      expect(now.find((x) => x.reservationStatus === 'pending')!.workerSid).toBe(jack.sid);
      // The losing side of an accept/timeout race gets a clean error, never a second outcome.
      expect(await twilioError(t.w.tasks(task.sid).reservations(r!.sid).update({ reservationStatus: 'accepted' }))).toMatchObject({ status: 400 });
    });

    it('cancels a task with its pending offers; refuses stale If-Match with 412', async () => {
      const t = await workspace(ctx.server);
      const q = await t.w.taskQueues.create({ friendlyName: 'Q', targetWorkers: '1==1' });
      const wf = await t.w.workflows.create({ friendlyName: 'WF', configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: q.sid } } }) });
      await worker(t, 'kim', {});
      const task = await t.w.tasks.create({ workflowSid: wf.sid, attributes: '{}' });
      const raw = await ctx.server.http('GET', `/taskrouter/v1/Workspaces/${t.ws.sid}/Tasks/${task.sid}`);
      const etag = raw.headers.get('etag')!;
      expect(etag).toBeTruthy();
      await t.w.tasks(task.sid).update({ priority: 3 });
      const stale = await ctx.server.http('POST', `/taskrouter/v1/Workspaces/${t.ws.sid}/Tasks/${task.sid}`, { Priority: '5' }, { 'If-Match': etag });
      expect(stale.status).toBe(412);
      expect((await t.w.tasks(task.sid).fetch()).priority).toBe(3);
      expect(await twilioError(t.w.tasks(task.sid).update({ assignmentStatus: 'canceled' }))).toMatchObject({ status: 400, code: 20001 });
      await t.w.tasks(task.sid).update({ assignmentStatus: 'canceled', reason: 'customer left' });
      const [r] = await reservationsOf(t, task.sid);
      expect(r!.reservationStatus).toBe('canceled');
      expect((await t.w.tasks(task.sid).fetch())).toMatchObject({ assignmentStatus: 'canceled', reason: 'customer left' });
    });

    it('keeps one task at a time per worker when multitasking is off', async () => {
      const t = await workspace(ctx.server, { multiTask: false });
      const q = await t.w.taskQueues.create({ friendlyName: 'Q', targetWorkers: '1==1' });
      const wf = await t.w.workflows.create({ friendlyName: 'WF', configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: q.sid } } }) });
      const leo = await worker(t, 'leo', {});
      await t.w.workers(leo.sid).workerChannels('chat').update({ capacity: 5 });
      const a = await t.w.tasks.create({ workflowSid: wf.sid, taskChannel: 'chat', attributes: '{}' });
      const b = await t.w.tasks.create({ workflowSid: wf.sid, taskChannel: 'sms', attributes: '{}' });
      expect([a.assignmentStatus, b.assignmentStatus]).toEqual(['reserved', 'pending']);
    });

    it('cancels a task whose TTL passes while it waits', async () => {
      const t = await workspace(ctx.server);
      const q = await t.w.taskQueues.create({ friendlyName: 'Q', targetWorkers: '1==1' });
      const wf = await t.w.workflows.create({ friendlyName: 'WF', configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: q.sid } } }) });
      const task = await t.w.tasks.create({ workflowSid: wf.sid, attributes: '{}', timeout: 60 });
      clock.advance(61_000);
      await settle(ctx.server);
      expect(await t.w.tasks(task.sid).fetch()).toMatchObject({ assignmentStatus: 'canceled', reason: 'Task TTL Exceeded' });
    });

    it('routes directly to a worker with RoutingTarget, and lists tasks with every filter', async () => {
      const t = await workspace(ctx.server);
      const q = await t.w.taskQueues.create({ friendlyName: 'Q', targetWorkers: '1==1' });
      const wf = await t.w.workflows.create({ friendlyName: 'WF', configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: q.sid } } }) });
      await worker(t, 'mia', {});
      const noah = await worker(t, 'noah', {});
      const direct = await t.w.tasks.create({ routingTarget: noah.sid, taskQueueSid: q.sid, attributes: JSON.stringify({ direction: 'outbound' }) });
      expect((await reservationsOf(t, direct.sid))[0]!.workerSid).toBe(noah.sid);
      const low = await t.w.tasks.create({ workflowSid: wf.sid, attributes: JSON.stringify({ v: 1 }), priority: 1 });
      const hi = await t.w.tasks.create({ workflowSid: wf.sid, attributes: JSON.stringify({ v: 2 }), priority: 9 });
      expect((await t.w.tasks.list({ evaluateTaskAttributes: 'v == 2' })).map((x) => x.sid)).toEqual([hi.sid]);
      expect((await t.w.tasks.list({ priority: 1 })).map((x) => x.sid)).toEqual([low.sid]);
      expect((await t.w.tasks.list({ taskQueueName: 'Q', ordering: 'Priority:desc' })).map((x) => x.sid).slice(0, 2)).toEqual([hi.sid, low.sid]);
      expect((await t.w.tasks.list({ workflowName: 'WF' })).length).toBe(2);
      expect((await t.w.tasks.list({ assignmentStatus: ['reserved'] })).length).toBeGreaterThanOrEqual(2);
      const paged: string[] = [];
      await t.w.tasks.each({ pageSize: 1 }, (x) => {
        paged.push(x.sid);
      });
      expect(paged).toEqual([direct.sid, low.sid, hi.sid]);
      expect(await twilioError(t.w.tasks.list({ evaluateTaskAttributes: 'v ==' }))).toMatchObject({ status: 400, code: 20001 });
    });

    it('follows the assignment callback: accept, or reject with an activity', async () => {
      const receiver = await startReceiver();
      const t = await workspace(ctx.server);
      const q = await t.w.taskQueues.create({ friendlyName: 'Q', targetWorkers: '1==1' });
      const wf = await t.w.workflows.create({
        friendlyName: 'WF',
        configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: q.sid } } }),
        assignmentCallbackUrl: `${receiver.url}/assign`,
      });
      const olga = await worker(t, 'olga', {});
      receiver.respond(() => ({ status: 200, body: JSON.stringify({ instruction: 'accept' }) }));
      const task = await t.w.tasks.create({ workflowSid: wf.sid, attributes: JSON.stringify({ case: 1 }) });
      await ctx.server.drain();
      await ctx.server.parley.taskrouter.engine.settle();
      const [hit] = await receiver.waitFor(1);
      expect(hit!.params).toMatchObject({ TaskSid: task.sid, WorkerSid: olga.sid, WorkflowSid: wf.sid, TaskQueueSid: q.sid, TaskAttributes: '{"case":1}' });
      expect(twilio.validateRequest(ctx.server.authToken, hit!.headers['x-twilio-signature'] as string, hit!.fullUrl, hit!.params)).toBe(true);
      expect((await t.w.tasks(task.sid).fetch()).assignmentStatus).toBe('assigned');

      await t.w.tasks(task.sid).update({ assignmentStatus: 'completed', reason: 'ok' });
      receiver.respond(() => ({ status: 200, body: JSON.stringify({ instruction: 'reject', activity_sid: t.unavailable }) }));
      const second = await t.w.tasks.create({ workflowSid: wf.sid, attributes: '{}' });
      await ctx.server.drain();
      await ctx.server.parley.taskrouter.engine.settle();
      expect((await reservationsOf(t, second.sid)).map((r) => r.reservationStatus)).toEqual(['rejected']);
      expect((await t.w.workers(olga.sid).fetch()).activityName).toBe('Unavailable');
      expect((await t.w.tasks(second.sid).fetch()).assignmentStatus).toBe('pending');
      await receiver.close();
    });
  },
  { clock, startWorker: false },
);
