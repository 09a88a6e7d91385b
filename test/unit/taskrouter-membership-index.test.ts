import { describe, it, expect } from 'vitest';
import { mulberry32 } from '../support/random.js';
import { buildIndex, equalityOf, valueKey } from '../../src/taskrouter/routing/snapshot.js';
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
