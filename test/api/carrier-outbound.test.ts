import { it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { randomBytes } from 'node:crypto';
import { describeEngines, type Server } from '../support/harness.js';
import { receiverPerTest, configureAccountWebhooks } from '../support/webhooks.js';
import { startFakeCarrier, sendSignedWebhook, inboundParams, phone, eventually, sendsIdle, type FakeCarrier } from '../support/fake-carrier.js';

async function connect(server: Server, carrier: FakeCarrier): Promise<void> {
  const res = await server.http('POST', '/parley/v1/Channels/TwilioMessaging', { AccountSid: carrier.accountSid, AuthToken: carrier.authToken, ApiUrl: carrier.url });
  expect(res.status).toBe(200);
}

async function upload(server: Server, serviceSid: string, contentType: string, data: Buffer): Promise<string> {
  const res = await fetch(`${server.origin}/mcs/v1/Services/${serviceSid}/Media`, {
    method: 'POST',
    headers: { Authorization: 'Basic ' + Buffer.from(`${server.accountSid}:${server.authToken}`).toString('base64'), 'Content-Type': contentType },
    body: data,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { sid: string }).sid;
}

describeEngines('Carrier outbound (Twilio Messaging API)', (ctx) => {
  let carrier: FakeCarrier;
  const receiver = receiverPerTest(ctx);
  const inbound = (params: Record<string, string>) => sendSignedWebhook(`${ctx.server.origin}/webhooks/twilio/messaging`, params, carrier.authToken);
  const statusCallback = (params: Record<string, string>, token: string | null = carrier.authToken) => sendSignedWebhook(`${ctx.server.origin}/webhooks/twilio/messaging/status`, params, token);

  beforeAll(async () => {
    carrier = await startFakeCarrier();
    await connect(ctx.server, carrier);
  });
  afterAll(async () => carrier?.close());
  afterEach(() => carrier.failWith(undefined));

  /** A customer wrote in; an agent (chat participant) joined the auto-created conversation. */
  async function customerConversation(type: 'sms' | 'whatsapp' = 'sms') {
    const { client } = ctx.server;
    const prefix = type === 'whatsapp' ? 'whatsapp:' : '';
    const number = prefix + phone();
    const customer = prefix + phone();
    await client.conversations.v1.addressConfigurations.create({ type, address: number, 'autoCreation.enabled': true });
    expect((await inbound(inboundParams(carrier, { from: customer, to: number, body: 'hi' }))).status).toBe(200);
    const [pc] = await client.conversations.v1.participantConversations.list({ address: customer });
    const conversationSid = pc!.conversationSid;
    await client.conversations.v1.conversations(conversationSid).participants.create({ identity: 'agent' });
    return { number, customer, conversationSid, customerSid: pc!.participantSid, serviceSid: pc!.chatServiceSid };
  }

  const sentTo = (to: string) => carrier.requests.filter((r) => r.params.To === to);

  it('sends an agent reply to the customer with From/To/Body/StatusCallback and records a sent receipt; the inbound message is not echoed', async () => {
    const { client, origin } = ctx.server;
    const c = await customerConversation();
    const reply = await client.conversations.v1.conversations(c.conversationSid).messages.create({ author: 'agent', body: 'How can I help?' });
    expect(reply.delivery).toEqual({ total: 0, sent: 'none', delivered: 'none', read: 'none', failed: 'none', undelivered: 'none' });
    const [req] = await eventually(async () => sentTo(c.customer).length > 0 && sentTo(c.customer));
    expect(req!.params).toEqual({ To: c.customer, From: c.number, Body: 'How can I help?', StatusCallback: `${origin}/webhooks/twilio/messaging/status` });
    expect(req!.mediaUrls).toEqual([]);
    const receipts = client.conversations.v1.conversations(c.conversationSid).messages(reply.sid).deliveryReceipts;
    const [receipt] = await eventually(async () => {
      const list = await receipts.list();
      return list.length > 0 && list;
    });
    expect(receipt).toMatchObject({ participantSid: c.customerSid, status: 'sent', channelMessageSid: req!.sid, errorCode: null, messageSid: reply.sid });
    expect((await client.conversations.v1.conversations(c.conversationSid).messages(reply.sid).fetch()).delivery).toEqual({ total: 1, sent: 'all', delivered: 'none', read: 'none', failed: 'none', undelivered: 'none' });
    await sendsIdle(ctx.server);
    // Only the reply went out: the customer's own message is not sent back to them.
    expect(sentTo(c.customer)).toHaveLength(1);
  });

  it('moves receipts with signed status callbacks (never backwards) and posts onDeliveryUpdated', async () => {
    const { client, parley, accountSid } = ctx.server;
    const c = await customerConversation();
    await configureAccountWebhooks(parley.storage.db, accountSid, { post: `${receiver.url}/post`, filters: ['onDeliveryUpdated'] });
    const msg = await client.conversations.v1.conversations(c.conversationSid).messages.create({ author: 'agent', body: 'tracking' });
    const [req] = await eventually(async () => sentTo(c.customer).length > 0 && sentTo(c.customer));
    const receipts = client.conversations.v1.conversations(c.conversationSid).messages(msg.sid).deliveryReceipts;
    await eventually(async () => (await receipts.list()).length === 1);
    const status = (MessageStatus: string, extra: Record<string, string> = {}) =>
      statusCallback({ MessageSid: req!.sid!, SmsSid: req!.sid!, MessageStatus, SmsStatus: MessageStatus, AccountSid: carrier.accountSid, From: c.number, To: c.customer, ApiVersion: '2010-04-01', ...extra });

    expect((await status('delivered', { RawDlrDoneDate: '2501011200' })).status).toBe(200);
    expect((await receipts.list())[0]!.status).toBe('delivered');
    // Late and repeated reports change nothing.
    await status('sent');
    await status('queued');
    await status('delivered');
    expect((await receipts.list())[0]!.status).toBe('delivered');
    // Unsigned: refused, no change.
    expect((await statusCallback({ MessageSid: req!.sid!, MessageStatus: 'read', AccountSid: carrier.accountSid }, null)).status).toBe(403);
    expect((await receipts.list())[0]!.status).toBe('delivered');
    await status('read');
    const [read] = await receipts.list();
    expect(read!.status).toBe('read');
    expect((await client.conversations.v1.conversations(c.conversationSid).messages(msg.sid).fetch()).delivery).toEqual({ total: 1, sent: 'all', delivered: 'all', read: 'all', failed: 'none', undelivered: 'none' });

    await ctx.server.settle();
    const events = receiver.received.filter((r) => r.params.EventType === 'onDeliveryUpdated' && r.params.MessageSid === msg.sid).map((r) => r.params);
    expect(events.map((e) => e.Status)).toEqual(['sent', 'delivered', 'read']);
    expect(events[2]).toMatchObject({ ConversationSid: c.conversationSid, MessageSid: msg.sid, DeliveryReceiptSid: read!.sid, ChannelMessageSid: req!.sid, ParticipantSid: c.customerSid, Status: 'read', ChatServiceSid: c.serviceSid });
  });

  it('records undelivered with the carrier error code from a status callback', async () => {
    const { client } = ctx.server;
    const c = await customerConversation();
    const msg = await client.conversations.v1.conversations(c.conversationSid).messages.create({ author: 'agent', body: 'will bounce' });
    const [req] = await eventually(async () => sentTo(c.customer).length > 0 && sentTo(c.customer));
    const receipts = client.conversations.v1.conversations(c.conversationSid).messages(msg.sid).deliveryReceipts;
    await eventually(async () => (await receipts.list()).length === 1);
    await statusCallback({ MessageSid: req!.sid!, MessageStatus: 'undelivered', ErrorCode: '30003', AccountSid: carrier.accountSid });
    expect((await receipts.list())[0]).toMatchObject({ status: 'undelivered', errorCode: 30003 });
    expect((await client.conversations.v1.conversations(c.conversationSid).messages(msg.sid).fetch()).delivery).toMatchObject({ total: 1, undelivered: 'all', delivered: 'none' });
  });

  it('applies a status callback that outruns the send job once the receipt exists', async () => {
    const { client, parley, accountSid } = ctx.server;
    const c = await customerConversation();
    const msg = await client.conversations.v1.conversations(c.conversationSid).messages.create({ author: 'agent', body: 'race' });
    const [req] = await eventually(async () => sentTo(c.customer).length > 0 && sentTo(c.customer));
    const receipts = client.conversations.v1.conversations(c.conversationSid).messages(msg.sid).deliveryReceipts;
    await eventually(async () => (await receipts.list()).length === 1);
    // A callback for an SM SID no receipt carries yet is kept and retried.
    const early = 'SM' + randomBytes(16).toString('hex');
    expect(await parley.channels.outbound.reportStatus(accountSid, early, 'delivered', null)).toBe(false);
    await parley.storage.db.updateTable('conv_receipts').set({ channel_message_sid: early }).where('channel_message_sid', '=', req!.sid!).execute();
    await eventually(async () => (await receipts.list())[0]!.status === 'delivered');
  });

  it('records a refused send as a failed receipt with the carrier error code, without retrying; retries silence and 5xx', async () => {
    const { client } = ctx.server;
    const c = await customerConversation();
    carrier.failWith(() => ({ status: 400, code: 21211, message: "The 'To' number is not a valid phone number." }));
    const msg = await client.conversations.v1.conversations(c.conversationSid).messages.create({ author: 'agent', body: 'to nowhere' });
    const receipts = client.conversations.v1.conversations(c.conversationSid).messages(msg.sid).deliveryReceipts;
    const [failed] = await eventually(async () => {
      const list = await receipts.list();
      return list.length > 0 && list;
    });
    expect(failed).toMatchObject({ status: 'failed', errorCode: 21211, channelMessageSid: null, participantSid: c.customerSid });
    expect((await client.conversations.v1.conversations(c.conversationSid).messages(msg.sid).fetch()).delivery).toMatchObject({ total: 1, failed: 'all', sent: 'none' });
    await sendsIdle(ctx.server);
    expect(sentTo(c.customer).filter((r) => r.params.Body === 'to nowhere')).toHaveLength(1);

    let calls = 0;
    carrier.failWith(() => (++calls === 1 ? { status: 503, code: 20503, message: 'Service unavailable' } : undefined));
    const second = await client.conversations.v1.conversations(c.conversationSid).messages.create({ author: 'agent', body: 'second try' });
    const [ok] = await eventually(async () => {
      const list = await client.conversations.v1.conversations(c.conversationSid).messages(second.sid).deliveryReceipts.list();
      return list.length > 0 && list;
    }, 10_000);
    expect(ok).toMatchObject({ status: 'sent' });
    expect(sentTo(c.customer).filter((r) => r.params.Body === 'second try')).toHaveLength(2);
  });

  it('sends media by signed public URL the carrier can fetch without credentials', async () => {
    const { client } = ctx.server;
    const c = await customerConversation();
    const image = randomBytes(1500);
    const mediaSid = await upload(ctx.server, c.serviceSid, 'image/png', image);
    const msg = await client.conversations.v1.conversations(c.conversationSid).messages.create({ author: 'agent', body: 'a picture', mediaSid });
    const [req] = await eventually(async () => sentTo(c.customer).length > 0 && sentTo(c.customer));
    expect(req!.params.Body).toBe('a picture');
    expect(req!.mediaUrls).toHaveLength(1);
    const url = req!.mediaUrls[0]!;
    expect(url.startsWith(`${ctx.server.origin}/channels/media/${ctx.server.accountSid}/${c.serviceSid}/${mediaSid}?`)).toBe(true);
    const fetched = await fetch(url);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await fetched.arrayBuffer()).equals(image)).toBe(true);
    // The signature is the credential: any change to the link is refused.
    const tampered = url.replace(/Signature=[^&]+/, 'Signature=AAAA');
    expect((await fetch(tampered)).status).toBe(403);
    const expired = url.replace(/Expires=\d+/, 'Expires=1000');
    expect((await fetch(expired)).status).toBe(403);
    expect(msg.media).toHaveLength(1);
  });

  it('drops the body next to WhatsApp media', async () => {
    const { client } = ctx.server;
    const c = await customerConversation('whatsapp');
    const mediaSid = await upload(ctx.server, c.serviceSid, 'application/pdf', randomBytes(200));
    await client.conversations.v1.conversations(c.conversationSid).messages.create({ author: 'agent', body: 'your invoice', mediaSid });
    const [req] = await eventually(async () => sentTo(c.customer).length > 0 && sentTo(c.customer));
    expect(req!.params).toMatchObject({ From: c.number, To: c.customer });
    expect(req!.params.Body).toBeUndefined();
    expect(req!.mediaUrls).toHaveLength(1);
  });

  it('applies each recipient channel media limits: what cannot go is a failed receipt, what can goes', async () => {
    const { client } = ctx.server;
    const smsNumber = phone();
    const waNumber = `whatsapp:${phone()}`;
    const sender = phone();
    const waCustomer = `whatsapp:${phone()}`;
    const smsCustomer = phone();
    const conv = await client.conversations.v1.conversations.create({ friendlyName: 'group' });
    const participants = client.conversations.v1.conversations(conv.sid).participants;
    const a = await participants.create({ 'messagingBinding.address': sender, 'messagingBinding.proxyAddress': smsNumber });
    const b = await participants.create({ 'messagingBinding.address': waCustomer, 'messagingBinding.proxyAddress': waNumber });
    const cc = await participants.create({ 'messagingBinding.address': smsCustomer, 'messagingBinding.proxyAddress': smsNumber });
    // An MMS with two pictures: WhatsApp carries one file per message.
    const files = [carrier.hostMedia('image/jpeg', randomBytes(300)), carrier.hostMedia('image/png', randomBytes(400))];
    expect((await inbound(inboundParams(carrier, { from: sender, to: smsNumber, body: 'two pics', media: files.map((url, i) => ({ url, contentType: i === 0 ? 'image/jpeg' : 'image/png' })) }))).status).toBe(200);
    const [msg] = await client.conversations.v1.conversations(conv.sid).messages.list();
    expect(msg!.participantSid).toBe(a.sid);
    const receipts = client.conversations.v1.conversations(conv.sid).messages(msg!.sid).deliveryReceipts;
    const all = await eventually(async () => {
      const list = await receipts.list();
      return list.length === 2 && list;
    });
    expect(all.find((r) => r.participantSid === b.sid)).toMatchObject({ status: 'failed', errorCode: 21623 });
    expect(all.find((r) => r.participantSid === cc.sid)).toMatchObject({ status: 'sent' });
    expect(all.find((r) => r.participantSid === a.sid)).toBeUndefined();
    expect(sentTo(waCustomer)).toHaveLength(0);
    const [mms] = sentTo(smsCustomer);
    expect(mms!.params).toMatchObject({ From: smsNumber, Body: 'two pics' });
    expect(mms!.mediaUrls).toHaveLength(2);

    // A 6 MB video from WhatsApp is over the MMS limit; a vCard is not a type SMS carries.
    const video = carrier.hostMedia('video/mp4', Buffer.alloc(6 * 1024 * 1024, 1));
    await inbound(inboundParams(carrier, { from: waCustomer, to: waNumber, media: [{ url: video, contentType: 'video/mp4' }] }));
    const vcard = carrier.hostMedia('text/vcard', Buffer.from('BEGIN:VCARD\nEND:VCARD\n'));
    await inbound(inboundParams(carrier, { from: waCustomer, to: waNumber, media: [{ url: vcard, contentType: 'text/vcard' }] }));
    const later = (await client.conversations.v1.conversations(conv.sid).messages.list()).slice(1);
    expect(later).toHaveLength(2);
    for (const [m, code] of [[later[0]!, 11751], [later[1]!, 12300]] as const) {
      const list = await eventually(async () => {
        const r = await client.conversations.v1.conversations(conv.sid).messages(m.sid).deliveryReceipts.list();
        return r.length === 2 && r;
      });
      expect(list.map((r) => [r.status, r.errorCode]).sort()).toEqual([['failed', code], ['failed', code]]);
    }
    expect(sentTo(sender)).toHaveLength(0);
  });

  it('exports sendMessage for messages outside conversations (no status callback)', async () => {
    const { parley, accountSid } = ctx.server;
    const to = phone();
    const result = await parley.channels.sendMessage({ accountSid, from: '+15005550006', to, body: 'flow says hi', mediaUrl: 'https://example.com/a.png' });
    expect(result.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(result.status).toBe('queued');
    expect(sentTo(to)[0]).toMatchObject({ params: { From: '+15005550006', To: to, Body: 'flow says hi' }, mediaUrls: ['https://example.com/a.png'] });
    carrier.failWith(() => ({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' }));
    expect(await parley.channels.sendMessage({ accountSid, from: '+15005550006', to, body: 'again' })).toMatchObject({ sid: null, status: 'failed', errorCode: 21610 });
  });

  it('manages the carrier connection through /parley/v1/Channels/TwilioMessaging', async () => {
    const { http, client, origin } = ctx.server;
    const view = await http('GET', '/parley/v1/Channels/TwilioMessaging');
    expect(view.status).toBe(200);
    expect(view.body).toEqual({
      account_sid: ctx.server.accountSid,
      provider: 'twilio',
      source: 'api',
      carrier_account_sid: carrier.accountSid,
      api_url: carrier.url,
      inbound_webhook_url: `${origin}/webhooks/twilio/messaging`,
      status_callback_url: `${origin}/webhooks/twilio/messaging/status`,
      date_created: expect.any(String),
      date_updated: expect.any(String),
      url: `${origin}/parley/v1/Channels/TwilioMessaging`,
    });
    expect(JSON.stringify(view.body)).not.toContain(carrier.authToken);
    const stored = await ctx.server.parley.storage.db.selectFrom('channel_carriers').select('auth_token').execute();
    expect(stored.map((r) => r.auth_token).join()).not.toContain(carrier.authToken);

    expect(await http('POST', '/parley/v1/Channels/TwilioMessaging', { AccountSid: 'nope', AuthToken: 'x' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await http('POST', '/parley/v1/Channels/TwilioMessaging', { AccountSid: carrier.accountSid })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await http('POST', '/parley/v1/Channels/TwilioMessaging', { AccountSid: carrier.accountSid, AuthToken: 'x', ApiUrl: 'ftp://x' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect((await http('GET', '/parley/v1/Channels/TwilioMessaging')).body.api_url).toBe(carrier.url);

    // A carrier account serves one Parley account: inbound webhooks are routed by it.
    const sub = await client.api.v2010.accounts.create({ friendlyName: 'tenant' });
    const asSub = (method: string, body?: Record<string, string>) =>
      fetch(`${origin}/parley/v1/Channels/TwilioMessaging`, {
        method,
        headers: { Authorization: 'Basic ' + Buffer.from(`${sub.sid}:${sub.authToken}`).toString('base64'), ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
        ...(body ? { body: new URLSearchParams(body).toString() } : {}),
      });
    const clash = await asSub('POST', { AccountSid: carrier.accountSid, AuthToken: carrier.authToken, ApiUrl: carrier.url });
    expect(clash.status).toBe(409);
    expect(await clash.json()).toMatchObject({ code: 20409 });
    expect(await (await asSub('GET')).json()).toMatchObject({ account_sid: sub.sid, provider: 'simulator', carrier_account_sid: null });
    expect((await asSub('DELETE')).status).toBe(404);
    const own = await asSub('POST', { AccountSid: 'AC' + randomBytes(16).toString('hex'), AuthToken: 'tenant-token' });
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ provider: 'twilio', api_url: 'https://api.twilio.com' });
    expect((await asSub('DELETE')).status).toBe(204);
    expect(await (await asSub('GET')).json()).toMatchObject({ provider: 'simulator' });
  });
});
