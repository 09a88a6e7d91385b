import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Dispatcher } from './dispatcher.js';
import type { Jobs } from './jobs.js';

const POKE_DELAY_MS = 2;

/**
 * The background loop of a node: dispatches the outbox and runs due jobs, on a
 * poll interval and immediately when poked after a commit.
 */
export class Worker {
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Infinity;
  private running = false;
  private again = false;
  private stopped = true;
  private idle: Array<() => void> = [];
  private exclusive: Promise<void> = Promise.resolve();

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly jobs: Jobs,
    private readonly pollMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.running) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // A short delay lets a burst of commits share one dispatch transaction.
    this.schedule(POKE_DELAY_MS);
  }

  /** Runs the loop in `ms`, unless it is already due sooner. */
  private schedule(ms: number): void {
    const due = Date.now() + ms;
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      void this.tick();
    }, ms);
    this.timer.unref?.();
  }

  /**
   * One pass of dispatch + due jobs. Passes never overlap on a node, so jobs run in
   * claim order here (other nodes may still run theirs concurrently).
   */
  private pass(everyJob = false): Promise<number> {
    const run = this.exclusive.then(async () => (await this.dispatcher.dispatchBatch()) + (everyJob || this.jobs.mayHaveDue(this.pollMs) ? await this.jobs.runDue() : 0));
    this.exclusive = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Runs until the outbox is drained and no job is due (looking every time); tests await it. */
  async drain(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      if ((await this.pass(true)) === 0) return;
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.running = true;
    try {
      do {
        this.again = false;
        let n: number;
        do {
          n = await this.pass();
          // Between batches, let requests (and routing passes) in: on SQLite every
          // await here is a microtask, and a burst's backlog would hold the event
          // loop until the outbox is empty.
          if (n > 0) await nextTurn();
        } while (n > 0 && !this.stopped);
      } while (this.again && !this.stopped);
    } catch (err) {
      this.onError(err);
    } finally {
      this.running = false;
      for (const r of this.idle.splice(0)) r();
    }
    if (!this.stopped) this.schedule(this.pollMs);
  }
}
