import { it, expect } from 'vitest';
import { describeEngines } from '../support/harness.js';
import { agentHttp, agentSession } from '../support/agents.js';
import { settleAll } from '../support/flex.js';
import { RtClient } from '../support/realtime.js';

interface QueueStats {
  task_queue_sid: string;
  friendly_name: string;
  tasks_by_status: Record<string, number>;
  total_available_workers: number;
  total_eligible_workers: number;
  longest_task_waiting_age: number;
  longest_task_waiting_sid: string | null;
}

describeEngines('Supervision: workspace overview', (ctx) => {
  it("shows the supervisor's workspace: workers with activity and tasks, live tasks, queue statistics", async () => {
    const s = ctx.server;
    const { token: sue, agent: sueAgent } = await agentSession(s, 'sue-ov', { role: 'supervisor' });
    const wsSid = sueAgent.workspace_sid as string;
    const w = s.client.taskrouter.v1.workspaces(wsSid);
    const activities = await w.activities.list();
    const available = activities.find((a) => a.friendlyName === 'Available')!.sid;
    const queue = await w.taskQueues.create({ friendlyName: 'Overview queue', targetWorkers: 'skill == "overview"' });
    const workflow = await w.workflows.create({
      friendlyName: 'Overview flow',
      configuration: JSON.stringify({ task_routing: { filters: [{ filter_friendly_name: 'ov', expression: 'kind == "overview"', targets: [{ queue: queue.sid }] }], default_filter: { queue: queue.sid } } }),
    });
    const worker = await w.workers.create({ friendlyName: 'olga', attributes: JSON.stringify({ skill: 'overview', contact_uri: 'client:olga' }), activitySid: available });
    const idle = await w.workers.create({ friendlyName: 'ivan', attributes: JSON.stringify({ skill: 'overview' }) });

    // Capacity 1: the first task is offered to olga, the second waits.
    const first = await w.tasks.create({ workflowSid: workflow.sid, attributes: JSON.stringify({ kind: 'overview', conversationSid: `CH${'a'.repeat(32)}`, customerName: 'Carla', channelType: 'sms' }) });
    await new Promise((r) => setTimeout(r, 20));
    const second = await w.tasks.create({ workflowSid: workflow.sid, attributes: JSON.stringify({ kind: 'overview', from: '+15550001234' }) });
    await settleAll(s);

    const res = await agentHttp(s, sue, 'GET', '/agent-api/v1/Supervisor/Overview');
    expect(res.status).toBe(200);
    const o = res.body;
    expect(o.workspace).toEqual({ sid: wsSid, friendly_name: expect.any(String) });
    expect(o.activities.map((a: { friendly_name: string }) => a.friendly_name)).toEqual(expect.arrayContaining(['Available', 'Offline']));

    const olga = o.workers.find((x: { sid: string }) => x.sid === worker.sid);
    expect(olga).toMatchObject({ friendly_name: 'olga', activity_sid: available, activity_name: 'Available', available: true });
    expect(olga.tasks).toEqual([{ task_sid: first.sid, reservation_sid: expect.stringMatching(/^WR/), reservation_status: 'pending' }]);
    expect(o.workers.find((x: { sid: string }) => x.sid === idle.sid)).toMatchObject({ activity_name: 'Offline', available: false, tasks: [] });

    const tasks = Object.fromEntries(o.tasks.map((t: { sid: string }) => [t.sid, t]));
    expect(tasks[first.sid]).toMatchObject({
      assignment_status: 'reserved',
      task_queue_sid: queue.sid,
      task_queue_name: 'Overview queue',
      task_channel: 'default',
      conversation_sid: `CH${'a'.repeat(32)}`,
      customer: 'Carla',
      channel_type: 'sms',
      worker_sid: worker.sid,
      reservation_status: 'pending',
    });
    expect(tasks[second.sid]).toMatchObject({ assignment_status: 'pending', customer: '+15550001234', conversation_sid: null, worker_sid: null, reservation_sid: null });
    expect(tasks[first.sid].age).toBeGreaterThanOrEqual(0);

    // The same figures as TaskRouter's RealTimeStatistics (and the workspace stream's stats frames).
    const q: QueueStats = o.statistics.task_queues.find((x: QueueStats) => x.task_queue_sid === queue.sid);
    expect(q).toMatchObject({ friendly_name: 'Overview queue', total_eligible_workers: 2, total_available_workers: 1, longest_task_waiting_sid: first.sid });
    expect(q.tasks_by_status).toMatchObject({ pending: 1, reserved: 1, assigned: 0, wrapping: 0 });
    const rest = await w.taskQueues(queue.sid).realTimeStatistics().fetch();
    expect(q.tasks_by_status).toEqual(rest.tasksByStatus);
    expect(q.total_available_workers).toBe(rest.totalAvailableWorkers);
    expect(o.statistics.workspace.total_tasks).toBe((await w.realTimeStatistics().fetch()).totalTasks);

    // The stats frame of the workspace stream carries the same data.
    const rtToken = (await agentHttp(s, sue, 'GET', '/agent-api/v1/Session')).body.token as string;
    const rt = await RtClient.open(s.origin, { token: rtToken });
    await rt.subscribe(`workspace:${wsSid}`);
    const frame = await rt.next((f) => f.op === 'stats');
    expect(frame.data.task_queues.find((x: QueueStats) => x.task_queue_sid === queue.sid).tasks_by_status).toEqual(q.tasks_by_status);
    rt.close();

    // Accepting moves the task to olga's assigned work.
    const reservation = olga.tasks[0].reservation_sid as string;
    await w.tasks(first.sid).reservations(reservation).update({ reservationStatus: 'accepted' });
    await settleAll(s);
    const after = (await agentHttp(s, sue, 'GET', '/agent-api/v1/Supervisor/Overview')).body;
    expect(after.workers.find((x: { sid: string }) => x.sid === worker.sid).tasks).toEqual([{ task_sid: first.sid, reservation_sid: reservation, reservation_status: 'accepted' }]);
    expect(after.tasks.find((t: { sid: string }) => t.sid === first.sid)).toMatchObject({ assignment_status: 'assigned', worker_sid: worker.sid });
    expect(after.statistics.task_queues.find((x: QueueStats) => x.task_queue_sid === queue.sid).tasks_by_status).toMatchObject({ pending: 1, reserved: 0, assigned: 1 });
  });

  it('is for supervisors and admins only', async () => {
    const s = ctx.server;
    const agent = await agentSession(s, 'ada-ov');
    expect(await agentHttp(s, agent.token, 'GET', '/agent-api/v1/Supervisor/Overview')).toMatchObject({ status: 403, body: { code: 20003 } });
    expect(await agentHttp(s, undefined, 'GET', '/agent-api/v1/Supervisor/Overview')).toMatchObject({ status: 401, body: { code: 20003 } });
    const admin = await agentSession(s, 'adam-ov', { role: 'admin' });
    expect((await agentHttp(s, admin.token, 'GET', '/agent-api/v1/Supervisor/Overview')).status).toBe(200);
  });

  it('shows a monitored conversation with its messages, attachments and whispers, without joining it', async () => {
    const s = ctx.server;
    const { token: sue } = await agentSession(s, 'sue-mon', { role: 'supervisor' });
    const agent = await agentSession(s, 'al-mon');
    const conv = await s.client.conversations.v1.conversations.create({ friendlyName: 'Monitored' });
    const c = s.client.conversations.v1.conversations(conv.sid);
    await c.participants.create({ identity: 'customer-1' });
    const chatService = conv.chatServiceSid;
    const upload = await fetch(`${s.origin}/mcs/v1/Services/${chatService}/Media?Filename=receipt.png`, {
      method: 'POST',
      headers: { Authorization: 'Basic ' + Buffer.from(`${s.accountSid}:${s.authToken}`).toString('base64'), 'Content-Type': 'image/png' },
      body: Buffer.from('89504e470d0a1a0a', 'hex'),
    });
    expect(upload.status).toBe(201);
    const mediaSid = ((await upload.json()) as { sid: string }).sid;
    await c.messages.create({ author: 'customer-1', body: 'Here is my receipt', mediaSid });
    await c.messages.create({ author: 'customer-1', body: 'Hello?' });
    expect((await agentHttp(s, sue, 'POST', `/agent-api/v1/Conversations/${conv.sid}/Whispers`, { Body: 'Check the receipt' })).status).toBe(201);

    const res = await agentHttp(s, sue, 'GET', `/agent-api/v1/Supervisor/Conversations/${conv.sid}`);
    expect(res.status).toBe(200);
    expect(res.body.conversation).toMatchObject({ sid: conv.sid, friendly_name: 'Monitored', state: 'active', chat_service_sid: chatService });
    expect(res.body.participants.map((p: { identity: string }) => p.identity)).toEqual(['customer-1']);
    expect(res.body.messages.map((m: { body: string; index: number }) => [m.index, m.body])).toEqual([[0, 'Here is my receipt'], [1, 'Hello?']]);
    expect(res.body.messages[0].media).toEqual([expect.objectContaining({ sid: mediaSid, content_type: 'image/png' })]);
    expect(res.body.whispers.map((w: { body: string }) => w.body)).toEqual(['Check the receipt']);

    const file = await fetch(`${s.origin}/agent-api/v1/Supervisor/Conversations/${conv.sid}/Media/${mediaSid}`, { headers: { Cookie: `parley_session=${sue}` } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await file.arrayBuffer()).toString('hex')).toBe('89504e470d0a1a0a');
    // Media of this conversation only, through it only.
    const other = await s.client.conversations.v1.conversations.create({});
    expect((await agentHttp(s, sue, 'GET', `/agent-api/v1/Supervisor/Conversations/${other.sid}/Media/${mediaSid}`)).status).toBe(404);

    // Watching wrote nothing: no participant, no read horizon, no event.
    expect((await c.participants.list()).map((p) => p.identity)).toEqual(['customer-1']);
    expect(await agentHttp(s, agent.token, 'GET', `/agent-api/v1/Supervisor/Conversations/${conv.sid}`)).toMatchObject({ status: 403, body: { code: 20003 } });
    expect(await agentHttp(s, sue, 'GET', `/agent-api/v1/Supervisor/Conversations/CH${'0'.repeat(32)}`)).toMatchObject({ status: 404, body: { code: 20404 } });
  });
});
