import { it, expect } from 'vitest';
import { describeEngines, twilioError } from '../support/harness.js';

describeEngines('Conversations resource', (ctx) => {
  it('creates, fetches by SID and unique name, updates and deletes a conversation', async () => {
    const { client } = ctx.server;
    const created = await client.conversations.v1.conversations.create({ friendlyName: 'Support', uniqueName: 'support-1', attributes: JSON.stringify({ a: 1 }) });
    expect(created.sid).toMatch(/^CH[0-9a-f]{32}$/);
    expect(created.state).toBe('active');
    expect(created.attributes).toBe('{"a":1}');
    expect(created.url).toContain(`/v1/Conversations/${created.sid}`);
    const byName = await client.conversations.v1.conversations('support-1').fetch();
    expect(byName.sid).toBe(created.sid);
    const updated = await client.conversations.v1.conversations(created.sid).update({ friendlyName: 'Support 2', state: 'inactive' });
    expect(updated.friendlyName).toBe('Support 2');
    expect(updated.state).toBe('inactive');
    await client.conversations.v1.conversations(created.sid).remove();
    const err = await twilioError(client.conversations.v1.conversations(created.sid).fetch());
    expect(err).toMatchObject({ status: 404, code: 20404 });
  });

  it('refuses a duplicate unique name with 50353 and stores nothing', async () => {
    const { client } = ctx.server;
    await client.conversations.v1.conversations.create({ uniqueName: 'dupe' });
    const before = (await client.conversations.v1.conversations.list()).length;
    const err = await twilioError(client.conversations.v1.conversations.create({ uniqueName: 'dupe' }));
    expect(err).toMatchObject({ status: 409, code: 50353 });
    expect((await client.conversations.v1.conversations.list()).length).toBe(before);
  });

  it('lists through several pages with stable keyset paging', async () => {
    const { client } = ctx.server;
    const service = await client.conversations.v1.services.create({ friendlyName: 'paging' });
    const sids: string[] = [];
    for (let i = 0; i < 7; i++) sids.push((await client.conversations.v1.services(service.sid).conversations.create({ friendlyName: `c${i}` })).sid);
    const seen: string[] = [];
    await client.conversations.v1.services(service.sid).conversations.each({ pageSize: 3 }, (c) => {
      seen.push(c.sid);
    });
    expect(seen).toEqual(sids);
    const page = await client.conversations.v1.services(service.sid).conversations.page({ pageSize: 3 });
    expect(page.instances.length).toBe(3);
    const next = await page.nextPage();
    expect(next!.instances.map((c) => c.sid)).toEqual(sids.slice(3, 6));
    // Inserts after the first page was read do not shift the next page.
    await client.conversations.v1.services(service.sid).conversations.create({ friendlyName: 'late' });
    const third = await next!.nextPage();
    expect(third!.instances.map((c) => c.friendlyName)).toEqual(['c6', 'late']);
    const prev = await next!.previousPage();
    expect(prev!.instances.map((c) => c.sid)).toEqual(sids.slice(0, 3));
  });

  it('validates input with 20001: bad JSON attributes, short timers, unknown parameters', async () => {
    const { client, http } = ctx.server;
    expect(await twilioError(client.conversations.v1.conversations.create({ attributes: '{nope' }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(client.conversations.v1.conversations.create({ 'timers.inactive': 'PT30S' }))).toMatchObject({ status: 400, code: 20001 });
    const res = await http('POST', '/conversations/v1/Conversations', { Bogus: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 20001, status: 400, more_info: 'https://www.twilio.com/docs/errors/20001' });
    const json = await http('POST', '/conversations/v1/Conversations', '{"FriendlyName":"x"}', { 'Content-Type': 'application/json' });
    expect(json.status).toBe(415);
  });
});
