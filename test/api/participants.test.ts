import { it, expect, describe } from 'vitest';
import { describeEngines, twilioError } from '../support/harness.js';
import { configureAccountWebhooks, receiverPerTest } from '../support/webhooks.js';

let phone = 0;
/** A fresh customer number per call, so tests never share an address+proxy pair by accident. */
function nextPhone(): string {
  phone += 1;
  return `+1555${String(Date.now() % 100000).padStart(5, '0')}${String(phone).padStart(2, '0')}`;
}

describeEngines('Conversation participants', (ctx) => {
  it('adds a chat participant (creating its User), fetches it by SID and identity, updates and removes it', async () => {
    const { client, parley, accountSid } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({ friendlyName: 'chat' });
    const p = await client.conversations.v1.conversations(conv.sid).participants.create({ identity: 'alice', attributes: '{"vip":true}' });
    expect(p.sid).toMatch(/^MB[0-9a-f]{32}$/);
    expect(p).toMatchObject({ accountSid, conversationSid: conv.sid, identity: 'alice', attributes: '{"vip":true}', messagingBinding: null, lastReadMessageIndex: null, lastReadTimestamp: null });
    expect(p.url).toBe(`${ctx.server.origin}/conversations/v1/Conversations/${conv.sid}/Participants/${p.sid}`);
    const service = await parley.storage.db.selectFrom('conv_services').selectAll().where('sid', '=', conv.chatServiceSid).executeTakeFirstOrThrow();
    expect(p.roleSid).toBe(service.default_conversation_role_sid);
    const user = await parley.storage.db.selectFrom('conv_users').selectAll().where('service_sid', '=', conv.chatServiceSid).where('identity', '=', 'alice').executeTakeFirst();
    expect(user?.role_sid).toBe(service.default_chat_service_role_sid);

    expect((await client.conversations.v1.conversations(conv.sid).participants(p.sid).fetch()).identity).toBe('alice');
    expect((await client.conversations.v1.conversations(conv.sid).participants('alice').fetch()).sid).toBe(p.sid);

    const updated = await client.conversations.v1.conversations(conv.sid).participants(p.sid).update({ attributes: '{"vip":false}', lastReadMessageIndex: 4 });
    expect(updated.attributes).toBe('{"vip":false}');
    expect(updated.lastReadMessageIndex).toBe(4);
    expect(updated.lastReadTimestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    // Attributes are stored encrypted.
    const stored = await parley.storage.db.selectFrom('conv_participants').select('attributes').where('sid', '=', p.sid).executeTakeFirstOrThrow();
    expect(stored.attributes).not.toContain('vip');

    await client.conversations.v1.conversations(conv.sid).participants(p.sid).remove();
    expect(await twilioError(client.conversations.v1.conversations(conv.sid).participants(p.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await client.conversations.v1.conversations(conv.sid).participants.list()).toEqual([]);
    expect(await twilioError(client.conversations.v1.conversations(conv.sid).participants(p.sid).remove())).toMatchObject({ status: 404, code: 20404 });
  });

  it('derives the binding type from the address and renders Twilio\'s messaging_binding shapes', async () => {
    const { client } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({});
    const sms = await client.conversations.v1.conversations(conv.sid).participants.create({ 'messagingBinding.address': '+15558675310', 'messagingBinding.proxyAddress': '+15017122661' });
    expect(sms.identity).toBeNull();
    expect(sms.messagingBinding).toEqual({ type: 'sms', address: '+15558675310', proxy_address: '+15017122661' });
    const wa = await client.conversations.v1.conversations(conv.sid).participants.create({ 'messagingBinding.address': 'whatsapp:+15558675310', 'messagingBinding.proxyAddress': 'whatsapp:+15017122661' });
    expect(wa.messagingBinding).toEqual({ type: 'whatsapp', address: 'whatsapp:+15558675310', proxy_address: 'whatsapp:+15017122661' });
    const gmms = await client.conversations.v1.conversations(conv.sid).participants.create({ identity: 'gmms-agent', 'messagingBinding.projectedAddress': '+15017122661' });
    expect(gmms.messagingBinding).toEqual({ type: 'sms', projected_address: '+15017122661' });
    const removed = await client.conversations.v1.conversations(conv.sid).participants(gmms.sid).update({ 'messagingBinding.projectedAddress': 'null' });
    expect(removed.messagingBinding).toBeNull();
    // A proxy can change (and is checked against the channel).
    const moved = await client.conversations.v1.conversations(conv.sid).participants(sms.sid).update({ 'messagingBinding.proxyAddress': '+15017122662' });
    expect(moved.messagingBinding).toEqual({ type: 'sms', address: '+15558675310', proxy_address: '+15017122662' });
    expect(await twilioError(client.conversations.v1.conversations(conv.sid).participants(wa.sid).update({ 'messagingBinding.proxyAddress': '+15017122661' }))).toMatchObject({ status: 400, code: 20001 });
  });

  it('keeps an address+proxy pair in one open conversation per account (50416) until that conversation closes', async () => {
    const { client } = ctx.server;
    const address = nextPhone();
    const first = await client.conversations.v1.conversations.create({ friendlyName: 'first' });
    const second = await client.conversations.v1.conversations.create({ friendlyName: 'second' });
    await client.conversations.v1.conversations(first.sid).participants.create({ 'messagingBinding.address': address, 'messagingBinding.proxyAddress': '+15017122661' });
    const clash = await twilioError(client.conversations.v1.conversations(second.sid).participants.create({ 'messagingBinding.address': address, 'messagingBinding.proxyAddress': '+15017122661' }));
    expect(clash).toMatchObject({ status: 409, code: 50416 });
    expect(clash.message).toContain(first.sid);
    // Also inside the same conversation.
    expect(await twilioError(client.conversations.v1.conversations(first.sid).participants.create({ 'messagingBinding.address': address, 'messagingBinding.proxyAddress': '+15017122661' }))).toMatchObject({ status: 409, code: 50416 });
    // Another proxy is another pair.
    await client.conversations.v1.conversations(second.sid).participants.create({ 'messagingBinding.address': address, 'messagingBinding.proxyAddress': '+15017122999' });
    expect((await client.conversations.v1.conversations(second.sid).participants.list()).length).toBe(1);

    await client.conversations.v1.conversations(first.sid).update({ state: 'closed' });
    const moved = await client.conversations.v1.conversations(second.sid).participants.create({ 'messagingBinding.address': address, 'messagingBinding.proxyAddress': '+15017122661' });
    expect(moved.conversationSid).toBe(second.sid);
    // Closed conversations take no new participants.
    expect(await twilioError(client.conversations.v1.conversations(first.sid).participants.create({ identity: 'late' }))).toMatchObject({ status: 400, code: 50377 });
  });

  it('refuses a duplicate identity in a conversation with 50433 and stores nothing', async () => {
    const { client } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({});
    await client.conversations.v1.conversations(conv.sid).participants.create({ identity: 'bob' });
    expect(await twilioError(client.conversations.v1.conversations(conv.sid).participants.create({ identity: 'bob' }))).toMatchObject({ status: 409, code: 50433 });
    const carol = await client.conversations.v1.conversations(conv.sid).participants.create({ identity: 'carol' });
    expect(await twilioError(client.conversations.v1.conversations(conv.sid).participants(carol.sid).update({ identity: 'bob' }))).toMatchObject({ status: 409, code: 50433 });
    expect((await client.conversations.v1.conversations(conv.sid).participants.list()).map((p) => p.identity).sort()).toEqual(['bob', 'carol']);
  });

  it('validates input with Twilio errors and stores nothing', async () => {
    const { client, http } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({});
    const participants = client.conversations.v1.conversations(conv.sid).participants;
    const bad = [
      participants.create({ identity: 'x', 'messagingBinding.address': '+15551230000' }),
      participants.create({}),
      participants.create({ identity: 'y', attributes: '{nope' }),
      participants.create({ identity: 'z', attributes: JSON.stringify({ big: 'x'.repeat(4100) }) }),
      participants.create({ identity: 'i'.repeat(257) }),
      participants.create({ 'messagingBinding.address': 'whatsapp:+15551230000' }),
      participants.create({ 'messagingBinding.address': 'whatsapp:+15551230000', 'messagingBinding.proxyAddress': '+15017122661' }),
      participants.create({ identity: 'w', roleSid: 'RL00000000000000000000000000000000' }),
    ];
    for (const p of bad) expect(await twilioError(p)).toMatchObject({ status: 400, code: 20001 });
    // A service-type role is not a conversation role.
    const serviceRole = await ctx.server.parley.storage.db.selectFrom('conv_roles').select('sid').where('service_sid', '=', conv.chatServiceSid).where('type', '=', 'service').executeTakeFirstOrThrow();
    expect(await twilioError(participants.create({ identity: 'v', roleSid: serviceRole.sid }))).toMatchObject({ status: 400, code: 20001 });
    expect(await participants.list()).toEqual([]);
    expect(await twilioError(client.conversations.v1.conversations('CH00000000000000000000000000000000').participants.create({ identity: 'a' }))).toMatchObject({ status: 404, code: 20404 });
    const unknown = await http('POST', `/conversations/v1/Conversations/${conv.sid}/Participants`, { Identity: 'u', Bogus: '1' });
    expect(unknown.body).toMatchObject({ code: 20001, status: 400 });
    const p = await participants.create({ identity: 'reader' });
    const idx = await http('POST', `/conversations/v1/Conversations/${conv.sid}/Participants/${p.sid}`, { LastReadMessageIndex: 'abc' });
    expect(idx.body).toMatchObject({ code: 20001, status: 400 });
  });

  it('limits a conversation to 50 non-chat participants (50417); chat participants still join', async () => {
    const { client } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({});
    const participants = client.conversations.v1.conversations(conv.sid).participants;
    for (let i = 0; i < 50; i++) await participants.create({ 'messagingBinding.address': `+1444000${String(i).padStart(4, '0')}`, 'messagingBinding.proxyAddress': '+15017122661' });
    expect(await twilioError(participants.create({ 'messagingBinding.address': '+14440009999', 'messagingBinding.proxyAddress': '+15017122661' }))).toMatchObject({ status: 409, code: 50417 });
    await participants.create({ identity: 'still-fits' });
    expect((await participants.list()).length).toBe(51);
  });

  it('sets and clears LastReadMessageIndex and LastReadTimestamp', async () => {
    const { client, http } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({});
    const p = await client.conversations.v1.conversations(conv.sid).participants.create({ identity: 'reader' });
    const set = await client.conversations.v1.conversations(conv.sid).participants('reader').update({ lastReadMessageIndex: 7, lastReadTimestamp: '2024-05-01T10:00:00Z' });
    expect(set.lastReadMessageIndex).toBe(7);
    expect(set.lastReadTimestamp).toBe('2024-05-01T10:00:00Z');
    const fetched = await client.conversations.v1.conversations(conv.sid).participants(p.sid).fetch();
    expect(fetched.lastReadMessageIndex).toBe(7);
    const cleared = await http('POST', `/conversations/v1/Conversations/${conv.sid}/Participants/${p.sid}`, { LastReadMessageIndex: 'null' });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ last_read_message_index: null, last_read_timestamp: null, identity: 'reader' });
  });

  it('lists participants through several pages', async () => {
    const { client } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({});
    const sids: string[] = [];
    for (let i = 0; i < 7; i++) sids.push((await client.conversations.v1.conversations(conv.sid).participants.create({ identity: `p${i}` })).sid);
    const seen: string[] = [];
    await client.conversations.v1.conversations(conv.sid).participants.each({ pageSize: 3 }, (p) => {
      seen.push(p.sid);
    });
    expect(seen).toEqual(sids);
    const page = await client.conversations.v1.conversations(conv.sid).participants.page({ pageSize: 3 });
    expect(page.instances.map((p) => p.identity)).toEqual(['p0', 'p1', 'p2']);
    const next = await page.nextPage();
    expect(next!.instances.map((p) => p.sid)).toEqual(sids.slice(3, 6));
    const prev = await next!.previousPage();
    expect(prev!.instances.map((p) => p.sid)).toEqual(sids.slice(0, 3));
    const raw = await ctx.server.http('GET', `/conversations/v1/Conversations/${conv.sid}/Participants?PageSize=500`);
    expect(raw.body.meta).toMatchObject({ key: 'participants', page_size: 100 });
  });

  it('joining brings an inactive conversation back to active', async () => {
    const { client } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({ state: 'inactive' });
    await client.conversations.v1.conversations(conv.sid).participants.create({ identity: 'waker' });
    expect((await client.conversations.v1.conversations(conv.sid).fetch()).state).toBe('active');
  });

  it('answers under /v1/Services/{IS} for conversations of that service', async () => {
    const { client } = ctx.server;
    const service = await client.conversations.v1.services.create({ friendlyName: 'participants' });
    const conv = await client.conversations.v1.services(service.sid).conversations.create({ uniqueName: 'svc-room' });
    const p = await client.conversations.v1.services(service.sid).conversations('svc-room').participants.create({ identity: 'svc-user' });
    expect(p.url).toContain(`/v1/Services/${service.sid}/Conversations/${conv.sid}/Participants/${p.sid}`);
    expect((await client.conversations.v1.services(service.sid).conversations(conv.sid).participants.list()).map((x) => x.sid)).toEqual([p.sid]);
    // Not visible through the default service.
    expect(await twilioError(client.conversations.v1.conversations(conv.sid).participants.list())).toMatchObject({ status: 404 });
  });

  describe('ConversationWithParticipants', () => {
    it('creates the conversation and its participants in one call (201)', async () => {
      const { client, http } = ctx.server;
      const address = nextPhone();
      const c = await client.conversations.v1.conversationWithParticipants.create({
        friendlyName: 'with-participants',
        uniqueName: 'cwp-ok',
        participant: [JSON.stringify({ identity: 'cwp-agent' }), JSON.stringify({ messaging_binding: { address, proxy_address: '+15017122661' } })],
      });
      expect(c.sid).toMatch(/^CH/);
      expect(c).toMatchObject({ friendlyName: 'with-participants', uniqueName: 'cwp-ok', state: 'active', attributes: '{}' });
      expect(c.links).toMatchObject({ participants: `${c.url}/Participants` });
      const ps = await client.conversations.v1.conversations(c.sid).participants.list();
      expect(ps.map((p) => p.identity ?? p.messagingBinding.address)).toEqual(['cwp-agent', address]);
      const raw = await http('POST', '/conversations/v1/ConversationWithParticipants', { Participant: JSON.stringify({ identity: 'x' }) });
      expect(raw.status).toBe(201);
    });

    it('is all-or-nothing: a bad participant stores neither the conversation nor any participant', async () => {
      const { client, parley } = ctx.server;
      const address = nextPhone();
      const count = async () => (await parley.storage.db.selectFrom('conv_participants').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
      const before = Number(await count());
      const cases = [
        [JSON.stringify({ identity: 'ok' }), '{not json'],
        [JSON.stringify({ identity: 'ok' }), JSON.stringify({ identity: 'a', messaging_binding: { address } })],
        [JSON.stringify({ identity: 'ok' }), JSON.stringify({ identity: 'ok' })],
        [JSON.stringify({ messaging_binding: { address, proxy_address: '+15017122661' } }), JSON.stringify({ messaging_binding: { address, proxy_address: '+15017122661' } })],
        [JSON.stringify({ identity: 'ok', nickname: 'x' })],
        Array.from({ length: 11 }, (_, i) => JSON.stringify({ identity: `n${i}` })),
      ];
      const codes: number[] = [];
      for (const participant of cases) {
        const err = await twilioError(client.conversations.v1.conversationWithParticipants.create({ uniqueName: 'cwp-rollback', participant }));
        expect(err.status).toBeGreaterThanOrEqual(400);
        expect(err.status).toBeLessThan(500);
        codes.push(err.code);
      }
      expect(codes).toEqual([20001, 20001, 50433, 50416, 20001, 20001]);
      expect(await twilioError(client.conversations.v1.conversations('cwp-rollback').fetch())).toMatchObject({ status: 404 });
      expect(Number(await count())).toBe(before);
      // The pair was never taken: it can be used now.
      const c = await client.conversations.v1.conversationWithParticipants.create({ uniqueName: 'cwp-rollback', participant: [JSON.stringify({ messaging_binding: { address, proxy_address: '+15017122661' } })] });
      expect((await client.conversations.v1.conversations(c.sid).participants.list()).length).toBe(1);
    });
  });

  describe('ParticipantConversations', () => {
    it('lists the conversations of an identity, paged, and of an address', async () => {
      const { client, http } = ctx.server;
      const sids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const c = await client.conversations.v1.conversations.create({ friendlyName: `pc${i}`, attributes: `{"n":${i}}` });
        await client.conversations.v1.conversations(c.sid).participants.create({ identity: 'roaming' });
        sids.push(c.sid);
      }
      const all = await client.conversations.v1.participantConversations.list({ identity: 'roaming', pageSize: 3 });
      expect(all.map((pc) => pc.conversationSid)).toEqual(sids);
      const first = all[0]!;
      expect(first).toMatchObject({ participantIdentity: 'roaming', conversationFriendlyName: 'pc0', conversationAttributes: '{"n":0}', conversationState: 'active', participantMessagingBinding: null, conversationTimers: {} });
      expect(first.participantUserSid).toMatch(/^US[0-9a-f]{32}$/);
      expect(first.participantSid).toMatch(/^MB/);
      expect(first.links).toEqual({
        participant: `${ctx.server.origin}/conversations/v1/Conversations/${sids[0]}/Participants/${first.participantSid}`,
        conversation: `${ctx.server.origin}/conversations/v1/Conversations/${sids[0]}`,
      });
      const page = await client.conversations.v1.participantConversations.page({ identity: 'roaming', pageSize: 3 });
      expect(page.instances.length).toBe(3);
      expect((await page.nextPage())!.instances.map((pc) => pc.conversationSid)).toEqual([sids[3]]);

      const address = nextPhone();
      const c = await client.conversations.v1.conversations.create({ uniqueName: `by-address-${address}` });
      await client.conversations.v1.conversations(c.sid).participants.create({ 'messagingBinding.address': address, 'messagingBinding.proxyAddress': '+15017122661' });
      const byAddress = await client.conversations.v1.participantConversations.list({ address });
      expect(byAddress.length).toBe(1);
      expect(byAddress[0]).toMatchObject({ conversationSid: c.sid, conversationUniqueName: `by-address-${address}`, participantIdentity: null, participantUserSid: null });
      expect(byAddress[0]!.participantMessagingBinding).toEqual({ type: 'sms', address, proxy_address: '+15017122661' });

      expect((await http('GET', '/conversations/v1/ParticipantConversations')).body).toMatchObject({ status: 400, code: 20001 });
      expect((await http('GET', `/conversations/v1/ParticipantConversations?Identity=roaming&Address=${encodeURIComponent(address)}`)).body).toMatchObject({ status: 400, code: 20001 });
      const raw = await http('GET', '/conversations/v1/ParticipantConversations?Identity=nobody');
      expect(raw.body.conversations).toEqual([]);
      expect(raw.body.meta).toMatchObject({ key: 'conversations', page_size: 50 });
      expect(raw.body.meta.url).toContain('Identity=nobody');
    });

    it('is scoped to the service', async () => {
      const { client } = ctx.server;
      const service = await client.conversations.v1.services.create({ friendlyName: 'pc-scope' });
      const c = await client.conversations.v1.services(service.sid).conversations.create({});
      await client.conversations.v1.services(service.sid).conversations(c.sid).participants.create({ identity: 'scoped-only' });
      expect((await client.conversations.v1.services(service.sid).participantConversations.list({ identity: 'scoped-only' })).map((pc) => pc.conversationSid)).toEqual([c.sid]);
      expect(await client.conversations.v1.participantConversations.list({ identity: 'scoped-only' })).toEqual([]);
    });
  });

  describe('webhooks', () => {
    const receiver = receiverPerTest(ctx);

    it('a pre-event webhook answering 403 rejects the add and nothing is stored', async () => {
      const { client, parley, accountSid } = ctx.server;
      const conv = await client.conversations.v1.conversations.create({});
      await configureAccountWebhooks(parley.storage.db, accountSid, { pre: `${receiver.url}/pre`, filters: ['onParticipantAdd', 'onParticipantRemove'] });
      receiver.respond(() => ({ status: 403 }));
      const err = await twilioError(client.conversations.v1.conversations(conv.sid).participants.create({ identity: 'blocked', xTwilioWebhookEnabled: 'true' }));
      expect(err.status).toBeGreaterThanOrEqual(400);
      expect(err.status).toBeLessThan(500);
      expect(receiver.received[0]!.params).toMatchObject({ EventType: 'onParticipantAdd', ConversationSid: conv.sid, Identity: 'blocked', Source: 'API' });
      expect(await client.conversations.v1.conversations(conv.sid).participants.list()).toEqual([]);
      const user = await parley.storage.db.selectFrom('conv_users').select('sid').where('identity', '=', 'blocked').executeTakeFirst();
      expect(user).toBeUndefined();
      // Without the header, REST writes skip service-level hooks.
      const p = await client.conversations.v1.conversations(conv.sid).participants.create({ identity: 'quiet' });
      expect(await twilioError(client.conversations.v1.conversations(conv.sid).participants(p.sid).remove({ xTwilioWebhookEnabled: 'true' }))).toMatchObject({ code: 50399 });
      expect((await client.conversations.v1.conversations(conv.sid).participants.list()).length).toBe(1);
    });

    it('a pre-event webhook may modify the attributes; post events carry Twilio\'s parameters', async () => {
      const { client, parley, accountSid } = ctx.server;
      const conv = await client.conversations.v1.conversations.create({});
      await configureAccountWebhooks(parley.storage.db, accountSid, {
        pre: `${receiver.url}/pre`,
        post: `${receiver.url}/post`,
        filters: ['onParticipantAdd', 'onParticipantAdded', 'onParticipantUpdated', 'onParticipantRemoved'],
      });
      receiver.respond((r) => (r.url === '/pre' ? { status: 200, body: JSON.stringify({ attributes: '{"tagged":true}' }) } : { status: 200 }));
      const address = nextPhone();
      const p = await client.conversations.v1.conversations(conv.sid).participants.create({ 'messagingBinding.address': address, 'messagingBinding.proxyAddress': '+15017122661', xTwilioWebhookEnabled: 'true' });
      expect(p.attributes).toBe('{"tagged":true}');
      await client.conversations.v1.conversations(conv.sid).participants(p.sid).update({ lastReadMessageIndex: 2, xTwilioWebhookEnabled: 'true' });
      await client.conversations.v1.conversations(conv.sid).participants(p.sid).remove({ xTwilioWebhookEnabled: 'true' });
      await ctx.server.drain();
      const hits = await receiver.waitFor(4);
      const post = hits.filter((h) => h.url === '/post');
      expect(post.map((h) => h.params.EventType)).toEqual(['onParticipantAdded', 'onParticipantUpdated', 'onParticipantRemoved']);
      expect(post[0]!.params).toMatchObject({
        AccountSid: accountSid,
        ChatServiceSid: conv.chatServiceSid,
        ConversationSid: conv.sid,
        ParticipantSid: p.sid,
        Attributes: '{"tagged":true}',
        'MessagingBinding.Address': address,
        'MessagingBinding.ProxyAddress': '+15017122661',
        'MessagingBinding.Type': 'SMS',
        Source: 'API',
      });
      expect(post[0]!.params.Identity).toBeUndefined();
      expect(post[0]!.params.DateCreated).toMatch(/Z$/);
      expect(post[1]!.params).toMatchObject({ LastReadMessageIndex: '2', ParticipantSid: p.sid });
      expect(post[1]!.params.DateUpdated).toMatch(/Z$/);
      expect(post[2]!.params.DateRemoved).toMatch(/Z$/);
    });
  });
});
