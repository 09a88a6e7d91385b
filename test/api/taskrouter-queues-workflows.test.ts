import { it, expect } from 'vitest';
import { describeEngines, twilioError } from '../support/harness.js';
import { hex32, insertTask, trEvents } from '../support/taskrouter.js';

describeEngines('TaskRouter configuration: task queues and workflows', (ctx) => {
  async function workspace(name: string) {
    const { client } = ctx.server;
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: name });
    const activities = await client.taskrouter.v1.workspaces(ws.sid).activities.list();
    const byName = (n: string) => activities.find((a) => a.friendlyName === n)!;
    return { ws, api: client.taskrouter.v1.workspaces(ws.sid), available: byName('Available'), unavailable: byName('Unavailable') };
  }

  it('creates, fetches, updates and deletes a task queue', async () => {
    const { ws, api, available, unavailable } = await workspace('queues');
    const plain = await api.taskQueues.create({ friendlyName: 'Plain' });
    expect(plain.sid).toMatch(/^WQ[0-9a-f]{32}$/);
    expect(plain).toMatchObject({ targetWorkers: '1==1', maxReservedWorkers: 1, taskOrder: 'FIFO', reservationActivitySid: null, assignmentActivitySid: null, reservationActivityName: null });
    expect(plain.links).toMatchObject({
      workspace: ws.url,
      statistics: `${plain.url}/Statistics`,
      real_time_statistics: `${plain.url}/RealTimeStatistics`,
      cumulative_statistics: `${plain.url}/CumulativeStatistics`,
      list_statistics: `${ws.url}/TaskQueues/Statistics`,
    });

    const sales = await api.taskQueues.create({
      friendlyName: 'Sales',
      targetWorkers: "skills HAS 'sales' AND level >= 2",
      maxReservedWorkers: 5,
      taskOrder: 'LIFO',
      reservationActivitySid: unavailable.sid,
      assignmentActivitySid: available.sid,
    });
    expect(sales).toMatchObject({ maxReservedWorkers: 5, taskOrder: 'LIFO', reservationActivityName: 'Unavailable', assignmentActivityName: 'Available' });
    expect(sales.links.reservation_activity).toBe(`${ws.url}/Activities/${unavailable.sid}`);
    expect((await api.taskQueues(sales.sid).fetch()).targetWorkers).toBe("skills HAS 'sales' AND level >= 2");

    const updated = await api.taskQueues(sales.sid).update({ targetWorkers: "skills HAS 'sales'", friendlyName: 'Sales EU', maxReservedWorkers: 2 });
    expect(updated).toMatchObject({ targetWorkers: "skills HAS 'sales'", friendlyName: 'Sales EU', maxReservedWorkers: 2, taskOrder: 'LIFO' });
    // A rename alone is not an expression change.
    await api.taskQueues(plain.sid).update({ friendlyName: 'Plain 2' });

    await api.taskQueues(plain.sid).remove();
    expect(await twilioError(api.taskQueues(plain.sid).fetch())).toMatchObject({ status: 404, code: 20404 });

    const events = (await trEvents(ctx.server, ws.sid)).filter((e) => e.resourceType === 'task_queue');
    expect(events.map((e) => e.type)).toEqual(['task-queue.created', 'task-queue.created', 'task-queue.expression.updated', 'task-queue.deleted']);
    expect(events[2]!.data).toMatchObject({ TaskQueueSid: sales.sid, TaskQueueName: 'Sales EU', TaskQueueTargetExpression: "skills HAS 'sales'" });
    expect(events[2]!.taskQueueSid).toBe(sales.sid);
  });

  it('refuses malformed TargetWorkers with 20001 and the position, and other bad queue input', async () => {
    const { api, ws } = await workspace('queue-errors');
    const err = await twilioError(api.taskQueues.create({ friendlyName: 'bad', targetWorkers: 'skills HAS' }));
    expect(err).toMatchObject({ status: 400, code: 20001 });
    expect(err.message).toMatch(/TargetWorkers/);
    expect(err.message).toMatch(/position 10/);
    const paren = await twilioError(api.taskQueues.create({ friendlyName: 'bad', targetWorkers: "(level > 2 AND name == 'x'" }));
    expect(paren.message).toMatch(/position \d+/);
    expect(await twilioError(api.taskQueues.create({ friendlyName: 'bad', maxReservedWorkers: 51 }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(api.taskQueues.create({ friendlyName: 'bad', maxReservedWorkers: 0 }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(api.taskQueues.create({ friendlyName: 'bad', reservationActivitySid: 'WA' + hex32(7) }))).toMatchObject({ status: 400, code: 20001 });
    expect((await ctx.server.http('POST', `/taskrouter/v1/Workspaces/${ws.sid}/TaskQueues`, { TargetWorkers: '1==1' })).body).toMatchObject({ status: 400, code: 20001 });
    expect(await api.taskQueues.list()).toEqual([]);

    const q = await api.taskQueues.create({ friendlyName: 'Dup' });
    const dup = await twilioError(api.taskQueues.create({ friendlyName: 'Dup' }));
    expect(dup).toMatchObject({ status: 400, code: 20001 });
    expect(dup.message).toMatch(/already exists/);
    expect(await twilioError(api.taskQueues(q.sid).update({ targetWorkers: 'a == ' }))).toMatchObject({ status: 400, code: 20001 });
    expect((await api.taskQueues(q.sid).fetch()).targetWorkers).toBe('1==1');
    // An empty TargetWorkers is allowed: tasks wait until moved.
    expect((await api.taskQueues(q.sid).update({ targetWorkers: '' })).targetWorkers).toBe('');
  });

  it('filters task queues by name, worker attributes, worker and ordering, across pages', async () => {
    const { api } = await workspace('queue-filters');
    const sales = await api.taskQueues.create({ friendlyName: 'Sales', targetWorkers: "skills HAS 'sales'" });
    const support = await api.taskQueues.create({ friendlyName: 'Support', targetWorkers: "skills HAS 'support'" });
    const everyone = await api.taskQueues.create({ friendlyName: 'Everyone' });
    const senior = await api.taskQueues.create({ friendlyName: 'Senior', targetWorkers: 'level >= 3' });
    const nobody = await api.taskQueues.create({ friendlyName: 'Parked', targetWorkers: '' });

    expect((await api.taskQueues.list({ friendlyName: 'Support' })).map((q) => q.sid)).toEqual([support.sid]);
    const bySales = await api.taskQueues.list({ evaluateWorkerAttributes: JSON.stringify({ skills: ['sales'], level: 4 }) });
    expect(bySales.map((q) => q.sid)).toEqual([sales.sid, everyone.sid, senior.sid]);
    // Several pages of an in-memory filtered list.
    const paged: string[] = [];
    await api.taskQueues.each({ evaluateWorkerAttributes: JSON.stringify({ skills: ['sales', 'support'], level: 4 }), pageSize: 2 }, (q) => void paged.push(q.sid));
    expect(paged).toEqual([sales.sid, support.sid, everyone.sid, senior.sid]);
    expect(paged).not.toContain(nobody.sid);

    const worker = await api.workers.create({ friendlyName: 'bob', attributes: JSON.stringify({ skills: ['support'], level: 1 }) });
    expect((await api.taskQueues.list({ workerSid: worker.sid })).map((q) => q.sid)).toEqual([support.sid, everyone.sid]);

    const desc = await api.taskQueues.list({ ordering: 'DateCreated:desc' });
    expect(desc.map((q) => q.sid)).toEqual([nobody.sid, senior.sid, everyone.sid, support.sid, sales.sid]);
    const descPaged: string[] = [];
    await api.taskQueues.each({ ordering: 'DateCreated:desc', pageSize: 2 }, (q) => void descPaged.push(q.sid));
    expect(descPaged).toEqual(desc.map((q) => q.sid));

    expect(await twilioError(api.taskQueues.list({ evaluateWorkerAttributes: '{nope' }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(api.taskQueues.list({ ordering: 'Priority:desc' }))).toMatchObject({ status: 400, code: 20001 });
  });

  it('refuses to delete a queue that holds tasks or that a workflow routes to', async () => {
    const { api, ws } = await workspace('queue-delete');
    const q = await api.taskQueues.create({ friendlyName: 'Q' });
    const wf = await api.workflows.create({ friendlyName: 'W', configuration: JSON.stringify({ task_routing: { default_filter: { queue: q.sid } } }) });
    expect(await twilioError(api.taskQueues(q.sid).remove())).toMatchObject({ status: 400, code: 20001 });
    await api.workflows(wf.sid).remove();
    const channel = (await api.taskChannels('default').fetch()).sid;
    await insertTask(ctx.server, { workspaceSid: ws.sid, sid: 'WT' + hex32(Date.now() + 1), taskChannelSid: channel, queueSid: q.sid });
    expect(await twilioError(api.taskQueues(q.sid).remove())).toMatchObject({ status: 400, code: 20001 });
    await ctx.server.parley.storage.db.updateTable('tr_tasks').set({ assignment_status: 'canceled' }).where('task_queue_sid', '=', q.sid).execute();
    await api.taskQueues(q.sid).remove();
  });

  it('creates, fetches, updates, lists and deletes workflows', async () => {
    const { api, ws } = await workspace('workflows');
    const sales = await api.taskQueues.create({ friendlyName: 'Sales', targetWorkers: "skills HAS 'sales'" });
    const fallback = await api.taskQueues.create({ friendlyName: 'Fallback' });
    const configuration = JSON.stringify({
      task_routing: {
        filters: [
          {
            filter_friendly_name: 'Gold sales',
            expression: "type == 'sales' AND customer_value == 'Gold'",
            targets: [
              { queue: sales.sid, expression: 'worker.level >= task.required_level', priority: 10, timeout: 30, order_by: 'worker.level DESC', skip_if: 'workers.available == 0' },
              { queue: fallback.sid, known_worker_sid: 'task.preferred_agent' },
            ],
          },
        ],
        default_filter: { queue: fallback.sid },
      },
    });
    const wf = await api.workflows.create({ friendlyName: 'Inbound', configuration, assignmentCallbackUrl: 'https://example.com/assign', taskReservationTimeout: 60 });
    expect(wf.sid).toMatch(/^WW[0-9a-f]{32}$/);
    expect(wf).toMatchObject({
      friendlyName: 'Inbound',
      configuration,
      documentContentType: 'application/json',
      assignmentCallbackUrl: 'https://example.com/assign',
      fallbackAssignmentCallbackUrl: null,
      taskReservationTimeout: 60,
      workspaceSid: ws.sid,
    });
    expect(wf.links).toEqual({ statistics: `${wf.url}/Statistics`, real_time_statistics: `${wf.url}/RealTimeStatistics`, cumulative_statistics: `${wf.url}/CumulativeStatistics` });
    expect((await api.workflows(wf.sid).fetch()).configuration).toBe(configuration);

    const other = await api.workflows.create({ friendlyName: 'Default', configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: sales.sid } } }) });
    expect(other.taskReservationTimeout).toBe(120);
    const newConfig = JSON.stringify({ task_routing: { default_filter: { queue: fallback.sid } } });
    const updated = await api.workflows(other.sid).update({ configuration: newConfig, friendlyName: 'Default 2', reEvaluateTasks: 'true', fallbackAssignmentCallbackUrl: 'https://example.com/fb' });
    expect(updated).toMatchObject({ configuration: newConfig, friendlyName: 'Default 2', fallbackAssignmentCallbackUrl: 'https://example.com/fb' });

    for (let i = 0; i < 3; i++) await api.workflows.create({ friendlyName: `Extra ${i}`, configuration: newConfig });
    const seen: string[] = [];
    await api.workflows.each({ pageSize: 2 }, (w) => void seen.push(w.friendlyName));
    expect(seen).toEqual(['Inbound', 'Default 2', 'Extra 0', 'Extra 1', 'Extra 2']);
    expect((await api.workflows.list({ friendlyName: 'Inbound' })).map((w) => w.sid)).toEqual([wf.sid]);

    await api.workflows(wf.sid).remove();
    expect(await twilioError(api.workflows(wf.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    const events = (await trEvents(ctx.server, ws.sid)).filter((e) => e.resourceType === 'workflow');
    expect(events.map((e) => e.type)).toEqual(['workflow.created', 'workflow.created', 'workflow.updated', 'workflow.created', 'workflow.created', 'workflow.created', 'workflow.deleted']);
    expect(events[2]).toMatchObject({ workflowSid: other.sid, data: { WorkflowSid: other.sid, WorkflowName: 'Default 2' } });
  });

  it('validates workflow configurations, naming the failing filter, target and expression position', async () => {
    const { api, ws } = await workspace('workflow-errors');
    const q = await api.taskQueues.create({ friendlyName: 'Q' });
    const create = (config: unknown, extra: Record<string, unknown> = {}) =>
      twilioError(api.workflows.create({ friendlyName: 'bad', configuration: typeof config === 'string' ? config : JSON.stringify(config), ...extra }));
    const filter = (target: Record<string, unknown>, expression = '1==1') => ({ task_routing: { filters: [{ filter_friendly_name: 'Main', expression, targets: [target] }] } });

    expect(await create('{not json')).toMatchObject({ status: 400, code: 20001 });
    expect((await create({ routing: {} })).message).toMatch(/task_routing/);
    expect((await create({ task_routing: { filters: {} } })).message).toMatch(/task_routing\.filters must be an array/);
    const badFilter = await create(filter({ queue: q.sid }, "type == 'sales' AND"));
    expect(badFilter).toMatchObject({ status: 400, code: 20001 });
    expect(badFilter.message).toMatch(/filters\[0\] \("Main"\)\.expression/);
    expect(badFilter.message).toMatch(/position 19/);
    const unprefixed = await create(filter({ queue: q.sid, expression: 'level > 2' }));
    expect(unprefixed.message).toMatch(/targets\[0\]\.expression/);
    expect(unprefixed.message).toMatch(/position 0/);
    expect((await create(filter({ queue: 'WQ' + hex32(3) }))).message).toMatch(/targets\[0\]\.queue.*not a TaskQueue/);
    expect((await create(filter({}))).message).toMatch(/targets\[0\]\.queue/);
    expect((await create(filter({ queue: q.sid, timeout: -5 }))).message).toMatch(/timeout must be a positive integer/);
    expect((await create(filter({ queue: q.sid, priority: 'high' }))).message).toMatch(/priority/);
    expect((await create(filter({ queue: q.sid, order_by: 'worker.level SIDEWAYS' }))).message).toMatch(/order_by/);
    expect((await create(filter({ queue: q.sid, skip_if: 'workers.available ==' }))).message).toMatch(/skip_if.*position/);
    expect((await create(filter({ queue: q.sid, known_worker_sid: 'task.a', known_worker_friendly_name: 'task.b' }))).message).toMatch(/not both/);
    expect((await create({ task_routing: { filters: [{ expression: '1==1', targets: [] }] } })).message).toMatch(/targets must be a non-empty array/);
    expect((await create({ task_routing: { default_filter: { queue: 'nope' } } })).message).toMatch(/default_filter\.queue/);
    expect(await create({ task_routing: {} }, { taskReservationTimeout: 0 })).toMatchObject({ status: 400, code: 20001 });
    expect(await create({ task_routing: {} }, { taskReservationTimeout: 86_401 })).toMatchObject({ status: 400, code: 20001 });
    expect(await create({ task_routing: {} }, { assignmentCallbackUrl: 'ftp://x' })).toMatchObject({ status: 400, code: 20001 });
    expect(await create('x'.repeat(1024 * 1024 + 1))).toMatchObject({ status: 400, code: 20001 });
    expect((await ctx.server.http('POST', `/taskrouter/v1/Workspaces/${ws.sid}/Workflows`, { FriendlyName: 'no config' })).body).toMatchObject({ status: 400, code: 20001 });
    expect(await api.workflows.list()).toEqual([]);

    const wf = await api.workflows.create({ friendlyName: 'ok', configuration: JSON.stringify({ task_routing: { default_filter: { queue: q.sid } } }) });
    expect(await twilioError(api.workflows(wf.sid).update({ configuration: JSON.stringify(filter({ queue: q.sid }, '==')) }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(api.workflows(wf.sid).update({ reEvaluateTasks: 'maybe' }))).toMatchObject({ status: 400, code: 20001 });
    expect(JSON.parse((await api.workflows(wf.sid).fetch()).configuration)).toEqual({ task_routing: { default_filter: { queue: q.sid } } });
  });
});
