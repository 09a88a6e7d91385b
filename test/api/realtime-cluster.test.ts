import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import twilio from 'twilio';
import { parseConfig } from '../../src/platform/config.js';
import { createParley, type Parley } from '../../src/server.js';
import { dropPgSchema } from '../../src/storage/db.js';
import { localHttpClient } from '../support/harness.js';
import { RtClient } from '../support/realtime.js';

const pgUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (process.env.CI === 'true' && (!pgUrl || !redisUrl)) {
  throw new Error('CI=true but DATABASE_URL or REDIS_URL is not set: the two-node realtime suite may not be skipped in CI');
}
if (!pgUrl || !redisUrl) {
  process.stderr.write('\n[parley tests] DATABASE_URL and REDIS_URL are both needed for the two-node realtime suite: SKIPPED (set REDIS_URL=redis://127.0.0.1:6379)\n');
}

interface Node {
  parley: Parley;
  origin: string;
}

/** Two Parley processes' worth of objects on one PostgreSQL schema and one Redis. */
(pgUrl && redisUrl ? describe : describe.skip)('Realtime across two nodes (PostgreSQL + Redis)', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cluster-'));
  let a: Node;
  let b: Node;
  let client: twilio.Twilio;

  async function node(options: Parameters<typeof createParley>[1]): Promise<Node> {
    const config = parseConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: pgUrl,
      REDIS_URL: redisUrl,
      PARLEY_MASTER_KEY: masterKey,
      PARLEY_WORKER_POLL_MS: '20',
    });
    const parley = await createParley(config, { logger: false, pgSchema: schema, ...options });
    await parley.app.listen({ port: 0, host: '127.0.0.1' });
    return { parley, origin: `http://127.0.0.1:${(parley.app.server.address() as { port: number }).port}` };
  }
  const masterKey = randomBytes(32).toString('hex');

  beforeAll(async () => {
    a = await node({});
    // Node B dispatches nothing and never polls the log: whatever it delivers came through Redis.
    b = await node({ startWorker: false, realtime: { pollMs: 3_600_000 } });
    client = twilio(a.parley.account.sid, a.parley.account.authToken, { httpClient: localHttpClient(a.origin) });
  });

  afterAll(async () => {
    await a?.parley.close();
    await b?.parley.close();
    if (pgUrl) await dropPgSchema(pgUrl, schema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function tokenFrom(n: Node, identity: string): Promise<string> {
    const res = await fetch(`${n.origin}/parley/v1/Tokens`, {
      method: 'POST',
      headers: { Authorization: 'Basic ' + Buffer.from(`${n.parley.account.sid}:${n.parley.account.authToken}`).toString('base64'), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Identity: identity }).toString(),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { token: string }).token;
  }

  it('shares one account, and a token minted on one node opens a socket on the other', async () => {
    expect(b.parley.account.sid).toBe(a.parley.account.sid);
    const rt = await RtClient.open(b.origin, { token: await tokenFrom(a, 'agent-b') });
    expect(rt.frames[0]).toMatchObject({ op: 'ready', identity: 'agent-b' });
    rt.close();
  });

  it('delivers a message posted on node A to an agent connected to node B, with typing and idempotent sends across nodes', async () => {
    const conv = await client.conversations.v1.conversations.create({});
    await client.conversations.v1.conversations(conv.sid).participants.create({ identity: 'agent-b' });
    await client.conversations.v1.conversations(conv.sid).participants.create({ identity: 'agent-a' });
    const stream = `conversation:${conv.sid}`;
    const onB = await RtClient.open(b.origin, { token: await tokenFrom(a, 'agent-b') });
    const onA = await RtClient.open(a.origin, { token: await tokenFrom(b, 'agent-a') });
    await onB.subscribe(stream, 0);
    await onA.subscribe(stream, 0);

    await client.conversations.v1.conversations(conv.sid).messages.create({ author: 'agent-a', body: 'posted on A' });
    const seen = await onB.next((f) => f.op === 'event' && f.type === 'conversations.onMessageAdded', 3000);
    expect(seen.data).toMatchObject({ Body: 'posted on A', Author: 'agent-a' });

    onA.send({ op: 'send', action: 'typing', conversationSid: conv.sid });
    expect(await onB.next((f) => f.op === 'typing', 3000)).toMatchObject({ identity: 'agent-a', stream });

    // The same client id sent to both nodes at once is one message.
    const op = { clientId: 'dual-1', action: 'message.create', conversationSid: conv.sid, body: 'sent twice' };
    const onB2 = await RtClient.open(b.origin, { token: await tokenFrom(a, 'agent-a') });
    const [x, y] = await Promise.all([onA.op(op), onB2.op(op)]);
    expect(x.result).toEqual(y.result);
    await onB.next((f) => f.op === 'event' && f.data.Body === 'sent twice', 3000);
    const bodies = (await client.conversations.v1.conversations(conv.sid).messages.list()).map((m) => m.body);
    expect(bodies).toEqual(['posted on A', 'sent twice']);
    expect(onB.events(stream).map((e) => e.seq)).toEqual(onB.events(stream).map((_, i) => i + 1));
    for (const c of [onA, onB, onB2]) c.close();
  });

  it('keeps both nodes in step when both dispatch and both take writes', async () => {
    b.parley.worker.start();
    const conv = await client.conversations.v1.conversations.create({});
    await client.conversations.v1.conversations(conv.sid).participants.create({ identity: 'x' });
    const stream = `conversation:${conv.sid}`;
    const clientB = twilio(b.parley.account.sid, b.parley.account.authToken, { httpClient: localHttpClient(b.origin) });
    const onA = await RtClient.open(a.origin, { token: await tokenFrom(a, 'x') });
    const onB = await RtClient.open(b.origin, { token: await tokenFrom(b, 'x') });
    await onA.subscribe(stream, 0);
    await onB.subscribe(stream, 0);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? client : clientB).conversations.v1.conversations(conv.sid).messages.create({ body: `m${i}` })),
    );
    const total = 2 + 30;
    const evA = await onA.eventCount(stream, total, 10_000);
    const evB = await onB.eventCount(stream, total, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(onA.events(stream).length).toBe(total);
    expect(onB.events(stream).length).toBe(total);
    expect(evA.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(evB.map((e) => [e.seq, e.type, e.data.MessageSid])).toEqual(evA.map((e) => [e.seq, e.type, e.data.MessageSid]));
    onA.close();
    onB.close();
  });
});
