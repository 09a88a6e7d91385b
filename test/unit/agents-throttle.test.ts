import { describe, it, expect } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { LoginThrottle } from '../../src/agents/throttle.js';

describe('login backoff', () => {
  it('locks after five failures, doubles per further failure, and forgets on success', () => {
    const clock = new ManualClock();
    const t = new LoginThrottle(clock);
    for (let i = 0; i < 4; i++) t.failed('a');
    expect(t.retryAfter('a')).toBe(0);
    t.failed('a');
    expect(t.retryAfter('a')).toBe(30);
    expect(t.retryAfter('b')).toBe(0);
    clock.advance(30_000);
    expect(t.retryAfter('a')).toBe(0);
    t.failed('a');
    expect(t.retryAfter('a')).toBe(60);
    clock.advance(60_000);
    t.failed('a');
    expect(t.retryAfter('a')).toBe(120);
    t.succeeded('a');
    expect(t.retryAfter('a')).toBe(0);
  });

  it('caps the lock at 15 minutes and forgets a username left alone long enough', () => {
    const clock = new ManualClock();
    const t = new LoginThrottle(clock);
    for (let i = 0; i < 20; i++) {
      t.failed('a');
      clock.advance(1000);
    }
    expect(t.retryAfter('a')).toBeLessThanOrEqual(15 * 60);
    expect(t.retryAfter('a')).toBeGreaterThan(14 * 60);
    clock.advance(31 * 60_000);
    t.failed('a');
    expect(t.retryAfter('a')).toBe(0);
  });
});
