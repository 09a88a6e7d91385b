import { randomBytes } from 'node:crypto';
import { it, expect, beforeAll, afterAll } from 'vitest';
import { describeEngines, twilioError, type Server } from '../support/harness.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { storedBytes } from '../support/at-rest.js';

let phone = 0;
/** A fresh customer number (address+proxy pairs are unique across open conversations). */
const number = () => `+1555${String(Date.now() % 1_000_000).padStart(6, '0')}${String(++phone).padStart(2, '0')}`;

async function smsParticipant(server: Server, conversationSid: string) {
  return server.client.conversations.v1.conversations(conversationSid).participants.create({ 'messagingBinding.address': number(), 'messagingBinding.proxyAddress': '+15550000001' });
}

describeEngines('Conversation messages', (ctx) => {
  it('creates, fetches, updates and deletes a message with the Twilio shape', async () => {
    const { client } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({ uniqueName: `msgs-${randomBytes(4).toString('hex')}` });
    const created = await client.conversations.v1.conversations(conv.uniqueName).messages.create({ body: 'Hello', attributes: '{"k":1}' });
    expect(created.sid).toMatch(/^IM[0-9a-f]{32}$/);
    expect(created).toMatchObject({ conversationSid: conv.sid, index: 0, author: 'system', body: 'Hello', attributes: '{"k":1}', participantSid: null, media: null, delivery: null, contentSid: null, dateUpdated: null });
    expect(created.url).toMatch(new RegExp(`/conversations/v1/Conversations/${conv.sid}/Messages/${created.sid}$`));
    expect(created.links).toEqual({ delivery_receipts: `${created.url}/Receipts`, channel_metadata: `${created.url}/ChannelMetadata` });
    expect(created.dateCreated).toBeInstanceOf(Date);

    const fetched = await client.conversations.v1.conversations(conv.sid).messages(created.sid).fetch();
    expect(fetched.toJSON()).toEqual(created.toJSON());

    const updated = await client.conversations.v1.conversations(conv.sid).messages(created.sid).update({ body: 'Hello again', author: 'ops', subject: 'Re: hi' });
    expect(updated).toMatchObject({ body: 'Hello again', author: 'ops', attributes: '{"k":1}', index: 0 });
    expect(updated.dateUpdated).toBeInstanceOf(Date);

    const second = await client.conversations.v1.conversations(conv.sid).messages.create({ author: 'x', body: 'two', dateCreated: new Date('2024-05-01T10:00:00Z') });
    expect(second.index).toBe(1);
    expect(second.dateCreated.toISOString()).toBe('2024-05-01T10:00:00.000Z');

    await client.conversations.v1.conversations(conv.sid).messages(created.sid).remove();
    expect(await twilioError(client.conversations.v1.conversations(conv.sid).messages(created.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    // Indices may skip but never go back.
    expect((await client.conversations.v1.conversations(conv.sid).messages.create({ body: 'three' })).index).toBe(2);
  });

  it('answers under /v1/Services/{IS} too, with chat_service_sid', async () => {
    const { client } = ctx.server;
    const service = await client.conversations.v1.services.create({ friendlyName: 'msg-scoped' });
    const conv = await client.conversations.v1.services(service.sid).conversations.create({});
    const msg = await client.conversations.v1.services(service.sid).conversations(conv.sid).messages.create({ body: 'scoped' });
    expect(msg.chatServiceSid).toBe(service.sid);
    expect(msg.url).toContain(`/v1/Services/${service.sid}/Conversations/${conv.sid}/Messages/${msg.sid}`);
    // The conversation lives in another service than the default one.
    expect(await twilioError(client.conversations.v1.conversations(conv.sid).messages(msg.sid).fetch())).toMatchObject({ status: 404 });
  });

  it('lists in both orders through several pages', async () => {
    const { client } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({});
    const sids: string[] = [];
    for (let i = 0; i < 7; i++) sids.push((await client.conversations.v1.conversations(conv.sid).messages.create({ body: `m${i}` })).sid);
    const asc: string[] = [];
    await client.conversations.v1.conversations(conv.sid).messages.each({ pageSize: 3 }, (m) => void asc.push(m.sid));
    expect(asc).toEqual(sids);
    const desc = await client.conversations.v1.conversations(conv.sid).messages.list({ order: 'desc', pageSize: 3 });
    expect(desc.map((m) => m.sid)).toEqual([...sids].reverse());

    const page = await client.conversations.v1.conversations(conv.sid).messages.page({ order: 'desc', pageSize: 3 });
    expect(page.instances.map((m) => m.body)).toEqual(['m6', 'm5', 'm4']);
    const next = (await page.nextPage())!;
    expect(next.instances.map((m) => m.body)).toEqual(['m3', 'm2', 'm1']);
    expect(((await next.nextPage())!).instances.map((m) => m.body)).toEqual(['m0']);
    expect(((await next.previousPage())!).instances.map((m) => m.body)).toEqual(['m6', 'm5', 'm4']);
    const raw = await ctx.server.http('GET', `/conversations/v1/Conversations/${conv.sid}/Messages?Order=desc&PageSize=2`);
    expect(raw.body.meta).toMatchObject({ key: 'messages', page_size: 2 });
    expect(raw.body.meta.next_page_url).toContain('Order=desc');
    expect((await ctx.server.http('GET', `/conversations/v1/Conversations/${conv.sid}/Messages?Order=sideways`)).body).toMatchObject({ code: 20001 });
  });

  it('gives 20 concurrent creates distinct, gapless, ordered indices', async () => {
    const { client } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({});
    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => client.conversations.v1.conversations(conv.sid).messages.create({ body: `c${i}` })));
    expect(created.map((m) => m.index).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const listed = await client.conversations.v1.conversations(conv.sid).messages.list({ pageSize: 100 });
    expect(listed.map((m) => m.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('attributes a message to the participant whose identity is the author', async () => {
    const { client } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({});
    const alice = await client.conversations.v1.conversations(conv.sid).participants.create({ identity: 'alice' });
    const byAlice = await client.conversations.v1.conversations(conv.sid).messages.create({ author: 'alice', body: 'hi' });
    expect(byAlice.participantSid).toBe(alice.sid);
    const byBob = await client.conversations.v1.conversations(conv.sid).messages.create({ author: 'bob', body: 'hi' });
    expect(byBob.participantSid).toBeNull();
    const moved = await client.conversations.v1.conversations(conv.sid).messages(byBob.sid).update({ author: 'alice' });
    expect(moved.participantSid).toBe(alice.sid);
  });

  it('enforces Twilio limits and refuses bad input without storing anything', async () => {
    const { client } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({});
    const messages = client.conversations.v1.conversations(conv.sid).messages;
    const invalid = { status: 400, code: 20001 };
    expect(await twilioError(messages.create({}))).toMatchObject(invalid);
    expect(await twilioError(messages.create({ attributes: '{}' }))).toMatchObject(invalid);
    expect(await twilioError(messages.create({ body: 'x'.repeat(32 * 1024 + 1) }))).toMatchObject(invalid);
    expect((await messages.create({ body: 'x'.repeat(32 * 1024) })).body).toHaveLength(32 * 1024);
    expect(await twilioError(messages.create({ body: 'x', attributes: '{bad' }))).toMatchObject(invalid);
    expect(await twilioError(messages.create({ body: 'x', attributes: JSON.stringify({ a: 'y'.repeat(4096) }) }))).toMatchObject(invalid);
    expect(await twilioError(messages.create({ body: 'x', subject: 's'.repeat(257) }))).toMatchObject(invalid);
    expect(await twilioError(messages.create({ mediaSid: 'ME' + '0'.repeat(32) }))).toMatchObject(invalid);
    expect(await twilioError(messages.create({ body: 'x', contentSid: 'nope' }))).toMatchObject(invalid);
    expect(await twilioError(client.conversations.v1.conversations('CH' + '0'.repeat(32)).messages.create({ body: 'x' }))).toMatchObject({ status: 404, code: 20404 });
    expect((await messages.list()).length).toBe(1);

    // With an SMS participant, bodies stop at 1600 characters.
    await smsParticipant(ctx.server, conv.sid);
    expect(await twilioError(messages.create({ body: 'é'.repeat(1601) }))).toMatchObject(invalid);
    expect((await messages.create({ body: 'é'.repeat(1600) })).index).toBe(1);

    // A content template replaces body and media.
    const templated = await messages.create({ contentSid: 'HX' + 'a'.repeat(32), contentVariables: '{"1":"Ada"}', body: 'ignored' });
    expect(templated).toMatchObject({ contentSid: 'HX' + 'a'.repeat(32), body: null });

    await client.conversations.v1.conversations(conv.sid).update({ state: 'closed' });
    expect(await twilioError(messages.create({ body: 'late' }))).toMatchObject({ status: 400, code: 50377 });
    expect((await messages.list()).length).toBe(3);
  });

  it('records delivery receipts and summarises them on the message', async () => {
    const { client, parley } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({});
    const chatOnly = await client.conversations.v1.conversations(conv.sid).messages.create({ body: 'before' });
    expect(chatOnly.delivery).toBeNull();
    const sms = await smsParticipant(ctx.server, conv.sid);
    const wa = await client.conversations.v1.conversations(conv.sid).participants.create({ 'messagingBinding.address': `whatsapp:${number()}`, 'messagingBinding.proxyAddress': 'whatsapp:+15550000002' });
    const msg = await client.conversations.v1.conversations(conv.sid).messages.create({ body: 'to the phones' });
    expect(msg.delivery).toEqual({ total: 0, sent: 'none', delivered: 'none', read: 'none', failed: 'none', undelivered: 'none' });

    const first = await parley.conversations.receipts.recordDelivery(ctx.server.accountSid, { messageSid: msg.sid, participantSid: sms.sid, status: 'sent', channelMessageSid: 'SM' + '1'.repeat(32) });
    expect(first.sid).toMatch(/^DY[0-9a-f]{32}$/);
    let view = await client.conversations.v1.conversations(conv.sid).messages(msg.sid).fetch();
    expect(view.delivery).toEqual({ total: 1, sent: 'all', delivered: 'none', read: 'none', failed: 'none', undelivered: 'none' });

    const again = await parley.conversations.receipts.recordDelivery(ctx.server.accountSid, { messageSid: msg.sid, participantSid: sms.sid, status: 'delivered' });
    expect(again.sid).toBe(first.sid);
    await parley.conversations.receipts.recordDelivery(ctx.server.accountSid, { messageSid: msg.sid, participantSid: wa.sid, status: 'failed', errorCode: 63016 });
    view = await client.conversations.v1.conversations(conv.sid).messages(msg.sid).fetch();
    expect(view.delivery).toEqual({ total: 2, sent: 'some', delivered: 'some', read: 'none', failed: 'some', undelivered: 'none' });

    const receipts = client.conversations.v1.conversations(conv.sid).messages(msg.sid).deliveryReceipts;
    const seen: string[] = [];
    await receipts.each({ pageSize: 1 }, (r) => void seen.push(r.participantSid));
    expect(seen).toEqual([sms.sid, wa.sid]);
    const fetched = await receipts(first.sid).fetch();
    expect(fetched).toMatchObject({ sid: first.sid, messageSid: msg.sid, conversationSid: conv.sid, participantSid: sms.sid, status: 'delivered', channelMessageSid: 'SM' + '1'.repeat(32), errorCode: null });
    expect(fetched.url).toMatch(new RegExp(`/v1/Conversations/${conv.sid}/Messages/${msg.sid}/Receipts/${first.sid}$`));
    expect((await receipts.list()).find((r) => r.participantSid === wa.sid)).toMatchObject({ status: 'failed', errorCode: 63016 });
    expect(await twilioError(receipts('DY' + '0'.repeat(32)).fetch())).toMatchObject({ status: 404, code: 20404 });

    await expect(parley.conversations.receipts.recordDelivery(ctx.server.accountSid, { messageSid: msg.sid, participantSid: 'MB' + '0'.repeat(32), status: 'read' })).rejects.toMatchObject({ code: 20001 });
    await expect(parley.conversations.receipts.recordDelivery(ctx.server.accountSid, { messageSid: msg.sid, participantSid: sms.sid, status: 'lost' as never })).rejects.toMatchObject({ code: 20001 });
  });

  it('stores bodies, attributes and subjects encrypted', async () => {
    const { client } = ctx.server;
    const secret = `quokka-${randomBytes(8).toString('hex')}`;
    const conv = await client.conversations.v1.conversations.create({});
    const author = `author-${randomBytes(8).toString('hex')}`;
    const msg = await client.conversations.v1.conversations(conv.sid).messages.create({ author, body: `body ${secret}`, attributes: JSON.stringify({ s: `attr ${secret}` }), subject: `subj ${secret}` });
    await ctx.server.drain();
    const stored = await storedBytes(ctx.server, ['conv_messages', 'outbox', 'jobs']);
    // Plaintext columns (the author) are visible to this check, so it would see a plaintext body.
    expect(stored).toContain(author);
    expect(stored).not.toContain(secret);
    expect((await client.conversations.v1.conversations(conv.sid).messages(msg.sid).fetch()).body).toBe(`body ${secret}`);
  });
});

describeEngines('Conversation message webhooks', (ctx) => {
  let receiver: Receiver;
  let serviceSid: string;
  beforeAll(async () => {
    receiver = await startReceiver();
    const service = await ctx.server.client.conversations.v1.services.create({ friendlyName: 'hooks' });
    serviceSid = service.sid;
    const filters = ['onMessageAdd', 'onMessageUpdate', 'onMessageRemove', 'onMessageAdded', 'onMessageUpdated', 'onMessageRemoved', 'onDeliveryUpdated'];
    await ctx.server.parley.storage.db
      .updateTable('conv_services')
      .set({ pre_webhook_url: `${receiver.url}/pre`, post_webhook_url: `${receiver.url}/post`, webhook_filters: JSON.stringify(filters), webhook_method: 'POST' })
      .where('sid', '=', serviceSid)
      .execute();
  });
  afterAll(async () => receiver?.close());

  const events = (name: string) => receiver.received.filter((r) => r.params.EventType === name).map((r) => r.params);

  it('lets the pre-action webhook reject or modify, then posts exactly the documented params', async () => {
    const { client } = ctx.server;
    const conv = await client.conversations.v1.services(serviceSid).conversations.create({});
    const messages = client.conversations.v1.services(serviceSid).conversations(conv.sid).messages;

    receiver.respond((r) => (r.url === '/pre' ? { status: 403 } : { status: 200 }));
    expect(await twilioError(messages.create({ body: 'nope', xTwilioWebhookEnabled: 'true' }))).toMatchObject({ code: 50399 });
    expect(await messages.list()).toHaveLength(0);

    receiver.respond((r) => (r.url === '/pre' ? { status: 200, body: JSON.stringify({ body: 'rewritten', author: 'bot' }) } : { status: 200 }));
    const msg = await messages.create({ body: 'original', attributes: '{"a":1}', xTwilioWebhookEnabled: 'true' });
    expect(msg).toMatchObject({ body: 'rewritten', author: 'bot', attributes: '{"a":1}' });
    const pre = events('onMessageAdd').at(-1)!;
    expect(pre).toMatchObject({ ConversationSid: conv.sid, Body: 'original', Author: 'system', Attributes: '{"a":1}', ChatServiceSid: serviceSid, Source: 'API' });

    receiver.respond(() => ({ status: 200 }));
    await messages(msg.sid).update({ body: 'edited', xTwilioWebhookEnabled: 'true' });
    await messages(msg.sid).remove({ xTwilioWebhookEnabled: 'true' });
    // Without the header, REST writes fire no service-level webhooks.
    await messages.create({ body: 'quiet' });
    await ctx.server.settle();

    const added = events('onMessageAdded');
    expect(added).toHaveLength(1);
    expect(Object.keys(added[0]!).sort()).toEqual(['AccountSid', 'Attributes', 'Author', 'Body', 'ChatServiceSid', 'ConversationSid', 'DateCreated', 'EventType', 'Index', 'MessageSid', 'Source'].sort());
    expect(added[0]).toMatchObject({ MessageSid: msg.sid, Index: '0', Body: 'rewritten', Author: 'bot' });
    expect(events('onMessageUpdated')[0]).toMatchObject({ MessageSid: msg.sid, Body: 'edited', DateUpdated: expect.any(String) });
    expect(events('onMessageRemoved')[0]).toMatchObject({ MessageSid: msg.sid, DateRemoved: expect.any(String) });
  });

  it('posts onDeliveryUpdated for channel reports', async () => {
    const { client, parley } = ctx.server;
    const conv = await client.conversations.v1.services(serviceSid).conversations.create({});
    const sms = await client.conversations.v1.services(serviceSid).conversations(conv.sid).participants.create({ 'messagingBinding.address': number(), 'messagingBinding.proxyAddress': '+15550000003' });
    const msg = await client.conversations.v1.services(serviceSid).conversations(conv.sid).messages.create({ body: 'sms' });
    const receipt = await parley.conversations.receipts.recordDelivery(ctx.server.accountSid, { messageSid: msg.sid, participantSid: sms.sid, status: 'undelivered', errorCode: 30003, channelMessageSid: 'SM' + '2'.repeat(32) });
    await ctx.server.drain();
    const deadline = Date.now() + 5000;
    while (events('onDeliveryUpdated').length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(events('onDeliveryUpdated')[0]).toMatchObject({
      ConversationSid: conv.sid,
      ChatServiceSid: serviceSid,
      MessageSid: msg.sid,
      DeliveryReceiptSid: receipt.sid,
      ChannelMessageSid: 'SM' + '2'.repeat(32),
      ParticipantSid: sms.sid,
      Status: 'undelivered',
      ErrorCode: '30003',
      DateCreated: expect.any(String),
      DateUpdated: expect.any(String),
    });
  });
});
