import { it, expect } from 'vitest';
import twilio from 'twilio';
import { describeEngines, twilioError } from '../support/harness.js';
import { configureAccountWebhooks, receiverPerTest } from '../support/webhooks.js';

describeEngines('Conversations webhooks', (ctx) => {
  const receiver = receiverPerTest(ctx);

  it('delivers post-event webhooks signed exactly as Twilio signs them', async () => {
    const { client, parley, accountSid, authToken } = ctx.server;
    await configureAccountWebhooks(parley.storage.db, accountSid, { post: `${receiver.url}/post?x=1`, filters: ['onConversationAdded', 'onConversationUpdated'] });
    const conv = await client.conversations.v1.conversations.create({ friendlyName: 'signed', xTwilioWebhookEnabled: 'true' });
    const [hit] = await receiver.waitFor(1);
    expect(hit!.params).toMatchObject({ EventType: 'onConversationAdded', AccountSid: accountSid, ConversationSid: conv.sid, FriendlyName: 'signed', Source: 'API', State: 'active', Attributes: '{}', ChatServiceSid: conv.chatServiceSid });
    const signature = hit!.headers['x-twilio-signature'] as string;
    expect(twilio.validateRequest(authToken, signature, hit!.fullUrl, hit!.params)).toBe(true);
    expect(twilio.validateRequest('wrong-token-wrong-token', signature, hit!.fullUrl, hit!.params)).toBe(false);
    expect(hit!.headers['i-twilio-idempotency-token']).toBeTruthy();
  });

  it('fires service-level hooks for REST writes only with X-Twilio-Webhook-Enabled: true', async () => {
    const { client, parley, accountSid } = ctx.server;
    await configureAccountWebhooks(parley.storage.db, accountSid, { post: `${receiver.url}/post`, filters: ['onConversationAdded'] });
    await client.conversations.v1.conversations.create({ friendlyName: 'quiet' });
    await client.conversations.v1.conversations.create({ friendlyName: 'loud', xTwilioWebhookEnabled: 'true' });
    await ctx.server.drain();
    await receiver.waitFor(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received.map((r) => r.params.FriendlyName)).toEqual(['loud']);
  });

  it('pre-event hook: a 4xx rejects the action and nothing is stored', async () => {
    const { client, parley, accountSid } = ctx.server;
    await configureAccountWebhooks(parley.storage.db, accountSid, { pre: `${receiver.url}/pre`, filters: ['onConversationAdd'] });
    receiver.respond(() => ({ status: 403 }));
    const before = (await client.conversations.v1.conversations.list()).length;
    const err = await twilioError(client.conversations.v1.conversations.create({ friendlyName: 'blocked', uniqueName: 'blocked', xTwilioWebhookEnabled: 'true' }));
    expect(err.status).toBeGreaterThanOrEqual(400);
    expect(err.status).toBeLessThan(500);
    expect(receiver.received[0]!.params).toMatchObject({ EventType: 'onConversationAdd', FriendlyName: 'blocked' });
    expect((await client.conversations.v1.conversations.list()).length).toBe(before);
    expect(await twilioError(client.conversations.v1.conversations('blocked').fetch())).toMatchObject({ status: 404 });
  });

  it('pre-event hook: a JSON reply modifies the action', async () => {
    const { client, parley, accountSid } = ctx.server;
    await configureAccountWebhooks(parley.storage.db, accountSid, { pre: `${receiver.url}/pre`, filters: ['onConversationAdd'] });
    receiver.respond(() => ({ status: 200, body: JSON.stringify({ friendly_name: 'renamed by hook' }) }));
    const conv = await client.conversations.v1.conversations.create({ friendlyName: 'original', xTwilioWebhookEnabled: 'true' });
    expect(conv.friendlyName).toBe('renamed by hook');
  });

  it('pre-event hook: no answer within the timeout publishes unchanged (fail open)', async () => {
    const { client, parley, accountSid } = ctx.server;
    await configureAccountWebhooks(parley.storage.db, accountSid, { pre: `${receiver.url}/slow`, filters: ['onConversationAdd'] });
    receiver.respond(() => ({ status: 500, delayMs: 3000 }));
    const started = Date.now();
    const conv = await client.conversations.v1.conversations.create({ friendlyName: 'patient', xTwilioWebhookEnabled: 'true' });
    expect(conv.friendlyName).toBe('patient');
    expect(Date.now() - started).toBeLessThan(2500); // harness sets the pre-hook timeout to 1 s
  });

  it('retries a failed delivery with the same idempotency token, then stops once acknowledged', async () => {
    const { client, parley, accountSid } = ctx.server;
    await configureAccountWebhooks(parley.storage.db, accountSid, { post: `${receiver.url}/flaky`, filters: ['onConversationAdded'] });
    let calls = 0;
    receiver.respond(() => ({ status: ++calls <= 2 ? 500 : 204 }));
    await client.conversations.v1.conversations.create({ friendlyName: 'retry me', xTwilioWebhookEnabled: 'true' });
    const hits = await receiver.waitFor(3);
    const tokens = new Set(hits.map((h) => h.headers["i-twilio-idempotency-token"]));
    expect(tokens.size).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    await ctx.server.drain();
    expect(receiver.received.length).toBe(3);
    const pending = await parley.storage.db.selectFrom('jobs').selectAll().where('kind', '=', 'webhook.deliver').execute();
    expect(pending.length).toBe(0);
  });

  it('a delivery pending across a restart is delivered after it', async () => {
    const server = ctx.server;
    await configureAccountWebhooks(server.parley.storage.db, server.accountSid, { post: `${receiver.url}/later`, filters: ['onConversationAdded'] });
    receiver.respond(() => ({ status: 503 }));
    await server.client.conversations.v1.conversations.create({ friendlyName: 'survivor', xTwilioWebhookEnabled: 'true' });
    await receiver.waitFor(1);
    receiver.respond(() => ({ status: 200 }));
    await server.restart();
    const hits = await receiver.waitFor(2, 10_000);
    expect(hits[1]!.params.FriendlyName).toBe('survivor');
    expect(hits[1]!.headers['i-twilio-idempotency-token']).toBe(hits[0]!.headers['i-twilio-idempotency-token']);
  });

  it('signs JSON bodies with the bodySHA256 variant', async () => {
    const { parley, accountSid, authToken } = ctx.server;
    // The JSON variant is used by products that send JSON (Event Streams style); exercise the sender directly.
    const sender = (parley.conversations.deps as any).webhooks;
    const body = JSON.stringify({ hello: 'world', n: 1 });
    const res = await sender.send({ accountSid, url: `${receiver.url}/json?a=b`, method: 'POST', json: body });
    expect(res.status).toBe(200);
    const hit = receiver.received[0]!;
    expect(hit.rawBody).toBe(body);
    expect(hit.fullUrl).toContain('bodySHA256=');
    expect(twilio.validateRequestWithBody(authToken, hit.headers['x-twilio-signature'] as string, hit.fullUrl, hit.rawBody)).toBe(true);
  });
});
