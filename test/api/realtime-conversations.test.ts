import { it, expect } from 'vitest';
import { describeEngines, type Server } from '../support/harness.js';
import { RtClient, type Frame } from '../support/realtime.js';

async function token(server: Server, body: Record<string, string>): Promise<string> {
  const res = await server.http('POST', '/parley/v1/Tokens', body);
  expect(res.status).toBe(201);
  return res.body.token as string;
}

async function connect(server: Server, identity: string, extra: Record<string, string> = {}) {
  return RtClient.open(server.origin, { token: await token(server, { Identity: identity, ...extra }) });
}

/** Event frames must be numbered 1, 2, 3… on each stream, in order. */
function expectContiguous(events: Frame[], from = 1) {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => from + i));
}

describeEngines('Realtime: conversation streams', (ctx) => {
  it('delivers every conversation event to conversation:<CH>, and nothing of other conversations', async () => {
    const s = ctx.server;
    const convs = s.client.conversations.v1.conversations;
    const a = await convs.create({ friendlyName: 'A' });
    const b = await convs.create({ friendlyName: 'B' });
    await convs(a.sid).participants.create({ identity: 'alice' });
    await convs(b.sid).participants.create({ identity: 'alice' });
    const alice = await connect(s, 'alice');
    const streamA = `conversation:${a.sid}`;
    const subscribed = await alice.subscribe(streamA, 0);
    expect(subscribed).toMatchObject({ op: 'subscribed', stream: streamA });
    // Catch-up from 0 replays the conversation's history: created, alice joined.
    const history = await alice.eventCount(streamA, 2);
    expect(history.map((e) => e.type)).toEqual(['conversations.onConversationAdded', 'conversations.onParticipantAdded']);
    expect(subscribed.seq).toBe(2);

    const bob = await convs(a.sid).participants.create({ identity: 'bob' });
    const sms = await convs(a.sid).participants.create({ 'messagingBinding.address': '+15550001111', 'messagingBinding.proxyAddress': '+15550002222' });
    const m = await convs(a.sid).messages.create({ author: 'bob', body: 'hi alice' });
    await convs(a.sid).messages(m.sid).update({ body: 'hi alice!' });
    await s.parley.conversations.receipts.recordDelivery(s.accountSid, { messageSid: m.sid, participantSid: sms.sid, status: 'delivered' });
    await convs(a.sid).participants(bob.sid).update({ lastReadMessageIndex: 0 });
    await convs(a.sid).messages(m.sid).remove();
    await convs(a.sid).update({ state: 'inactive' });
    await convs(a.sid).participants(bob.sid).remove();
    // Noise elsewhere must not show up on A's stream.
    await convs(b.sid).messages.create({ author: 'alice', body: 'in B' });

    const events = await alice.eventCount(streamA, 12);
    await new Promise((r) => setTimeout(r, 300));
    const all = alice.events(streamA);
    expect(all.length).toBe(12);
    expectContiguous(all);
    expect(alice.events().every((e) => e.stream === streamA)).toBe(true);
    expect(all.slice(2).map((e) => e.type.replace('conversations.', ''))).toEqual([
      'onParticipantAdded', 'onParticipantAdded', 'onMessageAdded', 'onMessageUpdated', 'onDeliveryUpdated', 'onParticipantUpdated',
      'onMessageRemoved', 'onConversationUpdated', 'onConversationStateUpdated', 'onParticipantRemoved',
    ]);
    const added = events.find((e) => e.type === 'conversations.onMessageAdded')!;
    expect(added.data).toMatchObject({ EventType: 'onMessageAdded', ConversationSid: a.sid, MessageSid: m.sid, Body: 'hi alice', Author: 'bob', Index: '0', Source: 'API', AccountSid: s.accountSid });
    expect(added.data).not.toHaveProperty('deliveries');
    expect(typeof added.date).toBe('string');
    expect(all.find((e) => e.type === 'conversations.onParticipantUpdated')!.data).toMatchObject({ ParticipantSid: bob.sid, LastReadMessageIndex: '0' });
    expect(all.find((e) => e.type === 'conversations.onDeliveryUpdated')!.data).toMatchObject({ MessageSid: m.sid, Status: 'delivered' });
    expect(all.find((e) => e.type === 'conversations.onConversationStateUpdated')!.data).toMatchObject({ StateFrom: 'active', StateTo: 'inactive' });
    alice.close();
  });

  it('lets participants and supervisors read a conversation, nobody else', async () => {
    const s = ctx.server;
    const c = await s.client.conversations.v1.conversations.create({});
    await s.client.conversations.v1.conversations(c.sid).participants.create({ identity: 'pat' });
    const stream = `conversation:${c.sid}`;
    const pat = await connect(s, 'pat');
    const carol = await connect(s, 'carol', { Role: 'agent' });
    const sup = await connect(s, 'sue', { Role: 'supervisor' });
    expect((await pat.subscribe(stream)).op).toBe('subscribed');
    expect(await carol.subscribe(stream)).toMatchObject({ op: 'error', code: 20106, status: 403 });
    expect((await sup.subscribe(stream)).op).toBe('subscribed');
    expect(await carol.subscribe(`conversation:CH${'0'.repeat(32)}`)).toMatchObject({ op: 'error', code: 20404 });
    expect(await carol.subscribe('everything')).toMatchObject({ op: 'error', code: 20001 });
    // A conversation of another service is invisible to a token bound to one service.
    const svc = await s.client.conversations.v1.services.create({ friendlyName: 'other' });
    const elsewhere = await s.client.conversations.v1.services(svc.sid).conversations.create({});
    await s.client.conversations.v1.services(svc.sid).conversations(elsewhere.sid).participants.create({ identity: 'pat' });
    expect(await pat.subscribe(`conversation:${elsewhere.sid}`)).toMatchObject({ op: 'error', code: 20404 });

    await s.client.conversations.v1.conversations(c.sid).messages.create({ body: 'x' });
    await pat.next((f) => f.op === 'event');
    await sup.next((f) => f.op === 'event');
    expect(carol.events()).toEqual([]);

    // Removed from the conversation, pat hears of it and then nothing more; the supervisor keeps watching.
    await s.client.conversations.v1.conversations(c.sid).participants('pat').remove();
    expect(await pat.next((f) => f.op === 'unsubscribed')).toMatchObject({ stream, reason: 'removed' });
    await s.client.conversations.v1.conversations(c.sid).messages.create({ body: 'after' });
    await sup.next((f) => f.op === 'event' && f.data.Body === 'after');
    expect(pat.events().some((e) => e.data.Body === 'after')).toBe(false);
    for (const c of [pat, carol, sup]) c.close();
  });

  it('sends messages and read horizons as SDK actions, and fans typing out without a seq', async () => {
    const s = ctx.server;
    const c = await s.client.conversations.v1.conversations.create({});
    const convs = s.client.conversations.v1.conversations(c.sid);
    await convs.participants.create({ identity: 'ann' });
    await convs.participants.create({ identity: 'ben' });
    const stream = `conversation:${c.sid}`;
    const ann = await connect(s, 'ann');
    const ben = await connect(s, 'ben');
    await ann.subscribe(stream);
    await ben.subscribe(stream);

    const ack = await ann.op({ clientId: 'c-1', action: 'message.create', conversationSid: c.sid, body: 'hello ben', attributes: '{"x":1}' });
    expect(ack.result).toMatchObject({ conversationSid: c.sid, index: 0 });
    const stored = await convs.messages(ack.result.messageSid).fetch();
    expect(stored).toMatchObject({ author: 'ann', body: 'hello ben', attributes: '{"x":1}' });
    const seen = await ben.next((f) => f.op === 'event' && f.type === 'conversations.onMessageAdded');
    expect(seen.data).toMatchObject({ Source: 'SDK', ClientIdentity: 'ann', Author: 'ann', Body: 'hello ben' });

    const read = await ben.op({ clientId: 'r-1', action: 'read', conversationSid: c.sid, index: 0 });
    expect(read.result).toMatchObject({ lastReadMessageIndex: 0 });
    expect((await convs.participants('ben').fetch()).lastReadMessageIndex).toBe(0);
    expect((await ann.next((f) => f.type === 'conversations.onParticipantUpdated')).data).toMatchObject({ Identity: 'ben', LastReadMessageIndex: '0', Source: 'SDK' });

    ann.send({ op: 'send', action: 'typing', conversationSid: c.sid });
    const typing = await ben.next((f) => f.op === 'typing');
    expect(typing).toEqual({ op: 'typing', stream, identity: 'ann', participantSid: (await convs.participants('ann').fetch()).sid });
    await new Promise((r) => setTimeout(r, 100));
    expect(ann.frames.some((f) => f.op === 'typing')).toBe(false);

    // Bad operations: a closed frame schema, a non-participant writer.
    expect((await ann.op({ clientId: 'bad', action: 'message.create', conversationSid: c.sid, body: 1 })).error).toMatchObject({ code: 20001 });
    const out = await connect(s, 'outsider');
    expect((await out.op({ clientId: 'o-1', action: 'message.create', conversationSid: c.sid, body: 'let me in' })).error).toMatchObject({ code: 20106 });
    expect((await out.op({ clientId: 'o-2', action: 'typing', conversationSid: c.sid })).error).toMatchObject({ code: 20106 });
    expect((await convs.messages.list()).length).toBe(1);
    for (const x of [ann, ben, out]) x.close();
  });
});
