import { it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { describeEngines, type Server } from '../support/harness.js';
import { receiverPerTest, configureAccountWebhooks } from '../support/webhooks.js';
import { startFakeCarrier, sendSignedWebhook, inboundParams, phone, eventually, type FakeCarrier } from '../support/fake-carrier.js';

const FW = 'FW' + 'd'.repeat(32);

async function connect(server: Server, carrier: FakeCarrier): Promise<void> {
  const res = await server.http('POST', '/parley/v1/Channels/TwilioMessaging', { AccountSid: carrier.accountSid, AuthToken: carrier.authToken, ApiUrl: carrier.url });
  expect(res.status).toBe(200);
}

/** The conversations a customer address takes part in. */
async function conversationsOf(server: Server, address: string) {
  return server.client.conversations.v1.participantConversations.list({ address });
}

describeEngines('Carrier inbound (Twilio Messaging webhook)', (ctx) => {
  let carrier: FakeCarrier;
  const receiver = receiverPerTest(ctx);
  const webhookUrl = () => `${ctx.server.origin}/webhooks/twilio/messaging`;
  const inbound = (params: Record<string, string>, token: string | null = carrier.authToken, url = webhookUrl()) => sendSignedWebhook(url, params, token);

  beforeAll(async () => {
    carrier = await startFakeCarrier();
    await connect(ctx.server, carrier);
  });
  afterAll(async () => carrier?.close());

  it('auto-creates a conversation, the customer participant and the message, fires the post-event webhooks and the address webhook', async () => {
    const { client, parley, accountSid } = ctx.server;
    const number = phone();
    const customer = phone();
    await client.conversations.v1.addressConfigurations.create({
      type: 'sms',
      address: number,
      'autoCreation.enabled': true,
      'autoCreation.type': 'webhook',
      'autoCreation.webhookUrl': `${receiver.url}/address-hook`,
      'autoCreation.webhookMethod': 'post',
      'autoCreation.webhookFilters': ['onParticipantAdded', 'onMessageAdded'],
    });
    await configureAccountWebhooks(parley.storage.db, accountSid, { post: `${receiver.url}/post`, filters: ['onConversationAdded', 'onParticipantAdded', 'onMessageAdded'] });

    const res = await inbound(inboundParams(carrier, { from: customer, to: number, body: 'Hello, I need help' }));
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^text\/xml/);
    expect(res.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');

    const [pc] = await conversationsOf(ctx.server, customer);
    expect(pc).toBeDefined();
    const conv = await client.conversations.v1.conversations(pc!.conversationSid).fetch();
    expect(conv.state).toBe('active');
    const participants = await client.conversations.v1.conversations(conv.sid).participants.list();
    expect(participants).toHaveLength(1);
    expect(participants[0]!.identity).toBeNull();
    expect(participants[0]!.messagingBinding).toEqual({ type: 'sms', address: customer, proxy_address: number });
    const messages = await client.conversations.v1.conversations(conv.sid).messages.list();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ index: 0, author: customer, body: 'Hello, I need help', participantSid: participants[0]!.sid, media: null });
    const hooks = await client.conversations.v1.conversations(conv.sid).webhooks.list();
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({ target: 'webhook' });
    expect(hooks[0]!.configuration).toMatchObject({ url: `${receiver.url}/address-hook`, method: 'post', filters: ['onParticipantAdded', 'onMessageAdded'] });

    await ctx.server.settle();
    const got = await receiver.waitFor(5);
    const post = got.filter((r) => r.url === '/post').map((r) => r.params);
    expect(post.map((p) => p.EventType)).toEqual(['onConversationAdded', 'onParticipantAdded', 'onMessageAdded']);
    expect(post[0]).toMatchObject({ ConversationSid: conv.sid, 'MessagingBinding.Address': customer, 'MessagingBinding.ProxyAddress': number, 'MessagingBinding.AuthorAddress': customer, State: 'active', Source: 'SMS' });
    expect(post[1]).toMatchObject({ ParticipantSid: participants[0]!.sid, 'MessagingBinding.Address': customer, 'MessagingBinding.ProxyAddress': number, 'MessagingBinding.Type': 'SMS' });
    expect(post[2]).toMatchObject({ MessageSid: messages[0]!.sid, Author: customer, Body: 'Hello, I need help', ParticipantSid: participants[0]!.sid, Source: 'SMS', Index: '0' });
    const scoped = got.filter((r) => r.url === '/address-hook').map((r) => r.params);
    expect(scoped.map((p) => p.EventType).sort()).toEqual(['onMessageAdded', 'onParticipantAdded']);

    // The customer's next message lands in the same conversation.
    expect((await inbound(inboundParams(carrier, { from: customer, to: number, body: 'Anyone there?' }))).status).toBe(200);
    expect(await conversationsOf(ctx.server, customer)).toHaveLength(1);
    const after = await client.conversations.v1.conversations(conv.sid).messages.list();
    expect(after.map((m) => [m.index, m.body])).toEqual([[0, 'Hello, I need help'], [1, 'Anyone there?']]);
  });

  it('stores a message once when the carrier retries it (same MessageSid)', async () => {
    const { client } = ctx.server;
    const number = phone();
    const customer = phone();
    await client.conversations.v1.addressConfigurations.create({ type: 'sms', address: number, 'autoCreation.enabled': true });
    const params = inboundParams(carrier, { from: customer, to: number, body: 'once' });
    const results = await Promise.all([inbound(params), inbound(params)]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect((await inbound(params)).status).toBe(200);
    const convs = await conversationsOf(ctx.server, customer);
    expect(convs).toHaveLength(1);
    expect(await client.conversations.v1.conversations(convs[0]!.conversationSid).messages.list()).toHaveLength(1);
  });

  it('opens a new conversation once the old one is closed', async () => {
    const { client } = ctx.server;
    const number = phone();
    const customer = phone();
    await client.conversations.v1.addressConfigurations.create({ type: 'sms', address: number, 'autoCreation.enabled': true });
    await inbound(inboundParams(carrier, { from: customer, to: number, body: 'first visit' }));
    const [first] = await conversationsOf(ctx.server, customer);
    await client.conversations.v1.conversations(first!.conversationSid).update({ state: 'closed' });
    await inbound(inboundParams(carrier, { from: customer, to: number, body: 'second visit' }));
    const all = await conversationsOf(ctx.server, customer);
    expect(all).toHaveLength(2);
    const second = all.find((c) => c.conversationSid !== first!.conversationSid)!;
    expect(second.conversationState).toBe('active');
    expect((await client.conversations.v1.conversations(second.conversationSid).messages.list()).map((m) => m.body)).toEqual(['second visit']);
    expect((await client.conversations.v1.conversations(first!.conversationSid).messages.list()).map((m) => m.body)).toEqual(['first visit']);
  });

  it('joins an open conversation bound to the address pair even without an address configuration, and reactivates it', async () => {
    const { client } = ctx.server;
    const proxy = phone();
    const customer = phone();
    const conv = await client.conversations.v1.conversations.create({ friendlyName: 'agent-initiated' });
    await client.conversations.v1.conversations(conv.sid).participants.create({ 'messagingBinding.address': customer, 'messagingBinding.proxyAddress': proxy });
    await client.conversations.v1.conversations(conv.sid).update({ state: 'inactive' });
    expect((await inbound(inboundParams(carrier, { from: customer, to: proxy, body: 'replying' }))).status).toBe(200);
    const msgs = await client.conversations.v1.conversations(conv.sid).messages.list();
    expect(msgs.map((m) => m.body)).toEqual(['replying']);
    expect((await client.conversations.v1.conversations(conv.sid).fetch()).state).toBe('active');
  });

  it('records nothing without an address configuration or with auto-creation disabled, and still answers 200', async () => {
    const { client } = ctx.server;
    const disabled = phone();
    await client.conversations.v1.addressConfigurations.create({ type: 'sms', address: disabled, 'autoCreation.enabled': false });
    const customer = phone();
    for (const to of [phone(), disabled]) {
      const res = await inbound(inboundParams(carrier, { from: customer, to, body: 'hello?' }));
      expect(res.status).toBe(200);
      expect(res.body).toContain('<Response/>');
    }
    expect(await conversationsOf(ctx.server, customer)).toEqual([]);
  });

  it('attaches a studio webhook for a studio-type address', async () => {
    const { client } = ctx.server;
    const number = phone();
    const customer = phone();
    const service = await client.conversations.v1.services.create({ friendlyName: 'bots' });
    await client.conversations.v1.addressConfigurations.create({ type: 'sms', address: number, 'autoCreation.enabled': true, 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': FW, 'autoCreation.conversationServiceSid': service.sid });
    await inbound(inboundParams(carrier, { from: customer, to: number, body: 'start' }));
    const convs = await client.conversations.v1.services(service.sid).participantConversations.list({ address: customer });
    expect(convs).toHaveLength(1);
    expect(convs[0]!.chatServiceSid).toBe(service.sid);
    const hooks = await client.conversations.v1.services(service.sid).conversations(convs[0]!.conversationSid).webhooks.list();
    expect(hooks.map((h) => [h.target, h.configuration])).toEqual([['studio', { flow_sid: FW }]]);
    // Not in the default service.
    expect(await conversationsOf(ctx.server, customer)).toEqual([]);
  });

  it('refuses unsigned, wrongly signed, tampered and unknown-account webhooks with 403 and stores nothing', async () => {
    const { client } = ctx.server;
    const number = phone();
    const customer = phone();
    await client.conversations.v1.addressConfigurations.create({ type: 'sms', address: number, 'autoCreation.enabled': true });
    const params = inboundParams(carrier, { from: customer, to: number, body: 'forged?' });
    const raw = (url: string, body: Record<string, string>, signature: string) =>
      fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature }, body: new URLSearchParams(body).toString() });
    const good = twilio.getExpectedTwilioSignature(carrier.authToken, webhookUrl(), params);

    expect((await inbound(params, null)).status).toBe(403);
    expect((await inbound(params, 'not-the-token')).status).toBe(403);
    // A signature for this URL does not cover another one, nor a changed body.
    expect((await raw(webhookUrl() + '?x=1', params, good)).status).toBe(403);
    expect((await raw(webhookUrl(), { ...params, Body: 'changed' }, good)).status).toBe(403);
    // A carrier account no Parley account uses.
    expect((await inbound({ ...params, AccountSid: 'AC' + randomBytes(16).toString('hex') })).status).toBe(403);
    expect(await conversationsOf(ctx.server, customer)).toEqual([]);

    // The refusals did not mark the message as seen: signed, it is taken in once.
    expect((await raw(webhookUrl(), params, good)).status).toBe(200);
    const convs = await conversationsOf(ctx.server, customer);
    expect(convs).toHaveLength(1);
    expect((await client.conversations.v1.conversations(convs[0]!.conversationSid).messages.list()).map((m) => m.body)).toEqual(['forged?']);
  });

  it('takes in WhatsApp media, fetched from the carrier with its credentials and stored in Parley', async () => {
    const { client, http } = ctx.server;
    const number = `whatsapp:${phone()}`;
    const customer = `whatsapp:${phone()}`;
    await client.conversations.v1.addressConfigurations.create({ type: 'whatsapp', address: number, 'autoCreation.enabled': true });
    const image = randomBytes(2048);
    const url = carrier.hostMedia('image/jpeg', image);
    const res = await inbound(inboundParams(carrier, { from: customer, to: number, body: 'see photo', media: [{ url, contentType: 'image/jpeg' }] }));
    expect(res.status).toBe(200);
    expect(carrier.mediaFetches.filter((f) => url.endsWith(f.path))).toEqual([{ path: new URL(url).pathname, authorized: true }]);
    const [pc] = await conversationsOf(ctx.server, customer);
    const participants = await client.conversations.v1.conversations(pc!.conversationSid).participants.list();
    expect(participants[0]!.messagingBinding).toEqual({ type: 'whatsapp', address: customer, proxy_address: number });
    const [msg] = await client.conversations.v1.conversations(pc!.conversationSid).messages.list();
    expect(msg!.body).toBe('see photo');
    expect(msg!.media).toHaveLength(1);
    const m = (msg!.media as Array<{ sid: string; content_type: string; size: number }>)[0]!;
    expect(m).toMatchObject({ content_type: 'image/jpeg', size: image.length });
    const content = await fetch(`${ctx.server.origin}/mcs/v1/Services/${pc!.chatServiceSid}/Media/${m.sid}/Content`, { headers: { Authorization: 'Basic ' + Buffer.from(`${ctx.server.accountSid}:${ctx.server.authToken}`).toString('base64') } });
    expect(Buffer.from(await content.arrayBuffer()).equals(image)).toBe(true);
    const meta = await http('GET', `/mcs/v1/Services/${pc!.chatServiceSid}/Media/${m.sid}`);
    expect(meta.body).toMatchObject({ author: customer, message_sid: msg!.sid, channel_sid: pc!.conversationSid });
  });

  it('takes in an MMS with several files; a file that cannot be fetched fails the webhook and stores nothing', async () => {
    const { client } = ctx.server;
    const number = phone();
    const customer = phone();
    await client.conversations.v1.addressConfigurations.create({ type: 'sms', address: number, 'autoCreation.enabled': true });
    const files = [carrier.hostMedia('image/png', randomBytes(100)), carrier.hostMedia('application/pdf', randomBytes(300))];
    const broken = await inbound(inboundParams(carrier, { from: customer, to: number, media: [{ url: files[0]!, contentType: 'image/png' }, { url: `${carrier.url}/media/missing`, contentType: 'image/png' }] }));
    expect(broken.status).toBe(502);
    expect(await conversationsOf(ctx.server, customer)).toEqual([]);

    const res = await inbound(inboundParams(carrier, { from: customer, to: number, media: [{ url: files[0]!, contentType: 'image/png' }, { url: files[1]!, contentType: 'application/pdf' }] }));
    expect(res.status).toBe(200);
    const [pc] = await conversationsOf(ctx.server, customer);
    const [msg] = await client.conversations.v1.conversations(pc!.conversationSid).messages.list();
    expect(msg!.body).toBeNull();
    expect((msg!.media as Array<{ content_type: string; size: number }>).map((x) => [x.content_type, x.size])).toEqual([['image/png', 100], ['application/pdf', 300]]);
  });

  it('two first messages racing from one customer end up in one conversation', async () => {
    const { client } = ctx.server;
    const number = phone();
    const customer = phone();
    await client.conversations.v1.addressConfigurations.create({ type: 'sms', address: number, 'autoCreation.enabled': true });
    const res = await Promise.all(['one', 'two', 'three'].map((body) => inbound(inboundParams(carrier, { from: customer, to: number, body }))));
    expect(res.map((r) => r.status)).toEqual([200, 200, 200]);
    const convs = await eventually(async () => {
      const list = await conversationsOf(ctx.server, customer);
      return list.length > 0 && list;
    });
    expect(convs).toHaveLength(1);
    const bodies = (await client.conversations.v1.conversations(convs[0]!.conversationSid).messages.list()).map((m) => m.body).sort();
    expect(bodies).toEqual(['one', 'three', 'two']);
  });
});
