import { sql } from 'kysely';
import type { Storage, Tx } from '../storage/db.js';
import { placeholders, rawQuery, statementText } from '../storage/bulk.js';
import type { Clock } from '../platform/clock.js';
import type { CommittedEvent, Outbox } from './outbox.js';

/** Runs inside the dispatch transaction: durable reactions (e.g. scheduling webhook jobs). */
export type DurableHandler = (tx: Tx, event: CommittedEvent) => Promise<void>;
/** Like DurableHandler, once per dispatched batch (events in outbox order): lets a handler write in bulk. */
export type DurableBatchHandler = (tx: Tx, events: CommittedEvent[]) => Promise<void>;
/** Runs after the dispatch committed: in-process, best-effort reactions (routing pokes, sockets). */
export type Subscriber = (event: CommittedEvent) => void | Promise<void>;


type OutboxRow = { seq: number; account_sid: string; type: string; payload: string; created_at: number };
// Every dispatch runs these two: written by hand (see storage/bulk.ts).
const PENDING = 'select "seq", "account_sid", "type", "payload", "created_at" from "outbox" where "dispatched_at" is null and "seq" > ? order by "seq" limit ?';
const markDispatched = (n: number) => statementText(`outbox.mark|${n}`, () => `update "outbox" set "dispatched_at" = ? where "seq" in (${placeholders(n)})`);

export class Dispatcher {
  private durable: Array<{ handler: DurableHandler; prefixes: readonly string[] | undefined }> = [];
  private durableBatch: DurableBatchHandler[] = [];
  private subscribers: Subscriber[] = [];
  /** Events per outbox row in the last batch: how many rows the next batch reads at first. */
  private eventsPerRow = 1;

  constructor(
    private readonly storage: Storage,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    private readonly onSubscriberError: (err: unknown, event: CommittedEvent) => void = () => {},
  ) {}

  /**
   * With `prefixes`, the handler only sees events whose type starts with one of
   * them: a routing burst's thousands of TaskRouter events then cost nothing in
   * handlers that only care about conversations.
   */
  onDurable(handler: DurableHandler, prefixes?: readonly string[]): void {
    this.durable.push({ handler, prefixes });
  }

  /** Runs after the per-event durable handlers, with the whole batch, in the same transaction. */
  onDurableBatch(handler: DurableBatchHandler): void {
    this.durableBatch.push(handler);
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.push(subscriber);
    return () => {
      this.subscribers = this.subscribers.filter((s) => s !== subscriber);
    };
  }

  /**
   * Dispatches the next batch of committed events in outbox order. One dispatcher at
   * a time across nodes (advisory lock on PostgreSQL; SQLite serializes writers).
   */
  async dispatchBatch(limit = 100): Promise<number> {
    const events = await this.storage.transaction(async (tx) => {
      if (this.storage.engine === 'postgres') {
        // Keyed by schema: deployments (or test runs) sharing a database never block each other.
        const got = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtext(current_schema() || ':parley-outbox')) as ok`.execute(tx);
        if (!got.rows[0]?.ok) return [];
      }
      const rows = await this.pending(tx, limit);
      if (rows.length === 0) return [];
      const decoded = await this.outbox.decode(tx, rows);
      for (const event of decoded) {
        for (const { handler, prefixes } of this.durable) if (!prefixes || prefixes.some((p) => event.type.startsWith(p))) await handler(tx, event);
      }
      for (const h of this.durableBatch) await h(tx, decoded);
      await rawQuery(tx, this.storage.engine, markDispatched(rows.length), [this.clock.now(), ...rows.map((r) => r.seq)]);
      return decoded;
    });
    for (const event of events) {
      for (const s of this.subscribers) {
        try {
          await s(event);
        } catch (err) {
          this.onSubscriberError(err, event);
        }
      }
    }
    return events.length;
  }

  /**
   * The next batch's rows: at most `limit` events (at least one row). Sized in
   * events, and a bundle row holds a routing pass's worth, so rows are read a
   * page at a time, the first page as many as the last batch's rows suggest:
   * reading a hundred bundles to dispatch two of them was most of dispatch's garbage.
   */
  private async pending(tx: Tx, limit: number): Promise<OutboxRow[]> {
    const rows: OutboxRow[] = [];
    let events = 0;
    for (let page = Math.min(limit, Math.ceil(limit / this.eventsPerRow) + 1); ; page = limit) {
      const got = await rawQuery<OutboxRow>(tx, this.storage.engine, PENDING, [rows.at(-1)?.seq ?? 0, page]);
      const fit = this.outbox.fit(got, limit, events);
      for (let i = 0; i < fit.rows; i++) rows.push(got[i]!);
      events = fit.events;
      if (fit.rows < got.length || got.length < page || events >= limit) break;
    }
    if (rows.length > 0) this.eventsPerRow = events / rows.length;
    return rows;
  }
}
