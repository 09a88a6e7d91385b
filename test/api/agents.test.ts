import { it, expect } from 'vitest';
import { describeEngines, type Server } from '../support/harness.js';
import { sha256Hex } from '../../src/platform/crypto.js';
import { verifyPassword } from '../../src/agents/password.js';
import { SESSION_IDLE_MS } from '../../src/agents/session.js';
import { agentHttp, login } from '../support/agents.js';

/** Agent accounts (/parley/v1/Agents, HTTP Basic) and desktop sessions (/agent-api/v1/Session, cookie). */
describeEngines('agent accounts and sessions', (ctx) => {
  let n = 0;
  const uniq = (p: string) => `${p}${++n}-${Math.random().toString(36).slice(2, 6)}`;
  const flexWorkspace = async (server: Server) => (await server.parley.interactions.provisioning.defaults(server.accountSid))!.workspaceSid;

  it('creates an agent with its own worker; the password is stored as a salted scrypt hash', async () => {
    const { http, parley, accountSid } = ctx.server;
    const username = uniq('ana');
    const res = await http('POST', '/parley/v1/Agents', { Username: username, Password: 'correct horse', FriendlyName: 'Ana', CreateWorker: 'true' });
    expect(res.status).toBe(201);
    const a = res.body;
    expect(a).toMatchObject({ username, friendly_name: 'Ana', role: 'agent', account_sid: accountSid, workspace_sid: await flexWorkspace(ctx.server) });
    expect(a.sid).toMatch(/^UA[0-9a-f]{32}$/);
    expect(a.worker_sid).toMatch(/^WK[0-9a-f]{32}$/);
    expect(a.url).toBe(`${ctx.server.origin}/parley/v1/Agents/${a.sid}`);
    expect(a).not.toHaveProperty('password_hash');
    expect(a).not.toHaveProperty('password');
    const worker = await ctx.server.client.taskrouter.v1.workspaces(a.workspace_sid).workers(a.worker_sid).fetch();
    expect(JSON.parse(worker.attributes)).toMatchObject({ contact_uri: `client:${username}` });

    const row = await parley.storage.db.selectFrom('agents').selectAll().where('sid', '=', a.sid).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(row.password_hash).not.toContain('correct horse');
    await expect(verifyPassword('correct horse', row.password_hash)).resolves.toBe(true);
    await expect(verifyPassword('correct horsE', row.password_hash)).resolves.toBe(false);
    // Same password, another user: another salt, another hash.
    const b = (await http('POST', '/parley/v1/Agents', { Username: uniq('bo'), Password: 'correct horse', CreateWorker: 'true' })).body;
    const rowB = await parley.storage.db.selectFrom('agents').selectAll().where('sid', '=', b.sid).executeTakeFirstOrThrow();
    expect(rowB.password_hash.split('$')[4]).not.toBe(row.password_hash.split('$')[4]);
    expect(rowB.password_hash).not.toBe(row.password_hash);
  });

  it('refuses bad input and changes nothing', async () => {
    const { http } = ctx.server;
    const before = (await http('GET', '/parley/v1/Agents?PageSize=1000')).body.agents.length;
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ Username: uniq('x'), Password: 'short', CreateWorker: 'true' }, /Password/],
      [{ Username: 'bad name!', Password: 'long enough', CreateWorker: 'true' }, /Username/],
      [{ Username: uniq('x'), Password: 'long enough' }, /needs a worker/],
      [{ Username: uniq('x'), Password: 'long enough', Role: 'boss', CreateWorker: 'true' }, /Role/],
      [{ Username: uniq('x'), Password: 'long enough', WorkerSid: 'WK' + '0'.repeat(32) }, /WorkerSid/],
      [{ Username: uniq('x'), Password: 'long enough', WorkspaceSid: 'WS' + '0'.repeat(32), CreateWorker: 'true' }, /WorkspaceSid/],
      [{ Username: uniq('x'), Password: 'long enough', Bogus: '1', CreateWorker: 'true' }, /Bogus/],
    ];
    for (const [body, message] of cases) {
      const res = await http('POST', '/parley/v1/Agents', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe(20001);
      expect(res.body.message).toMatch(message);
    }
    const dup = uniq('dup');
    expect((await http('POST', '/parley/v1/Agents', { Username: dup, Password: 'long enough', CreateWorker: 'true' })).status).toBe(201);
    const taken = await http('POST', '/parley/v1/Agents', { Username: dup.toUpperCase(), Password: 'long enough', Role: 'supervisor' });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe(20409);
    expect((await http('GET', '/parley/v1/Agents?PageSize=1000')).body.agents.length).toBe(before + 1);
    // One worker, one agent.
    const owner = (await http('GET', '/parley/v1/Agents?PageSize=1000')).body.agents.find((a: { username: string }) => a.username === dup);
    const again = await http('POST', '/parley/v1/Agents', { Username: uniq('y'), Password: 'long enough', WorkerSid: owner.worker_sid });
    expect(again.status).toBe(400);
    expect(again.body.message).toMatch(/already belongs/);
    // Basic auth like every product.
    const anon = await fetch(`${ctx.server.origin}/parley/v1/Agents`);
    expect(anon.status).toBe(401);
  });

  it('supervisors may have no worker; lists page, filter, fetch, update and delete', async () => {
    const { http } = ctx.server;
    const sup = await http('POST', '/parley/v1/Agents', { Username: uniq('sup'), Password: 'long enough', Role: 'supervisor' });
    expect(sup.status).toBe(201);
    expect(sup.body.worker_sid).toBeNull();
    for (let i = 0; i < 3; i++) await http('POST', '/parley/v1/Agents', { Username: uniq('page'), Password: 'long enough', CreateWorker: 'true' });
    const seen: string[] = [];
    let page = (await http('GET', '/parley/v1/Agents?PageSize=2')).body;
    expect(page.meta.key).toBe('agents');
    for (;;) {
      seen.push(...page.agents.map((a: { sid: string }) => a.sid));
      if (!page.meta.next_page_url) break;
      page = (await fetch(page.meta.next_page_url, { headers: { Authorization: 'Basic ' + Buffer.from(`${ctx.server.accountSid}:${ctx.server.authToken}`).toString('base64') } }).then((r) => r.json())) as typeof page;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(sup.body.sid);
    const sups = (await http('GET', '/parley/v1/Agents?Role=supervisor')).body.agents;
    expect(sups.every((a: { role: string }) => a.role === 'supervisor')).toBe(true);
    expect(sups.map((a: { sid: string }) => a.sid)).toContain(sup.body.sid);

    expect((await http('GET', `/parley/v1/Agents/${sup.body.sid}`)).body.username).toBe(sup.body.username);
    const toAgent = await http('POST', `/parley/v1/Agents/${sup.body.sid}`, { Role: 'agent' });
    expect(toAgent.status).toBe(400);
    const renamed = await http('POST', `/parley/v1/Agents/${sup.body.sid}`, { FriendlyName: 'Boss', Role: 'admin' });
    expect(renamed.body).toMatchObject({ friendly_name: 'Boss', role: 'admin' });
    expect((await http('DELETE', `/parley/v1/Agents/${sup.body.sid}`)).status).toBe(204);
    expect((await http('GET', `/parley/v1/Agents/${sup.body.sid}`)).body.code).toBe(20404);
    expect((await http('DELETE', `/parley/v1/Agents/${sup.body.sid}`)).status).toBe(404);
  });

  it('agents of one account are invisible to another', async () => {
    const { http, client } = ctx.server;
    const a = (await http('POST', '/parley/v1/Agents', { Username: uniq('mine'), Password: 'long enough', CreateWorker: 'true' })).body;
    const sub = await client.api.v2010.accounts.create({ friendlyName: 'other' });
    const other = ctx.server.clientFor(sub.sid, sub.authToken);
    const res = await fetch(`${ctx.server.origin}/parley/v1/Agents/${a.sid}`, { headers: { Authorization: 'Basic ' + Buffer.from(`${sub.sid}:${sub.authToken}`).toString('base64') } });
    expect(res.status).toBe(404);
    expect(other).toBeDefined();
    // The same username is free in the other account, and logs in only there.
    const theirs = await fetch(`${ctx.server.origin}/parley/v1/Agents`, {
      method: 'POST',
      headers: { Authorization: 'Basic ' + Buffer.from(`${sub.sid}:${sub.authToken}`).toString('base64'), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Username: a.username, Password: 'their password', CreateWorker: 'true' }).toString(),
    });
    expect(theirs.status).toBe(201);
    expect((await agentHttp(ctx.server, undefined, 'POST', '/agent-api/v1/Session', { Username: a.username, Password: 'their password' })).status).toBe(401);
    expect((await agentHttp(ctx.server, undefined, 'POST', '/agent-api/v1/Session', { Username: a.username, Password: 'their password', AccountSid: sub.sid })).status).toBe(201);
  });

  it('logs in with an HttpOnly SameSite=Strict cookie; the session gives a realtime token for the worker', async () => {
    const { http } = ctx.server;
    const username = uniq('lea');
    const a = (await http('POST', '/parley/v1/Agents', { Username: username, Password: 'long enough', CreateWorker: 'true' })).body;
    const res = await agentHttp(ctx.server, undefined, 'POST', '/agent-api/v1/Session', { Username: username, Password: 'long enough' });
    expect(res.status).toBe(201);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^parley_session=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(res.body).toMatchObject({ sid: a.sid, username, role: 'agent' });
    const token = /parley_session=([^;]+)/.exec(cookie)![1]!;
    // Only the hash is stored.
    const rows = await ctx.server.parley.storage.db.selectFrom('agent_sessions').selectAll().where('agent_sid', '=', a.sid).execute();
    expect(rows.map((r) => r.token_hash)).toEqual([sha256Hex(token)]);

    const me = await agentHttp(ctx.server, token, 'GET', '/agent-api/v1/Session');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ sid: a.sid, identity: username, worker: { sid: a.worker_sid } });
    const claims = JSON.parse(Buffer.from(me.body.token.split('.')[1], 'base64url').toString());
    expect(claims.sub).toBe(ctx.server.accountSid);
    expect(claims.grants).toMatchObject({ identity: username, task_router: { workspace_sid: a.workspace_sid, worker_sid: a.worker_sid, role: 'agent' } });

    const out = await agentHttp(ctx.server, token, 'DELETE', '/agent-api/v1/Session');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/parley_session=; .*Max-Age=0/);
    const after = await agentHttp(ctx.server, token, 'GET', '/agent-api/v1/Session');
    expect(after.status).toBe(401);
    expect(after.body.code).toBe(20003);
  });

  it('refuses a wrong password, an unknown user and a missing cookie alike', async () => {
    const { http } = ctx.server;
    const username = uniq('max');
    await http('POST', '/parley/v1/Agents', { Username: username, Password: 'long enough', CreateWorker: 'true' });
    const wrong = await agentHttp(ctx.server, undefined, 'POST', '/agent-api/v1/Session', { Username: username, Password: 'not it at all' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 20003, message: 'Invalid username or password' });
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const unknown = await agentHttp(ctx.server, undefined, 'POST', '/agent-api/v1/Session', { Username: uniq('nobody'), Password: 'long enough' });
    expect(unknown.body).toEqual(wrong.body);
    expect((await agentHttp(ctx.server, undefined, 'GET', '/agent-api/v1/Session')).status).toBe(401);
    expect((await agentHttp(ctx.server, 'forged-token', 'GET', '/agent-api/v1/Session')).status).toBe(401);
    // JSON bodies work as well as forms.
    const json = await agentHttp(ctx.server, undefined, 'POST', '/agent-api/v1/Session', JSON.stringify({ Username: username, Password: 'long enough' }), { 'Content-Type': 'application/json' });
    expect(json.status).toBe(201);
  });

  it('locks a username out after repeated failures, without touching other usernames', async () => {
    const { http } = ctx.server;
    const username = uniq('lock');
    const other = uniq('free');
    await http('POST', '/parley/v1/Agents', { Username: username, Password: 'long enough', CreateWorker: 'true' });
    await http('POST', '/parley/v1/Agents', { Username: other, Password: 'long enough', CreateWorker: 'true' });
    for (let i = 0; i < 5; i++) expect((await agentHttp(ctx.server, undefined, 'POST', '/agent-api/v1/Session', { Username: username, Password: `wrong ${i} guess` })).status).toBe(401);
    const locked = await agentHttp(ctx.server, undefined, 'POST', '/agent-api/v1/Session', { Username: username, Password: 'long enough' });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe(20429);
    expect(locked.body.details.retry_after).toBeGreaterThan(0);
    expect((await agentHttp(ctx.server, undefined, 'POST', '/agent-api/v1/Session', { Username: username.toUpperCase(), Password: 'long enough' })).status).toBe(429);
    expect((await agentHttp(ctx.server, undefined, 'POST', '/agent-api/v1/Session', { Username: other, Password: 'long enough' })).status).toBe(201);
  });

  it('ends sessions after 12 hours, after 2 idle hours, on a password change and when the agent is deleted', async () => {
    const { http, parley } = ctx.server;
    const db = parley.storage.db;
    const username = uniq('exp');
    const a = (await http('POST', '/parley/v1/Agents', { Username: username, Password: 'long enough', CreateWorker: 'true' })).body;
    const session = async () => (await login(ctx.server, username, 'long enough')).token;

    const absolute = await session();
    await db.updateTable('agent_sessions').set({ expires_at: Date.now() - 1 }).where('token_hash', '=', sha256Hex(absolute)).execute();
    expect((await agentHttp(ctx.server, absolute, 'GET', '/agent-api/v1/Session')).status).toBe(401);

    const idle = await session();
    await db.updateTable('agent_sessions').set({ last_seen_at: Date.now() - SESSION_IDLE_MS - 1 }).where('token_hash', '=', sha256Hex(idle)).execute();
    expect((await agentHttp(ctx.server, idle, 'GET', '/agent-api/v1/Session')).status).toBe(401);
    // A request within the idle window keeps it alive.
    const active = await session();
    await db.updateTable('agent_sessions').set({ last_seen_at: Date.now() - SESSION_IDLE_MS + 120_000 }).where('token_hash', '=', sha256Hex(active)).execute();
    expect((await agentHttp(ctx.server, active, 'GET', '/agent-api/v1/Session')).status).toBe(200);
    const touched = await db.selectFrom('agent_sessions').select('last_seen_at').where('token_hash', '=', sha256Hex(active)).executeTakeFirstOrThrow();
    expect(touched.last_seen_at).toBeGreaterThan(Date.now() - 60_000);

    await http('POST', `/parley/v1/Agents/${a.sid}`, { Password: 'a new password' });
    expect((await agentHttp(ctx.server, active, 'GET', '/agent-api/v1/Session')).status).toBe(401);
    expect((await agentHttp(ctx.server, undefined, 'POST', '/agent-api/v1/Session', { Username: username, Password: 'long enough' })).status).toBe(401);
    const fresh = (await login(ctx.server, username, 'a new password')).token;
    expect((await agentHttp(ctx.server, fresh, 'GET', '/agent-api/v1/Session')).status).toBe(200);
    await http('DELETE', `/parley/v1/Agents/${a.sid}`);
    expect((await agentHttp(ctx.server, fresh, 'GET', '/agent-api/v1/Session')).status).toBe(401);
    expect(await db.selectFrom('agent_sessions').select('token_hash').where('agent_sid', '=', a.sid).execute()).toEqual([]);
  });
});
