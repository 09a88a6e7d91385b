import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Storage } from '../../src/storage/db.js';
import { ENGINES } from '../support/harness.js';
import { migratedStorage } from '../support/storage.js';
import { createCipher } from '../../src/platform/crypto.js';
import { systemClock } from '../../src/platform/clock.js';
import { Outbox } from '../../src/events/outbox.js';
import { Dispatcher } from '../../src/events/dispatcher.js';

describe.each(ENGINES)('Dispatcher [%s]', (engine) => {
  const open = migratedStorage(engine, 'dispatcher');
  let storage: Storage | undefined;

  async function setup() {
    storage = await open();
    const outbox = new Outbox(createCipher(randomBytes(32)), systemClock, storage.engine);
    const s = storage;
    const write = (types: string[]) => s.transaction((tx) => outbox.write(tx, types.map((type, i) => ({ type, accountSid: 'AC1', data: { i } }))));
    return { outbox, dispatcher: new Dispatcher(storage, outbox, systemClock), write };
  }

  it('hands a durable handler only the event types it names, in outbox order', async () => {
    const { dispatcher, write } = await setup();
    const seen: Record<string, string[]> = { all: [], conversations: [], two: [] };
    dispatcher.onDurable(async (_tx, e) => void seen.all!.push(e.type));
    dispatcher.onDurable(async (_tx, e) => void seen.conversations!.push(e.type), ['conversations.']);
    dispatcher.onDurable(async (_tx, e) => void seen.two!.push(e.type), ['taskrouter.task.completed', 'conversations.onMessageAdded']);
    await write(['taskrouter.task.created', 'conversations.onMessageAdded', 'taskrouter.task.completed', 'conversations.onConversationAdded', 'supervision.whisper']);
    expect(await dispatcher.dispatchBatch()).toBe(5);
    expect(seen.all).toEqual(['taskrouter.task.created', 'conversations.onMessageAdded', 'taskrouter.task.completed', 'conversations.onConversationAdded', 'supervision.whisper']);
    expect(seen.conversations).toEqual(['conversations.onMessageAdded', 'conversations.onConversationAdded']);
    expect(seen.two).toEqual(['conversations.onMessageAdded', 'taskrouter.task.completed']);
    expect(await dispatcher.dispatchBatch()).toBe(0);
  });

  it('resolves events stored by reference through the resolver of their prefix, and leaves out the ones that are gone', async () => {
    const { outbox } = await setup();
    const asked: string[][] = [];
    outbox.resolveRefs('taskrouter.', async (_tx, refs) => {
      asked.push(refs);
      return new Map(refs.filter((r) => r !== 'EVgone').map((r) => [r, { eventSid: r }]));
    });
    const found = await outbox.resolve(storage!.db, [
      { type: 'taskrouter.task.created', ref: 'EV1' },
      { type: 'conversations.onMessageAdded', ref: 'IM1' },
      { type: 'taskrouter.reservation.created', ref: 'EVgone' },
    ]);
    expect(asked).toEqual([['EV1', 'EVgone']]);
    expect([...found]).toEqual([['EV1', { eventSid: 'EV1' }]]);
  });

  it('bundles consecutive events stored by reference into one row and dispatches them in order, sized in events', async () => {
    const { outbox, dispatcher } = await setup();
    outbox.resolveRefs('taskrouter.', async (_tx, refs) => new Map(refs.map((r) => [r, { eventSid: r }])));
    const ref = (n: number, account = 'AC1') => ({ type: n % 2 ? 'taskrouter.task.created' : 'taskrouter.reservation.created', accountSid: account, data: {}, ref: `EV${n}` });
    const plain = { type: 'conversations.onMessageAdded', accountSid: 'AC1', data: { i: 'plain' } };
    // 150 refs, a plain event, 2 refs of another account, 1 lone ref: bundles of 100 and 50, the plain row, a bundle of 2, a single row.
    const events = [...Array.from({ length: 150 }, (_, i) => ref(i)), plain, ref(500, 'AC2'), ref(501, 'AC2'), ref(600)];
    await storage!.transaction((tx) => outbox.write(tx, events));
    const rows = await storage!.db.selectFrom('outbox').select(['type', 'account_sid']).orderBy('seq').execute();
    expect(rows).toEqual([
      { type: '*', account_sid: 'AC1' },
      { type: '*', account_sid: 'AC1' },
      { type: 'conversations.onMessageAdded', account_sid: 'AC1' },
      { type: '*', account_sid: 'AC2' },
      { type: 'taskrouter.reservation.created', account_sid: 'AC1' },
    ]);
    const seen: Array<{ type: string; accountSid: string; data: Record<string, unknown> }> = [];
    dispatcher.onDurable(async (_tx, e) => void seen.push({ type: e.type, accountSid: e.accountSid, data: e.data }));
    const delivered: string[] = [];
    dispatcher.subscribe((e) => void delivered.push(String(e.data.eventSid ?? e.data.i)));
    // A batch of 120 events takes the first bundle only (the next would overflow it); then the rest.
    expect(await dispatcher.dispatchBatch(120)).toBe(100);
    expect(await dispatcher.dispatchBatch(120)).toBe(50 + 1 + 2 + 1);
    expect(await dispatcher.dispatchBatch(120)).toBe(0);
    expect(seen.map((e) => e.type)).toEqual(events.map((e) => e.type));
    expect(seen.map((e) => e.accountSid)).toEqual(events.map((e) => e.accountSid));
    expect(delivered).toEqual(events.map((e) => ('ref' in e ? e.ref : 'plain')));
    // Even a limit below a bundle's size makes progress: one row at least.
    await storage!.transaction((tx) => outbox.write(tx, [ref(700), ref(701), ref(702)]));
    expect(await dispatcher.dispatchBatch(1)).toBe(3);
  });

  it('fills a batch to its limit when rows hold fewer events than the last batch\'s did (rows are read a page at a time)', async () => {
    const { outbox, dispatcher, write } = await setup();
    outbox.resolveRefs('taskrouter.', async (_tx, refs) => new Map(refs.map((r) => [r, { eventSid: r }])));
    const ref = (n: number) => ({ type: 'taskrouter.task.created', accountSid: 'AC1', data: {}, ref: `EV${n}` });
    const delivered: string[] = [];
    dispatcher.subscribe((e) => void delivered.push(String(e.data.eventSid ?? e.data.i)));
    // Bundles of 90 events each: the next batch expects few rows…
    await storage!.transaction((tx) => outbox.write(tx, Array.from({ length: 90 }, (_, i) => ref(i))));
    expect(await dispatcher.dispatchBatch(100)).toBe(90);
    // …and finds single-event rows: it reads on until it holds 100 events, in order.
    const types = Array.from({ length: 130 }, (_, i) => `conversations.e${i}`);
    await write(types);
    expect(await dispatcher.dispatchBatch(100)).toBe(100);
    expect(await dispatcher.dispatchBatch(100)).toBe(30);
    expect(await dispatcher.dispatchBatch(100)).toBe(0);
    expect(delivered).toEqual([...Array.from({ length: 90 }, (_, i) => `EV${i}`), ...types.map((_, i) => String(i))]);
    // Rows written between batches are found after a partly read page.
    await storage!.transaction((tx) => outbox.write(tx, [ref(900), ref(901)]));
    await write(['conversations.after']);
    expect(await dispatcher.dispatchBatch(100)).toBe(3);
  });
});
