import { describe, it, expect } from 'vitest';
import { mulberry32 } from '../support/random.js';
import { buildIndex, compileWorkflow, equalityOf, valueKey } from '../../src/taskrouter/routing/snapshot.js';
import { planRouting } from '../../src/taskrouter/routing/matcher.js';
import { targetWorkersMatcher } from '../../src/taskrouter/workers/facts.js';
import type { WorkerFacts } from '../../src/taskrouter/expressions/index.js';


describe('queue membership from an attribute index', () => {
  it('recognises only the plain equality and HAS shapes over worker attributes', () => {
    expect(equalityOf("skill == 'billing'")).toMatchObject({ path: ['skill'], value: 'billing', has: false });
    expect(equalityOf('worker.tier == 2')).toMatchObject({ path: ['tier'], value: 2, has: false });
    expect(equalityOf("languages HAS 'es'")).toMatchObject({ path: ['languages'], value: 'es', has: true });
    for (const other of ["skill != 'x'", "skill == 'a' OR skill == 'b'", "sid == 'WK1'", "activity_name == 'Available'", 'tier > 2', '1==1', "'x' == skill", 'skill == null']) {
      expect(equalityOf(other), other).toBeUndefined();
    }
  });

  it('gives exactly the members the evaluator would, over random workers', () => {
    const rand = mulberry32(42);
    const values: unknown[] = ['a', 'b', 'c', 1, 2, '1', true, false, null, ['a', 'b'], ['c', 1], { a: 1 }, [{ a: 1 }], undefined];
    const pick = () => values[Math.floor(rand() * values.length)];
    const workers: WorkerFacts[] = Array.from({ length: 400 }, (_, i) => ({
      sid: `WK${i}`,
      friendly_name: `w${i}`,
      activity_sid: 'WA1',
      activity_name: 'Available',
      attributes: { skill: pick(), tags: pick(), nested: { level: pick() } },
    }));
    const expressions = ["skill == 'a'", 'skill == 1', "skill == '1'", 'skill == true', "tags HAS 'a'", 'tags HAS 1', "nested.level == 'b'", "worker.skill == 'c'", "nested.level HAS 'a'"];
    for (const text of expressions) {
      const eq = equalityOf(text)!;
      expect(eq, text).toBeDefined();
      const indexed = buildIndex(workers, eq.path, eq.has).get(valueKey(eq.value)) ?? new Set<string>();
      const matches = targetWorkersMatcher(text);
      const evaluated = new Set(workers.filter((w) => matches(w)).map((w) => w.sid));
      expect([...indexed].sort(), text).toEqual([...evaluated].sort());
    }
  });
});

describe('workflow filters found through the equality index', () => {
  it('places every task in the same filter as evaluating all filters top-down would', () => {
    const rand = mulberry32(7);
    const kinds = ["type == '{t}'", "type == '{t}' AND vip == true", "lang == '{l}'", 'level > {n}', "tags HAS '{t}'", "type IN ['{t}', 'x']", 'task.level == {n}'];
    const types = ['a', 'b', 'c', 'd'];
    for (let round = 0; round < 40; round++) {
      const filters = Array.from({ length: 12 + Math.floor(rand() * 20) }, (_, i) => {
        const k = kinds[Math.floor(rand() * kinds.length)]!;
        const expression = k.replace(/\{t\}/g, types[Math.floor(rand() * types.length)]!).replace('{l}', ['en', 'es'][Math.floor(rand() * 2)]!).replace('{n}', String(Math.floor(rand() * 5)));
        return { filter_friendly_name: `f${i}`, expression, targets: [{ queue: `WQ${String(i).padStart(32, '0')}` }] };
      });
      const row = { sid: 'WW' + '1'.repeat(32), account_sid: 'AC', workspace_sid: 'WS', friendly_name: 'wf', configuration: JSON.stringify({ task_routing: { filters } }), assignment_callback_url: null, fallback_assignment_callback_url: null, task_reservation_timeout: 120, date_created: 0, date_updated: 0, seq: 1 };
      const indexed = compileWorkflow(row);
      expect(indexed.index).toBeDefined();
      const plain = { ...indexed, index: undefined };
      for (let t = 0; t < 25; t++) {
        const attributes = { type: types[Math.floor(rand() * types.length)], vip: rand() < 0.5, lang: rand() < 0.5 ? 'en' : 'es', level: Math.floor(rand() * 5), tags: [types[Math.floor(rand() * types.length)]] };
        const place = (wf: typeof indexed) =>
          planRouting({ now: 0, workspaceSid: 'WS', multiTaskEnabled: true, prioritizeQueueOrder: 'FIFO', workers: [], queues: new Map(), workflows: new Map([[wf.sid, wf]]), activities: new Map(), tasks: [{ sid: 'WT1', attributes, priority: 0, virtualStartTime: 0, createdAt: 0, timeout: 1000, channelSid: 'TC', status: 'pending', workflowSid: wf.sid, placement: null, reservedWorkers: new Set(), routingTarget: null, ignoreCapacity: false, assignmentCounter: 0 }] }).moves[0]?.to?.filterIndex;
        expect(place(indexed), JSON.stringify({ attributes, filters: filters.map((f) => f.expression) })).toBe(place(plain));
      }
    }
  });
});

describe('offers from a queue kept in longest-idle order', () => {
  it('choose the same workers as comparing every member', () => {
    const rand = mulberry32(11);
    for (let round = 0; round < 60; round++) {
      const workers = Array.from({ length: 5 + Math.floor(rand() * 40) }, (_, i) => ({
        sid: `WK${String(i).padStart(32, '0')}`,
        friendly_name: `w${i}`,
        activity_sid: 'WA',
        activity_name: 'Available',
        attributes: {},
        available: rand() < 0.8,
        idleSince: Math.floor(rand() * 5),
        channel: { capacity: 1 + Math.floor(rand() * 2), available: rand() < 0.9, load: Math.floor(rand() * 2) },
      }));
      const taskCount = 1 + Math.floor(rand() * 6);
      const ordered = [...workers].sort((a, b) => (a.idleSince !== b.idleSince ? a.idleSince - b.idleSince : a.sid < b.sid ? -1 : 1)).map((w) => w.sid);
      // Two independent snapshots of the same state (the matcher adds load as it plans).
      const snapshot = (withOrder: boolean) => ({
        now: 1,
        workspaceSid: 'WS',
        multiTaskEnabled: true,
        prioritizeQueueOrder: 'FIFO' as const,
        workers: workers.map(({ channel, ...w }) => ({ ...w, channels: new Map([['TC', { ...channel }]]), totalLoad: 0 })),
        queues: new Map([['WQ1', { sid: 'WQ1', friendlyName: 'q', matches: () => true, members: new Set(workers.map((w) => w.sid)), maxReservedWorkers: 1, taskOrder: 'FIFO' as const, ...(withOrder ? { ordered } : {}) }]]),
        workflows: new Map(),
        activities: new Map(),
        tasks: Array.from({ length: taskCount }, (_, i) => ({ sid: `WT${i}`, attributes: {}, priority: 0, virtualStartTime: i, createdAt: 0, timeout: 1e6, channelSid: 'TC', status: 'pending' as const, workflowSid: null, placement: null, reservedWorkers: new Set<string>(), routingTarget: 'WQ1', ignoreCapacity: false, assignmentCounter: 0 })),
      });
      expect(planRouting(snapshot(true)).reservations).toEqual(planRouting(snapshot(false)).reservations);
    }
  });
});
