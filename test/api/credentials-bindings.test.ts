import { it, expect } from 'vitest';
import { describeEngines, twilioError } from '../support/harness.js';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIFnTCCBIWgAwIBAgIIAjy9H849+E8w\n-----END CERTIFICATE-----';
const KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpQIBAAKCAQEAuyf/lNrH9ck8DmNyo3fG\n-----END RSA PRIVATE KEY-----';

describeEngines('Conversations push Credentials and Bindings', (ctx) => {
  it('creates, fetches, updates and deletes a credential without ever returning its secrets', async () => {
    const { client, http, parley, accountSid } = ctx.server;
    const created = await client.conversations.v1.credentials.create({ type: 'apn', friendlyName: 'iOS', certificate: CERT, privateKey: KEY, sandbox: true });
    expect(created.sid).toMatch(/^CR[0-9a-f]{32}$/);
    expect(created).toMatchObject({ accountSid, friendlyName: 'iOS', type: 'apn', sandbox: 'true' });
    expect(created.url).toMatch(new RegExp(`/v1/Credentials/${created.sid}$`));

    const raw = await http('GET', `/conversations/v1/Credentials/${created.sid}`);
    expect(Object.keys(raw.body).sort()).toEqual(['account_sid', 'date_created', 'date_updated', 'friendly_name', 'sandbox', 'sid', 'type', 'url']);
    expect(JSON.stringify(raw.body)).not.toContain('BEGIN');

    // Encrypted at rest: the column holds neither secret in clear.
    const row = await parley.storage.db.selectFrom('conv_credentials').selectAll().where('sid', '=', created.sid).executeTakeFirstOrThrow();
    expect(row.secrets).toMatch(/^v1\./);
    expect(row.secrets).not.toContain('BEGIN');
    expect(row.secrets).not.toContain('MIIFnTCCBIWgAwIBAgIIAjy9H849');

    const updated = await client.conversations.v1.credentials(created.sid).update({ friendlyName: 'iOS prod', sandbox: false, privateKey: 'NEW-KEY' });
    expect(updated).toMatchObject({ friendlyName: 'iOS prod', sandbox: 'false', type: 'apn' });
    // Secrets not given keep their value; given ones are replaced.
    expect(await parley.conversations.credentials.secrets(accountSid, created.sid)).toEqual({ certificate: CERT, private_key: 'NEW-KEY' });

    await client.conversations.v1.credentials(created.sid).remove();
    expect(await twilioError(client.conversations.v1.credentials(created.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await twilioError(client.conversations.v1.credentials(created.sid).remove())).toMatchObject({ status: 404, code: 20404 });
  });

  it('validates credential input with 20001 and stores nothing', async () => {
    const { client, http } = ctx.server;
    const before = (await client.conversations.v1.credentials.list()).length;
    expect((await http('POST', '/conversations/v1/Credentials', { FriendlyName: 'no type' })).body).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(client.conversations.v1.credentials.create({ type: 'sms' as never }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(client.conversations.v1.credentials.create({ type: 'fcm', friendlyName: 'x'.repeat(65) }))).toMatchObject({ status: 400, code: 20001 });
    expect((await http('POST', '/conversations/v1/Credentials', { Type: 'fcm', Bogus: '1' })).body).toMatchObject({ status: 400, code: 20001 });
    expect((await client.conversations.v1.credentials.list()).length).toBe(before);
    // Credentials are account-level only.
    const service = await client.conversations.v1.services.list({ limit: 1 });
    expect((await http('GET', `/conversations/v1/Services/${service[0]!.sid}/Credentials`)).status).toBe(404);
  });

  it('lists credentials through several pages', async () => {
    const { client, http } = ctx.server;
    const sids: string[] = [];
    for (let i = 0; i < 5; i++) sids.push((await client.conversations.v1.credentials.create({ type: 'fcm', friendlyName: `page-${i}`, secret: `s${i}` })).sid);
    const seen: string[] = [];
    await client.conversations.v1.credentials.each({ pageSize: 2 }, (c) => {
      seen.push(c.sid);
    });
    expect(seen.filter((s) => sids.includes(s))).toEqual(sids);
    const page = await client.conversations.v1.credentials.page({ pageSize: 2 });
    expect(page.instances.length).toBe(2);
    expect((await page.nextPage())!.instances.length).toBe(2);
    expect((await http('GET', '/conversations/v1/Credentials?PageSize=1000')).body.meta.page_size).toBe(100);
  });

  it('registers bindings (upsert by endpoint+identity), filters, fetches and deletes them', async () => {
    const { client, parley, accountSid, http } = ctx.server;
    const service = await client.conversations.v1.services.create({ friendlyName: 'push' });
    const apn = await client.conversations.v1.credentials.create({ type: 'apn', certificate: CERT, privateKey: KEY });
    const fcm = await client.conversations.v1.credentials.create({ type: 'fcm', secret: 'server-key' });
    const reg = parley.conversations.bindings;
    const a1 = await reg.register(accountSid, service.sid, { credentialSid: apn.sid, endpoint: 'ios-device-1', identity: 'alice', bindingType: 'apn', messageTypes: ['new_message'] });
    const a2 = await reg.register(accountSid, service.sid, { credentialSid: fcm.sid, endpoint: 'android-1', identity: 'alice', bindingType: 'fcm', messageTypes: ['new_message', 'added_to_conversation'] });
    const b1 = await reg.register(accountSid, service.sid, { credentialSid: fcm.sid, endpoint: 'android-2', identity: 'bob', bindingType: 'fcm', messageTypes: ['new_message'] });
    const c1 = await reg.register(accountSid, service.sid, { credentialSid: fcm.sid, endpoint: 'android-3', identity: 'carol', bindingType: 'gcm', messageTypes: [] });
    // Re-registering the same endpoint for the same identity updates in place.
    const again = await reg.register(accountSid, service.sid, { credentialSid: fcm.sid, endpoint: 'ios-device-1', identity: 'alice', bindingType: 'fcm', messageTypes: ['removed_from_conversation'] });
    expect(again.row.sid).toBe(a1.row.sid);
    expect(again.messageTypes).toEqual(['removed_from_conversation']);
    await expect(reg.register(accountSid, service.sid, { credentialSid: 'CR' + '0'.repeat(32), endpoint: 'x', identity: 'x', bindingType: 'apn', messageTypes: [] })).rejects.toMatchObject({ code: 20001 });

    const bindings = client.conversations.v1.services(service.sid).bindings;
    const fetched = await bindings(a2.row.sid).fetch();
    expect(fetched).toMatchObject({
      sid: a2.row.sid,
      accountSid,
      chatServiceSid: service.sid,
      credentialSid: fcm.sid,
      endpoint: 'android-1',
      identity: 'alice',
      bindingType: 'fcm',
      messageTypes: ['new_message', 'added_to_conversation'],
    });
    expect(fetched.sid).toMatch(/^BS[0-9a-f]{32}$/);
    expect(fetched.url).toBe(`${service.url}/Bindings/${a2.row.sid}`);

    const sidsOf = async (opts: { bindingType?: Array<'apn' | 'gcm' | 'fcm' | 'twilsock'>; identity?: string[] }) => (await bindings.list(opts)).map((b) => b.sid);
    expect(await sidsOf({})).toEqual([a1.row.sid, a2.row.sid, b1.row.sid, c1.row.sid]);
    expect(await sidsOf({ identity: ['alice'] })).toEqual([a1.row.sid, a2.row.sid]);
    expect(await sidsOf({ identity: ['bob', 'carol'] })).toEqual([b1.row.sid, c1.row.sid]);
    expect(await sidsOf({ bindingType: ['gcm'] })).toEqual([c1.row.sid]);
    expect(await sidsOf({ bindingType: ['fcm'], identity: ['alice', 'carol'] })).toEqual([a1.row.sid, a2.row.sid]);
    expect(await sidsOf({ bindingType: ['apn', 'twilsock'] })).toEqual([]);

    // Filters are carried into every page URL.
    const page = await bindings.page({ pageSize: 1, identity: ['alice'] });
    expect(page.instances.map((b) => b.sid)).toEqual([a1.row.sid]);
    const next = await page.nextPage();
    expect(next!.instances.map((b) => b.sid)).toEqual([a2.row.sid]);
    const raw = await http('GET', `/conversations/v1/Services/${service.sid}/Bindings?PageSize=1&Identity=alice`);
    expect(raw.body.meta.next_page_url).toContain('Identity=alice');
    expect(raw.body.meta.key).toBe('bindings');
    expect((await http('GET', `/conversations/v1/Services/${service.sid}/Bindings?BindingType=sms`)).body).toMatchObject({ status: 400, code: 20001 });

    await bindings(b1.row.sid).remove();
    expect(await twilioError(bindings(b1.row.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    // Bindings belong to their service only.
    const other = await client.conversations.v1.services.create({ friendlyName: 'other push' });
    expect(await twilioError(client.conversations.v1.services(other.sid).bindings(a1.row.sid).fetch())).toMatchObject({ status: 404 });

    // Deleting a credential removes the bindings that depended on it.
    await client.conversations.v1.credentials(apn.sid).remove();
    expect(await sidsOf({})).toEqual([a1.row.sid, a2.row.sid, c1.row.sid]);
    await client.conversations.v1.credentials(fcm.sid).remove();
    expect(await sidsOf({})).toEqual([]);
  });

  it('reports a user notifiable once it has a push binding, when reachability is enabled', async () => {
    const { client, parley, accountSid } = ctx.server;
    const service = await client.conversations.v1.services.create({ friendlyName: 'reachability' });
    const svc = client.conversations.v1.services(service.sid);
    await svc.users.create({ identity: 'dana' });
    expect((await svc.users('dana').fetch()).isNotifiable).toBeNull();
    await parley.storage.db.updateTable('conv_services').set({ reachability_enabled: 1 }).where('sid', '=', service.sid).execute();
    expect((await svc.users('dana').fetch()).isNotifiable).toBeNull();
    const cred = await client.conversations.v1.credentials.create({ type: 'fcm', secret: 'k' });
    await parley.conversations.bindings.register(accountSid, service.sid, { credentialSid: cred.sid, endpoint: 'dana-phone', identity: 'dana', bindingType: 'fcm', messageTypes: ['new_message'] });
    expect((await svc.users('dana').fetch()).isNotifiable).toBe(true);
    // Lists never carry reachability.
    expect((await svc.users.list())[0]!.isNotifiable).toBeNull();
  });
});
