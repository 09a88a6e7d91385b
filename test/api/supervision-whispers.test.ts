import { it, expect, beforeAll } from 'vitest';
import { describeEngines, type Server } from '../support/harness.js';
import { RtClient, type Frame } from '../support/realtime.js';
import { agentHttp, agentSession } from '../support/agents.js';
import { startReceiver } from '../support/receiver.js';
import { configureAccountWebhooks } from '../support/webhooks.js';
import { storedBytes } from '../support/at-rest.js';
import { phone } from '../support/flex.js';

const PROXY = '+15005550110';
const WHISPER = 'supervision.whisper';

/** The realtime token and chat identity GET /agent-api/v1/Session gives a logged-in agent. */
async function desk(server: Server, cookie: string): Promise<{ identity: string; token: string }> {
  const res = await agentHttp(server, cookie, 'GET', '/agent-api/v1/Session');
  expect(res.status).toBe(200);
  return { identity: res.body.identity, token: res.body.token };
}

async function mint(server: Server, body: Record<string, string>): Promise<string> {
  const res = await server.http('POST', '/parley/v1/Tokens', body);
  expect(res.status).toBe(201);
  return res.body.token as string;
}

const whisper = (server: Server, cookie: string | undefined, conversationSid: string, body: string) =>
  agentHttp(server, cookie, 'POST', `/agent-api/v1/Conversations/${conversationSid}/Whispers`, { Body: body });

const whisperFrames = (c: RtClient, stream: string): Frame[] => c.events(stream).filter((e) => e.type === WHISPER);

