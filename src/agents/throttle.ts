import type { Clock } from '../platform/clock.js';

/** Failures allowed before the backoff starts. */
const FREE_FAILURES = 5;
const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 15 * 60_000;
/** Entries kept at most; the oldest go first (an attacker spraying usernames cannot grow it without bound). */
const MAX_ENTRIES = 10_000;

interface Entry {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

/**
 * Per-username login backoff, in memory (per node): after five failures in a
 * row, each further one locks the username for 30 s, doubling up to 15 min.
 * A success clears it; a quiet period as long as the lock also forgets it.
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {}

  /** Seconds to wait before trying again (0: go ahead). */
  retryAfter(key: string): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    const now = this.clock.now();
    return e.lockedUntil > now ? Math.ceil((e.lockedUntil - now) / 1000) : 0;
  }

  failed(key: string): void {
    const now = this.clock.now();
    let e = this.entries.get(key);
    if (e && e.failures >= FREE_FAILURES && now - e.lastFailure > delay(e.failures) * 2) e = undefined;
    const failures = (e?.failures ?? 0) + 1;
    this.entries.delete(key);
    this.entries.set(key, { failures, lastFailure: now, lockedUntil: failures >= FREE_FAILURES ? now + delay(failures) : 0 });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  succeeded(key: string): void {
    this.entries.delete(key);
  }
}

function delay(failures: number): number {
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, failures - FREE_FAILURES));
}
