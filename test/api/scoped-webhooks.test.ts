import { it, expect, beforeEach, afterEach, describe } from 'vitest';
import twilio from 'twilio';
import { describeEngines, twilioError } from '../support/harness.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { matchesTrigger } from '../../src/conversations/hooks.js';

const FW = 'FW' + 'c'.repeat(32);

describe('matchesTrigger', () => {
  it('matches keywords as whole words, case-insensitively', () => {
    expect(matchesTrigger(['help'], 'I need HELP now')).toBe(true);
    expect(matchesTrigger(['help'], 'helpful people')).toBe(false);
    expect(matchesTrigger(['agent', 'human'], 'talk to a human!')).toBe(true);
    expect(matchesTrigger(['talk to agent'], 'Can I talk to agent please')).toBe(true);
    expect(matchesTrigger(['help'], undefined)).toBe(false);
    expect(matchesTrigger([' '], 'anything')).toBe(false);
  });
});

describeEngines('Conversation-scoped webhooks', (ctx) => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('creates, fetches, updates, lists and deletes scoped webhooks, under both route forms', async () => {
    const { client, origin } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({ uniqueName: 'scoped-crud' });
    const hooks = client.conversations.v1.conversations(conv.sid).webhooks;
    const created = await hooks.create({ target: 'webhook', 'configuration.url': 'https://example.com/hook', 'configuration.method': 'get', 'configuration.filters': ['onMessageAdded', 'onConversationUpdated'], 'configuration.replayAfter': 0 });
    expect(created.sid).toMatch(/^WH[0-9a-f]{32}$/);
    expect(created).toMatchObject({ accountSid: ctx.server.accountSid, conversationSid: conv.sid, target: 'webhook', url: `${origin}/conversations/v1/Conversations/${conv.sid}/Webhooks/${created.sid}` });
    expect(created.configuration).toEqual({ url: 'https://example.com/hook', method: 'get', filters: ['onMessageAdded', 'onConversationUpdated'], replay_after: 0 });

    const fetched = await client.conversations.v1.conversations('scoped-crud').webhooks(created.sid).fetch();
    expect(fetched.toJSON()).toEqual(created.toJSON());

    const updated = await hooks(created.sid).update({ 'configuration.method': 'POST' as never, 'configuration.filters': ['onParticipantAdded'] });
    expect(updated.configuration).toEqual({ url: 'https://example.com/hook', method: 'post', filters: ['onParticipantAdded'], replay_after: 0 });

    const trigger = await hooks.create({ target: 'trigger', 'configuration.url': 'https://example.com/trigger', 'configuration.triggers': ['help', 'agent'] });
    expect(trigger.configuration).toMatchObject({ url: 'https://example.com/trigger', method: 'post', filters: ['help', 'agent'], triggers: ['help', 'agent'] });
    const studio = await hooks.create({ target: 'studio', 'configuration.flowSid': FW });
    expect(studio.configuration).toEqual({ flow_sid: FW });

    // Mirrored under the conversation's service, with its URL there.
    const scoped = client.conversations.v1.services(conv.chatServiceSid).conversations(conv.sid).webhooks;
    const viaService = await scoped(created.sid).fetch();
    expect(viaService.url).toBe(`${origin}/conversations/v1/Services/${conv.chatServiceSid}/Conversations/${conv.sid}/Webhooks/${created.sid}`);
    expect(viaService.chatServiceSid).toBe(conv.chatServiceSid);
    const fourth = await scoped.create({ target: 'webhook', 'configuration.url': 'https://example.com/4', 'configuration.filters': ['onMessageRemoved'] });
    expect(fourth.chatServiceSid).toBe(conv.chatServiceSid);
    const fifth = await hooks.create({ target: 'webhook', 'configuration.url': 'https://example.com/5' });

    // At most five per conversation; the list is paged at most five at a time.
    expect(await twilioError(hooks.create({ target: 'webhook', 'configuration.url': 'https://example.com/6' }))).toMatchObject({ status: 400, code: 20001 });
    const all = [created.sid, trigger.sid, studio.sid, fourth.sid, fifth.sid];
    const seen: string[] = [];
    await hooks.each({ pageSize: 2 }, (h) => {
      seen.push(h.sid);
    });
    expect(seen).toEqual(all);
    const page = await hooks.page({ pageSize: 2 });
    const page2 = await page.nextPage();
    const page3 = await page2!.nextPage();
    expect(page3!.instances.map((h) => h.sid)).toEqual([fifth.sid]);
    expect(await page3!.nextPage()).toBeUndefined();
    const raw = await ctx.server.http('GET', `/conversations/v1/Conversations/${conv.sid}/Webhooks?PageSize=50`);
    expect(raw.body.meta).toMatchObject({ key: 'webhooks', page_size: 5 });

    expect(await hooks(trigger.sid).remove()).toBe(true);
    expect(await twilioError(hooks(trigger.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await twilioError(hooks(trigger.sid).remove())).toMatchObject({ status: 404, code: 20404 });
    // Room for one again.
    await hooks.create({ target: 'studio', 'configuration.flowSid': FW });

    // A webhook is only found through its own conversation.
    const other = await client.conversations.v1.conversations.create({});
    expect(await twilioError(client.conversations.v1.conversations(other.sid).webhooks(created.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await twilioError(client.conversations.v1.conversations('CH' + '0'.repeat(32)).webhooks.list())).toMatchObject({ status: 404, code: 20404 });
    // Deleting the conversation removes its webhooks.
    await client.conversations.v1.conversations(conv.sid).remove();
    const left = await ctx.server.parley.storage.db.selectFrom('conv_webhooks').select('sid').where('conversation_sid', '=', conv.sid).execute();
    expect(left).toEqual([]);
  });

  it('refuses invalid scoped webhooks with 20001 and stores nothing', async () => {
    const { client, http } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({});
    const hooks = client.conversations.v1.conversations(conv.sid).webhooks;
    const cases: Array<Record<string, unknown>> = [
      { target: 'webhook' },
      { target: 'trigger', 'configuration.url': 'https://example.com' },
      { target: 'trigger', 'configuration.triggers': ['help'] },
      { target: 'studio' },
      { target: 'studio', 'configuration.flowSid': 'FW1' },
      { target: 'bot', 'configuration.url': 'https://example.com' },
      { target: 'webhook', 'configuration.url': 'example.com/relative' },
      { target: 'webhook', 'configuration.url': 'https://example.com', 'configuration.method': 'PUT' },
      { target: 'webhook', 'configuration.url': 'https://example.com', 'configuration.filters': ['onConversationAdded'] },
      { target: 'webhook', 'configuration.url': 'https://example.com', 'configuration.filters': ['onMessageAdd'] },
      { target: 'webhook', 'configuration.url': 'https://example.com', 'configuration.replayAfter': -1 },
      { target: 'trigger', 'configuration.url': 'https://example.com', 'configuration.triggers': [' '] },
    ];
    for (const params of cases) {
      expect(await twilioError(hooks.create(params as never)), JSON.stringify(params)).toMatchObject({ status: 400, code: 20001 });
    }
    const path = `/conversations/v1/Conversations/${conv.sid}/Webhooks`;
    expect(await http('POST', path, { 'Configuration.Url': 'https://example.com' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await http('POST', path, { Target: 'webhook', 'Configuration.Url': 'https://example.com', 'Configuration.ReplayAfter': 'soon' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await hooks.list()).toEqual([]);

    const hook = await hooks.create({ target: 'trigger', 'configuration.url': 'https://example.com/t', 'configuration.triggers': ['help'] });
    // Target and ReplayAfter are fixed at creation.
    expect(await http('POST', `${path}/${hook.sid}`, { Target: 'webhook' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await http('POST', `${path}/${hook.sid}`, { 'Configuration.ReplayAfter': '3' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await twilioError(hooks(hook.sid).update({ 'configuration.method': 'patch' as never }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(hooks(hook.sid).update({ 'configuration.flowSid': 'nope' }))).toMatchObject({ status: 400, code: 20001 });
    expect((await hooks(hook.sid).fetch()).toJSON()).toEqual(hook.toJSON());
    expect(await twilioError(hooks('WH' + '0'.repeat(32)).update({ 'configuration.url': 'https://example.com' }))).toMatchObject({ status: 404, code: 20404 });
    expect(await twilioError(client.conversations.v1.conversations('nope').webhooks.create({ target: 'studio', 'configuration.flowSid': FW }))).toMatchObject({ status: 404, code: 20404 });
  });

  it('delivers onConversationUpdated to a webhook target, signed as Twilio signs', async () => {
    const { client, authToken, accountSid } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({ friendlyName: 'watched' });
    await client.conversations.v1.conversations(conv.sid).webhooks.create({ target: 'webhook', 'configuration.url': `${receiver.url}/scoped?tenant=a`, 'configuration.filters': ['onConversationUpdated'] });
    await client.conversations.v1.conversations(conv.sid).webhooks.create({ target: 'webhook', 'configuration.url': `${receiver.url}/messages-only`, 'configuration.filters': ['onMessageAdded'] });
    // Scoped webhooks fire for REST writes without X-Twilio-Webhook-Enabled.
    await client.conversations.v1.conversations(conv.sid).update({ friendlyName: 'renamed' });
    const [hit] = await receiver.waitFor(1);
    expect(hit!.method).toBe('POST');
    expect(hit!.url).toBe('/scoped?tenant=a');
    expect(hit!.params).toMatchObject({ EventType: 'onConversationUpdated', AccountSid: accountSid, ConversationSid: conv.sid, FriendlyName: 'renamed', ChatServiceSid: conv.chatServiceSid, Source: 'API' });
    const signature = hit!.headers['x-twilio-signature'] as string;
    expect(twilio.validateRequest(authToken, signature, hit!.fullUrl, hit!.params)).toBe(true);
    expect(twilio.validateRequest(authToken, signature, hit!.fullUrl, { ...hit!.params, FriendlyName: 'forged' })).toBe(false);
    await ctx.server.drain();
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received.map((r) => r.url)).toEqual(['/scoped?tenant=a']);
  });

  it('fires a trigger webhook only for messages containing one of its keywords', async () => {
    const { client, authToken } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({ friendlyName: 'bot' });
    await client.conversations.v1.conversations(conv.sid).webhooks.create({ target: 'trigger', 'configuration.url': `${receiver.url}/trigger`, 'configuration.method': 'get', 'configuration.triggers': ['agent', 'help'] });
    await client.conversations.v1.conversations(conv.sid).webhooks.create({ target: 'studio', 'configuration.flowSid': FW });
    await client.conversations.v1.conversations(conv.sid).messages.create({ author: 'customer', body: 'hello there' });
    const hit = await client.conversations.v1.conversations(conv.sid).messages.create({ author: 'customer', body: 'I need an AGENT please' });
    await client.conversations.v1.conversations(conv.sid).messages.create({ author: 'customer', body: 'helpful, thanks' });
    await client.conversations.v1.conversations(conv.sid).update({ friendlyName: 'not a message' });
    const [got] = await receiver.waitFor(1);
    expect(got!.method).toBe('GET');
    expect(got!.params).toMatchObject({ EventType: 'onMessageAdded', ConversationSid: conv.sid, MessageSid: hit.sid, Body: 'I need an AGENT please' });
    expect(twilio.validateRequest(authToken, got!.headers['x-twilio-signature'] as string, got!.fullUrl, {})).toBe(true);
    await ctx.server.drain();
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received.length).toBe(1);
  });

  it('replays past messages from Configuration.ReplayAfter to a new webhook, and hears the conversation removed', async () => {
    const { client } = ctx.server;
    const conv = await client.conversations.v1.conversations.create({ friendlyName: 'replay' });
    for (const body of ['zero', 'one', 'two']) await client.conversations.v1.conversations(conv.sid).messages.create({ author: 'customer', body });
    await client.conversations.v1.conversations(conv.sid).webhooks.create({
      target: 'webhook',
      'configuration.url': `${receiver.url}/replay`,
      'configuration.filters': ['onMessageAdded', 'onConversationRemoved'],
      'configuration.replayAfter': 1,
    });
    const replayed = await receiver.waitFor(2);
    expect(replayed.map((r) => [r.params.EventType, r.params.Index, r.params.Body])).toEqual([
      ['onMessageAdded', '1', 'one'],
      ['onMessageAdded', '2', 'two'],
    ]);
    await client.conversations.v1.conversations(conv.sid).remove();
    const all = await receiver.waitFor(3);
    expect(all[2]!.params).toMatchObject({ EventType: 'onConversationRemoved', ConversationSid: conv.sid });
  });
});