describeEngines('Supervision: whispers', (ctx) => {
  let sue: string; // supervisor
  let ann: string; // the conversation's agent
  let otto: string; // another agent
  let annIdentity: string;
  let conversationSid: string;
  let customer: string;

  beforeAll(async () => {
    const s = ctx.server;
    sue = (await agentSession(s, 'sue', { role: 'supervisor' })).token;
    ann = (await agentSession(s, 'ann')).token;
    otto = (await agentSession(s, 'otto')).token;
    annIdentity = (await desk(s, ann)).identity;
    // The simulator plays the account's own numbers: this one makes fan-out to the SMS customer real.
    const address = await s.http('POST', '/conversations/v1/Configuration/Addresses', { Type: 'sms', Address: PROXY, 'AutoCreation.Enabled': 'false' });
    expect(address.status).toBe(201);
    const conv = await s.client.conversations.v1.conversations.create({ friendlyName: 'Whispered' });
    conversationSid = conv.sid;
    customer = phone();
    const participants = s.client.conversations.v1.conversations(conv.sid).participants;
    await participants.create({ 'messagingBinding.address': customer, 'messagingBinding.proxyAddress': PROXY });
    await participants.create({ identity: annIdentity });
    await participants.create({ identity: 'guest-7' });
    await participants.create({ identity: 'plain-chat-user' });
  });

  it('lets supervisors and the agents of the conversation whisper; refuses other agents and anonymous callers', async () => {
    const s = ctx.server;
    const bySue = await whisper(s, sue, conversationSid, '  Offer the refund  ');
    expect(bySue.status).toBe(201);
    expect(bySue.body).toMatchObject({ conversation_sid: conversationSid, author: 'sue', author_role: 'supervisor', body: 'Offer the refund', account_sid: s.accountSid });
    expect(bySue.body.sid).toMatch(/^WP[0-9a-f]{32}$/);
    expect(Date.parse(bySue.body.date_created)).not.toBeNaN();

    const byAnn = await whisper(s, ann, conversationSid, 'Will do');
    expect(byAnn.status).toBe(201);
    expect(byAnn.body).toMatchObject({ author: annIdentity, author_role: 'agent', body: 'Will do' });

    expect(await whisper(s, otto, conversationSid, 'let me in')).toMatchObject({ status: 403, body: { code: 20003, status: 403 } });
    expect(await whisper(s, undefined, conversationSid, 'anonymous')).toMatchObject({ status: 401, body: { code: 20003 } });
    expect(await whisper(s, 'not-a-session', conversationSid, 'forged')).toMatchObject({ status: 401, body: { code: 20003 } });
    expect(await whisper(s, sue, `CH${'0'.repeat(32)}`, 'nowhere')).toMatchObject({ status: 404, body: { code: 20404 } });
    expect(await whisper(s, sue, conversationSid, '   ')).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await whisper(s, sue, conversationSid, 'x'.repeat(4097))).toMatchObject({ status: 400, body: { code: 20001 } });

    // Reading follows the same rule.
    const read = await agentHttp(s, ann, 'GET', `/agent-api/v1/Conversations/${conversationSid}/Whispers`);
    expect(read.status).toBe(200);
    expect(read.body.whispers.map((w: { body: string }) => w.body)).toEqual(['Offer the refund', 'Will do']);
    expect((await agentHttp(s, otto, 'GET', `/agent-api/v1/Conversations/${conversationSid}/Whispers`)).status).toBe(403);

    // Nothing else was refused into existence: two whispers, stored encrypted.
    const rows = await s.parley.storage.db.selectFrom('sv_whispers').select(['body', 'author_identity']).where('conversation_sid', '=', conversationSid).execute();
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.body.startsWith('v1.'))).toBe(true);
    expect(await storedBytes(s, ['sv_whispers', 'outbox', 'rt_stream_events'])).not.toContain('Offer the refund');
  });

  it('reaches staff on the conversation stream, never a guest or a plain chat user, live or replayed', async () => {
    const s = ctx.server;
    const stream = `conversation:${conversationSid}`;
    const supervisor = await RtClient.open(s.origin, { token: (await desk(s, sue)).token });
    const agent = await RtClient.open(s.origin, { token: (await desk(s, ann)).token });
    const guest = await RtClient.open(s.origin, { token: await mint(s, { Identity: 'guest-7', ConversationSid: conversationSid }) });
    const plain = await RtClient.open(s.origin, { token: await mint(s, { Identity: 'plain-chat-user' }) });
    for (const c of [supervisor, agent, guest, plain]) expect((await c.subscribe(stream)).op).toBe('subscribed');

    expect((await whisper(s, sue, conversationSid, 'Watch the tone')).status).toBe(201);
    await s.client.conversations.v1.conversations(conversationSid).messages.create({ author: annIdentity, body: 'Happy to help!' });

    for (const staff of [supervisor, agent]) {
      const frame = await staff.next((f) => f.op === 'event' && f.type === WHISPER);
      expect(frame.data).toMatchObject({ EventType: 'onWhisperAdded', ConversationSid: conversationSid, Body: 'Watch the tone', Author: 'sue', AuthorRole: 'supervisor', AccountSid: s.accountSid });
      expect(frame.data.WhisperSid).toMatch(/^WP/);
      await staff.next((f) => f.op === 'event' && f.type === 'conversations.onMessageAdded');
    }
    // The message after the whisper arrives for the customer-side sockets too: they were listening, and got no whisper.
    for (const outsider of [guest, plain]) {
      const added = await outsider.next((f) => f.op === 'event' && f.type === 'conversations.onMessageAdded');
      expect(added.data.Body).toBe('Happy to help!');
      expect(whisperFrames(outsider, stream)).toEqual([]);
      expect(JSON.stringify(outsider.frames)).not.toContain('Watch the tone');
    }
    // Staff saw the whisper at the seq the outsiders skipped.
    const skipped = whisperFrames(supervisor, stream)[0]!.seq;
    expect(guest.events(stream).map((e) => e.seq)).not.toContain(skipped);

    // Replaying the whole retained log: the earlier whispers come back for staff, never for the guest.
    const replayGuest = await RtClient.open(s.origin, { token: await mint(s, { Identity: 'guest-7', ConversationSid: conversationSid }) });
    const replaySup = await RtClient.open(s.origin, { token: (await desk(s, sue)).token });
    const supHead = (await replaySup.subscribe(stream, 0)).seq as number;
    // Delivery receipts of the SMS customer may still be arriving: the guest's head can only be later.
    const guestHead = (await replayGuest.subscribe(stream, 0)).seq as number;
    expect(guestHead).toBeGreaterThanOrEqual(supHead);
    expect(whisperFrames(replaySup, stream).map((f) => f.data.Body)).toEqual(['Offer the refund', 'Will do', 'Watch the tone']);
    expect(whisperFrames(replayGuest, stream)).toEqual([]);
    // Everything up to its head but the three whispers.
    expect(replayGuest.events(stream).filter((e) => e.seq <= guestHead).length).toBe(guestHead - 3);
    expect(replayGuest.events(stream).some((e) => e.type === 'conversations.onMessageAdded')).toBe(true);
    for (const c of [supervisor, agent, guest, plain, replayGuest, replaySup]) c.close();
  });

  it('is never a Conversations message, never a webhook and never sent to the SMS participant', async () => {
    const s = ctx.server;
    const receiver = await startReceiver();
    try {
      // No onDeliveryUpdated: receipts of earlier messages to the SMS customer may still be on their way.
      await configureAccountWebhooks(s.parley.storage.db, s.accountSid, { post: receiver.url, filters: ['onMessageAdded', 'onMessageUpdated', 'onConversationUpdated', 'onParticipantUpdated'] });
      const scoped = await s.client.conversations.v1.conversations(conversationSid).webhooks.create({
        target: 'webhook',
        'configuration.url': `${receiver.url}/scoped`,
        'configuration.method': 'post',
        'configuration.filters': ['onMessageAdded', 'onMessageUpdated', 'onConversationUpdated', 'onParticipantUpdated'],
      });
      const messagesBefore = (await s.client.conversations.v1.conversations(conversationSid).messages.list()).length;
      const sentBefore = await outbound(s, customer);

      expect((await whisper(s, sue, conversationSid, 'Secret advice')).status).toBe(201);
      expect((await whisper(s, ann, conversationSid, 'Secret reply')).status).toBe(201);
      await s.settle();
      await new Promise((r) => setTimeout(r, 300));
      await s.settle();
      expect(receiver.received).toEqual([]);
      expect((await s.client.conversations.v1.conversations(conversationSid).messages.list()).length).toBe(messagesBefore);
      expect(await outbound(s, customer)).toEqual(sentBefore);
      const sendJobs = await s.parley.storage.db.selectFrom('jobs').select('seq').where('kind', '=', 'channels.messaging.send').where('status', '=', 'pending').execute();
      expect(sendJobs).toEqual([]);

      // The same path with a real message: both webhooks fire and the customer gets an SMS (so the checks above could fail).
      const real = await s.http('POST', `/conversations/v1/Conversations/${conversationSid}/Messages`, { Author: annIdentity, Body: 'A real reply' }, { 'X-Twilio-Webhook-Enabled': 'true' });
      expect(real.status).toBe(201);
      const added = () => receiver.received.filter((r) => r.params.EventType === 'onMessageAdded');
      await eventually(async () => added().length === 2);
      expect(added().map((r) => r.url).sort()).toEqual(['/', '/scoped']);
      expect(added().every((r) => r.params.Body === 'A real reply')).toBe(true);
      await eventually(async () => (await outbound(s, customer)).length === sentBefore.length + 1);
      const sent = await outbound(s, customer);
      expect(sent.map((m) => m.body)).toContain('A real reply');
      expect(JSON.stringify(sent)).not.toContain('Secret');
      await s.client.conversations.v1.conversations(conversationSid).webhooks(scoped.sid).remove();
    } finally {
      await configureAccountWebhooks(s.parley.storage.db, s.accountSid, { post: null, filters: [] });
      await receiver.close();
    }
  });
});

/** What the simulated carrier sent to a phone. */
async function outbound(s: Server, to: string): Promise<Array<{ body: string; to: string }>> {
  const res = await s.http('GET', `/parley/v1/Simulator/Messages?Direction=outbound-api&Address=${encodeURIComponent(to)}`);
  expect(res.status).toBe(200);
  return (res.body.messages as Array<{ body: string; to: string }>).map((m) => ({ body: m.body, to: m.to }));
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
