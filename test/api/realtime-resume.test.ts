import { it, expect } from 'vitest';
import { describeEngines, type Server } from '../support/harness.js';
import { RtClient, type Frame } from '../support/realtime.js';
import { mulberry32 } from '../support/random.js';

const MAX_CATCH_UP = 25;

async function tokenFor(server: Server, identity: string): Promise<string> {
  return (await server.http('POST', '/parley/v1/Tokens', { Identity: identity })).body.token as string;
}

async function conversationWith(server: Server, ...identities: string[]): Promise<string> {
  const c = await server.client.conversations.v1.conversations.create({});
  for (const identity of identities) await server.client.conversations.v1.conversations(c.sid).participants.create({ identity });
  return c.sid;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeEngines(
  'Realtime: resume, resync and idempotent sends',
  (ctx) => {
    it('answers a repeated client id with the first answer, on any connection, and never creates twice', async () => {
      const s = ctx.server;
      const conv = await conversationWith(s, 'ivan', 'jane');
      const token = await tokenFor(s, 'ivan');
      const one = await RtClient.open(s.origin, { token });
      const first = await one.op({ clientId: 'm-1', action: 'message.create', conversationSid: conv, body: 'once' });
      expect(first.result).toMatchObject({ index: 0 });
      expect(first.replayed).toBeUndefined();
      const again = await one.op({ clientId: 'm-1', action: 'message.create', conversationSid: conv, body: 'once' });
      expect(again).toMatchObject({ result: first.result, replayed: true });
      one.kill();
      // After a reconnect, and concurrently from two sockets, the same id is still one message.
      const two = await RtClient.open(s.origin, { token });
      const three = await RtClient.open(s.origin, { token });
      expect((await two.op({ clientId: 'm-1', action: 'message.create', conversationSid: conv, body: 'once' })).result).toEqual(first.result);
      const [x, y] = await Promise.all([
        two.op({ clientId: 'm-2', action: 'message.create', conversationSid: conv, body: 'racing' }),
        three.op({ clientId: 'm-2', action: 'message.create', conversationSid: conv, body: 'racing' }),
      ]);
      expect(x.result).toEqual(y.result);
      // Client ids are per identity: jane's m-1 is her own message.
      const jane = await RtClient.open(s.origin, { token: await tokenFor(s, 'jane') });
      expect((await jane.op({ clientId: 'm-1', action: 'message.create', conversationSid: conv, body: 'mine' })).result.index).toBe(2);
      // A refusal is an answer too: replayed, not retried.
      const closed = await conversationWith(s, 'ivan');
      await s.client.conversations.v1.conversations(closed).update({ state: 'closed' });
      const refused = await two.op({ clientId: 'm-3', action: 'message.create', conversationSid: closed, body: 'late' });
      expect(refused.error).toMatchObject({ code: 50377 });
      expect(await two.op({ clientId: 'm-3', action: 'message.create', conversationSid: closed, body: 'late' })).toMatchObject({ error: refused.error, replayed: true });
      const bodies = (await s.client.conversations.v1.conversations(conv).messages.list()).map((m) => m.body);
      expect(bodies).toEqual(['once', 'racing', 'mine']);
      for (const c of [two, three, jane]) c.close();
    });

    it('loses and duplicates nothing across random forced disconnects, while the client retries its own sends', async () => {
      const s = ctx.server;
      const rand = mulberry32(20260301);
      const conv = await conversationWith(s, 'kim', 'lou');
      const stream = `conversation:${conv}`;
      const token = await tokenFor(s, 'kim');
      const seqs: number[] = [];
      const violations: string[] = [];
      const acks = new Map<string, Frame>();
      const ops = Array.from({ length: 20 }, (_, i) => ({ clientId: `kim-${i}`, action: 'message.create', conversationSid: conv, body: `from kim ${i}` }));
      let lastSeq = 0;
      let producing = true;

      const producer = (async () => {
        for (let i = 0; i < 80; i++) {
          const burst = 1 + Math.floor(rand() * 3);
          await Promise.all(Array.from({ length: burst }, (_, j) => s.client.conversations.v1.conversations(conv).messages.create({ author: 'lou', body: `from lou ${i}.${j}` })));
          if (i % 10 === 0) await s.client.conversations.v1.conversations(conv).participants('lou').update({ lastReadMessageIndex: i });
          await sleep(rand() * 20);
        }
        producing = false;
      })();

      let sessions = 0;
      for (;;) {
        sessions++;
        const rt = await RtClient.open(s.origin, { token });
        rt.send({ op: 'subscribe', stream, after: lastSeq });
        // Unacknowledged sends are sent again on every connection until answered.
        for (const op of ops) if (!acks.has(op.clientId) && rand() < 0.5) rt.send({ op: 'send', ...op });
        await sleep(20 + rand() * 100);
        const head = await s.parley.realtime.log.head(s.accountSid, stream);
        const done = !producing && acks.size === ops.length && lastSeq + rt.events(stream).length >= head;
        if (!done) rt.kill();
        for (const f of rt.frames) {
          if (f.op === 'resync') violations.push(`resync at ${f.seq}`);
          if (f.op === 'ack') {
            const known = acks.get(f.clientId);
            if (known && JSON.stringify(known.result) !== JSON.stringify(f.result)) violations.push(`ack ${f.clientId} changed`);
            if (!f.error) acks.set(f.clientId, f);
          }
          if (f.op !== 'event') continue;
          if (f.seq !== lastSeq + 1) violations.push(`after ${lastSeq} got ${f.seq}`);
          lastSeq = f.seq;
          seqs.push(f.seq);
        }
        if (done) {
          rt.close();
          break;
        }
        if (sessions > 400) throw new Error('did not converge');
      }
      await producer;

      expect(violations).toEqual([]);
      expect(sessions).toBeGreaterThan(5);
      const head = await s.parley.realtime.log.head(s.accountSid, stream);
      expect(seqs).toEqual(Array.from({ length: head }, (_, i) => i + 1));
      const messages = await s.client.conversations.v1.conversations(conv).messages.list({ pageSize: 100 });
      const kims = messages.filter((m) => m.author === 'kim').map((m) => m.body).sort();
      expect(kims).toEqual(ops.map((o) => o.body).sort());
      expect(messages.filter((m) => m.author === 'lou').length).toBeGreaterThanOrEqual(80);
      // Every message created is announced exactly once on the stream.
      const log = await s.parley.realtime.log.read(s.accountSid, stream, 0, 1000);
      const added = log.map((e) => s.parley.realtime.log.frame(e)).filter((f) => f.type === 'conversations.onMessageAdded').map((f) => f.data.MessageSid as string);
      expect(added.sort()).toEqual(messages.map((m) => m.sid).sort());
    }, 60_000);

    it('answers resync when the gap is beyond the catch-up bound or the retention window', async () => {
      const s = ctx.server;
      const conv = await conversationWith(s, 'max');
      const stream = `conversation:${conv}`;
      for (let i = 0; i < 30; i++) await s.client.conversations.v1.conversations(conv).messages.create({ body: `m${i}` });
      await s.settle();
      const head = await s.parley.realtime.log.head(s.accountSid, stream);
      expect(head).toBe(32);
      const rt = await RtClient.open(s.origin, { token: await tokenFor(s, 'max') });

      // Within the bound: the missing events, in order, then live.
      expect(await rt.subscribe(stream, head - 10)).toMatchObject({ op: 'subscribed', seq: head });
      expect(rt.events(stream).map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => head - 9 + i));
      // Further behind than maxCatchUp: resync, and the stream continues after the head.
      let from = rt.frames.length;
      expect(await rt.subscribe(stream, 1)).toMatchObject({ op: 'subscribed', seq: head });
      expect(rt.frames.slice(from).map((f) => f.op)).toEqual(['resync', 'subscribed']);
      expect(rt.frames[from]).toEqual({ op: 'resync', stream, seq: head });
      // A seq from the future (a reset server) is a resync too.
      from = rt.frames.length;
      await rt.subscribe(stream, head + 5);
      expect(rt.frames.slice(from).map((f) => f.op)).toEqual(['resync', 'subscribed']);

      // Past the retention window the log is gone: resync even for a small gap.
      const pruned = await s.parley.realtime.prune(Date.now() + s.parley.realtime.settings.retentionSeconds * 1000 + 1000);
      expect(pruned).toBeGreaterThanOrEqual(head);
      from = rt.frames.length;
      expect(await rt.subscribe(stream, head - 2)).toMatchObject({ op: 'subscribed', seq: head });
      expect(rt.frames.slice(from).map((f) => f.op)).toEqual(['resync', 'subscribed']);
      // Numbering survives pruning: the next event is head + 1.
      await s.client.conversations.v1.conversations(conv).messages.create({ body: 'after prune' });
      expect(await rt.next((f) => f.op === 'event' && f.data.Body === 'after prune')).toMatchObject({ seq: head + 1 });
      // Up to date: nothing replayed, no resync.
      from = rt.frames.length;
      await rt.subscribe(stream, head + 1);
      expect(rt.frames.slice(from).map((f) => f.op)).toEqual(['subscribed']);
      rt.close();
    });

    it('fills a gap from the log when a live entry is missed (a lost pub/sub message)', async () => {
      const s = ctx.server;
      const conv = await conversationWith(s, 'ned');
      await s.settle();
      const stream = `conversation:${conv}`;
      const rt = await RtClient.open(s.origin, { token: await tokenFor(s, 'ned') });
      const subscribed = await rt.subscribe(stream);
      // Swallow the next publication on this node, as a dropped Redis message would be.
      const hub = s.parley.realtime.hub;
      const deliver = hub.deliver.bind(hub);
      let swallowed = 0;
      hub.deliver = (entries) => {
        if (swallowed === 0 && entries.some((e) => e.stream === stream)) {
          swallowed++;
          return;
        }
        deliver(entries);
      };
      try {
        await s.client.conversations.v1.conversations(conv).messages.create({ body: 'lost' });
        await s.client.conversations.v1.conversations(conv).messages.create({ body: 'next' });
        const events = await rt.eventCount(stream, 2);
        expect(events.map((e) => [e.seq, e.data.Body])).toEqual([
          [subscribed.seq + 1, 'lost'],
          [subscribed.seq + 2, 'next'],
        ]);
        // With no later entry to reveal the gap, the periodic head check fills it.
        swallowed = 0;
        await s.client.conversations.v1.conversations(conv).messages.create({ body: 'quiet' });
        expect((await rt.next((f) => f.op === 'event' && f.data.Body === 'quiet', 3000)).seq).toBe(subscribed.seq + 3);
      } finally {
        hub.deliver = deliver;
      }
      rt.close();
    });
  },
  { realtime: { maxCatchUp: MAX_CATCH_UP, pollMs: 200 } },
);
