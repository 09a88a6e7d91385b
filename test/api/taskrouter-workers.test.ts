import { it, expect, beforeAll } from 'vitest';
import { describeEngines, twilioError } from '../support/harness.js';
import { hex32, insertReservation, insertTask, trEvents } from '../support/taskrouter.js';

describeEngines('TaskRouter configuration: workers and worker channels', (ctx) => {
  const routingCalls: string[] = [];
  beforeAll(() => {
    ctx.server.parley.taskrouter.onChanged((_account, workspace) => void routingCalls.push(workspace));
  });

  async function workspace(name: string) {
    const { client } = ctx.server;
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: name });
    const activities = await client.taskrouter.v1.workspaces(ws.sid).activities.list();
    const byName = (n: string) => activities.find((a) => a.friendlyName === n)!;
    return { ws, api: client.taskrouter.v1.workspaces(ws.sid), base: `/taskrouter/v1/Workspaces/${ws.sid}`, offline: byName('Offline'), available: byName('Available'), unavailable: byName('Unavailable') };
  }

  it('creates a worker in the default activity with a channel per task channel, fetches, updates and deletes it', async () => {
    const { ws, api, offline, available } = await workspace('workers');
    const attributes = JSON.stringify({ skills: ['sales'], languages: ['en'], contact_uri: 'client:alice' });
    const alice = await api.workers.create({ friendlyName: 'Alice', attributes });
    expect(alice.sid).toMatch(/^WK[0-9a-f]{32}$/);
    expect(alice).toMatchObject({ friendlyName: 'Alice', attributes, activitySid: offline.sid, activityName: 'Offline', available: false, workspaceSid: ws.sid });
    expect(alice.dateStatusChanged).toBeInstanceOf(Date);
    expect(alice.links).toMatchObject({
      activity: `${ws.url}/Activities/${offline.sid}`,
      channels: `${alice.url}/Channels`,
      reservations: `${alice.url}/Reservations`,
      worker_statistics: `${alice.url}/Statistics`,
      workspace: ws.url,
    });
    // Attributes are encrypted at rest.
    const row = await ctx.server.parley.storage.db.selectFrom('tr_workers').selectAll().where('sid', '=', alice.sid).executeTakeFirstOrThrow();
    expect(row.attributes).not.toContain('sales');

    const channels = await api.workers(alice.sid).workerChannels.list();
    expect(channels).toHaveLength(8);
    expect(channels.every((c) => c.configuredCapacity === 1 && c.available && c.assignedTasks === 0 && c.availableCapacityPercentage === 100)).toBe(true);

    const fetched = await api.workers(alice.sid).fetch();
    expect(fetched.attributes).toBe(attributes);
    const before = routingCalls.length;
    const moved = await api.workers(alice.sid).update({ activitySid: available.sid, attributes: JSON.stringify({ skills: ['support'] }), friendlyName: 'Alice B' });
    expect(moved).toMatchObject({ activitySid: available.sid, activityName: 'Available', available: true, friendlyName: 'Alice B', attributes: '{"skills":["support"]}' });
    expect(routingCalls.slice(before)).toContain(ws.sid);

    const bob = await api.workers.create({ friendlyName: 'Bob', activitySid: available.sid });
    expect(bob).toMatchObject({ activitySid: available.sid, available: true, attributes: '{}' });

    await api.workers(bob.sid).remove();
    expect(await twilioError(api.workers(bob.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await ctx.server.parley.storage.db.selectFrom('tr_worker_channels').select('sid').where('worker_sid', '=', bob.sid).execute()).toEqual([]);

    const events = (await trEvents(ctx.server, ws.sid)).filter((e) => e.resourceType === 'worker');
    expect(events.map((e) => e.type)).toEqual(['worker.created', 'worker.activity.update', 'worker.attributes.update', 'worker.created', 'worker.deleted']);
    expect(events[0]!.data).toMatchObject({ WorkerSid: alice.sid, WorkerName: 'Alice', WorkerAttributes: attributes, WorkerActivitySid: offline.sid, WorkerActivityName: 'Offline', WorkerVersion: '0' });
    expect(events[1]!.data).toMatchObject({ WorkerSid: alice.sid, WorkerName: 'Alice B', WorkerActivitySid: available.sid, WorkerActivityName: 'Available', WorkerPreviousActivitySid: offline.sid, WorkerVersion: '1' });
    expect(typeof events[1]!.data.WorkerTimeInPreviousActivity).toBe('number');
    expect(typeof events[1]!.data.WorkerTimeInPreviousActivityMs).toBe('number');
    expect(events[2]!.data.WorkerAttributes).toBe('{"skills":["support"]}');
    expect(events[1]!.workerSid).toBe(alice.sid);
  });

  it('refuses duplicate names case-insensitively with 409 and bad worker input with 20001', async () => {
    const { api, base, available, unavailable } = await workspace('worker-errors');
    const w = await api.workers.create({ friendlyName: 'Carol' });
    expect(await twilioError(api.workers.create({ friendlyName: 'carol' }))).toMatchObject({ status: 409, code: 20409 });
    expect(await twilioError(api.workers.create({ friendlyName: 'x', attributes: '{bad' }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(api.workers.create({ friendlyName: 'x', attributes: JSON.stringify({ a: 'x'.repeat(4090) }) }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(api.workers.create({ friendlyName: 'x', activitySid: 'WA' + hex32(9) }))).toMatchObject({ status: 400, code: 20001 });
    expect((await ctx.server.http('POST', `${base}/Workers`, { Attributes: '{}' })).body).toMatchObject({ status: 400, code: 20001 });
    expect((await api.workers.list()).map((x) => x.friendlyName)).toEqual(['Carol']);

    const other = await api.workers.create({ friendlyName: 'Dan' });
    expect(await twilioError(api.workers(other.sid).update({ friendlyName: 'CAROL' }))).toMatchObject({ status: 409, code: 20409 });
    // Renaming to a different case of one's own name is fine.
    expect((await api.workers(w.sid).update({ friendlyName: 'CAROL' })).friendlyName).toBe('CAROL');
    // RejectPendingReservations only goes with an unavailable activity.
    expect(await twilioError(api.workers(w.sid).update({ rejectPendingReservations: true, activitySid: available.sid }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(api.workers(w.sid).update({ rejectPendingReservations: true }))).toMatchObject({ status: 400, code: 20001 });
    expect((await api.workers(w.sid).update({ rejectPendingReservations: true, activitySid: unavailable.sid })).activityName).toBe('Unavailable');
  });

  it('serves ETag and honours If-Match on update and delete', async () => {
    const { api, base, available, unavailable } = await workspace('etag');
    const created = await ctx.server.http('POST', `${base}/Workers`, { FriendlyName: 'Erin' });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('0');
    const sid = created.body.sid as string;
    const fetched = await ctx.server.http('GET', `${base}/Workers/${sid}`);
    expect(fetched.headers.get('etag')).toBe('0');

    const ok = await ctx.server.http('POST', `${base}/Workers/${sid}`, { ActivitySid: available.sid }, { 'If-Match': '0' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('1');
    const stale = await ctx.server.http('POST', `${base}/Workers/${sid}`, { ActivitySid: unavailable.sid }, { 'If-Match': '0' });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ status: 412, code: 20412 });
    expect((await api.workers(sid).fetch()).activitySid).toBe(available.sid);
    // Quoted tags and `*` match too; the SDK sends ifMatch as given.
    expect((await ctx.server.http('POST', `${base}/Workers/${sid}`, { Attributes: '{"a":1}' }, { 'If-Match': '"1"' })).headers.get('etag')).toBe('2');
    expect((await api.workers(sid).update({ ifMatch: '*', attributes: '{"a":2}' })).attributes).toBe('{"a":2}');
    expect(await twilioError(api.workers(sid).update({ ifMatch: '1', attributes: '{"a":3}' }))).toMatchObject({ status: 412, code: 20412 });
    // A no-op update does not move the version.
    expect((await ctx.server.http('POST', `${base}/Workers/${sid}`, { Attributes: '{"a":2}' })).headers.get('etag')).toBe('3');

    expect((await ctx.server.http('DELETE', `${base}/Workers/${sid}`, undefined, { 'If-Match': '2' })).status).toBe(412);
    expect((await ctx.server.http('DELETE', `${base}/Workers/${sid}`, undefined, { 'If-Match': '3' })).status).toBe(204);
  });

  it('filters workers by activity, availability, name, expression and queue, across pages', async () => {
    const { api, available, unavailable } = await workspace('worker-filters');
    const mk = (name: string, attrs: object, activitySid?: string) => api.workers.create({ friendlyName: name, attributes: JSON.stringify(attrs), ...(activitySid ? { activitySid } : {}) });
    const w1 = await mk('w1', { skills: ['sales'], level: 1 }, available.sid);
    const w2 = await mk('w2', { skills: ['sales', 'support'], level: 3 }, available.sid);
    const w3 = await mk('w3', { skills: ['support'], level: 5 }, unavailable.sid);
    const w4 = await mk('w4', { skills: ['sales'], level: 4 });
    const w5 = await mk('w5', { skills: ['sales'], level: 2 }, available.sid);
    const sales = await api.taskQueues.create({ friendlyName: 'Sales', targetWorkers: "skills HAS 'sales'" });
    const sids = (list: Array<{ sid: string }>) => list.map((w) => w.sid);

    expect(sids(await api.workers.list({ activityName: 'Available' }))).toEqual([w1.sid, w2.sid, w5.sid]);
    expect(sids(await api.workers.list({ activitySid: unavailable.sid }))).toEqual([w3.sid]);
    expect(sids(await api.workers.list({ activityName: 'No such activity' }))).toEqual([]);
    expect(sids(await api.workers.list({ available: 'true' }))).toEqual([w1.sid, w2.sid, w5.sid]);
    expect(sids(await api.workers.list({ available: 'false' }))).toEqual([w3.sid, w4.sid]);
    expect(sids(await api.workers.list({ friendlyName: 'W3' }))).toEqual([w3.sid]);
    expect(sids(await api.workers.list({ targetWorkersExpression: 'level >= 3' }))).toEqual([w2.sid, w3.sid, w4.sid]);
    expect(sids(await api.workers.list({ targetWorkersExpression: "activity_name == 'Available' AND level > 1" }))).toEqual([w2.sid, w5.sid]);
    expect(sids(await api.workers.list({ taskQueueSid: sales.sid }))).toEqual([w1.sid, w2.sid, w4.sid, w5.sid]);
    expect(sids(await api.workers.list({ taskQueueName: 'Sales', available: 'true' }))).toEqual([w1.sid, w2.sid, w5.sid]);
    expect(sids(await api.workers.list({ ordering: 'DateCreated:desc' }))).toEqual([w5.sid, w4.sid, w3.sid, w2.sid, w1.sid]);

    const paged: string[] = [];
    await api.workers.each({ taskQueueSid: sales.sid, pageSize: 2 }, (w) => void paged.push(w.sid));
    expect(paged).toEqual([w1.sid, w2.sid, w4.sid, w5.sid]);
    const page = await api.workers.page({ targetWorkersExpression: "skills HAS 'sales'", pageSize: 3 });
    expect(sids(page.instances)).toEqual([w1.sid, w2.sid, w4.sid]);
    expect(page.nextPageUrl).toContain('TargetWorkersExpression=');
    expect(sids((await page.nextPage())!.instances)).toEqual([w5.sid]);
    const all: string[] = [];
    await api.workers.each({ pageSize: 2 }, (w) => void all.push(w.sid));
    expect(all).toEqual([w1.sid, w2.sid, w3.sid, w4.sid, w5.sid]);

    const bad = await twilioError(api.workers.list({ targetWorkersExpression: "skills HAS 'sales' AND" }));
    expect(bad).toMatchObject({ status: 400, code: 20001 });
    expect(bad.message).toMatch(/position 22/);
    expect(await twilioError(api.workers.list({ taskQueueSid: 'WQ' + hex32(5) }))).toMatchObject({ status: 400, code: 20001 });
  });

  it('updates worker channel capacity and availability, counts assigned tasks, and records events', async () => {
    const { ws, api, base } = await workspace('worker-channels');
    const w = await api.workers.create({ friendlyName: 'Fay' });
    const chat = await api.workers(w.sid).workerChannels('chat').fetch();
    expect(chat.sid).toMatch(/^WC[0-9a-f]{32}$/);
    expect(chat).toMatchObject({ taskChannelUniqueName: 'chat', configuredCapacity: 1, available: true, workerSid: w.sid, workspaceSid: ws.sid });
    expect(chat.url).toBe(`${w.url}/Channels/${chat.sid}`);
    expect((await api.workers(w.sid).workerChannels(chat.sid).fetch()).taskChannelSid).toBe(chat.taskChannelSid);

    const before = routingCalls.length;
    const updated = await api.workers(w.sid).workerChannels('chat').update({ capacity: 4 });
    expect(updated).toMatchObject({ configuredCapacity: 4, available: true, availableCapacityPercentage: 100 });
    expect(routingCalls.length).toBeGreaterThan(before);
    const off = await api.workers(w.sid).workerChannels(chat.sid).update({ available: false });
    expect(off.available).toBe(false);
    expect((await ctx.server.http('GET', `${base}/Workers/${w.sid}`)).headers.get('etag')).toBe('2');

    // One accepted and one wrapping reservation hold capacity; pending ones do not.
    const task = 'WT' + hex32(Date.now() + 2);
    await insertTask(ctx.server, { workspaceSid: ws.sid, sid: task, taskChannelSid: chat.taskChannelSid, status: 'assigned' });
    for (const [i, status] of ['accepted', 'wrapping', 'pending', 'completed'].entries()) {
      await insertReservation(ctx.server, { workspaceSid: ws.sid, sid: 'WR' + hex32(Date.now() * 10 + i), taskSid: task, workerSid: w.sid, taskChannelSid: chat.taskChannelSid, status });
    }
    const busy = await api.workers(w.sid).workerChannels('chat').fetch();
    expect(busy).toMatchObject({ assignedTasks: 2, availableCapacityPercentage: 50 });
    const list = await api.workers(w.sid).workerChannels.list({ pageSize: 3 });
    expect(list).toHaveLength(8);
    expect(list.find((c) => c.taskChannelUniqueName === 'voice')!.assignedTasks).toBe(0);

    expect(await twilioError(api.workers(w.sid).workerChannels('chat').update({ capacity: 51 }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(api.workers(w.sid).workerChannels('chat').update({ capacity: -1 }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(api.workers(w.sid).workerChannels('fax').fetch())).toMatchObject({ status: 404, code: 20404 });
    const zero = await api.workers(w.sid).workerChannels('voice').update({ capacity: 0 });
    expect(zero).toMatchObject({ configuredCapacity: 0, availableCapacityPercentage: 0 });

    // A worker holding accepted reservations cannot be deleted.
    expect(await twilioError(api.workers(w.sid).remove())).toMatchObject({ status: 400, code: 20001 });
    expect((await ctx.server.http('DELETE', `${base}/Workers/${w.sid}`)).body).toMatchObject({ status: 400, code: 20001 });

    const events = (await trEvents(ctx.server, ws.sid)).filter((e) => e.type.startsWith('worker.') && e.type !== 'worker.created');
    expect(events.map((e) => e.type)).toEqual(['worker.capacity.update', 'worker.channel.availability.update', 'worker.capacity.update']);
    expect(events[0]!.data).toMatchObject({ WorkerSid: w.sid, WorkerName: 'Fay', TaskChannelUniqueName: 'chat', WorkerChannelCapacity: 4, WorkerChannelPreviousCapacity: 1 });
    expect(events[1]!.data).toMatchObject({ TaskChannelSid: chat.taskChannelSid, WorkerChannelAvailable: false });
  });
});
