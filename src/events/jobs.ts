import { sql } from 'kysely';
import type { Executor, Storage } from '../storage/db.js';
import { bulkInsert } from '../storage/bulk.js';
import type { Cipher } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';

const JOB_COLUMNS = ['account_sid', 'kind', 'dedupe_key', 'payload', 'run_at', 'attempts', 'max_attempts', 'locked_until', 'status', 'last_error', 'created_at', 'updated_at'] as const;
/** Scheduling a key again re-arms its job (each row's updated_at is the time of scheduling). */
const REARM =
  `on conflict ("dedupe_key") do update set "payload" = excluded."payload", "run_at" = excluded."run_at", "max_attempts" = excluded."max_attempts", "attempts" = 0, "status" = 'pending', "locked_until" = null, "last_error" = null, "updated_at" = excluded."updated_at"`;
/** The same, except that a job already waiting, unclaimed, for that time is left as it is (no row written). */
const REARM_IF_MOVED = `${REARM} where "jobs"."run_at" <> excluded."run_at" or "jobs"."status" <> 'pending' or "jobs"."locked_until" is not null or "jobs"."payload" <> excluded."payload" or "jobs"."max_attempts" <> excluded."max_attempts"`;

/**
 * Durable jobs and timers in the database: webhook deliveries with retries,
 * conversation state timers, later reservation timeouts. At-least-once: a job is
 * leased, run, and deleted on success; a crash before the delete runs it again.
 */
export interface JobSpec {
  accountSid: string;
  kind: string;
  payload: Record<string, unknown>;
  runAt: number;
  /** At most one pending job per key: scheduling again re-arms it. */
  dedupeKey?: string;
  maxAttempts?: number;
  /**
   * The payload names only identifiers (SIDs, keys): stored as plain JSON, not
   * encrypted. A routing pass arms a timer per offer; nothing in it is a secret.
   */
  plain?: boolean;
  /**
   * With a dedupeKey: when the key's job already waits, unclaimed, for the same
   * time with the same payload, leave it be instead of re-arming it. A routing
   * pass re-arms its workspace's wake-up timer every time, nearly always unchanged.
   * Plain payloads only (a sealed one never compares equal): ignored otherwise.
   */
  unlessArmed?: boolean;
}

export interface Job {
  seq: number;
  accountSid: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
  dedupeKey: string | null;
}

export type JobHandler = (job: Job) => Promise<void>;

export interface JobsOptions {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
  /** First retry delay; doubles per attempt up to maxBackoffMs. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** How long a claimed job stays invisible to other workers. */
  leaseMs: number;
  onError?: (job: Job, err: unknown) => void;
}

export class Jobs {
  private handlers = new Map<string, JobHandler>();
  /** When runDue last looked and left nothing due behind (-Infinity: never). */
  private lookedAt = -Infinity;
  /** The earliest run_at this node has set since that look. */
  private localDue = -Infinity;

  constructor(private readonly o: JobsOptions) {}

