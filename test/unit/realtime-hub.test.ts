import { describe, it, expect } from 'vitest';
import { StreamHub, type Peer } from '../../src/realtime/hub.js';
import type { EventFrame, StreamEntry, StreamLog } from '../../src/realtime/log.js';

const AC = 'AC' + '1'.repeat(32);
const STREAM = 'conversation:CH' + '2'.repeat(32);

/** An in-memory log whose reads can be held back, to land live entries in the middle of a catch-up. */
class FakeLog {
  entries: StreamEntry[] = [];
  floor = 0; // entries at or below this seq were pruned
  gate: Promise<void> = Promise.resolve();
  append(n: number): StreamEntry[] {
    const out: StreamEntry[] = [];
    for (let i = 0; i < n; i++) {
      const e = { accountSid: AC, stream: STREAM, seq: this.entries.length + 1, type: 't', payload: '', occurredAt: 0 };
      this.entries.push(e);
      out.push(e);
    }
    return out;
  }
  get last(): number {
    return this.entries.length;
  }
  async head(): Promise<number> {
    await this.gate;
    return this.last;
  }
  async heads(): Promise<Map<string, number>> {
    return new Map([[STREAM, this.last]]);
  }
  async read(_a: string, _s: string, after: number, limit: number): Promise<StreamEntry[]> {
    await this.gate;
    return this.entries.filter((e) => e.seq > after && e.seq > this.floor).slice(0, limit);
  }
  frame(e: StreamEntry): EventFrame {
    return { op: 'event', stream: e.stream, seq: e.seq, type: e.type, date: '', data: {} };
  }
}

function peer() {
  const frames: Array<Record<string, unknown>> = [];
  const p: Peer = { identity: 'me', send: (f) => frames.push(f), delivered: () => {}, failed: (err) => { throw err; } };
  return { p, frames, seqs: () => frames.filter((f) => f.op === 'event').map((f) => f.seq as number), ops: () => frames.map((f) => f.op) };
}

const flush = () => new Promise((r) => setTimeout(r, 5));

describe('StreamHub delivery rules', () => {
  it('replays after `after`, then goes live, sending entries that raced the catch-up exactly once', async () => {
    const log = new FakeLog();
    log.append(5);
    const hub = new StreamHub(log as unknown as StreamLog, 100);
    const c = peer();
    let release!: () => void;
    log.gate = new Promise((r) => (release = r));
    hub.subscribe(c.p, AC, STREAM, 2);
    // Committed and published while the subscription is still reading the log.
    hub.deliver(log.append(2));
    release();
    await flush();
    hub.deliver(log.append(1));
    await flush();
    expect(c.seqs()).toEqual([3, 4, 5, 6, 7, 8]);
    expect(c.frames.find((f) => f.op === 'subscribed')).toMatchObject({ seq: 7 });
  });

  it('fills a gap from the log when an entry arrives ahead of the next expected one', async () => {
    const log = new FakeLog();
    const hub = new StreamHub(log as unknown as StreamLog, 100);
    const c = peer();
    hub.subscribe(c.p, AC, STREAM, undefined);
    await flush();
    log.append(3); // 1 and 2 were "lost" in transit
    hub.deliver([log.entries[2]!]);
    hub.deliver([log.entries[0]!]); // late duplicate
    await flush();
    expect(c.seqs()).toEqual([1, 2, 3]);
  });

  it('answers resync for a pruned gap, a gap beyond maxCatchUp and a seq from the future', async () => {
    const log = new FakeLog();
    log.append(20);
    log.floor = 10;
    const hub = new StreamHub(log as unknown as StreamLog, 5);
    for (const [after, expected] of [[8, ['resync', 'subscribed']], [12, ['resync', 'subscribed']], [25, ['resync', 'subscribed']], [16, ['event', 'event', 'event', 'event', 'subscribed']]] as const) {
      const c = peer();
      hub.subscribe(c.p, AC, STREAM, after);
      await flush();
      expect(c.ops()).toEqual(expected);
      expect(c.frames.at(-1)).toMatchObject({ op: 'subscribed', seq: 20 });
    }
  });

  it('catches up by polling heads when nothing live reveals the gap', async () => {
    const log = new FakeLog();
    const hub = new StreamHub(log as unknown as StreamLog, 100);
    const c = peer();
    hub.subscribe(c.p, AC, STREAM, undefined);
    await flush();
    log.append(2);
    await hub.poll();
    await flush();
    expect(c.seqs()).toEqual([1, 2]);
  });

  it('stops delivering once unsubscribed', async () => {
    const log = new FakeLog();
    const hub = new StreamHub(log as unknown as StreamLog, 100);
    const c = peer();
    const sub = hub.subscribe(c.p, AC, STREAM, undefined);
    await flush();
    hub.deliver(log.append(1));
    await flush();
    hub.unsubscribe(sub);
    hub.deliver(log.append(1));
    await flush();
    expect(c.seqs()).toEqual([1]);
    expect(hub.has(AC, STREAM)).toBe(false);
  });
});
