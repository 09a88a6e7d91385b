import { it, expect, beforeAll, afterAll } from 'vitest';
import twilio from 'twilio';
import { ManualClock } from '../../src/platform/clock.js';
import { describeEngines, twilioError, type Server } from '../support/harness.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

const T0 = Date.UTC(2026, 2, 2, 10, 0, 0);
const clock = new ManualClock(T0);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

async function settle(server: Server) {
  await server.parley.taskrouter.engine.settle();
  await server.drain();
  await server.parley.taskrouter.engine.settle();
}

/**
 * Settles routing, then dispatches until no event is left undelivered and no
 * callback is due. drain() alone can return early on PostgreSQL: the dispatch
 * advisory lock is database-wide, so another suite's dispatcher may hold it.
 */
async function deliver(server: Server) {
  const db = server.parley.storage.db;
  for (let i = 0; i < 500; i++) {
    await settle(server);
    const outbox = await db.selectFrom('outbox').select('seq').where('dispatched_at', 'is', null).limit(1).execute();
    const due = await db.selectFrom('jobs').select('seq').where('kind', '=', 'webhook.deliver').where('status', '=', 'pending').where('run_at', '<=', clock.now()).limit(1).execute();
    if (outbox.length === 0 && due.length === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('events still undelivered');
}

/** A workspace with one queue everyone matches, one workflow into it and one available worker. */
async function scenario(server: Server, opts: { eventCallbackUrl?: string; eventsFilter?: string } = {}) {
  const ws = await server.client.taskrouter.v1.workspaces.create({ friendlyName: `ws-${Math.random().toString(36).slice(2)}`, ...opts });
  const w = server.client.taskrouter.v1.workspaces(ws.sid);
  const activities = await w.activities.list();
  const act = (name: string) => activities.find((a) => a.friendlyName === name)!.sid;
  const queue = await w.taskQueues.create({ friendlyName: 'Everyone', targetWorkers: '1==1' });
  const workflow = await w.workflows.create({ friendlyName: 'All', configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.sid } } }) });
  const alice = await w.workers.create({ friendlyName: 'alice', attributes: JSON.stringify({ skill: 'x' }), activitySid: act('Available') });
  return { ws, w, queue, workflow, alice, available: act('Available'), offline: act('Offline') };
}

/** Event SIDs of a workspace, newest first, straight from the table. */
async function sidsNewestFirst(server: Server, workspaceSid: string, since = 0): Promise<string[]> {
  const rows = await server.parley.storage.db.selectFrom('tr_events').select(['sid', 'event_date']).where('workspace_sid', '=', workspaceSid).orderBy('seq', 'desc').execute();
  return rows.filter((r) => Number(r.event_date) >= since).map((r) => r.sid);
}