  handle(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /** The row a new job starts as. */
  private row(spec: JobSpec, now: number) {
    return {
      account_sid: spec.accountSid,
      kind: spec.kind,
      dedupe_key: spec.dedupeKey ?? null,
      payload: spec.plain ? JSON.stringify(spec.payload) : this.o.cipher.encrypt(JSON.stringify(spec.payload)),
      run_at: spec.runAt,
      attempts: 0,
      max_attempts: spec.maxAttempts ?? 1,
      locked_until: null,
      status: 'pending',
      last_error: null,
      created_at: now,
      updated_at: now,
    };
  }

  /**
   * Whether runDue may find work now: the earliest job this node scheduled (or
   * re-armed for a retry) since the last look has come due, or `pollMs` passed
   * since that look (jobs of other nodes, from before a restart, later ones of
   * this node). A busy node dispatches after every commit; looking for due jobs
   * each time too was a transaction apiece, nearly always empty.
   */
  mayHaveDue(pollMs: number): boolean {
    const now = this.o.clock.now();
    return this.localDue <= now || now - this.lookedAt >= pollMs;
  }

  private scheduled(runAt: number): void {
    if (runAt < this.localDue) this.localDue = runAt;
  }

  async schedule(tx: Executor, spec: JobSpec): Promise<void> {
    this.scheduled(spec.runAt);
    const row = this.row(spec, this.o.clock.now());
    await bulkInsert(tx, this.o.storage.engine, 'jobs', JOB_COLUMNS, [row], spec.dedupeKey === undefined ? {} : { tail: spec.unlessArmed && spec.plain ? REARM_IF_MOVED : REARM });
  }

  /** Schedules several keyed jobs in one statement (same semantics as `schedule` with a dedupeKey). */
  async scheduleMany(tx: Executor, specs: Array<JobSpec & { dedupeKey: string }>): Promise<void> {
    if (specs.length === 0) return;
    const now = this.o.clock.now();
    const rows = specs.map((spec) => {
      this.scheduled(spec.runAt);
      return this.row(spec, now);
    });
    // A routing pass schedules a reservation timeout per offer: written by hand (see storage/bulk.ts).
    await bulkInsert(tx, this.o.storage.engine, 'jobs', JOB_COLUMNS, rows, { chunk: 100, tail: REARM });
  }

  async cancel(tx: Executor, dedupeKey: string): Promise<void> {
    await tx.deleteFrom('jobs').where('dedupe_key', '=', dedupeKey).execute();
  }

  /** Claims and runs due jobs; returns how many ran. */
  async runDue(limit = 20): Promise<number> {
    const { storage, clock, cipher } = this.o;
    const now = clock.now();
    // The lease value doubles as a version: re-arming a job resets locked_until, so
    // the delete/update below only touches the exact claim this worker ran.
    const lease = now + this.o.leaseMs;
    // This look answers for what is due by now; a later time this node set is kept.
    // (Of several such times only the earliest is: the others run within a poll interval.)
    const before = this.localDue;
    if (before <= now) this.localDue = Infinity;
    const claimed = await storage.transaction(async (tx) => {
      let due = tx
        .selectFrom('jobs')
        .select('seq')
        .where('status', '=', 'pending')
        .where('run_at', '<=', now)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .orderBy('run_at')
        .orderBy('seq')
        .limit(limit);
      if (storage.engine === 'postgres') due = due.forUpdate().skipLocked();
      const seqs = (await due.execute()).map((r) => r.seq);
      if (seqs.length === 0) return [];
      const rows = await tx
        .updateTable('jobs')
        .set({ locked_until: lease, attempts: sql`attempts + 1`, updated_at: now })
        .where('seq', 'in', seqs)
        .returningAll()
        .execute();
      // RETURNING order is unspecified; run in the order claimed.
      return rows.sort((a, b) => seqs.indexOf(a.seq) - seqs.indexOf(b.seq));
    }).catch((err: unknown) => {
      this.scheduled(before);
      throw err;
    });
    // A full batch may have left more due behind: look again next time.
    if (claimed.length < limit) this.lookedAt = now;
    else this.scheduled(now);
    for (const row of claimed) {
      const job: Job = { seq: row.seq, accountSid: row.account_sid, kind: row.kind, payload: JSON.parse(row.payload.startsWith('{') ? row.payload : cipher.decrypt(row.payload)) as Record<string, unknown>, attempts: row.attempts, maxAttempts: row.max_attempts, dedupeKey: row.dedupe_key };
      const handler = this.handlers.get(job.kind);
      try {
        if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
        await handler(job);
        await storage.db.deleteFrom('jobs').where('seq', '=', job.seq).where('locked_until', '=', lease).execute();
      } catch (err) {
        this.o.onError?.(job, err);
        const message = err instanceof Error ? err.message : String(err);
        const finished = job.attempts >= job.maxAttempts;
        const delay = Math.min(this.o.maxBackoffMs, this.o.baseBackoffMs * 2 ** (job.attempts - 1));
        const jitter = Math.floor(Math.random() * delay * 0.2);
        const retryAt = clock.now() + delay + jitter;
        if (!finished) this.scheduled(retryAt);
        await storage.db
          .updateTable('jobs')
          .set({ status: finished ? 'failed' : 'pending', run_at: retryAt, locked_until: null, last_error: message.slice(0, 1000), updated_at: clock.now() })
          .where('seq', '=', job.seq)
          .where('locked_until', '=', lease)
          .execute();
      }
    }
    return claimed.length;
  }
}
