import { it, expect } from 'vitest';
import { describeEngines, twilioError } from '../support/harness.js';

describeEngines('Accounts and API keys (core API 2010-04-01)', (ctx) => {
  it('fetches the main account and creates a subaccount with its own token', async () => {
    const { client, accountSid } = ctx.server;
    const main = await client.api.v2010.accounts(accountSid).fetch();
    expect(main.sid).toBe(accountSid);
    expect(main.ownerAccountSid).toBe(accountSid);
    const sub = await client.api.v2010.accounts.create({ friendlyName: 'tenant-b' });
    expect(sub.sid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(sub.ownerAccountSid).toBe(accountSid);
    expect(sub.authToken).toMatch(/^[0-9a-f]{32}$/);
    const listed = await client.api.v2010.accounts.list();
    expect(listed.map((a) => a.sid)).toEqual(expect.arrayContaining([accountSid, sub.sid]));
    const subClient = ctx.server.clientFor(sub.sid, sub.authToken);
    const ownView = await subClient.api.v2010.accounts(sub.sid).fetch();
    expect(ownView.friendlyName).toBe('tenant-b');
    // A subaccount cannot see its parent.
    expect(await twilioError(subClient.api.v2010.accounts(accountSid).fetch())).toMatchObject({ status: 404, code: 20404 });
  });

  it('authenticates with API keys and refuses wrong credentials with 20003', async () => {
    const { client, accountSid } = ctx.server;
    const key = await client.newKeys.create({ friendlyName: 'ci key' });
    expect(key.sid).toMatch(/^SK[0-9a-f]{32}$/);
    expect(key.secret).toBeTruthy();
    const keyClient = ctx.server.clientFor(key.sid, key.secret, accountSid);
    const services = await keyClient.conversations.v1.services.list();
    expect(services.length).toBeGreaterThan(0);
    const fetched = await client.keys(key.sid).fetch();
    expect(fetched.friendlyName).toBe('ci key');
    expect((fetched as unknown as { secret?: string }).secret).toBeUndefined();
    await client.keys(key.sid).update({ friendlyName: 'renamed' });
    expect((await client.keys.list()).map((k) => k.friendlyName)).toContain('renamed');
    await client.keys(key.sid).remove();
    expect(await twilioError(keyClient.conversations.v1.services.list())).toMatchObject({ status: 401, code: 20003 });
    const bad = ctx.server.clientFor(accountSid, 'not-the-token-at-all');
    expect(await twilioError(bad.conversations.v1.conversations.list())).toMatchObject({ status: 401, code: 20003 });
    const none = await fetch(`${ctx.server.origin}/conversations/v1/Conversations`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 20003, status: 401 });
  });

  it('isolates accounts: a second account gets 404 for the first one\'s resources', async () => {
    const { client } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({ friendlyName: 'private', uniqueName: 'private-conv' });
    const service = await client.conversations.v1.services.create({ friendlyName: 'private service' });
    const sub = await client.api.v2010.accounts.create({ friendlyName: 'tenant-c' });
    const other = ctx.server.clientFor(sub.sid, sub.authToken);
    expect(await twilioError(other.conversations.v1.conversations(conv.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await twilioError(other.conversations.v1.conversations('private-conv').fetch())).toMatchObject({ status: 404 });
    expect(await twilioError(other.conversations.v1.services(service.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await twilioError(other.conversations.v1.conversations(conv.sid).update({ friendlyName: 'hijack' }))).toMatchObject({ status: 404 });
    expect(await twilioError(other.conversations.v1.conversations(conv.sid).remove())).toMatchObject({ status: 404 });
    expect((await other.conversations.v1.conversations.list()).map((c) => c.sid)).not.toContain(conv.sid);
    // The subaccount has its own default service and works on its own.
    const mine = await other.conversations.v1.conversations.create({ friendlyName: 'mine' });
    expect(mine.chatServiceSid).not.toBe(conv.chatServiceSid);
    expect((await client.conversations.v1.conversations(conv.sid).fetch()).friendlyName).toBe('private');
  });

  it('suspends a subaccount: its credentials stop working', async () => {
    const { client } = ctx.server;
    const sub = await client.api.v2010.accounts.create({ friendlyName: 'to-suspend' });
    await client.api.v2010.accounts(sub.sid).update({ status: 'suspended' });
    await new Promise((r) => setTimeout(r, 10));
    const subClient = ctx.server.clientFor(sub.sid, sub.authToken);
    expect(await twilioError(subClient.conversations.v1.conversations.list())).toMatchObject({ status: 401, code: 20003 });
  });
});
