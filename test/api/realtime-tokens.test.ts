import { it, expect } from 'vitest';
import WebSocket from 'ws';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { describeEngines, type Server } from '../support/harness.js';
import { RtClient, twilioToken } from '../support/realtime.js';

async function mint(server: Server, body: Record<string, string>) {
  return server.http('POST', '/parley/v1/Tokens', body);
}

async function conversationWith(server: Server, ...identities: string[]) {
  const c = await server.client.conversations.v1.conversations.create({ friendlyName: 'c' });
  for (const identity of identities) await server.client.conversations.v1.conversations(c.sid).participants.create({ identity });
  return c.sid;
}

/** Resolves with the HTTP status of a refused upgrade. */
function upgradeStatus(server: Server, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.origin.replace('http', 'ws') + '/v1/realtime', { headers: { 'X-Twilio-Token': token } });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('upgrade was accepted')));
    ws.on('error', () => {});
  });
}

describeEngines(
  'Realtime access tokens',
  (ctx) => {
    it('mints Twilio-format tokens with a managed signing key, and the socket accepts them', async () => {
      const s = ctx.server;
      const res = await mint(s, { Identity: 'alice', Role: 'agent' });
      expect(res.status).toBe(201);
      const defaultService = (await s.client.conversations.v1.configuration().fetch()).defaultChatServiceSid;
      expect(res.body).toMatchObject({ account_sid: s.accountSid, identity: 'alice', chat_service_sid: defaultService, role: 'agent', ttl: 3600, conversation_sid: null });
      expect(decodeProtectedHeader(res.body.token)).toEqual({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' });
      const claims = decodeJwt(res.body.token);
      expect(claims).toMatchObject({ iss: res.body.key_sid, sub: s.accountSid, grants: { identity: 'alice', chat: { service_sid: defaultService }, task_router: { role: 'agent' } } });
      expect(claims.exp! - claims.iat!).toBe(3600);
      expect(typeof claims.jti).toBe('string');
      // One key per account, visible (and revocable) among the account's keys.
      const again = await mint(s, { Identity: 'bob', Ttl: '60' });
      expect(again.body.key_sid).toBe(res.body.key_sid);
      expect((await s.client.keys.list()).map((k) => k.sid)).toContain(res.body.key_sid);

      const rt = await RtClient.open(s.origin, { token: res.body.token });
      expect(rt.frames[0]).toMatchObject({ op: 'ready', identity: 'alice', accountSid: s.accountSid, grants: { chatServiceSid: defaultService, role: 'agent' } });
      rt.close();
    });

    it('accepts tokens minted by the official helper library, by hello frame or X-Twilio-Token header', async () => {
      const s = ctx.server;
      const key = await s.client.newKeys.create({ friendlyName: 'tokens' });
      const token = twilioToken(s.accountSid, key.sid, key.secret, { identity: 'dora', role: 'supervisor' });
      const viaHello = await RtClient.open(s.origin, { token });
      expect(viaHello.frames[0]).toMatchObject({ op: 'ready', identity: 'dora', grants: { role: 'supervisor' } });
      const viaHeader = await RtClient.open(s.origin, { headerToken: token });
      expect(await viaHeader.next((f) => f.op === 'ready')).toMatchObject({ identity: 'dora' });
      viaHello.close();
      viaHeader.close();
    });

    it('refuses expired, forged, tampered, unknown-key, revoked-key and foreign-key tokens', async () => {
      const s = ctx.server;
      const key = await s.client.newKeys.create({ friendlyName: 'k' });
      const refused = async (token: string) => {
        const rt = await RtClient.open(s.origin, { token });
        const error = rt.frames.find((f) => f.op === 'error');
        expect((await rt.closed()).code).toBe(4001);
        return error?.code as number;
      };
      expect(await refused(twilioToken(s.accountSid, key.sid, key.secret, { identity: 'x', ttl: -3600 }))).toBe(20104);
      expect(await refused(twilioToken(s.accountSid, key.sid, 'not-the-secret', { identity: 'x' }))).toBe(20107);
      const good = twilioToken(s.accountSid, key.sid, key.secret, { identity: 'x' });
      const [h, p, sig] = good.split('.');
      const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
      payload.grants.identity = 'admin';
      expect(await refused(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`)).toBe(20107);
      expect(await refused(twilioToken(s.accountSid, 'SK' + '0'.repeat(32), key.secret, { identity: 'x' }))).toBe(20103);
      expect(await refused('not.a.jwt')).toBe(20101);
      // A token for more than 24 hours, signed correctly, is refused like Twilio does.
      expect(await refused(twilioToken(s.accountSid, key.sid, key.secret, { identity: 'x', ttl: 2 * 86400 }))).toBe(20104);
      // Without the twilio-fpa content type it is not an access token.
      const bare = await new SignJWT({ grants: { identity: 'x' } }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuer(key.sid).setSubject(s.accountSid).setExpirationTime('1h').sign(new TextEncoder().encode(key.secret));
      expect(await refused(bare)).toBe(20101);
      // No identity grant.
      const anonymous = await new SignJWT({ grants: {} }).setProtectedHeader({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' }).setIssuer(key.sid).setSubject(s.accountSid).setExpirationTime('1h').sign(new TextEncoder().encode(key.secret));
      expect(await refused(anonymous)).toBe(20106);

      // A subaccount's key cannot sign for the main account.
      const sub = await s.client.api.v2010.accounts.create({ friendlyName: 'sub' });
      const subKey = await s.clientFor(sub.sid, sub.authToken).newKeys.create({ friendlyName: 'sub key' });
      expect(await refused(twilioToken(s.accountSid, subKey.sid, subKey.secret, { identity: 'x' }))).toBe(20103);
      const subClient = await RtClient.open(s.origin, { token: twilioToken(sub.sid, subKey.sid, subKey.secret, { identity: 'x' }) });
      expect(subClient.frames[0]).toMatchObject({ op: 'ready', accountSid: sub.sid });
      subClient.close();

      // Deleting the key revokes its tokens.
      const stillGood = await RtClient.open(s.origin, { token: good });
      expect(stillGood.frames[0]!.op).toBe('ready');
      stillGood.close();
      await s.client.keys(key.sid).remove();
      expect(await refused(good)).toBe(20103);
      // Before the upgrade, a header token is refused with Twilio's envelope over HTTP.
      expect(await upgradeStatus(s, good)).toBe(401);
    }, 20_000);

    it('drops a socket that never authenticates, and one whose token expires', async () => {
      const s = ctx.server;
      const silent = await RtClient.open(s.origin);
      expect((await silent.closed()).code).toBe(4001);
      expect(silent.frames[0]).toMatchObject({ op: 'error', code: 20101 });

      const short = await mint(s, { Identity: 'eve', Ttl: '1' });
      const rt = await RtClient.open(s.origin, { token: short.body.token });
      expect(rt.frames[0]!.op).toBe('ready');
      expect((await rt.closed()).code).toBe(4001);
      expect(rt.frames.at(-1)).toMatchObject({ op: 'error', code: 20104 });
    });

    it('refreshes a token in place; a refresh for another identity is refused and changes nothing', async () => {
      const s = ctx.server;
      const conv = await conversationWith(s, 'fay');
      const rt = await RtClient.open(s.origin, { token: (await mint(s, { Identity: 'fay', Ttl: '5' })).body.token });
      expect((await rt.subscribe(`conversation:${conv}`)).op).toBe('subscribed');
      rt.send({ op: 'token', token: (await mint(s, { Identity: 'gus' })).body.token });
      expect(await rt.next((f) => f.op === 'error')).toMatchObject({ code: 20106 });
      const from = rt.frames.length;
      rt.send({ op: 'token', token: (await mint(s, { Identity: 'fay', Ttl: '600' })).body.token });
      expect(await rt.next((f) => f.op === 'ready', 5000, from)).toMatchObject({ identity: 'fay' });
      await s.client.conversations.v1.conversations(conv).messages.create({ author: 'fay', body: 'still here' });
      // (The participant's own join may still arrive first: dispatch can trail the subscription.)
      expect((await rt.next((f) => f.op === 'event' && f.data?.EventType === 'onMessageAdded')).data).toMatchObject({ Body: 'still here' });
      rt.close();
    });

    it('confines a guest token to its own conversation', async () => {
      const s = ctx.server;
      const mine = await conversationWith(s, 'guest-1', 'agent-1');
      const other = await conversationWith(s, 'guest-1');
      const res = await mint(s, { Identity: 'guest-1', ConversationSid: mine });
      expect(res.status).toBe(201);
      expect(decodeJwt(res.body.token).grants).toMatchObject({ identity: 'guest-1', parley: { conversation_sid: mine } });
      const rt = await RtClient.open(s.origin, { token: res.body.token });
      expect((await rt.subscribe(`conversation:${mine}`)).op).toBe('subscribed');
      expect(await rt.subscribe(`conversation:${other}`)).toMatchObject({ op: 'error', code: 20106 });
      const ws = (await s.client.taskrouter.v1.workspaces.create({ friendlyName: `ws-${Date.now()}` })).sid;
      expect(await rt.subscribe(`workspace:${ws}`)).toMatchObject({ op: 'error', code: 20106 });
      expect((await rt.op({ clientId: 'g1', action: 'message.create', conversationSid: other, body: 'sneaky' })).error).toMatchObject({ code: 20106 });
      expect((await rt.op({ clientId: 'g2', action: 'message.create', conversationSid: mine, body: 'hello' })).result).toMatchObject({ conversationSid: mine, index: 0 });
      expect((await s.client.conversations.v1.conversations(other).messages.list()).length).toBe(0);
      rt.close();
    });

    it('validates token requests', async () => {
      const s = ctx.server;
      const conv = await conversationWith(s);
      expect((await mint(s, { Identity: 'x', Ttl: '86401' })).body).toMatchObject({ status: 400, code: 20001 });
      expect((await mint(s, { Identity: 'x', Role: 'boss' })).body).toMatchObject({ status: 400, code: 20001 });
      expect((await mint(s, { Identity: 'x', ConversationSid: conv, Role: 'supervisor' })).body).toMatchObject({ code: 20001 });
      expect((await mint(s, { Identity: 'x', ConversationSid: 'CH' + '0'.repeat(32) })).body).toMatchObject({ code: 20001 });
      expect((await mint(s, { Identity: 'x', WorkerSid: 'WK' + '0'.repeat(32) })).body).toMatchObject({ code: 20001 });
      expect((await mint(s, { Identity: 'x', ChatServiceSid: 'IS' + '0'.repeat(32) })).body).toMatchObject({ status: 404, code: 20404 });
      expect((await mint(s, {})).body).toMatchObject({ code: 20001 });
      const anonymous = await fetch(`${s.origin}/parley/v1/Tokens`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'Identity=x' });
      expect(anonymous.status).toBe(401);
      expect((await fetch(`${s.origin}/v1/realtime`)).status).toBe(426);
      const elsewhere = new WebSocket(s.origin.replace('http', 'ws') + '/v1/elsewhere');
      const status = await new Promise<number>((resolve) => {
        elsewhere.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        elsewhere.on('error', () => {});
      });
      expect(status).toBe(404);
    });
  },
  { realtime: { helloTimeoutMs: 300 } },
);
