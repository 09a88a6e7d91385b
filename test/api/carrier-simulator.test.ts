import { it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { describeEngines } from '../support/harness.js';
import { phone, eventually, sendsIdle } from '../support/fake-carrier.js';

describeEngines(
  'Carrier simulator (/parley/v1/Simulator)',
  (ctx) => {
    const auth = () => 'Basic ' + Buffer.from(`${ctx.server.accountSid}:${ctx.server.authToken}`).toString('base64');

    /** A simulated phone writes to a configured number; an agent joins the conversation it opened. */
    async function simulatedCustomer(type: 'sms' | 'whatsapp' = 'sms') {
      const { client, http } = ctx.server;
      const prefix = type === 'whatsapp' ? 'whatsapp:' : '';
      const number = prefix + phone();
      const customer = prefix + phone();
      await client.conversations.v1.addressConfigurations.create({ type, address: number, 'autoCreation.enabled': true });
      const res = await http('POST', '/parley/v1/Simulator/Messages', { From: customer, To: number, Body: 'hello from my phone' });
      expect(res.status).toBe(201);
      await client.conversations.v1.conversations(res.body.conversation_sid).participants.create({ identity: 'agent' });
      return { number, customer, conversationSid: res.body.conversation_sid as string, sent: res.body };
    }

    it('runs a round trip with no carrier: phone → conversation → agent reply → phone, with receipts sent then delivered', async () => {
      const { client, http, origin } = ctx.server;
      expect((await http('GET', '/parley/v1/Channels/TwilioMessaging')).body).toMatchObject({ provider: 'simulator', source: null, inbound_webhook_url: `${origin}/webhooks/twilio/messaging` });
      const c = await simulatedCustomer();
      expect(c.sent).toMatchObject({ sid: expect.stringMatching(/^SM[0-9a-f]{32}$/), direction: 'inbound', from: c.customer, to: c.number, body: 'hello from my phone', status: 'received', outcome: 'created', num_media: '0', message_sid: expect.stringMatching(/^IM/) });
      const [first] = await client.conversations.v1.conversations(c.conversationSid).messages.list();
      expect(first).toMatchObject({ sid: c.sent.message_sid, author: c.customer, body: 'hello from my phone' });

      const reply = await client.conversations.v1.conversations(c.conversationSid).messages.create({ author: 'agent', body: 'Hi! How can I help?' });
      const phoneInbox = async () => (await http('GET', `/parley/v1/Simulator/Messages?Address=${encodeURIComponent(c.customer)}&Direction=outbound-api`)).body;
      const inbox = await eventually(async () => {
        const body = await phoneInbox();
        return body.messages.length > 0 && body;
      });
      expect(inbox.meta.key).toBe('messages');
      const [got] = inbox.messages;
      expect(got).toMatchObject({ direction: 'outbound-api', from: c.number, to: c.customer, body: 'Hi! How can I help?', media: [] });
      const receipts = client.conversations.v1.conversations(c.conversationSid).messages(reply.sid).deliveryReceipts;
      const delivered = await eventually(async () => {
        const [r] = await receipts.list();
        return r?.status === 'delivered' && r;
      });
      expect(delivered.channelMessageSid).toBe(got.sid);
      expect((await http('GET', `/parley/v1/Simulator/Messages/${got.sid}`)).body.status).toBe('delivered');

      // The phone reads it.
      const read = await http('POST', `/parley/v1/Simulator/Messages/${got.sid}`, { Status: 'read' });
      expect(read).toMatchObject({ status: 200, body: { status: 'read' } });
      expect((await receipts.list())[0]!.status).toBe('read');

      // The whole thread of that phone, both directions, in order.
      const thread = (await http('GET', `/parley/v1/Simulator/Messages?Address=${encodeURIComponent(c.customer)}`)).body.messages.map((m: { direction: string; body: string }) => [m.direction, m.body]);
      expect(thread).toEqual([['inbound', 'hello from my phone'], ['outbound-api', 'Hi! How can I help?']]);
      // The customer's own message never went back to the phone.
      expect((await phoneInbox()).messages).toHaveLength(1);
    });

    it('takes uploaded media from the phone and shows sent media by signed URL', async () => {
      const { client, http } = ctx.server;
      const c = await simulatedCustomer('whatsapp');
      const image = randomBytes(700);
      const formData = new FormData();
      formData.append('From', c.customer);
      formData.append('To', c.number);
      formData.append('Body', 'a photo');
      formData.append('Media', new Blob([image], { type: 'image/png' }), 'photo.png');
      const res = await fetch(`${ctx.server.origin}/parley/v1/Simulator/Messages`, { method: 'POST', headers: { Authorization: auth() }, body: formData });
      expect(res.status).toBe(201);
      const sent = (await res.json()) as { outcome: string; message_sid: string; media: Array<{ sid: string; url: string; content_type: string; size: number }> };
      expect(sent.outcome).toBe('added');
      expect(sent.media).toHaveLength(1);
      expect(sent.media[0]).toMatchObject({ content_type: 'image/png', size: 700 });
      const download = await fetch(sent.media[0]!.url);
      expect(Buffer.from(await download.arrayBuffer()).equals(image)).toBe(true);
      const msg = await client.conversations.v1.conversations(c.conversationSid).messages(sent.message_sid).fetch();
      expect(msg.media).toEqual([{ sid: sent.media[0]!.sid, size: 700, content_type: 'image/png', filename: 'photo.png' }]);

      // The agent sends the picture back: the phone sees it as media (no text: WhatsApp).
      const serviceSid = (await client.conversations.v1.conversations(c.conversationSid).fetch()).chatServiceSid;
      await client.conversations.v1.conversations(c.conversationSid).messages.create({ author: 'agent', body: 'nice', mediaSid: await upload(serviceSid, image) });
      const got = await eventually(async () => {
        const body = (await http('GET', `/parley/v1/Simulator/Messages?Address=${encodeURIComponent(c.customer)}&Direction=outbound-api`)).body;
        return body.messages.length > 0 && body.messages[0];
      });
      expect(got.body).toBeNull();
      expect(got.num_media).toBe('1');
      expect(Buffer.from(await (await fetch(got.media[0].url)).arrayBuffer()).equals(image)).toBe(true);
    });

    async function upload(serviceSid: string, data: Buffer): Promise<string> {
      const res = await fetch(`${ctx.server.origin}/mcs/v1/Services/${serviceSid}/Media`, { method: 'POST', headers: { Authorization: auth(), 'Content-Type': 'image/png' }, body: data });
      return ((await res.json()) as { sid: string }).sid;
    }

    it("fails sends to Twilio's magic test numbers with their error codes, and lets a test set failures", async () => {
      const { client, http } = ctx.server;
      const number = phone();
      await client.conversations.v1.addressConfigurations.create({ type: 'sms', address: number });
      const conv = await client.conversations.v1.conversations.create({});
      const invalid = await client.conversations.v1.conversations(conv.sid).participants.create({ 'messagingBinding.address': '+15005550001', 'messagingBinding.proxyAddress': number });
      const fine = await client.conversations.v1.conversations(conv.sid).participants.create({ 'messagingBinding.address': phone(), 'messagingBinding.proxyAddress': number });
      const msg = await client.conversations.v1.conversations(conv.sid).messages.create({ body: 'notice' });
      const receipts = client.conversations.v1.conversations(conv.sid).messages(msg.sid).deliveryReceipts;
      const list = await eventually(async () => {
        const r = await receipts.list();
        return r.length === 2 && r.every((x) => x.status !== 'sent') && r;
      });
      expect(list.find((r) => r.participantSid === invalid.sid)).toMatchObject({ status: 'failed', errorCode: 21211 });
      const ok = list.find((r) => r.participantSid === fine.sid)!;
      expect(ok.status).toBe('delivered');

      const failed = await http('POST', `/parley/v1/Simulator/Messages/${ok.channelMessageSid}`, { Status: 'undelivered', ErrorCode: '30005' });
      expect(failed.body).toMatchObject({ status: 'undelivered', error_code: 30005 });
      expect((await receipts.list()).find((r) => r.participantSid === fine.sid)).toMatchObject({ status: 'undelivered', errorCode: 30005 });

      expect(await http('POST', `/parley/v1/Simulator/Messages/${ok.channelMessageSid}`, { Status: 'received' })).toMatchObject({ status: 400, body: { code: 20001 } });
      expect(await http('POST', `/parley/v1/Simulator/Messages/${ok.channelMessageSid}`, { Status: 'read', ErrorCode: '1' })).toMatchObject({ status: 400, body: { code: 20001 } });
      expect(await http('POST', `/parley/v1/Simulator/Messages/SM${'0'.repeat(32)}`, { Status: 'read' })).toMatchObject({ status: 404, body: { code: 20404 } });
    });

    it('plays only the numbers configured as addresses: other proxies get nothing and no receipt', async () => {
      const { client, http } = ctx.server;
      const customer = phone();
      const conv = await client.conversations.v1.conversations.create({});
      await client.conversations.v1.conversations(conv.sid).participants.create({ 'messagingBinding.address': customer, 'messagingBinding.proxyAddress': phone() });
      const msg = await client.conversations.v1.conversations(conv.sid).messages.create({ body: 'into the void' });
      await sendsIdle(ctx.server);
      expect((await http('GET', `/parley/v1/Simulator/Messages?Address=${encodeURIComponent(customer)}`)).body.messages).toEqual([]);
      expect(await client.conversations.v1.conversations(conv.sid).messages(msg.sid).deliveryReceipts.list()).toEqual([]);
    });

    it('validates what a phone sends and reports messages nobody takes', async () => {
      const { http } = ctx.server;
      expect(await http('POST', '/parley/v1/Simulator/Messages', { To: phone(), Body: 'x' })).toMatchObject({ status: 400, body: { code: 20001 } });
      expect(await http('POST', '/parley/v1/Simulator/Messages', { From: phone(), To: phone() })).toMatchObject({ status: 400, body: { code: 20001 } });
      expect(await http('POST', '/parley/v1/Simulator/Messages', { From: phone(), To: phone(), Body: 'x', Extra: '1' })).toMatchObject({ status: 400, body: { code: 20001 } });
      expect(await http('POST', '/parley/v1/Simulator/Messages', { From: phone(), To: phone(), MediaUrl: 'not-a-url' })).toMatchObject({ status: 400, body: { code: 20001 } });
      const nobody = await http('POST', '/parley/v1/Simulator/Messages', { From: phone(), To: phone(), Body: 'anyone?' });
      expect(nobody).toMatchObject({ status: 201, body: { outcome: 'ignored', outcome_reason: 'no-address-configuration', conversation_sid: null, message_sid: null } });
      const noAuth = await fetch(`${ctx.server.origin}/parley/v1/Simulator/Messages`);
      expect(noAuth.status).toBe(401);
    });
  },
  { simulatorDeliveryMs: 50 },
);