describeEngines(
  'TaskRouter events',
  (ctx) => {
    it('lists a routing scenario newest first, with every Event field', async () => {
      clock.set(T0);
      const t = await scenario(ctx.server);
      clock.advance(5_000);
      const task = await t.w.tasks.create({ workflowSid: t.workflow.sid, attributes: JSON.stringify({ n: 1 }), taskChannel: 'chat' });
      const [r] = await t.w.tasks(task.sid).reservations.list();
      clock.advance(7_000);
      await t.w.tasks(task.sid).reservations(r!.sid).update({ reservationStatus: 'accepted' });
      clock.advance(1_000);
      await t.w.tasks(task.sid).update({ assignmentStatus: 'completed', reason: 'done' });
      await settle(ctx.server);

      const listed = await t.w.events.list();
      expect(listed.map((e) => e.sid)).toEqual(await sidsNewestFirst(ctx.server, t.ws.sid));
      expect(listed[0]!.eventType).toBe('task.completed');
      expect(listed.at(-1)!.eventType).toBe('workspace.created');

      const accepted = listed.find((e) => e.eventType === 'reservation.accepted')!;
      const fetched = await t.w.events(accepted.sid).fetch();
      const base = `${ctx.server.origin}/taskrouter/v1/Workspaces/${t.ws.sid}`;
      expect(fetched.toJSON()).toMatchObject({
        accountSid: ctx.server.accountSid,
        actorSid: ctx.server.accountSid,
        actorType: 'account',
        actorUrl: `${ctx.server.origin}/api/2010-04-01/Accounts/${ctx.server.accountSid}.json`,
        description: `Reservation ${r!.sid} accepted by Worker alice`,
        eventDateMs: T0 + 12_000,
        eventType: 'reservation.accepted',
        resourceSid: r!.sid,
        resourceType: 'reservation',
        resourceUrl: `${base}/Tasks/${task.sid}/Reservations/${r!.sid}`,
        sid: accepted.sid,
        source: 'API',
        sourceIpAddress: '127.0.0.1',
        url: `${base}/Events/${accepted.sid}`,
        workspaceSid: t.ws.sid,
      });
      expect(fetched.eventDate.toISOString()).toBe(new Date(T0 + 12_000).toISOString());
      expect(fetched.eventData).toMatchObject({
        task_sid: task.sid,
        task_age: '7',
        task_assignment_status: 'reserved',
        task_attributes: JSON.stringify({ n: 1 }),
        task_queue_sid: t.queue.sid,
        workflow_sid: t.workflow.sid,
        reservation_sid: r!.sid,
        worker_sid: t.alice.sid,
        worker_name: 'alice',
        workspace_sid: t.ws.sid,
        workspace_name: t.ws.friendlyName,
      });
      // The routing engine's own moves name the task as their actor.
      const created = listed.find((e) => e.eventType === 'reservation.created')!;
      expect(created).toMatchObject({ actorType: 'task', actorSid: task.sid, actorUrl: `${base}/Tasks/${task.sid}`, source: 'routing' });
      const workerCreated = listed.find((e) => e.eventType === 'worker.created')!;
      expect(workerCreated).toMatchObject({ resourceType: 'worker', resourceUrl: `${base}/Workers/${t.alice.sid}` });
      expect(workerCreated.eventData).toMatchObject({ worker_name: 'alice', worker_available: 'true', worker_activity_name: 'Available' });
    });

    it('seals equal event data of one pass once, and every event still reads back its own data', async () => {
      clock.set(T0 + 30_000);
      const t = await scenario(ctx.server);
      const [a, b] = await Promise.all([
        t.w.tasks.create({ workflowSid: t.workflow.sid, attributes: JSON.stringify({ n: 'a' }), taskChannel: 'chat' }),
        t.w.tasks.create({ workflowSid: t.workflow.sid, attributes: JSON.stringify({ n: 'b' }), taskChannel: 'chat' }),
      ]);
      await settle(ctx.server);
      const rows = await ctx.server.parley.storage.db.selectFrom('tr_events').select(['sid', 'event_type', 'task_sid', 'event_data']).where('workspace_sid', '=', t.ws.sid).where('task_sid', 'in', [a.sid, b.sid]).execute();
      const stored = (task: string, type: string) => rows.find((r) => r.task_sid === task && r.event_type === type)!;
      // A task entering its workflow and its queue in one pass: the same data, sealed once.
      for (const task of [a, b]) expect(stored(task.sid, 'workflow.entered').event_data).toBe(stored(task.sid, 'task-queue.entered').event_data);
      // Different data is never shared: not across tasks, not across event types.
      expect(stored(a.sid, 'workflow.entered').event_data).not.toBe(stored(b.sid, 'workflow.entered').event_data);
      expect(new Set(rows.map((r) => r.event_data)).size).toBe(rows.length - 2);
      for (const task of [a, b]) {
        for (const type of ['workflow.entered', 'task-queue.entered']) {
          const event = await t.w.events(stored(task.sid, type).sid).fetch();
          expect(event.eventData).toMatchObject({ task_sid: task.sid, task_queue_sid: t.queue.sid, task_attributes: JSON.stringify({ n: task.sid === a.sid ? 'a' : 'b' }) });
        }
      }
    });

    it('filters by type, resource SIDs, task channel (SID or unique name) and Sid', async () => {
      clock.set(T0 + 60_000);
      const t = await scenario(ctx.server);
      const bob = await t.w.workers.create({ friendlyName: 'bob', attributes: '{}', activitySid: t.offline });
      const chat = await t.w.tasks.create({ workflowSid: t.workflow.sid, attributes: '{}', taskChannel: 'chat' });
      const sms = await t.w.tasks.create({ workflowSid: t.workflow.sid, attributes: '{}', taskChannel: 'sms' });
      const [rChat] = await t.w.tasks(chat.sid).reservations.list();
      await t.w.tasks(chat.sid).reservations(rChat!.sid).update({ reservationStatus: 'rejected' });
      await settle(ctx.server);
      const all = await t.w.events.list();
      const types = (list: Array<{ eventType: string }>) => list.map((e) => e.eventType);

      expect(types(await t.w.events.list({ eventType: 'task.created' }))).toEqual(['task.created', 'task.created']);
      const forChat = await t.w.events.list({ taskSid: chat.sid });
      expect(forChat.length).toBeGreaterThan(3);
      expect(forChat.every((e) => e.eventData.task_sid === chat.sid)).toBe(true);
      expect(forChat.map((e) => e.sid)).toEqual(all.filter((e) => e.eventData.task_sid === chat.sid).map((e) => e.sid));
      expect(types(await t.w.events.list({ reservationSid: rChat!.sid }))).toEqual(['reservation.rejected', 'reservation.created']);
      const aliceEvents = await t.w.events.list({ workerSid: t.alice.sid });
      expect(aliceEvents.every((e) => e.eventData.worker_sid === t.alice.sid)).toBe(true);
      expect(types(aliceEvents)).toContain('worker.created');
      expect(types(await t.w.events.list({ workerSid: bob.sid }))).toEqual(['worker.created']);
      const inQueue = await t.w.events.list({ taskQueueSid: t.queue.sid, eventType: 'task-queue.entered' });
      expect(inQueue.map((e) => e.eventData.task_sid).sort()).toEqual([chat.sid, sms.sid].sort());
      expect((await t.w.events.list({ workflowSid: t.workflow.sid, eventType: 'workflow.entered' })).length).toBe(2);

      const byName = await t.w.events.list({ taskChannel: 'sms' });
      const smsChannel = (await t.w.taskChannels.list()).find((c) => c.uniqueName === 'sms')!;
      const bySid = await t.w.events.list({ taskChannel: smsChannel.sid });
      expect(byName.length).toBeGreaterThan(0);
      expect(byName.map((e) => e.sid)).toEqual(bySid.map((e) => e.sid));
      expect(byName.every((e) => e.eventData.task_sid === sms.sid)).toBe(true);
      expect(await t.w.events.list({ taskChannel: 'no-such-channel' })).toEqual([]);

      const one = all[3]!;
      expect((await t.w.events.list({ sid: one.sid })).map((e) => e.sid)).toEqual([one.sid]);
      expect(await t.w.events.list({ sid: one.sid, eventType: 'not.' + one.eventType })).toEqual([]);
    });

    it('covers the last 15 minutes by default; Minutes, StartDate and EndDate move the window', async () => {
      clock.set(T0 + 3_600_000);
      const t = await scenario(ctx.server);
      const early = await sidsNewestFirst(ctx.server, t.ws.sid);
      clock.advance(10 * 60_000);
      await t.w.workers(t.alice.sid).update({ activitySid: t.offline });
      clock.advance(6 * 60_000); // 16 minutes after setup, 6 after the update
      const later = await sidsNewestFirst(ctx.server, t.ws.sid, T0 + 3_600_000 + 1);
      expect(later).toHaveLength(1);

      expect((await t.w.events.list()).map((e) => e.sid)).toEqual(later);
      expect((await t.w.events.list({ minutes: 5 })).map((e) => e.sid)).toEqual([]);
      expect((await t.w.events.list({ minutes: 17 })).map((e) => e.sid)).toEqual([...later, ...early]);
      const setupAt = new Date(T0 + 3_600_000);
      expect((await t.w.events.list({ startDate: setupAt, endDate: setupAt })).map((e) => e.sid)).toEqual(early);
      expect((await t.w.events.list({ endDate: setupAt })).map((e) => e.sid)).toEqual(early);
      expect((await t.w.events.list({ startDate: new Date(setupAt.getTime() + 1000) })).map((e) => e.sid)).toEqual(later);

      const raw = await ctx.server.http('GET', `/taskrouter/v1/Workspaces/${t.ws.sid}/Events?StartDate=${iso(T0)}&EndDate=${iso(T0 + 4_200_000)}`);
      expect(raw.status).toBe(200);
      expect(raw.body.events.map((e: { sid: string }) => e.sid)).toEqual([...later, ...early]);
      expect(raw.body.events[0]).toMatchObject({ event_type: 'worker.activity.update', event_date: iso(T0 + 4_200_000), event_date_ms: T0 + 4_200_000 });
      expect(raw.body.events[0].event_data).toMatchObject({ worker_previous_activity_sid: t.available, worker_time_in_previous_activity: '600', worker_time_in_previous_activity_ms: '600000' });
    });

    it('pages through events with PageToken URLs, newest first', async () => {
      clock.set(T0 + 7_200_000);
      const t = await scenario(ctx.server);
      for (let i = 0; i < 4; i++) await t.w.workers.create({ friendlyName: `w${i}`, attributes: '{}' });
      const expected = await sidsNewestFirst(ctx.server, t.ws.sid);
      expect(expected.length).toBeGreaterThan(7);
      expect((await t.w.events.list({ pageSize: 3 })).map((e) => e.sid)).toEqual(expected);

      const first = await ctx.server.http('GET', `/taskrouter/v1/Workspaces/${t.ws.sid}/Events?PageSize=3&EventType=worker.created`);
      expect(first.body.meta).toMatchObject({ key: 'events', page: 0, page_size: 3, previous_page_url: null });
      expect(first.body.events.map((e: { sid: string }) => e.sid)).toHaveLength(3);
      const next = first.body.meta.next_page_url as string;
      expect(next).toContain('EventType=worker.created');
      const second = await ctx.server.http('GET', new URL(next).pathname + new URL(next).search);
      expect(second.body.events).toHaveLength(2);
      expect(second.body.meta.next_page_url).toBeNull();
      const names = [...first.body.events, ...second.body.events].map((e: { event_data: { worker_name: string } }) => e.event_data.worker_name);
      expect(names).toEqual(['w3', 'w2', 'w1', 'w0', 'alice']);
    });

    it('refuses bad filters and unknown events', async () => {
      const t = await scenario(ctx.server);
      expect(await twilioError(t.w.events('EV' + '0'.repeat(32)).fetch())).toMatchObject({ status: 404, code: 20404 });
      expect(await twilioError(t.w.events.list({ minutes: 0 }))).toMatchObject({ status: 400, code: 20001 });
      expect(await twilioError(t.w.events.list({ startDate: new Date(T0 + 1000), endDate: new Date(T0) }))).toMatchObject({ status: 400, code: 20001 });
      expect(await twilioError(t.w.events.list({ taskSid: 'WT123' }))).toMatchObject({ status: 400, code: 20001 });
      const other = await ctx.server.client.taskrouter.v1.workspaces.create({ friendlyName: 'other' });
      const [foreign] = await ctx.server.client.taskrouter.v1.workspaces(other.sid).events.list({ minutes: 100_000 });
      expect(await twilioError(t.w.events(foreign!.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    });

    it('ReEvaluateTasks=true sends pending tasks through the new configuration', async () => {
      clock.set(T0 + 10_800_000);
      const t = await scenario(ctx.server);
      const sales = await t.w.taskQueues.create({ friendlyName: 'Sales', targetWorkers: "skill == 'sales'" });
      const support = await t.w.taskQueues.create({ friendlyName: 'Support', targetWorkers: "skill == 'x'" });
      const config = (queue: string) => JSON.stringify({ task_routing: { filters: [{ filter_friendly_name: 'F', expression: '1==1', targets: [{ queue }] }] } });
      const wf = await t.w.workflows.create({ friendlyName: 'Tiered', configuration: config(sales.sid) });
      const task = await t.w.tasks.create({ workflowSid: wf.sid, attributes: '{}' });
      expect(task).toMatchObject({ taskQueueSid: sales.sid, assignmentStatus: 'pending' });

      await t.w.workflows(wf.sid).update({ configuration: config(support.sid) });
      await settle(ctx.server);
      expect(await t.w.tasks(task.sid).fetch()).toMatchObject({ taskQueueSid: sales.sid, assignmentStatus: 'pending' });
      const placement = async () =>
        ctx.server.parley.storage.db.selectFrom('tr_tasks').select(['filter_index', 'step_index', 'step_checked']).where('sid', '=', task.sid).executeTakeFirstOrThrow();
      expect(await placement()).toMatchObject({ filter_index: 0, step_index: 0 });

      clock.advance(1000);
      await t.w.workflows(wf.sid).update({ reEvaluateTasks: 'true' });
      await settle(ctx.server);
      expect(await t.w.tasks(task.sid).fetch()).toMatchObject({ taskQueueSid: support.sid, assignmentStatus: 'reserved' });
      const [r] = await t.w.tasks(task.sid).reservations.list();
      expect(r).toMatchObject({ workerSid: t.alice.sid, reservationStatus: 'pending' });
      const types = (await t.w.events.list({ taskSid: task.sid, startDate: new Date(clock.now()) })).map((e) => e.eventType).reverse();
      expect(types).toEqual(['workflow.entered', 'workflow.target-matched', 'task-queue.entered', 'reservation.created']);
      expect(await twilioError(t.w.workflows(wf.sid).update({ reEvaluateTasks: 'maybe' }))).toMatchObject({ status: 400, code: 20001 });
    });
  },
  { clock, startWorker: false },
);

describeEngines(
  'TaskRouter event callbacks',
  (ctx) => {
    let receiver: Receiver;
    beforeAll(async () => {
      receiver = await startReceiver();
    });
    afterAll(async () => {
      await receiver?.close();
    });

    it('POSTs every event, signed, with the callback parameters and the event data', async () => {
      receiver.received.length = 0;
      clock.set(T0);
      const t = await scenario(ctx.server, { eventCallbackUrl: `${receiver.url}/tr?x=1` });
      await deliver(ctx.server);
      const types = receiver.received.map((r) => r.params.EventType);
      expect(types).toEqual((await t.w.events.list()).map((e) => e.eventType).reverse());
      expect(types).toEqual(['workspace.created', 'task-queue.created', 'workflow.created', 'worker.created']);

      const hit = receiver.received.find((r) => r.params.EventType === 'worker.created')!;
      const event = (await t.w.events.list({ eventType: 'worker.created' }))[0]!;
      expect(hit.method).toBe('POST');
      expect(hit.url).toBe('/tr?x=1');
      expect(hit.headers['content-type']).toContain('application/x-www-form-urlencoded');
      expect(hit.params).toMatchObject({
        EventType: 'worker.created',
        AccountSid: ctx.server.accountSid,
        WorkspaceSid: t.ws.sid,
        WorkspaceName: t.ws.friendlyName,
        EventDescription: 'Worker alice created',
        ResourceType: 'worker',
        ResourceSid: t.alice.sid,
        Timestamp: String(T0 / 1000),
        Sid: event.sid,
        WorkerSid: t.alice.sid,
        WorkerName: 'alice',
        WorkerActivityName: 'Available',
        WorkerActivitySid: t.available,
        WorkerAvailable: 'true',
        WorkerAttributes: JSON.stringify({ skill: 'x' }),
      });
      const signature = hit.headers['x-twilio-signature'] as string;
      expect(twilio.validateRequest(ctx.server.authToken, signature, hit.fullUrl, hit.params)).toBe(true);
      expect(twilio.validateRequest(ctx.server.authToken, signature, hit.fullUrl, { ...hit.params, WorkerName: 'mallory' })).toBe(false);
    });

    it('honours EventsFilter and sends nothing without a callback URL', async () => {
      receiver.received.length = 0;
      clock.set(T0 + 60_000);
      const t = await scenario(ctx.server, { eventCallbackUrl: receiver.url, eventsFilter: 'task.created,reservation.accepted' });
      const task = await t.w.tasks.create({ workflowSid: t.workflow.sid, attributes: '{"a":1}' });
      const [r] = await t.w.tasks(task.sid).reservations.list();
      clock.advance(3000);
      await t.w.tasks(task.sid).reservations(r!.sid).update({ reservationStatus: 'accepted' });
      await deliver(ctx.server);
      expect(receiver.received.map((x) => x.params.EventType)).toEqual(['task.created', 'reservation.accepted']);
      expect(receiver.received[0]!.params).toMatchObject({ ResourceType: 'task', ResourceSid: task.sid, TaskSid: task.sid, TaskAttributes: '{"a":1}', TaskAssignmentStatus: 'pending', TaskPriority: '0', TaskAge: '0' });
      expect(receiver.received[1]!.params).toMatchObject({ ReservationSid: r!.sid, TaskSid: task.sid, TaskAge: '3', TaskQueueSid: t.queue.sid, WorkflowSid: t.workflow.sid, WorkerSid: t.alice.sid, Timestamp: String((T0 + 63_000) / 1000) });

      // Clearing the URL stops the callbacks; so does a workspace that never had one.
      await ctx.server.client.taskrouter.v1.workspaces(t.ws.sid).update({ eventCallbackUrl: '' });
      await t.w.tasks.create({ workflowSid: t.workflow.sid, attributes: '{}' });
      const quiet = await scenario(ctx.server);
      await quiet.w.tasks.create({ workflowSid: quiet.workflow.sid, attributes: '{}' });
      await deliver(ctx.server);
      expect(receiver.received).toHaveLength(2);
    });

    it('retries a callback that failed, with the same body and idempotency token', async () => {
      receiver.received.length = 0;
      clock.set(T0 + 120_000);
      const t = await scenario(ctx.server, { eventsFilter: 'worker.activity.update' });
      await ctx.server.client.taskrouter.v1.workspaces(t.ws.sid).update({ eventCallbackUrl: receiver.url });
      let calls = 0;
      receiver.respond(() => ({ status: ++calls === 1 ? 500 : 204 }));
      clock.advance(30_000);
      await t.w.workers(t.alice.sid).update({ activitySid: t.offline });
      await deliver(ctx.server);
      expect(receiver.received).toHaveLength(1);
      clock.advance(60_000);
      await deliver(ctx.server);
      expect(receiver.received).toHaveLength(2);
      const [a, b] = receiver.received;
      expect(a!.rawBody).toBe(b!.rawBody);
      expect(a!.headers['i-twilio-idempotency-token']).toBe(b!.headers['i-twilio-idempotency-token']);
      expect(b!.params).toMatchObject({ EventType: 'worker.activity.update', WorkerPreviousActivitySid: t.available, WorkerTimeInPreviousActivity: '30', WorkerTimeInPreviousActivityMs: '30000', WorkerActivityName: 'Offline' });
      clock.advance(600_000);
      await deliver(ctx.server);
      expect(receiver.received).toHaveLength(2);
      receiver.respond(() => ({ status: 200 }));
    });
  },
  { clock, startWorker: false },
);
