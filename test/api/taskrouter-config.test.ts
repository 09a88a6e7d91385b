import { it, expect } from 'vitest';
import { describeEngines, twilioError } from '../support/harness.js';
import { hex32, insertTask, trEvents } from '../support/taskrouter.js';

describeEngines('TaskRouter configuration: workspaces, activities, task channels', (ctx) => {
  it('creates a workspace with Twilio defaults, fetches, updates, lists and deletes it', async () => {
    const { client, accountSid } = ctx.server;
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Support', eventCallbackUrl: 'https://example.com/events', eventsFilter: 'task.created,worker.activity.update' });
    expect(ws.sid).toMatch(/^WS[0-9a-f]{32}$/);
    expect(ws.accountSid).toBe(accountSid);
    expect(ws).toMatchObject({ friendlyName: 'Support', eventCallbackUrl: 'https://example.com/events', eventsFilter: 'task.created,worker.activity.update', multiTaskEnabled: true, prioritizeQueueOrder: 'FIFO' });
    expect(ws.defaultActivityName).toBe('Offline');
    expect(ws.timeoutActivitySid).toBe(ws.defaultActivitySid);
    expect(ws.timeoutActivityName).toBe('Offline');
    expect(ws.url).toMatch(new RegExp(`/taskrouter/v1/Workspaces/${ws.sid}$`));
    expect(Object.keys(ws.links).sort()).toEqual(['activities', 'cumulative_statistics', 'events', 'real_time_statistics', 'statistics', 'task_channels', 'task_queues', 'tasks', 'workers', 'workflows']);
    expect(ws.links.task_channels).toBe(`${ws.url}/TaskChannels`);
    expect(ws.dateCreated).toBeInstanceOf(Date);

    const activities = await client.taskrouter.v1.workspaces(ws.sid).activities.list();
    expect(activities.map((a) => [a.friendlyName, a.available])).toEqual([
      ['Offline', false],
      ['Available', true],
      ['Unavailable', false],
      ['Break', false],
    ]);
    expect(activities[0]!.sid).toBe(ws.defaultActivitySid);
    const channels = await client.taskrouter.v1.workspaces(ws.sid).taskChannels.list();
    expect(channels.map((c) => c.uniqueName)).toEqual(['default', 'voice', 'chat', 'sms', 'video', 'email', 'whatsapp', 'messenger']);
    expect(channels.find((c) => c.uniqueName === 'chat')!.friendlyName).toBe('Programmable Chat');
    // A NONE workspace has no queues or workflows.
    expect(await client.taskrouter.v1.workspaces(ws.sid).taskQueues.list()).toEqual([]);
    expect(await client.taskrouter.v1.workspaces(ws.sid).workflows.list()).toEqual([]);

    const available = activities[1]!;
    const updated = await client.taskrouter.v1.workspaces(ws.sid).update({
      friendlyName: 'Support 2',
      prioritizeQueueOrder: 'LIFO',
      multiTaskEnabled: false,
      defaultActivitySid: available.sid,
      timeoutActivitySid: activities[2]!.sid,
      eventsFilter: '',
    });
    expect(updated).toMatchObject({ friendlyName: 'Support 2', prioritizeQueueOrder: 'LIFO', multiTaskEnabled: false, defaultActivityName: 'Available', timeoutActivityName: 'Unavailable', eventsFilter: null });
    const fetched = await client.taskrouter.v1.workspaces(ws.sid).fetch();
    expect(fetched.friendlyName).toBe('Support 2');
    expect(fetched.eventCallbackUrl).toBe('https://example.com/events');

    const byName = await client.taskrouter.v1.workspaces.list({ friendlyName: 'Support 2' });
    expect(byName.map((w) => w.sid)).toEqual([ws.sid]);

    const events = await trEvents(ctx.server, ws.sid);
    expect(events.map((e) => e.type)).toEqual(['workspace.created', 'workspace.updated']);
    expect(events[0]).toMatchObject({ resourceType: 'workspace', resourceSid: ws.sid, actorType: 'account', actorSid: accountSid, source: 'API', data: { WorkspaceSid: ws.sid, WorkspaceName: 'Support' } });

    await client.taskrouter.v1.workspaces(ws.sid).remove();
    expect(await twilioError(client.taskrouter.v1.workspaces(ws.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await twilioError(client.taskrouter.v1.workspaces(ws.sid).activities.list())).toMatchObject({ status: 404, code: 20404 });
    const db = ctx.server.parley.storage.db;
    for (const table of ['tr_activities', 'tr_task_channels'] as const) {
      expect(await db.selectFrom(table).select('sid').where('workspace_sid', '=', ws.sid).execute()).toEqual([]);
    }
    expect((await trEvents(ctx.server, ws.sid)).map((e) => e.type)).toEqual(['workspace.deleted']);
  });

  it('applies the FIFO template: a Sample Queue every worker matches and a workflow routing to it', async () => {
    const { client } = ctx.server;
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Fifo', template: 'FIFO' });
    const queues = await client.taskrouter.v1.workspaces(ws.sid).taskQueues.list();
    expect(queues.map((q) => [q.friendlyName, q.targetWorkers, q.taskOrder, q.maxReservedWorkers])).toEqual([['Sample Queue', '1==1', 'FIFO', 1]]);
    const workflows = await client.taskrouter.v1.workspaces(ws.sid).workflows.list();
    expect(workflows).toHaveLength(1);
    expect(workflows[0]!.friendlyName).toBe('Default Fifo Workflow');
    expect(workflows[0]!.taskReservationTimeout).toBe(120);
    expect(JSON.parse(workflows[0]!.configuration)).toEqual({ task_routing: { filters: [], default_filter: { queue: queues[0]!.sid } } });
  });

  it('refuses bad workspace input with 20001 and creates nothing', async () => {
    const { client, http } = ctx.server;
    const before = (await client.taskrouter.v1.workspaces.list()).length;
    expect((await http('POST', '/taskrouter/v1/Workspaces', { EventCallbackUrl: 'https://example.com' })).body).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(client.taskrouter.v1.workspaces.create({ friendlyName: 'x', template: 'ROUND_ROBIN' }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(client.taskrouter.v1.workspaces.create({ friendlyName: 'x', eventsFilter: 'task.created,task.exploded' }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(client.taskrouter.v1.workspaces.create({ friendlyName: 'x', eventCallbackUrl: 'not a url' }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(client.taskrouter.v1.workspaces.create({ friendlyName: 'x'.repeat(65) }))).toMatchObject({ status: 400, code: 20001 });
    expect((await http('POST', '/taskrouter/v1/Workspaces', { FriendlyName: 'x', PrioritizeQueueOrder: 'RANDOM' })).body).toMatchObject({ status: 400, code: 20001 });
    expect((await client.taskrouter.v1.workspaces.list()).length).toBe(before);
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'upd' });
    expect(await twilioError(client.taskrouter.v1.workspaces(ws.sid).update({ defaultActivitySid: 'WA' + hex32(1) }))).toMatchObject({ status: 400, code: 20001 });
  });

  it('lists workspaces through several pages', async () => {
    const { client } = ctx.server;
    const sids: string[] = [];
    for (let i = 0; i < 5; i++) sids.push((await client.taskrouter.v1.workspaces.create({ friendlyName: 'paged' })).sid);
    const seen: string[] = [];
    await client.taskrouter.v1.workspaces.each({ friendlyName: 'paged', pageSize: 2 }, (w) => void seen.push(w.sid));
    expect(seen).toEqual(sids);
    const page = await client.taskrouter.v1.workspaces.page({ friendlyName: 'paged', pageSize: 2 });
    expect(page.instances).toHaveLength(2);
    expect(page.nextPageUrl).toContain('PageToken=');
    expect(page.nextPageUrl).toContain('FriendlyName=paged');
    const second = await page.nextPage();
    expect(second!.instances.map((w) => w.sid)).toEqual(sids.slice(2, 4));
  });

  it('creates, fetches, updates, filters and deletes activities', async () => {
    const { client, http } = ctx.server;
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'acts' });
    const acts = client.taskrouter.v1.workspaces(ws.sid).activities;
    const lunch = await acts.create({ friendlyName: 'Lunch' });
    expect(lunch.sid).toMatch(/^WA[0-9a-f]{32}$/);
    expect(lunch).toMatchObject({ friendlyName: 'Lunch', available: false, workspaceSid: ws.sid });
    expect(lunch.links).toEqual({ workspace: ws.url });
    const busy = await acts.create({ friendlyName: 'Chatting', available: true });
    expect(busy.available).toBe(true);
    // Twilio reads `yes` and `1` as true too.
    const raw = await http('POST', `/taskrouter/v1/Workspaces/${ws.sid}/Activities`, { FriendlyName: 'Ready', Available: 'yes' });
    expect(raw.status).toBe(201);
    expect(raw.body.available).toBe(true);

    expect((await acts(lunch.sid).fetch()).friendlyName).toBe('Lunch');
    expect((await acts(lunch.sid).update({ friendlyName: 'Long lunch' })).friendlyName).toBe('Long lunch');
    expect((await acts.list({ friendlyName: 'Long lunch' })).map((a) => a.sid)).toEqual([lunch.sid]);
    expect((await acts.list({ available: 'true' })).map((a) => a.friendlyName)).toEqual(['Available', 'Chatting', 'Ready']);
    expect((await acts.list({ available: 'false' })).map((a) => a.friendlyName)).toEqual(['Offline', 'Unavailable', 'Break', 'Long lunch']);
    const seen: string[] = [];
    await acts.each({ pageSize: 2 }, (a) => void seen.push(a.friendlyName));
    expect(seen).toHaveLength(7);

    expect(await twilioError(acts.create({ friendlyName: 'Chatting' }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(acts(ws.defaultActivitySid).remove())).toMatchObject({ status: 400, code: 20001 });
    const worker = await client.taskrouter.v1.workspaces(ws.sid).workers.create({ friendlyName: 'w', activitySid: busy.sid });
    expect(await twilioError(acts(busy.sid).remove())).toMatchObject({ status: 400, code: 20001 });
    await client.taskrouter.v1.workspaces(ws.sid).workers(worker.sid).remove();
    await acts(busy.sid).remove();
    await acts(lunch.sid).remove();
    expect(await twilioError(acts(lunch.sid).fetch())).toMatchObject({ status: 404, code: 20404 });

    const types = (await trEvents(ctx.server, ws.sid)).filter((e) => e.resourceType === 'activity').map((e) => `${e.type}:${String(e.data.ActivityName)}`);
    expect(types).toEqual(['activity.created:Lunch', 'activity.created:Chatting', 'activity.created:Ready', 'activity.updated:Long lunch', 'activity.deleted:Chatting', 'activity.deleted:Long lunch']);
  });

  it('manages task channels by SID or unique name and gives every worker a channel for a new one', async () => {
    const { client } = ctx.server;
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'chans' });
    const worker = await client.taskrouter.v1.workspaces(ws.sid).workers.create({ friendlyName: 'alice' });
    const tcs = client.taskrouter.v1.workspaces(ws.sid).taskChannels;
    const tg = await tcs.create({ friendlyName: 'Telegram', uniqueName: 'telegram', channelOptimizedRouting: true });
    expect(tg.sid).toMatch(/^TC[0-9a-f]{32}$/);
    expect(tg).toMatchObject({ uniqueName: 'telegram', friendlyName: 'Telegram', channelOptimizedRouting: true });
    expect(tg.links).toEqual({ workspace: ws.url });
    expect((await tcs('telegram').fetch()).sid).toBe(tg.sid);
    expect((await tcs(tg.sid).update({ friendlyName: 'TG', channelOptimizedRouting: false })).friendlyName).toBe('TG');
    expect((await tcs('telegram').fetch()).channelOptimizedRouting).toBe(false);
    const wcs = await client.taskrouter.v1.workspaces(ws.sid).workers(worker.sid).workerChannels.list();
    expect(wcs.map((c) => c.taskChannelUniqueName)).toContain('telegram');

    expect(await twilioError(tcs.create({ friendlyName: 'again', uniqueName: 'telegram' }))).toMatchObject({ status: 409, code: 20409 });
    const seen: string[] = [];
    await tcs.each({ pageSize: 4 }, (c) => void seen.push(c.uniqueName));
    expect(seen).toHaveLength(9);

    // Refused while a live task uses it; allowed once the task is done.
    const taskSid = 'WT' + hex32(Date.now());
    await insertTask(ctx.server, { workspaceSid: ws.sid, sid: taskSid, taskChannelSid: tg.sid });
    expect(await twilioError(tcs('telegram').remove())).toMatchObject({ status: 400, code: 20001 });
    await ctx.server.parley.storage.db.updateTable('tr_tasks').set({ assignment_status: 'completed' }).where('sid', '=', taskSid).execute();
    await tcs('telegram').remove();
    expect(await twilioError(tcs('telegram').fetch())).toMatchObject({ status: 404, code: 20404 });
    expect((await client.taskrouter.v1.workspaces(ws.sid).workers(worker.sid).workerChannels.list()).map((c) => c.taskChannelUniqueName)).not.toContain('telegram');

    const types = (await trEvents(ctx.server, ws.sid)).filter((e) => e.resourceType === 'task_channel').map((e) => e.type);
    expect(types).toEqual(['task-channel.created', 'task-channel.updated', 'task-channel.deleted']);
  });

  it('keeps each account to its own workspaces', async () => {
    const { client } = ctx.server;
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'mine' });
    const sub = await client.api.v2010.accounts.create({ friendlyName: 'sub' });
    const other = ctx.server.clientFor(sub.sid, sub.authToken);
    expect(await twilioError(other.taskrouter.v1.workspaces(ws.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await twilioError(other.taskrouter.v1.workspaces(ws.sid).workers.create({ friendlyName: 'x' }))).toMatchObject({ status: 404, code: 20404 });
    // A subaccount sees only its own workspaces: the Flex one it was provisioned with.
    expect((await other.taskrouter.v1.workspaces.list()).map((w) => w.friendlyName)).toEqual(['Flex Task Assignment']);
  });
});
