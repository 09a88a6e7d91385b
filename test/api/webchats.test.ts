import { it, expect } from 'vitest';
import { describeEngines, twilioError } from '../support/harness.js';

describeEngines('Flex WebChats (v2)', (ctx) => {
  it('starts a web chat on the chat address: conversation, guest identity and participant; 201 with no token', async () => {
    const s = ctx.server;
    const address = (await s.client.conversations.v1.addressConfigurations.list()).find((a) => a.address === 'parley-webchat')!;
    const chat = await s.client.flexApi.v2.webChannels.create({ addressSid: address.sid, chatFriendlyName: 'Chat with Ada', customerFriendlyName: 'Ada', preEngagementData: JSON.stringify({ friendlyName: 'Ada', question: 'Refund?' }) });
    expect(chat.conversationSid).toMatch(/^CH[0-9a-f]{32}$/);
    expect(chat.identity).toMatch(/^[0-9a-f-]{36}$/);
    const conv = await s.client.conversations.v1.conversations(chat.conversationSid).fetch();
    expect(conv.friendlyName).toBe('Chat with Ada');
    expect(JSON.parse(conv.attributes)).toEqual({ pre_engagement_data: { friendlyName: 'Ada', question: 'Refund?' }, from: 'Ada' });
    const members = await s.client.conversations.v1.conversations(chat.conversationSid).participants.list();
    expect(members.map((m) => [m.identity, m.messagingBinding])).toEqual([[chat.identity, null]]);
    expect((await s.client.conversations.v1.users(chat.identity).fetch()).friendlyName).toBe('Ada');
    // The provisioned chat address runs the account's Messaging Flow: the conversation gets its studio webhook.
    const [messagingFlow] = (await s.client.studio.v2.flows.list()).filter((f) => f.friendlyName === 'Messaging Flow');
    expect((await s.client.conversations.v1.conversations(chat.conversationSid).webhooks.list()).map((h) => [h.target, h.configuration.flowSid ?? h.configuration.flow_sid])).toEqual([['studio', messagingFlow!.sid]]);

    const raw = await s.http('POST', '/flex-api/v2/WebChats', { AddressSid: address.sid, Identity: 'returning-guest' }, { 'Ui-Version': '2.8.0' });
    expect(raw.status).toBe(201);
    expect(raw.body).toEqual({ conversation_sid: expect.stringMatching(/^CH/), identity: 'returning-guest' });
    // The same guest may start another chat.
    const again = await s.client.flexApi.v2.webChannels.create({ addressSid: address.sid, identity: 'returning-guest' });
    expect(again.identity).toBe('returning-guest');
    expect(again.conversationSid).not.toBe(raw.body.conversation_sid);
  });

  it("wires the address's integration: a studio flow or a webhook, as conversation-scoped webhooks", async () => {
    const s = ctx.server;
    const flowSid = 'FW' + 'b'.repeat(32);
    const studio = await s.client.conversations.v1.addressConfigurations.create({ type: 'chat', address: 'studio-chat', 'autoCreation.enabled': true, 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': flowSid });
    const a = await s.client.flexApi.v2.webChannels.create({ addressSid: studio.sid });
    const [hook] = await s.client.conversations.v1.conversations(a.conversationSid).webhooks.list();
    expect(hook).toMatchObject({ target: 'studio' });
    expect(hook!.configuration).toMatchObject({ flow_sid: flowSid });

    const web = await s.client.conversations.v1.addressConfigurations.create({ type: 'chat', address: 'hook-chat', 'autoCreation.enabled': true, 'autoCreation.type': 'webhook', 'autoCreation.webhookUrl': 'https://example.com/chat', 'autoCreation.webhookMethod': 'post', 'autoCreation.webhookFilters': ['onMessageAdded'] });
    const b = await s.client.flexApi.v2.webChannels.create({ addressSid: web.sid, customerFriendlyName: 'Bo' });
    const [wh] = await s.client.conversations.v1.conversations(b.conversationSid).webhooks.list();
    expect(wh).toMatchObject({ target: 'webhook' });
    expect(wh!.configuration).toMatchObject({ url: 'https://example.com/chat', filters: ['onMessageAdded'] });
    expect(String((wh!.configuration as { method: string }).method).toUpperCase()).toBe('POST');

    // A disabled integration is not attached.
    const off = await s.client.conversations.v1.addressConfigurations.create({ type: 'chat', address: 'off-chat', 'autoCreation.enabled': false, 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': flowSid });
    const c = await s.client.flexApi.v2.webChannels.create({ addressSid: off.sid });
    expect(await s.client.conversations.v1.conversations(c.conversationSid).webhooks.list()).toEqual([]);
  });

  it('refuses what is not a chat address, and bad parameters, creating nothing', async () => {
    const s = ctx.server;
    const before = (await s.client.conversations.v1.conversations.list()).length;
    const sms = await s.client.conversations.v1.addressConfigurations.create({ type: 'sms', address: '+15005550009' });
    expect(await twilioError(s.client.flexApi.v2.webChannels.create({ addressSid: sms.sid }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(s.client.flexApi.v2.webChannels.create({ addressSid: 'IG' + '0'.repeat(32) }))).toMatchObject({ status: 404, code: 20404 });
    const chat = (await s.client.conversations.v1.addressConfigurations.list()).find((a) => a.address === 'parley-webchat')!;
    expect(await s.http('POST', '/flex-api/v2/WebChats', { ChatFriendlyName: 'x' })).toMatchObject({ status: 400, body: { code: 20001, message: 'Missing required parameter AddressSid in the post body' } });
    expect(await s.http('POST', '/flex-api/v2/WebChats', { AddressSid: chat.sid, PreEngagementData: '{nope' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await s.http('POST', '/flex-api/v2/WebChats', { AddressSid: chat.sid, Token: 'x' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect((await s.client.conversations.v1.conversations.list()).length).toBe(before);
    expect((await s.http('POST', '/flex-api/v2/WebChats', { AddressSid: chat.sid }, { Authorization: 'Basic ' + Buffer.from('AC' + '0'.repeat(32) + ':nope').toString('base64') })).status).toBe(401);
  });
});
