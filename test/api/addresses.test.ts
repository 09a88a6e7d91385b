import { it, expect } from 'vitest';
import { describeEngines, twilioError } from '../support/harness.js';

const FW = 'FW' + 'b'.repeat(32);

describeEngines('Conversations address configurations', (ctx) => {
  it('creates, fetches by SID and by address, updates and deletes an address configuration', async () => {
    const { client, origin } = ctx.server;
    const defaultService = (await client.conversations.v1.configuration().fetch()).defaultChatServiceSid;
    const created = await client.conversations.v1.addressConfigurations.create({
      type: 'sms',
      address: '+37256123457',
      friendlyName: 'My Test Configuration',
      addressCountry: 'ee',
      'autoCreation.enabled': true,
      'autoCreation.type': 'webhook',
      'autoCreation.webhookUrl': 'https://example.com/auto',
      'autoCreation.webhookMethod': 'post',
      'autoCreation.webhookFilters': ['onParticipantAdded', 'onMessageAdded'],
    });
    expect(created.sid).toMatch(/^IG[0-9a-f]{32}$/);
    expect(created).toMatchObject({ accountSid: ctx.server.accountSid, type: 'sms', address: '+37256123457', friendlyName: 'My Test Configuration', addressCountry: 'EE', url: `${origin}/conversations/v1/Configuration/Addresses/${created.sid}` });
    expect(created.autoCreation).toEqual({
      enabled: true,
      type: 'webhook',
      conversation_service_sid: defaultService,
      webhook_url: 'https://example.com/auto',
      webhook_method: 'POST',
      webhook_filters: ['onParticipantAdded', 'onMessageAdded'],
    });
    expect(created.dateCreated).toBeInstanceOf(Date);

    expect((await client.conversations.v1.addressConfigurations(created.sid).fetch()).address).toBe('+37256123457');
    expect((await client.conversations.v1.addressConfigurations('+37256123457').fetch()).sid).toBe(created.sid);

    const studio = await client.conversations.v1.addressConfigurations('+37256123457').update({ friendlyName: 'Studio now', 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': FW, 'autoCreation.studioRetryCount': 2, 'autoCreation.enabled': false });
    expect(studio.friendlyName).toBe('Studio now');
    expect(studio.autoCreation).toEqual({ enabled: false, type: 'studio', conversation_service_sid: defaultService, studio_flow_sid: FW, studio_retry_count: 2 });

    const dflt = await client.conversations.v1.addressConfigurations(created.sid).update({ 'autoCreation.type': 'default' });
    expect(dflt.autoCreation).toEqual({ enabled: false, type: 'default', conversation_service_sid: defaultService });

    expect(await client.conversations.v1.addressConfigurations(created.sid).remove()).toBe(true);
    expect(await twilioError(client.conversations.v1.addressConfigurations(created.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await twilioError(client.conversations.v1.addressConfigurations('+37256123457').remove())).toMatchObject({ status: 404, code: 20404 });
  });

  it('accepts every address type, Type in any case, with per-type address checks', async () => {
    const { client, http } = ctx.server;
    const service = await client.conversations.v1.services.create({ friendlyName: 'auto target' });
    const wa = await client.conversations.v1.addressConfigurations.create({ type: 'WhatsApp' as never, address: 'whatsapp:+14155550100', 'autoCreation.enabled': true, 'autoCreation.conversationServiceSid': service.sid });
    expect(wa.type).toBe('whatsapp');
    expect(wa.autoCreation).toMatchObject({ enabled: true, type: 'default', conversation_service_sid: service.sid });
    // The same WhatsApp sender without the prefix is a duplicate; fetch works with either spelling.
    expect(await twilioError(client.conversations.v1.addressConfigurations.create({ type: 'whatsapp', address: '+14155550100' }))).toMatchObject({ status: 409, code: 50407 });
    expect((await client.conversations.v1.addressConfigurations('whatsapp:+14155550100').fetch()).sid).toBe(wa.sid);
    // Same number on another channel is a different address.
    const sms = await client.conversations.v1.addressConfigurations.create({ type: 'sms', address: '+14155550100' });
    expect((await client.conversations.v1.addressConfigurations('+14155550100').fetch()).sid).toBe(sms.sid);
    expect(await twilioError(client.conversations.v1.addressConfigurations.create({ type: 'sms', address: '+14155550100' }))).toMatchObject({ status: 409, code: 50407 });

    for (const [type, address] of [
      ['sms', '12345'],
      ['email', 'support@example.com'],
      ['messenger', 'messenger:1234567890'],
      ['gbm', 'agent-1'],
      ['rcs', 'rcs:parley_agent'],
      ['apple', 'apple-business-id'],
      ['chat', 'web-widget'],
    ] as const) {
      const a = await client.conversations.v1.addressConfigurations.create({ type, address });
      expect(a).toMatchObject({ type, address });
    }
    const raw = await http('POST', '/conversations/v1/Configuration/Addresses', { Type: 'EMAIL', Address: 'sales@example.com' });
    expect(raw).toMatchObject({ status: 201, body: { type: 'email', address: 'sales@example.com', auto_creation: { enabled: false, type: 'default' } } });
  });

  it('refuses invalid address configurations with 20001 and stores nothing', async () => {
    const { client, http } = ctx.server;
    const before = (await client.conversations.v1.addressConfigurations.list()).length;
    const base = { type: 'sms' as const, address: '+15005550006' };
    const cases: Array<Record<string, unknown>> = [
      { type: 'fax', address: '+15005550006' },
      { type: 'sms', address: '5551234' + 'x' },
      { type: 'sms', address: 'whatsapp:+15005550006' },
      { type: 'whatsapp', address: 'whatsapp:15005550006' },
      { type: 'email', address: 'not-an-email' },
      { type: 'chat', address: 'has space' },
      { ...base, friendlyName: 'x'.repeat(257) },
      { ...base, addressCountry: 'USA' },
      { ...base, 'autoCreation.type': 'webhook' },
      { ...base, 'autoCreation.type': 'studio' },
      { ...base, 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': 'FW123' },
      { ...base, 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': FW, 'autoCreation.studioRetryCount': 4 },
      { ...base, 'autoCreation.type': 'webhook', 'autoCreation.webhookUrl': 'example.com/hook' },
      { ...base, 'autoCreation.type': 'webhook', 'autoCreation.webhookUrl': 'https://example.com', 'autoCreation.webhookMethod': 'PUT' as never },
      { ...base, 'autoCreation.type': 'webhook', 'autoCreation.webhookUrl': 'https://example.com', 'autoCreation.webhookFilters': ['onMessageAdd'] },
      { ...base, 'autoCreation.type': 'bot' as never },
      { ...base, 'autoCreation.conversationServiceSid': 'IS' + '0'.repeat(32) },
      { ...base, 'autoCreation.conversationServiceSid': 'CH' + '0'.repeat(32) },
    ];
    for (const params of cases) {
      expect(await twilioError(client.conversations.v1.addressConfigurations.create(params as never)), JSON.stringify(params)).toMatchObject({ status: 400, code: 20001 });
    }
    expect(await http('POST', '/conversations/v1/Configuration/Addresses', { Address: '+15005550006' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await http('POST', '/conversations/v1/Configuration/Addresses', { Type: 'sms' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await http('POST', '/conversations/v1/Configuration/Addresses', { ...base, Type: 'sms', Address: '+15005550006', 'AutoCreation.StudioRetryCount': 'three' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect((await client.conversations.v1.addressConfigurations.list()).length).toBe(before);

    // Updates: Type, Address and AddressCountry cannot change; the merged settings must still be complete.
    const a = await client.conversations.v1.addressConfigurations.create(base);
    expect(await http('POST', `/conversations/v1/Configuration/Addresses/${a.sid}`, { Address: '+15005550007' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await http('POST', `/conversations/v1/Configuration/Addresses/${a.sid}`, { Type: 'whatsapp' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await twilioError(client.conversations.v1.addressConfigurations(a.sid).update({ 'autoCreation.type': 'webhook' }))).toMatchObject({ status: 400, code: 20001 });
    const hooked = await client.conversations.v1.addressConfigurations(a.sid).update({ 'autoCreation.type': 'webhook', 'autoCreation.webhookUrl': 'https://example.com/a', 'autoCreation.webhookMethod': 'get' });
    expect(hooked.autoCreation).toMatchObject({ type: 'webhook', webhook_url: 'https://example.com/a', webhook_method: 'GET', webhook_filters: [] });
    expect(await twilioError(client.conversations.v1.addressConfigurations(a.sid).update({ 'autoCreation.webhookFilters': ['onConversationAdded'] }))).toMatchObject({ status: 400, code: 20001 });
    expect((await client.conversations.v1.addressConfigurations(a.sid).fetch()).autoCreation).toEqual(hooked.autoCreation);
    expect(await twilioError(client.conversations.v1.addressConfigurations('IG' + '0'.repeat(32)).update({ friendlyName: 'x' }))).toMatchObject({ status: 404, code: 20404 });
  });

  it('lists through several pages and filters by Type', async () => {
    const { client } = ctx.server;
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) mine.push((await client.conversations.v1.addressConfigurations.create({ type: 'rcs', address: `rcs:paging_${i}` })).sid);
    const seen: string[] = [];
    await client.conversations.v1.addressConfigurations.each({ type: 'rcs', pageSize: 2 }, (a) => {
      seen.push(a.sid);
    });
    expect(seen.filter((s) => mine.includes(s))).toEqual(mine);
    expect(seen.length).toBe(mine.length + 1); // rcs:parley_agent from the earlier test
    const page = await client.conversations.v1.addressConfigurations.page({ type: 'rcs', pageSize: 2 });
    expect(page.instances.length).toBe(2);
    const next = await page.nextPage();
    expect(next!.instances.length).toBe(2);
    const prev = await next!.previousPage();
    expect(prev!.instances.map((a) => a.sid)).toEqual(page.instances.map((a) => a.sid));
    const all = await client.conversations.v1.addressConfigurations.list();
    expect(all.some((a) => a.type === 'sms')).toBe(true);
    const raw = await ctx.server.http('GET', '/conversations/v1/Configuration/Addresses?Type=RCS&PageSize=100');
    expect(raw.status).toBe(200);
    expect(raw.body.meta).toMatchObject({ key: 'address_configurations', page_size: 50 });
    expect(raw.body.address_configurations.every((a: { type: string }) => a.type === 'rcs')).toBe(true);
    expect(await ctx.server.http('GET', '/conversations/v1/Configuration/Addresses?Type=pager')).toMatchObject({ status: 400, body: { code: 20001 } });
  });

  it('finds the configuration for an inbound address (channel lookup)', async () => {
    const { client, parley, accountSid } = ctx.server;
    const svc = await client.conversations.v1.services.create({ friendlyName: 'wa auto' });
    const a = await client.conversations.v1.addressConfigurations.create({ type: 'whatsapp', address: '+14155550199', 'autoCreation.enabled': true, 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': FW, 'autoCreation.conversationServiceSid': svc.sid });
    const found = await parley.conversations.addresses.findByAddress(accountSid, 'whatsapp', 'whatsapp:+14155550199');
    expect(found?.row.sid).toBe(a.sid);
    expect(found?.serviceSid).toBe(svc.sid);
    expect(found?.autoCreation).toMatchObject({ enabled: true, type: 'studio', studio_flow_sid: FW });
    expect((await parley.conversations.addresses.findByAddress(accountSid, 'WHATSAPP', '+14155550199'))?.row.sid).toBe(a.sid);
    expect(await parley.conversations.addresses.findByAddress(accountSid, 'sms', '+14155550199')).toBeUndefined();
    const email = await client.conversations.v1.addressConfigurations.create({ type: 'email', address: 'help@example.com' });
    const viaDefault = await parley.conversations.addresses.findByAddress(accountSid, 'email', 'help@example.com');
    expect(viaDefault?.row.sid).toBe(email.sid);
    expect(viaDefault?.serviceSid).toBe((await client.conversations.v1.configuration().fetch()).defaultChatServiceSid);
  });
});
