import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Storage } from '../../src/storage/db.js';
import { ENGINES } from '../support/harness.js';
import { migratedStorage } from '../support/storage.js';
import { createCipher } from '../../src/platform/crypto.js';
import { ManualClock } from '../../src/platform/clock.js';
import { StreamLog } from '../../src/realtime/log.js';
import type { CommittedEvent } from '../../src/events/outbox.js';
import type { TaskRouterOutboxData } from '../../src/taskrouter/callbacks.js';

const AC = 'AC' + 'a'.repeat(32);
const WS = 'WS' + 'b'.repeat(32);
const WK = 'WK' + 'c'.repeat(32);
const CH = 'CH' + 'd'.repeat(32);
const hex = (n: number) => n.toString(16).padStart(32, '0');

describe.each(ENGINES)('Realtime stream log [%s]', (engine) => {
  const open = migratedStorage(engine, 'rtlog');
  let storage: Storage | undefined;

  async function setup() {
    storage = await open();
    const cipher = createCipher(randomBytes(32));
    const clock = new ManualClock();
    // TaskRouter events kept by reference: the log resolves them here, as the outbox's resolver would.
    const stored = new Map<string, TaskRouterOutboxData>();
    const log = new StreamLog(storage, cipher, clock, { resolve: async (_tx, items) => new Map(items.filter((i) => stored.has(i.ref)).map((i) => [i.ref, stored.get(i.ref)! as unknown as Record<string, unknown>])) });
    let n = 0;
    const taskrouter = (type: 'task.created' | 'reservation.created', at: number): CommittedEvent => {
      const sid = `EV${hex(++n)}`;
      const data: TaskRouterOutboxData = { eventSid: sid, workspaceSid: WS, type, resourceType: type.split('.')[0]!, resourceSid: `WT${hex(n)}`, description: `event ${n}`, timestamp: at, workerSid: type === 'reservation.created' ? WK : null, sealedData: cipher.encrypt(JSON.stringify({ TaskSid: `WT${hex(n)}` })), data: {} };
      stored.set(sid, data);
      return { seq: n, accountSid: AC, type: `taskrouter.${type}`, data: data as unknown as Record<string, unknown>, createdAt: at };
    };
    const message = (body: string, at: number): CommittedEvent => ({ seq: ++n, accountSid: AC, type: 'conversations.onMessageAdded', data: { conversationSid: CH, event: 'onMessageAdded', serviceSid: 'IS' + 'e'.repeat(32), source: 'API', params: { Body: body } }, createdAt: at });
    const record = (events: CommittedEvent[]) => storage!.transaction((tx) => log.record(tx, events));
    const rows = (stream: string) => storage!.db.selectFrom('rt_stream_events').select(['seq', 'type']).where('stream', '=', stream).orderBy('seq').execute();
    return { log, taskrouter, message, record, rows };
  }

  it('keeps a stream\'s run of events by reference as one range row, and reads them back one by one from any point', async () => {
    const { log, taskrouter, message, record, rows } = await setup();
    const t0 = Date.UTC(2026, 0, 1);
    const a = [taskrouter('task.created', t0), taskrouter('task.created', t0), taskrouter('reservation.created', t0 + 1), message('hello', t0 + 2), message('again', t0 + 2), taskrouter('task.created', t0 + 3)];
    await record(a);
    const b = [taskrouter('task.created', t0 + 10), taskrouter('reservation.created', t0 + 11)];
    await record(b);
    const workspace = `workspace:${WS}`;
    // The workspace stream: a range row per batch. The worker stream: one event per batch, a row each.
    // The conversation's events are stored encrypted, not by reference: a row each.
    expect(await rows(workspace)).toEqual([{ seq: 1, type: '*' }, { seq: 5, type: '*' }]);
    expect(await rows(`worker:${WK}`)).toEqual([{ seq: 1, type: 'taskrouter.reservation.created' }, { seq: 2, type: 'taskrouter.reservation.created' }]);
    expect((await rows(`conversation:${CH}`)).map((r) => r.type)).toEqual(['conversations.onMessageAdded', 'conversations.onMessageAdded']);

    // Live entries as recorded, numbered without gaps.
    const live = [...a, ...b].flatMap((e) => log.take(e) ?? []).filter((e) => e.stream === workspace);
    expect(live.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);

    // Read back whole, and from inside a range, across two range rows, and past the end.
    const all = await log.read(AC, workspace, 0, 100);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all.map((e) => e.type)).toEqual([...a.filter((e) => e.type.startsWith('taskrouter.')), ...b].map((e) => e.type));
    expect(all.map((e) => e.occurredAt)).toEqual([t0, t0, t0 + 1, t0 + 3, t0 + 10, t0 + 11]);
    expect((await log.read(AC, workspace, 2, 3)).map((e) => e.seq)).toEqual([3, 4, 5]);
    expect((await log.read(AC, workspace, 5, 100)).map((e) => e.seq)).toEqual([6]);
    expect(await log.read(AC, workspace, 6, 100)).toEqual([]);
    // A read's frame equals the live one: same data, same date.
    for (const [i, e] of all.entries()) expect(log.frame(e)).toEqual(log.frame(live[i]!));
    expect(log.frame(all[3]!).data).toMatchObject({ EventType: 'task.created', Sid: a[5]!.data.eventSid, TaskSid: a[5]!.data.resourceSid, WorkspaceSid: WS });
  });
});
