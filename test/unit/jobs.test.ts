import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Storage } from '../../src/storage/db.js';
import { ENGINES } from '../support/harness.js';
import { migratedStorage } from '../support/storage.js';
import { createCipher } from '../../src/platform/crypto.js';
import { ManualClock } from '../../src/platform/clock.js';
import { Jobs, type Job } from '../../src/events/jobs.js';

const POLL = 250;

describe.each(ENGINES)('Jobs [%s]', (engine) => {
  const open = migratedStorage(engine, 'jobs');
  let storage: Storage | undefined;

  async function setup() {
    storage = await open();
    const clock = new ManualClock();
    const cipher = createCipher(randomBytes(32));
    const node = () => new Jobs({ storage: storage!, cipher, clock, baseBackoffMs: 1000, maxBackoffMs: 60_000, leaseMs: 30_000 });
    return { clock, node };
  }

  it('looks for due jobs when one it scheduled has come due, or a poll interval has passed, not after every dispatch', async () => {
    const { clock, node } = await setup();
    const a = node();
    const ran: string[] = [];
    a.handle('t', async (job: Job) => void ran.push(String(job.payload.n)));
    // Never looked: it may have work (jobs from before a restart).
    expect(a.mayHaveDue(POLL)).toBe(true);
    expect(await a.runDue()).toBe(0);
    expect(a.mayHaveDue(POLL)).toBe(false);

    // Its own job: not before it is due, then at once (well within a poll interval).
    await storage!.transaction((tx) => a.schedule(tx, { accountSid: 'AC1', kind: 't', payload: { n: 'own' }, runAt: clock.now() + 100 }));
    clock.advance(50);
    expect(a.mayHaveDue(POLL)).toBe(false);
    clock.advance(50);
    expect(a.mayHaveDue(POLL)).toBe(true);
    expect(await a.runDue()).toBe(1);
    expect(ran).toEqual(['own']);
    expect(a.mayHaveDue(POLL)).toBe(false);

    // Another node's job (same database): found by the next poll.
    const b = node();
    await storage!.transaction((tx) => b.schedule(tx, { accountSid: 'AC1', kind: 't', payload: { n: 'other' }, runAt: clock.now() }));
    expect(a.mayHaveDue(POLL)).toBe(false);
    clock.advance(POLL);
    expect(a.mayHaveDue(POLL)).toBe(true);
    expect(await a.runDue()).toBe(1);
    expect(ran).toEqual(['own', 'other']);
  });

  it('looks again when a batch came back full, and when a failed job\'s retry comes due', async () => {
    const { clock, node } = await setup();
    const a = node();
    let fail = true;
    const ran: number[] = [];
    a.handle('t', async (job: Job) => {
      if (job.payload.n === -1 && fail) throw new Error('not yet');
      ran.push(Number(job.payload.n));
    });
    await storage!.transaction((tx) => Promise.all(Array.from({ length: 3 }, (_, n) => a.schedule(tx, { accountSid: 'AC1', kind: 't', dedupeKey: `k${n}`, payload: { n }, runAt: clock.now() }))));
    expect(await a.runDue(2)).toBe(2);
    // Full batch: more may be due at this very moment.
    expect(a.mayHaveDue(POLL)).toBe(true);
    expect(await a.runDue(2)).toBe(1);
    expect(ran.sort()).toEqual([0, 1, 2]);
    expect(a.mayHaveDue(POLL)).toBe(false);

    await storage!.transaction((tx) => a.schedule(tx, { accountSid: 'AC1', kind: 't', payload: { n: -1 }, runAt: clock.now(), maxAttempts: 3 }));
    expect(await a.runDue()).toBe(1);
    // Retried after a backoff of 1–1.2 s: the polls meanwhile find nothing due…
    for (let t = 0; t < 1000; t += POLL) {
      clock.advance(POLL);
      if (a.mayHaveDue(POLL)) expect(await a.runDue()).toBe(0);
    }
    // …and the retry is looked for as soon as it is due, poll or not.
    clock.advance(210);
    expect(a.mayHaveDue(POLL)).toBe(true);
    fail = false;
    expect(await a.runDue()).toBe(1);
    expect(ran).toContain(-1);
  });

  it('stores a payload of identifiers as plain JSON when asked, and every other payload encrypted', async () => {
    const { node } = await setup();
    const a = node();
    const got: Array<Record<string, unknown>> = [];
    a.handle('t', async (job: Job) => void got.push(job.payload));
    await storage!.transaction(async (tx) => {
      await a.schedule(tx, { accountSid: 'AC1', kind: 't', payload: { reservationSid: 'WR1' }, runAt: 0, plain: true });
      await a.schedule(tx, { accountSid: 'AC1', kind: 't', payload: { body: 'a secret' }, runAt: 0 });
    });
    const stored = (await storage!.db.selectFrom('jobs').select('payload').orderBy('seq').execute()).map((r) => r.payload);
    expect(stored[0]).toBe('{"reservationSid":"WR1"}');
    expect(stored[1]).toMatch(/^v1\./);
    expect(stored[1]).not.toContain('secret');
    expect(await a.runDue()).toBe(2);
    expect(got).toEqual([{ reservationSid: 'WR1' }, { body: 'a secret' }]);
  });

  it('leaves a timer armed for the same time as it is when asked to, and re-arms one that moved or was claimed', async () => {
    const { clock, node } = await setup();
    const a = node();
    const arm = (runAt: number) => storage!.transaction((tx) => a.schedule(tx, { accountSid: 'AC1', kind: 't', dedupeKey: 'wake', payload: { workspaceSid: 'WS1' }, runAt, plain: true, unlessArmed: true }));
    const row = async () => (await storage!.db.selectFrom('jobs').select(['run_at', 'updated_at', 'locked_until', 'attempts']).where('dedupe_key', '=', 'wake').executeTakeFirstOrThrow());
    await arm(clock.now() + 5000);
    const first = await row();
    clock.advance(10);
    await arm(clock.now() + 4990);
    // Same time: the row was not written again.
    expect(await row()).toEqual(first);
    clock.advance(10);
    await arm(clock.now() + 10_000);
    expect(await row()).toMatchObject({ run_at: first.run_at + 5020, updated_at: first.updated_at + 20 });
    // A claimed job is re-armed even for the same time: its run must not delete the new arming.
    clock.advance(20_000);
    let release!: () => void;
    a.handle('t', () => new Promise<void>((resolve) => (release = resolve)));
    const running = a.runDue();
    await new Promise((r) => setTimeout(r, 20));
    const claimed = await row();
    expect(claimed.locked_until).not.toBeNull();
    await arm(claimed.run_at);
    expect((await row()).locked_until).toBeNull();
    release();
    expect(await running).toBe(1);
    // The run finished, and the re-armed job is still there.
    expect(await row()).toMatchObject({ run_at: claimed.run_at, locked_until: null });
  });
});
