import { it, expect } from 'vitest';
import { describeEngines } from '../support/harness.js';
import { RtClient } from '../support/realtime.js';
import { receiverPerTest, configureAccountWebhooks } from '../support/webhooks.js';
import { addressSettings, startChat, userToken, wc } from '../support/webchat.js';

describeEngines('web chat sessions (/webchat/v1)', (ctx) => {
  const receiver = receiverPerTest(ctx);
  let n = 0;
  const chatAddress = async () => ctx.server.client.conversations.v1.addressConfigurations.create({ type: 'chat', address: `site-${++n}-${Date.now()}` });
  const conversationCount = async () => (await ctx.server.client.conversations.v1.conversations.list()).length;

  it('starts a chat from the same origin: conversation, guest, first message with webhooks on, a guest token', async () => {
    const s = ctx.server;
    await configureAccountWebhooks(s.parley.storage.db, s.accountSid, { post: `${receiver.url}/post`, filters: ['onMessageAdded'] });
    const res = await wc(s, 'POST', '/Sessions', { body: { address: 'parley-webchat', friendlyName: 'Ada', email: 'ada@example.com', question: 'Where is my **order**?' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe(s.origin);
    expect(res.body).toEqual({
      accountSid: s.accountSid,
      conversationSid: expect.stringMatching(/^CH[0-9a-f]{32}$/),
      identity: expect.stringMatching(/^[0-9a-f-]{36}$/),
      token: expect.any(String),
      expiresAt: expect.stringMatching(/Z$/),
      resumeSecret: expect.stringMatching(/^[\w-]{43}$/),
    });
    const { conversationSid, identity, token } = res.body;
    expect(Date.parse(res.body.expiresAt) - Date.now()).toBeGreaterThan(3500_000);

    const conv = await s.client.conversations.v1.conversations(conversationSid).fetch();
    expect(conv.friendlyName).toBe('Web chat with Ada');
    expect(JSON.parse(conv.attributes)).toEqual({ pre_engagement_data: { friendlyName: 'Ada', email: 'ada@example.com', question: 'Where is my **order**?' }, from: 'Ada' });
    const members = await s.client.conversations.v1.conversations(conversationSid).participants.list();
    expect(members.map((m) => m.identity)).toEqual([identity]);
    const [first] = await s.client.conversations.v1.conversations(conversationSid).messages.list();
    expect(first).toMatchObject({ author: identity, body: 'Where is my **order**?', participantSid: members[0]!.sid });
    // REST with X-Twilio-Webhook-Enabled: the service-level post-event webhook hears it.
    const [hook] = await receiver.waitFor(1);
    expect(hook!.params).toMatchObject({ EventType: 'onMessageAdded', ConversationSid: conversationSid, Author: identity, Body: 'Where is my **order**?', Source: 'API' });

    // The token is a guest token for that conversation: the socket lets it in there, and nowhere else.
    const rt = await RtClient.open(s.origin, { token });
    expect(rt.frames[0]).toMatchObject({ op: 'ready', identity });
    expect(await rt.subscribe(`conversation:${conversationSid}`, 0)).toMatchObject({ op: 'subscribed' });
    const other = await startChat(s);
    expect(await rt.subscribe(`conversation:${other.conversationSid}`, 0)).toMatchObject({ op: 'error', code: 20106 });
    rt.close();

    // The snapshot: history, participants, the stream head to resume after.
    const snap = await wc(s, 'GET', `/Sessions/${conversationSid}`, { token });
    expect(snap.status).toBe(200);
    expect(snap.body).toMatchObject({ conversationSid, identity, state: 'active', seq: expect.any(Number), participants: [{ identity, self: true, lastReadMessageIndex: null }] });
    expect(snap.body.messages).toEqual([{ index: 0, sid: first!.sid, author: identity, participantSid: members[0]!.sid, body: 'Where is my **order**?', media: [], dateCreated: expect.any(String) }]);
  });

  it('refuses other origins (and none) unless the address allows them, creating nothing', async () => {
    const s = ctx.server;
    const before = await conversationCount();
    for (const origin of ['https://evil.example', null, 'null']) {
      const res = await wc(s, 'POST', '/Sessions', { body: { address: 'parley-webchat', question: 'hi' }, origin });
      expect(res).toMatchObject({ status: 403, body: { code: 20003, status: 403 } });
    }
    expect(await conversationCount()).toBe(before);

    const address = await chatAddress();
    const got = await s.http('GET', `/parley/v1/WebChat/Addresses/${address.sid}`);
    expect(got).toMatchObject({ status: 200, body: { address_sid: address.sid, address: address.address, allowed_origins: ['self'], user_token_secret_set: false, date_created: null } });
    const set = await addressSettings(s, address.address, { AllowedOrigins: ['https://shop.example.com/', 'https://*.example.org', 'http://localhost:8080'] });
    expect(set).toMatchObject({ status: 200, body: { allowed_origins: ['https://shop.example.com', 'https://*.example.org', 'http://localhost:8080'], url: `${s.origin}/parley/v1/WebChat/Addresses/${address.sid}` } });
    const tryFrom = async (origin: string) => (await wc(s, 'POST', '/Sessions', { body: { address: address.sid }, origin })).status;
    expect(await tryFrom('https://shop.example.com')).toBe(201);
    expect(await tryFrom('https://help.example.org')).toBe(201);
    expect(await tryFrom('http://localhost:8080')).toBe(201);
    expect(await tryFrom('https://example.org')).toBe(403);
    expect(await tryFrom('http://shop.example.com')).toBe(403);
    expect(await tryFrom('https://shop.example.com.evil.io')).toBe(403);
    expect(await tryFrom(s.origin)).toBe(403);
    // `*` lets anyone in; an empty list nobody.
    await addressSettings(s, address.sid, { AllowedOrigins: '*' });
    expect(await tryFrom('https://anything.example')).toBe(201);
    await addressSettings(s, address.sid, { AllowedOrigins: '' });
    expect(await tryFrom(s.origin)).toBe(403);

    // Bad settings and unknown addresses.
    expect(await addressSettings(s, address.sid, { AllowedOrigins: 'https://shop.example.com/path' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await addressSettings(s, address.sid, { AllowedOrigins: 'ftp://x.example' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await addressSettings(s, address.sid, { UserTokenSecret: 'too-short' })).toMatchObject({ status: 400, body: { code: 20001 } });
    const sms = await s.client.conversations.v1.addressConfigurations.create({ type: 'sms', address: `+1500555${String(Date.now()).slice(-4)}` });
    expect((await s.http('GET', `/parley/v1/WebChat/Addresses/${sms.sid}`)).status).toBe(404);
    expect((await wc(s, 'POST', '/Sessions', { body: { address: sms.sid } })).body).toMatchObject({ code: 20404 });
    expect((await wc(s, 'POST', '/Sessions', { body: { address: 'no-such-chat' } })).status).toBe(404);
    expect((await wc(s, 'POST', '/Sessions', { body: { address: 'parley-webchat', accountSid: 'AC' + '0'.repeat(32) } })).status).toBe(404);
    expect((await wc(s, 'POST', '/Sessions', { body: { address: 'parley-webchat', email: 'not-an-email' } })).body).toMatchObject({ code: 20001 });
    expect((await wc(s, 'POST', '/Sessions', { body: { address: 'parley-webchat', extra: 1 } })).body).toMatchObject({ code: 20001 });
    const anonymous = await fetch(`${s.origin}/parley/v1/WebChat/Addresses/${address.sid}`);
    expect(anonymous.status).toBe(401);

    // Preflight: a page elsewhere may ask; the answer to the real request decides.
    const pre = await fetch(`${s.origin}/webchat/v1/Sessions`, { method: 'OPTIONS', headers: { Origin: 'https://shop.example.com', 'Access-Control-Request-Method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toContain('Authorization');
  });

  it('refreshes a token by the resume secret, for that conversation and origin only', async () => {
    const s = ctx.server;
    const a = await startChat(s, { friendlyName: 'Bo' });
    const b = await startChat(s);
    const fresh = await wc(s, 'POST', `/Sessions/${a.conversationSid}/Token`, { body: { accountSid: s.accountSid, resumeSecret: a.resumeSecret } });
    expect(fresh).toMatchObject({ status: 200, body: { conversationSid: a.conversationSid, identity: a.identity, token: expect.any(String), expiresAt: expect.any(String) } });
    expect(fresh.body.token).not.toBe(a.token);
    expect((await wc(s, 'GET', `/Sessions/${a.conversationSid}`, { token: fresh.body.token })).status).toBe(200);

    const refused = [
      await wc(s, 'POST', `/Sessions/${a.conversationSid}/Token`, { body: { accountSid: s.accountSid, resumeSecret: b.resumeSecret } }),
      await wc(s, 'POST', `/Sessions/${b.conversationSid}/Token`, { body: { accountSid: s.accountSid, resumeSecret: a.resumeSecret } }),
      await wc(s, 'POST', `/Sessions/${a.conversationSid}/Token`, { body: { accountSid: s.accountSid, resumeSecret: a.resumeSecret }, origin: 'https://evil.example' }),
      await wc(s, 'POST', `/Sessions/${'CH' + '0'.repeat(32)}/Token`, { body: { accountSid: s.accountSid, resumeSecret: a.resumeSecret } }),
    ];
    for (const r of refused) expect(r).toMatchObject({ status: 403, body: { code: 20003 } });
    expect((await wc(s, 'POST', `/Sessions/${a.conversationSid}/Token`, { body: { accountSid: s.accountSid } })).status).toBe(400);
  });

  it("refuses a guest token on another conversation's routes, and requests without one", async () => {
    const s = ctx.server;
    const a = await startChat(s);
    const b = await startChat(s);
    for (const path of ['', '/Queue', '/Media/ME' + '0'.repeat(32)]) {
      expect(await wc(s, 'GET', `/Sessions/${b.conversationSid}${path}`, { token: a.token })).toMatchObject({ status: 403, body: { code: 20106 } });
      expect(await wc(s, 'GET', `/Sessions/${b.conversationSid}${path}`)).toMatchObject({ status: 401, body: { code: 20003 } });
    }
    expect(await wc(s, 'POST', `/Sessions/${b.conversationSid}/Media`, { token: a.token, raw: Buffer.from('x'), contentType: 'text/plain' })).toMatchObject({ status: 403, body: { code: 20106 } });
    expect(await wc(s, 'GET', `/Sessions/${a.conversationSid}`, { token: 'not.a.jwt' })).toMatchObject({ status: 401, body: { code: 20101 } });
    // An agent's token (no guest grant) is no guest token either.
    const minted = await s.http('POST', '/parley/v1/Tokens', { Identity: a.identity });
    expect(await wc(s, 'GET', `/Sessions/${a.conversationSid}`, { token: minted.body.token })).toMatchObject({ status: 403, body: { code: 20106 } });
    // The right token from the wrong page.
    expect(await wc(s, 'GET', `/Sessions/${a.conversationSid}`, { token: a.token, origin: 'https://evil.example' })).toMatchObject({ status: 403, body: { code: 20003 } });
    // Browsers send no Origin on same-origin GETs: the token alone does then.
    expect((await wc(s, 'GET', `/Sessions/${a.conversationSid}`, { token: a.token, origin: null })).status).toBe(200);
  });

  it('verifies signed user tokens with the address secret, and refuses bad ones', async () => {
    const s = ctx.server;
    const address = await chatAddress();
    const secret = 's3cret-'.padEnd(40, 'x');
    const body = (userTokenValue: string) => ({ address: address.address, userToken: userTokenValue, friendlyName: 'Typed name', question: 'Hello' });
    // No secret configured: user tokens are not accepted at all.
    const early = await userToken(secret, { sub: 'u-42' });
    expect((await wc(s, 'POST', '/Sessions', { body: body(early) })).body).toMatchObject({ code: 20001 });

    const set = await addressSettings(s, address.sid, { UserTokenSecret: secret });
    expect(set.body).toMatchObject({ user_token_secret_set: true });
    expect(JSON.stringify(set.body)).not.toContain(secret);
    const ok = await wc(s, 'POST', '/Sessions', { body: body(await userToken(secret, { sub: 'u-42', name: 'Grace Hopper', email: 'grace@example.com' })) });
    expect(ok.status).toBe(201);
    expect(ok.body.identity).toBe('webchat-user:u-42');
    const conv = await s.client.conversations.v1.conversations(ok.body.conversationSid).fetch();
    expect(JSON.parse(conv.attributes)).toEqual({ pre_engagement_data: { friendlyName: 'Grace Hopper', email: 'grace@example.com', question: 'Hello', userId: 'u-42', verified: true }, from: 'Grace Hopper' });
    // The same customer comes back: same identity, a new conversation.
    const again = await wc(s, 'POST', '/Sessions', { body: body(await userToken(secret, { sub: 'u-42' })) });
    expect(again.body.identity).toBe('webchat-user:u-42');
    expect(again.body.conversationSid).not.toBe(ok.body.conversationSid);

    const before = await conversationCount();
    expect((await wc(s, 'POST', '/Sessions', { body: body(await userToken('another-secret'.padEnd(40, 'y'), { sub: 'u-42' })) })).body).toMatchObject({ status: 401, code: 20107 });
    expect((await wc(s, 'POST', '/Sessions', { body: body(await userToken(secret, { sub: 'u-42' }, { expiresIn: -3600 })) })).body).toMatchObject({ status: 401, code: 20104 });
    expect((await wc(s, 'POST', '/Sessions', { body: body(await userToken(secret, { sub: 'u-42' }, { expiresIn: null })) })).body).toMatchObject({ status: 401, code: 20101 });
    expect((await wc(s, 'POST', '/Sessions', { body: body(await userToken(secret, { name: 'no sub' })) })).body).toMatchObject({ status: 401, code: 20101 });
    expect((await wc(s, 'POST', '/Sessions', { body: body(await userToken(secret, { sub: 'u-42' }, { alg: 'HS512' })) })).body).toMatchObject({ status: 401, code: 20101 });
    expect((await wc(s, 'POST', '/Sessions', { body: body('garbage') })).body).toMatchObject({ status: 401, code: 20101 });
    expect(await conversationCount()).toBe(before);

    // Removing the secret turns user tokens off again.
    await addressSettings(s, address.sid, { UserTokenSecret: '' });
    expect((await s.http('GET', `/parley/v1/WebChat/Addresses/${address.sid}`)).body.user_token_secret_set).toBe(false);
  });

  it('lets a guest upload files within the chat limits and read only its own conversation files', async () => {
    const s = ctx.server;
    const a = await startChat(s);
    const b = await startChat(s);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const up = await wc(s, 'POST', `/Sessions/${a.conversationSid}/Media?filename=shot.png`, { token: a.token, raw: png, contentType: 'image/png' });
    expect(up).toMatchObject({ status: 201, body: { sid: expect.stringMatching(/^ME/), contentType: 'image/png', filename: 'shot.png', size: png.length } });
    // Before it is sent, the uploader may read it back; the other guest may not.
    expect((await wc(s, 'GET', `/Sessions/${a.conversationSid}/Media/${up.body.sid}`, { token: a.token })).status).toBe(200);
    expect((await wc(s, 'GET', `/Sessions/${b.conversationSid}/Media/${up.body.sid}`, { token: b.token })).status).toBe(404);

    const rt = await RtClient.open(s.origin, { token: a.token });
    const ack = await rt.op({ clientId: 'up-1', action: 'message.create', conversationSid: a.conversationSid, mediaSid: up.body.sid });
    expect(ack.result).toBeDefined();
    rt.close();
    const [msg] = await s.client.conversations.v1.conversations(a.conversationSid).messages.list();
    expect(msg!.media).toEqual([expect.objectContaining({ sid: up.body.sid, content_type: 'image/png', filename: 'shot.png' })]);
    const got = await fetch(`${s.origin}/webchat/v1/Sessions/${a.conversationSid}/Media/${up.body.sid}`, { headers: { Authorization: `Bearer ${a.token}`, Origin: s.origin } });
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await got.arrayBuffer()).equals(png)).toBe(true);
    expect((await wc(s, 'GET', `/Sessions/${b.conversationSid}/Media/${up.body.sid}`, { token: b.token })).status).toBe(404);

    // Limits: types a chat takes, 10 MB, nothing empty.
    expect(await wc(s, 'POST', `/Sessions/${a.conversationSid}/Media`, { token: a.token, raw: Buffer.from('<script>alert(1)</script>'), contentType: 'text/html' })).toMatchObject({ status: 400, body: { code: 50511 } });
    expect(await wc(s, 'POST', `/Sessions/${a.conversationSid}/Media`, { token: a.token, raw: Buffer.from('<svg/>'), contentType: 'image/svg+xml' })).toMatchObject({ status: 400, body: { code: 50511 } });
    expect(await wc(s, 'POST', `/Sessions/${a.conversationSid}/Media`, { token: a.token, raw: Buffer.alloc(10 * 1024 * 1024 + 1, 1), contentType: 'application/pdf' })).toMatchObject({ status: 413 });
    expect((await wc(s, 'POST', `/Sessions/${a.conversationSid}/Media`, { token: a.token, raw: Buffer.alloc(10 * 1024 * 1024, 1), contentType: 'application/pdf' })).status).toBe(201);
    expect(await wc(s, 'POST', `/Sessions/${a.conversationSid}/Media`, { token: a.token, raw: Buffer.alloc(0), contentType: 'text/plain' })).toMatchObject({ status: 400 });

    // A file the agent sent that is not an image comes down as a download, never as a page.
    const agentFile = await fetch(`${s.origin}/mcs/v1/Services/${(await s.client.conversations.v1.conversations(a.conversationSid).fetch()).chatServiceSid}/Media`, {
      method: 'POST',
      headers: { Authorization: 'Basic ' + Buffer.from(`${s.accountSid}:${s.authToken}`).toString('base64'), 'Content-Type': 'text/html' },
      body: '<h1>hi</h1>',
    }).then((r) => r.json() as Promise<{ sid: string }>);
    await s.client.conversations.v1.conversations(a.conversationSid).messages.create({ author: 'agent', mediaSid: agentFile.sid });
    const html = await fetch(`${s.origin}/webchat/v1/Sessions/${a.conversationSid}/Media/${agentFile.sid}`, { headers: { Authorization: `Bearer ${a.token}`, Origin: s.origin } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('application/octet-stream');
    expect(html.headers.get('content-disposition')).toMatch(/^attachment/);
  });
});
