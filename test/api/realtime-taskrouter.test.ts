import { it, expect } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { describeEngines, type Server } from '../support/harness.js';
import { RtClient, type Frame } from '../support/realtime.js';

const clock = new ManualClock(Date.now());

async function connect(server: Server, body: Record<string, string>) {
  const res = await server.http('POST', '/parley/v1/Tokens', body);
  expect(res.status).toBe(201);
  return RtClient.open(server.origin, { token: res.body.token });
}

const types = (events: Frame[]) => events.map((e) => e.type.replace('taskrouter.', ''));

/** Live from `subscribed.seq`: every later event, numbered without a gap. */
function expectContiguous(events: Frame[], subscribed: Frame) {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => subscribed.seq + 1 + i));
}

describeEngines(
  'Realtime: worker and workspace streams',
  (ctx) => {
    it('routes reservations, task updates and activity changes to the right workers, everything to supervisors', async () => {
      const s = ctx.server;
      const ws = await s.client.taskrouter.v1.workspaces.create({ friendlyName: `ws-${Math.random().toString(36).slice(2)}` });
      const w = s.client.taskrouter.v1.workspaces(ws.sid);
      const activities = await w.activities.list();
      const act = (name: string) => activities.find((a) => a.friendlyName === name)!.sid;
      const queue = await w.taskQueues.create({ friendlyName: 'Q', targetWorkers: '1==1', maxReservedWorkers: 2 });
      const wf = await w.workflows.create({ friendlyName: 'WF', configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.sid } } }), taskReservationTimeout: 30 });
      const a = await w.workers.create({ friendlyName: 'alice', activitySid: act('Available') });
      const b = await w.workers.create({ friendlyName: 'bob', activitySid: act('Available') });
      const other = await s.client.taskrouter.v1.workspaces.create({ friendlyName: `other-${Math.random().toString(36).slice(2)}` });

      const alice = await connect(s, { Identity: 'alice', WorkerSid: a.sid, Role: 'agent' });
      const bob = await connect(s, { Identity: 'bob', WorkerSid: b.sid });
      const sue = await connect(s, { Identity: 'sue', WorkspaceSid: ws.sid, Role: 'supervisor' });
      const sA = `worker:${a.sid}`;
      const sB = `worker:${b.sid}`;
      const sW = `workspace:${ws.sid}`;
      const subs = [await alice.subscribe(sA), await bob.subscribe(sB), await sue.subscribe(sW)];
      expect(subs.map((f) => f.op)).toEqual(['subscribed', 'subscribed', 'subscribed']);
      expect(subs[0]!.seq).toBe(1); // worker.created
      // Supervisors get a statistics snapshot at once, then after activity.
      const first = await sue.next((f) => f.op === 'stats');
      expect(first.data.workspace).toMatchObject({ total_tasks: 0, total_workers: 2 });
      expect(first.data.task_queues).toEqual([expect.objectContaining({ task_queue_sid: queue.sid, friendly_name: 'Q', total_eligible_workers: 2 })]);
      expect(first).not.toHaveProperty('seq');
      // Who may watch what.
      expect(await alice.subscribe(sB)).toMatchObject({ op: 'error', code: 20106 });
      expect(await alice.subscribe(sW)).toMatchObject({ op: 'error', code: 20106 });
      expect(await sue.subscribe(`workspace:${other.sid}`)).toMatchObject({ op: 'error', code: 20106 });
      expect((await sue.subscribe(sB)).op).toBe('subscribed'); // a supervisor of bob's workspace
      await sue.send({ op: 'unsubscribe', stream: sB });
      expect(await sue.next((f) => f.op === 'unsubscribed')).toMatchObject({ stream: sB, reason: 'requested' });

      const t1 = await w.tasks.create({ workflowSid: wf.sid, attributes: JSON.stringify({ n: 1 }) });
      const offerA = await alice.next((f) => f.type === 'taskrouter.reservation.created');
      const offerB = await bob.next((f) => f.type === 'taskrouter.reservation.created');
      expect(offerA.data).toMatchObject({ EventType: 'reservation.created', TaskSid: t1.sid, WorkerSid: a.sid, WorkspaceSid: ws.sid, ResourceType: 'reservation' });
      expect(offerB.data).toMatchObject({ TaskSid: t1.sid, WorkerSid: b.sid });

      await w.tasks(t1.sid).reservations(offerA.data.ResourceSid).update({ reservationStatus: 'accepted' });
      await alice.next((f) => f.type === 'taskrouter.reservation.accepted');
      expect((await bob.next((f) => f.type === 'taskrouter.reservation.rescinded')).data).toMatchObject({ TaskSid: t1.sid, WorkerSid: b.sid });
      await w.tasks(t1.sid).update({ attributes: JSON.stringify({ n: 2 }) });
      expect((await alice.next((f) => f.type === 'taskrouter.task.updated')).data).toMatchObject({ TaskSid: t1.sid, TaskAttributes: '{"n":2}' });

      await w.workers(b.sid).update({ activitySid: act('Unavailable') });
      await w.workers(b.sid).update({ activitySid: act('Available') });
      expect((await bob.next((f) => f.type === 'taskrouter.worker.activity.update')).data).toMatchObject({ WorkerSid: b.sid, WorkerActivityName: 'Unavailable' });

      // A second task goes to bob (alice is busy) and times out.
      const t2 = await w.tasks.create({ workflowSid: wf.sid, attributes: '{}' });
      await bob.next((f) => f.type === 'taskrouter.reservation.created' && f.data.TaskSid === t2.sid);
      clock.advance(31_000);
      expect((await bob.next((f) => f.type === 'taskrouter.reservation.timeout')).data).toMatchObject({ TaskSid: t2.sid, WorkerSid: b.sid });
      await bob.next((f) => f.type === 'taskrouter.worker.activity.update' && f.data.WorkerActivityName === 'Offline');

      await w.tasks(t1.sid).update({ assignmentStatus: 'wrapping' });
      await w.tasks(t1.sid).update({ assignmentStatus: 'completed', reason: 'done' });
      await alice.next((f) => f.type === 'taskrouter.task.completed');
      await sue.next((f) => f.type === 'taskrouter.task.completed');
      await new Promise((r) => setTimeout(r, 300));

      const ofA = alice.events(sA);
      const ofB = bob.events(sB);
      const ofW = sue.events(sW);
      [ofA, ofB, ofW].forEach((list, i) => expectContiguous(list, subs[i]!));
      // Each worker hears only of itself and the tasks it holds.
      expect(ofA.every((e) => e.data.WorkerSid === a.sid || e.data.TaskSid === t1.sid)).toBe(true);
      expect(ofB.every((e) => e.data.WorkerSid === b.sid)).toBe(true);
      expect(types(ofA)).toEqual(expect.arrayContaining(['reservation.created', 'reservation.accepted', 'task.updated', 'task.wrapup', 'task.completed']));
      expect(types(ofA)).not.toContain('reservation.rescinded');
      expect(types(ofB)).toEqual(expect.arrayContaining(['reservation.created', 'reservation.rescinded', 'reservation.timeout', 'worker.activity.update']));
      expect(types(ofB)).not.toContain('task.updated');
      expect(ofB.some((e) => e.data.TaskSid === t1.sid && e.type === 'taskrouter.task.completed')).toBe(false);
      // The supervisor's stream has every event of the workspace, in the order they happened.
      const recorded = await s.parley.storage.db.selectFrom('tr_events').select(['sid']).where('workspace_sid', '=', ws.sid).orderBy('seq').execute();
      const afterSubscribe = recorded.map((r) => r.sid).slice(recorded.length - ofW.length);
      expect(ofW.map((e) => e.data.Sid)).toEqual(afterSubscribe);
      expect(types(ofW)).toEqual(expect.arrayContaining(['task.created', 'reservation.created', 'reservation.accepted', 'reservation.rescinded', 'reservation.timeout', 'task.updated', 'worker.activity.update', 'task.completed']));
      // Live statistics followed the activity.
      const latest = [...sue.frames].reverse().find((f) => f.op === 'stats')!;
      expect(latest.data.workspace.total_tasks).toBeGreaterThanOrEqual(1);
      expect(sue.frames.filter((f) => f.op === 'stats').length).toBeGreaterThan(1);
      // Replayed from the log (which keeps TaskRouter events by reference), a stream reads exactly as it was sent live.
      const late = await connect(s, { Identity: 'sue', WorkspaceSid: ws.sid, Role: 'supervisor' });
      await late.subscribe(sW, subs[2]!.seq);
      await late.subscribe(sB, subs[1]!.seq);
      await late.next((f) => f.op === 'event' && f.stream === sW && f.seq === ofW.at(-1)!.seq);
      await late.next((f) => f.op === 'event' && f.stream === sB && f.seq === ofB.at(-1)!.seq);
      expect(late.events(sW)).toEqual(ofW);
      expect(late.events(sB)).toEqual(ofB);
      expect(ofB.find((e) => e.type === 'taskrouter.reservation.created')!.data).toMatchObject({ TaskAttributes: '{"n":1}', WorkerName: 'bob', EventDescription: expect.stringContaining('created') });
      for (const c of [alice, bob, sue, late]) c.close();
    });
  },
  { clock, realtime: { statsIntervalMs: 50 } },
);
