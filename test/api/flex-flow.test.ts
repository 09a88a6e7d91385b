import { it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import type twilio from 'twilio';
import { describeEngines, type Server } from '../support/harness.js';
import { startFakeCarrier, sendSignedWebhook, inboundParams, phone, eventually, type FakeCarrier } from '../support/fake-carrier.js';
import { settleAll } from '../support/flex.js';
import { receiverPerTest } from '../support/webhooks.js';

/**
 * The contact-center flow of DESIGN.md end to end, as Flex documents it: a
 * customer's SMS reaches the carrier webhook, the address's Studio flow hands
 * the conversation to Flex, TaskRouter offers it, the agent accepts and joins,
 * replies go out through the carrier with delivery receipts, a second agent is
 * invited, the conversation is transferred, closed, and the next SMS starts a new
 * one. Everything through the official SDK, the signed carrier webhooks and a
 * local carrier speaking the Messaging API.
 */
describeEngines('Flex Conversations end to end', (ctx) => {
  let carrier: FakeCarrier;
  const receiver = receiverPerTest(ctx);

  beforeAll(async () => {
    carrier = await startFakeCarrier();
    const res = await ctx.server.http('POST', '/parley/v1/Channels/TwilioMessaging', { AccountSid: carrier.accountSid, AuthToken: carrier.authToken, ApiUrl: carrier.url });
    expect(res.status).toBe(200);
  });
  afterAll(async () => carrier?.close());
  // Tests share the account's Flex workspace: each one's agents go offline when it ends.
  afterEach(async () => {
    const f = await flex(ctx.server);
    for (const w of await f.w.workers.list({ available: 'true' })) await f.w.workers(w.sid).update({ activitySid: f.act('Offline'), rejectPendingReservations: true });
    for (const t of await f.w.tasks.list({ assignmentStatus: ['pending', 'reserved'] })) await f.w.tasks(t.sid).update({ assignmentStatus: 'canceled', reason: 'test over' });
    await settleAll(ctx.server);
  });

  const sms = (from: string, to: string, body: string, media?: Array<{ url: string; contentType: string }>) =>
    sendSignedWebhook(`${ctx.server.origin}/webhooks/twilio/messaging`, inboundParams(carrier, { from, to, body, ...(media ? { media } : {}) }), carrier.authToken);
  const status = (sid: string, messageStatus: string) =>
    sendSignedWebhook(`${ctx.server.origin}/webhooks/twilio/messaging/status`, { MessageSid: sid, MessageStatus: messageStatus, AccountSid: carrier.accountSid, From: 'x', To: 'y' }, carrier.authToken);

  /** The account's provisioned Flex workspace, with agents of our own. */
  async function flex(server: Server) {
    const { client } = server;
    const [ws] = await client.taskrouter.v1.workspaces.list({ friendlyName: 'Flex Task Assignment' });
    const w = client.taskrouter.v1.workspaces(ws!.sid);
    const activities = await w.activities.list();
    const act = (name: string) => activities.find((a) => a.friendlyName === name)!.sid;
    const [queue] = await w.taskQueues.list({ friendlyName: 'Everyone' });
    const [workflow] = await w.workflows.list({ friendlyName: 'Assign to Anyone' });
    const [flow] = (await client.studio.v2.flows.list()).filter((f) => f.friendlyName === 'Messaging Flow');
    const agent = (name: string, available: boolean) =>
      w.workers.create({ friendlyName: name, attributes: JSON.stringify({ contact_uri: `client:${name}` }), activitySid: act(available ? 'Available' : 'Offline') });
    return { ws: ws!, w, queue: queue!, workflow: workflow!, flow: flow!, agent, act };
  }

  const tag = () => Math.random().toString(36).slice(2, 8);
  const pendingOf = async (w: twilio.Twilio['taskrouter']['v1']['workspaces'] extends (sid: string) => infer C ? C : never, workerSid: string) =>
    (await w.workers(workerSid).reservations.list({ reservationStatus: 'pending' }))[0];
  const identities = async (conversationSid: string) => (await ctx.server.client.conversations.v1.conversations(conversationSid).participants.list()).map((p) => p.identity ?? p.messagingBinding?.address).sort();
  const conversationOf = async (customer: string) => {
    const list = await ctx.server.client.conversations.v1.participantConversations.list({ address: customer });
    return list.filter((c) => c.conversationState !== 'closed').map((c) => c.conversationSid);
  };

  it('inbound SMS → Studio → Flex → accept → reply with receipts → same conversation → invite → transfer → close → a new conversation', async () => {
    const s = ctx.server;
    const { client } = s;
    const f = await flex(s);
    const n = tag();
    const [alice, bob, carol] = [await f.agent(`alice-${n}`, true), await f.agent(`bob-${n}`, false), await f.agent(`carol-${n}`, false)];
    const number = phone();
    const customer = phone();
    await client.conversations.v1.addressConfigurations.create({ type: 'sms', address: number, 'autoCreation.enabled': true, 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': f.flow.sid });

    // The customer writes: the conversation is created and the Messaging Flow sends it to Flex.
    expect((await sms(customer, number, 'Hi, my order is late')).status).toBe(200);
    await settleAll(s);
    const [conversationSid] = await eventually(async () => (await conversationOf(customer)).length === 1 && conversationOf(customer));
    const execution = (await client.studio.v2.flows(f.flow.sid).executions.list())[0]!;
    expect(execution.status).toBe('ended');
    const reservation = await eventually(async () => {
      await settleAll(s);
      return pendingOf(f.w, alice.sid);
    });
    const task = await f.w.tasks(reservation.taskSid).fetch();
    const attrs = JSON.parse(task.attributes);
    expect(attrs).toMatchObject({ conversationSid, channelType: 'sms', customerAddress: customer, initiatedBy: 'customer', direction: 'inbound', from: customer, initialMessage: 'Hi, my order is late' });
    expect(attrs.flexInteractionSid).toMatch(/^KD/);
    expect([task.taskQueueFriendlyName, task.workflowFriendlyName]).toEqual(['Everyone', 'Assign to Anyone']);
    // Studio let go of the conversation once it was handed to Flex.
    expect((await client.conversations.v1.conversations(conversationSid!).webhooks.list()).filter((h) => h.target === 'studio')).toEqual([]);

    // Alice accepts and joins the conversation as a chat participant.
    await f.w.tasks(task.sid).reservations(reservation.sid).update({ reservationStatus: 'accepted' });
    await settleAll(s);
    expect(await identities(conversationSid!)).toEqual([`alice-${n}`, customer].sort());

    // Her reply goes out through the carrier; its status callbacks become delivery receipts.
    const reply = await client.conversations.v1.conversations(conversationSid!).messages.create({ author: `alice-${n}`, body: 'Sorry! Let me check.' });
    const [sent] = await carrier.waitForRequests(carrier.requests.filter((r) => r.params.To === customer).length + 1).then((all) => all.filter((r) => r.params.To === customer));
    expect(sent!.params).toMatchObject({ From: number, To: customer, Body: 'Sorry! Let me check.' });
    expect((await status(sent!.sid!, 'delivered')).status).toBe(200);
    // (A callback that outruns the send job's own write is applied by a retry job a moment later.)
    const receipts = await eventually(async () => {
      await settleAll(s);
      const list = await client.conversations.v1.conversations(conversationSid!).messages(reply.sid).deliveryReceipts.list();
      return list[0]?.status === 'delivered' && list;
    });
    expect(receipts.map((r) => [r.status, r.channelMessageSid])).toEqual([['delivered', sent!.sid]]);
    expect((await client.conversations.v1.conversations(conversationSid!).messages(reply.sid).fetch()).delivery).toMatchObject({ total: 1, delivered: 'all' });

    // The customer writes again: same conversation, no second task.
    expect((await sms(customer, number, 'Order 1234')).status).toBe(200);
    await settleAll(s);
    expect(await conversationOf(customer)).toEqual([conversationSid]);
    const bodies = (await client.conversations.v1.conversations(conversationSid!).messages.list()).map((m) => m.body);
    expect(bodies).toEqual(['Hi, my order is late', 'Sorry! Let me check.', 'Order 1234']);
    expect((await f.w.tasks.list({ evaluateTaskAttributes: `conversationSid == "${conversationSid}"` })).length).toBe(1);

    // Alice invites Bob: a second task for the same channel, reserved for him when he comes online.
    const interaction = client.flexApi.v1.interaction(attrs.flexInteractionSid);
    const channel = interaction.channels(attrs.flexInteractionChannelSid);
    await channel.invites.create({ routing: { properties: { workspace_sid: f.ws.sid, workflow_sid: f.workflow.sid, worker_sid: bob.sid, queue_sid: f.queue.sid, attributes: { reason: 'second opinion' } } } });
    await f.w.workers(bob.sid).update({ activitySid: f.act('Available') });
    const bobRes = await eventually(async () => {
      await settleAll(s);
      return pendingOf(f.w, bob.sid);
    });
    await f.w.tasks(bobRes.taskSid).reservations(bobRes.sid).update({ reservationStatus: 'accepted' });
    await settleAll(s);
    expect(await identities(conversationSid!)).toEqual([`alice-${n}`, `bob-${n}`, customer].sort());

    // Alice hands the customer over to Carol (cold): once Carol accepts, Alice leaves the conversation.
    const aliceParticipant = (await channel.participants.list()).find((p) => (p.routingProperties as { worker_sid?: string } | null)?.worker_sid === alice.sid)!;
    const transfer = await channel.transfers.create({ body: { type: 'cold', from: aliceParticipant.sid, to: carol.sid } });
    await f.w.workers(carol.sid).update({ activitySid: f.act('Available') });
    const carolRes = await eventually(async () => {
      await settleAll(s);
      return pendingOf(f.w, carol.sid);
    });
    await f.w.tasks(carolRes.taskSid).reservations(carolRes.sid).update({ reservationStatus: 'accepted' });
    await settleAll(s);
    expect(await identities(conversationSid!)).toEqual([`bob-${n}`, `carol-${n}`, customer].sort());
    expect((await channel.transfers(transfer.sid).fetch()).status).toBe('completed');

    // Carol closes the interaction channel: tasks go to wrapping and the conversation closes.
    await channel.update({ status: 'closed' });
    await settleAll(s);
    expect((await client.conversations.v1.conversations(conversationSid!).fetch()).state).toBe('closed');
    const live = await f.w.tasks.list({ evaluateTaskAttributes: `conversationSid == "${conversationSid}"` });
    expect(live.map((t) => t.assignmentStatus).filter((st) => st !== 'completed' && st !== 'canceled').every((st) => st === 'wrapping')).toBe(true);

    // The next SMS starts a new conversation, and a new task.
    expect((await sms(customer, number, 'One more thing')).status).toBe(200);
    await settleAll(s);
    const [next] = await eventually(async () => (await conversationOf(customer)).length === 1 && conversationOf(customer));
    expect(next).not.toBe(conversationSid);
    expect((await client.conversations.v1.conversations(next!).messages.list()).map((m) => m.body)).toEqual(['One more thing']);
    await eventually(async () => {
      await settleAll(s);
      return (await f.w.tasks.list({ evaluateTaskAttributes: `conversationSid == "${next}"` })).length === 1;
    });
  });

  it('a webhook-type address lets the customer app create the Interaction itself', async () => {
    const s = ctx.server;
    const { client } = s;
    const f = await flex(s);
    const dana = await f.agent(`dana-${tag()}`, true);
    const number = phone();
    const customer = phone();
    await client.conversations.v1.addressConfigurations.create({ type: 'sms', address: number, 'autoCreation.enabled': true, 'autoCreation.type': 'webhook', 'autoCreation.webhookUrl': `${receiver.url}/app`, 'autoCreation.webhookMethod': 'post', 'autoCreation.webhookFilters': ['onMessageAdded'] });
    expect((await sms(customer, number, 'Hello?')).status).toBe(200);
    await settleAll(s);
    // The app hears of the message (signed as Twilio signs) and routes it to Flex with the Interactions API.
    const hook = await eventually(async () => receiver.received.find((r) => r.url === '/app'));
    expect(hook.params).toMatchObject({ EventType: 'onMessageAdded', Body: 'Hello?', Author: customer });
    const interaction = await client.flexApi.v1.interaction.create({
      channel: { type: 'sms', initiated_by: 'customer', properties: { media_channel_sid: hook.params.ConversationSid } },
      routing: { properties: { workspace_sid: f.ws.sid, workflow_sid: f.workflow.sid, task_channel_unique_name: 'sms', attributes: { from: customer } } },
    });
    const res = await eventually(async () => {
      await settleAll(s);
      return pendingOf(f.w, dana.sid);
    });
    expect(res.taskSid).toBe((interaction.routing as { properties: { sid: string } }).properties.sid);
    await f.w.tasks(res.taskSid).reservations(res.sid).update({ reservationStatus: 'accepted' });
    await settleAll(s);
    expect(await identities(hook.params.ConversationSid!)).toContain(dana.friendlyName);
  });

  it('agent-initiated outbound: the conversation is created and the task reserved for that agent, whose message reaches the customer', async () => {
    const s = ctx.server;
    const { client } = s;
    const f = await flex(s);
    const erin = await f.agent(`erin-${tag()}`, true);
    const number = phone();
    const customer = phone();
    await client.conversations.v1.addressConfigurations.create({ type: 'sms', address: number });
    const interaction = await client.flexApi.v1.interaction.create({
      channel: { type: 'sms', initiated_by: 'agent', participants: [{ address: customer, proxy_address: number }] },
      routing: { properties: { workspace_sid: f.ws.sid, workflow_sid: f.workflow.sid, task_channel_unique_name: 'sms', worker_sid: erin.sid, queue_sid: f.queue.sid, attributes: { customerName: 'Pat' } } },
    });
    const taskSid = (interaction.routing as { properties: { sid: string } }).properties.sid;
    const attrs = JSON.parse((await f.w.tasks(taskSid).fetch()).attributes);
    expect(attrs).toMatchObject({ initiatedBy: 'agent', direction: 'outbound', customerAddress: customer });
    const res = await eventually(async () => {
      await settleAll(s);
      return pendingOf(f.w, erin.sid);
    });
    await f.w.tasks(taskSid).reservations(res.sid).update({ reservationStatus: 'accepted' });
    await settleAll(s);
    await client.conversations.v1.conversations(attrs.conversationSid).messages.create({ author: erin.friendlyName, body: 'Your parcel is ready' });
    const sent = await eventually(async () => carrier.requests.find((r) => r.params.To === customer));
    expect(sent.params).toMatchObject({ From: number, Body: 'Your parcel is ready' });
  });

  it("system-initiated outbound: Parley texts first, and the customer's reply runs the flow, which hands off to Flex", async () => {
    const s = ctx.server;
    const { client } = s;
    const f = await flex(s);
    const fay = await f.agent(`fay-${tag()}`, true);
    const number = phone();
    const customer = phone();
    await client.conversations.v1.addressConfigurations.create({ type: 'sms', address: number });
    // The REST flow of the seed: conversation, SMS participant, studio webhook, first message.
    const conv = await client.conversations.v1.conversations.create({ friendlyName: 'Appointment reminder' });
    await client.conversations.v1.conversations(conv.sid).participants.create({ 'messagingBinding.address': customer, 'messagingBinding.proxyAddress': number });
    await client.conversations.v1.conversations(conv.sid).webhooks.create({ target: 'studio', 'configuration.flowSid': f.flow.sid });
    await client.conversations.v1.conversations(conv.sid).messages.create({ author: 'system', body: 'Your appointment is tomorrow at 10. Reply to talk to us.' });
    const out = await eventually(async () => carrier.requests.find((r) => r.params.To === customer));
    expect(out.params.Body).toBe('Your appointment is tomorrow at 10. Reply to talk to us.');
    await settleAll(s);
    expect((await f.w.tasks.list({ evaluateTaskAttributes: `conversationSid == "${conv.sid}"` })).length).toBe(0);

    expect((await sms(customer, number, 'Can I move it?')).status).toBe(200);
    const res = await eventually(async () => {
      await settleAll(s);
      return pendingOf(f.w, fay.sid);
    });
    expect(JSON.parse((await f.w.tasks(res.taskSid).fetch()).attributes)).toMatchObject({ conversationSid: conv.sid, initialMessage: 'Can I move it?' });
  });

  it('WhatsApp with media: the image is fetched from the carrier, stored, and the agent sees it', async () => {
    const s = ctx.server;
    const { client } = s;
    const f = await flex(s);
    const gus = await f.agent(`gus-${tag()}`, true);
    const number = 'whatsapp:' + phone();
    const customer = 'whatsapp:' + phone();
    await client.conversations.v1.addressConfigurations.create({ type: 'whatsapp', address: number, 'autoCreation.enabled': true, 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': f.flow.sid });
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const url = carrier.hostMedia('image/png', png);
    expect((await sms(customer, number, 'See the damage', [{ url, contentType: 'image/png' }])).status).toBe(200);
    const res = await eventually(async () => {
      await settleAll(s);
      return pendingOf(f.w, gus.sid);
    });
    const attrs = JSON.parse((await f.w.tasks(res.taskSid).fetch()).attributes);
    expect(attrs.channelType).toBe('whatsapp');
    const [message] = await client.conversations.v1.conversations(attrs.conversationSid).messages.list();
    expect(message!.media).toEqual([expect.objectContaining({ content_type: 'image/png', size: png.length })]);
  });
});
