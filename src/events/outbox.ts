import type { Engine, Executor } from '../storage/db.js';
import { bulkInsert } from '../storage/bulk.js';
import type { Cipher } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';

const OUTBOX_COLUMNS = ['account_sid', 'type', 'payload', 'created_at', 'dispatched_at'] as const;

/**
 * A domain event, written to the outbox in the same transaction as the state
 * change it describes. Only committed events ever reach subscribers.
 */
export interface DomainEvent<T = Record<string, unknown>> {
  type: string;
  accountSid: string;
  data: T;
  /**
   * The event is already stored in full elsewhere (a TaskRouter event row): the
   * outbox keeps only this reference, and the dispatcher loads `data` back through
   * the resolver registered for the type's prefix. Saves a second encrypted copy
   * of every routing event.
   */
  ref?: string;
}

/** Loads the data of referenced events, by reference, inside the dispatch transaction. */
export type RefResolver = (tx: Executor, refs: string[]) => Promise<Map<string, Record<string, unknown>>>;

/**
 * Marks a stored payload that is a reference to an event kept elsewhere (the outbox's,
 * and the realtime log's): never produced by the cipher (its output starts with `v1.`).
 */
export const REF_MARK = '@';

/** The type of an outbox row that bundles events stored by reference: its payload is `@` then one `<type> <ref>` line per event. */
const BUNDLE_TYPE = '*';
const BUNDLE_MAX = 100;
const eventCount = (payload: string) => {
  if (!payload.startsWith(REF_MARK)) return 1;
  let n = 1;
  for (let i = payload.indexOf('\n'); i >= 0; i = payload.indexOf('\n', i + 1)) n++;
  return n;
};

export interface CommittedEvent<T = Record<string, unknown>> extends DomainEvent<T> {
  /** The outbox row's: the events of one bundle share it. */
  seq: number;
  createdAt: number;
}

export class Outbox {
  constructor(
    private readonly cipher: Cipher,
    private readonly clock: Clock,
    private readonly engine: Engine,
    /** Poked after a commit so the dispatcher runs now rather than at its next poll. */
    private readonly onWrite: () => void = () => {},
  ) {}

  /**
   * Writes events inside the caller's transaction. A run of two or more
   * consecutive events of one account stored by reference becomes one row (a
   * bundle, at most BUNDLE_MAX references): a routing pass's events cost one
   * outbox row, not one each, and dispatch marks one row done.
   */
  async write(tx: Executor, events: DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const now = this.clock.now();
    const rows: Array<Record<string, unknown>> = [];
    for (let i = 0; i < events.length; ) {
      const e = events[i]!;
      let j = i + 1;
      if (e.ref !== undefined) while (j < events.length && j - i < BUNDLE_MAX && events[j]!.ref !== undefined && events[j]!.accountSid === e.accountSid) j++;
      if (j - i >= 2) {
        const items = events.slice(i, j).map((b) => `${b.type} ${b.ref!}`);
        rows.push({ account_sid: e.accountSid, type: BUNDLE_TYPE, payload: REF_MARK + items.join('\n'), created_at: now, dispatched_at: null });
      } else {
        rows.push({ account_sid: e.accountSid, type: e.type, payload: e.ref !== undefined ? REF_MARK + e.ref : this.cipher.encrypt(JSON.stringify(e.data)), created_at: now, dispatched_at: null });
      }
      i = j;
    }
    await bulkInsert(tx, this.engine, 'outbox', OUTBOX_COLUMNS, rows);
  }

  private resolvers: Array<{ prefix: string; resolve: RefResolver }> = [];

  /** Registers how events of types starting with `prefix` written by reference are loaded. */
  resolveRefs(prefix: string, resolve: RefResolver): void {
    this.resolvers.push({ prefix, resolve });
  }

  /** Call after the transaction that wrote events has committed. */
  committed(): void {
    this.onWrite();
  }

  /**
   * How many leading rows of `rows` (in order) a dispatch batch already holding
   * `taken` events can add without passing `limit` events (a batch has at least
   * one row), and the batch's events then: batches are sized in events, and a
   * bundle row holds many.
   */
  fit(rows: ReadonlyArray<{ payload: string }>, limit: number, taken = 0): { rows: number; events: number } {
    let n = taken;
    for (let i = 0; i < rows.length; i++) {
      const more = eventCount(rows[i]!.payload);
      if (n + more > limit && (i > 0 || taken > 0)) return { rows: i, events: n };
      n += more;
    }
    return { rows: rows.length, events: n };
  }

  /**
   * Decodes outbox rows into events (a bundle row into each of its events, all
   * with the row's seq), loading referenced ones in batches per resolver.
   */
  async decode(tx: Executor, rows: Array<{ seq: number; account_sid: string; type: string; payload: string; created_at: number }>): Promise<CommittedEvent[]> {
    const events: CommittedEvent[] = [];
    // The events stored by reference, beside their reference: loaded below in one go.
    const byRef: Array<{ event: CommittedEvent; type: string; ref: string }> = [];
    const referenced = (row: (typeof rows)[number], type: string, ref: string) => {
      const event: CommittedEvent = { seq: row.seq, accountSid: row.account_sid, type, data: {}, createdAt: row.created_at };
      events.push(event);
      byRef.push({ event, type, ref });
    };
    for (const row of rows) {
      if (!row.payload.startsWith(REF_MARK)) {
        events.push({ seq: row.seq, accountSid: row.account_sid, type: row.type, data: JSON.parse(this.cipher.decrypt(row.payload)) as Record<string, unknown>, createdAt: row.created_at });
      } else if (row.type !== BUNDLE_TYPE) {
        referenced(row, row.type, row.payload.slice(REF_MARK.length));
      } else {
        for (const item of row.payload.slice(REF_MARK.length).split('\n')) {
          const space = item.indexOf(' ');
          referenced(row, item.slice(0, space), item.slice(space + 1));
        }
      }
    }
    const found = await this.resolve(tx, byRef);
    for (const { event, ref } of byRef) {
      const data = found.get(ref);
      if (!data) throw new Error(`Outbox event ${event.seq} refers to ${ref}, which does not exist`);
      event.data = data;
    }
    return events;
  }

  /**
   * Loads events stored by reference (each `{type, ref}`), one read per resolver;
   * a reference whose row is gone is absent from the answer. The realtime log
   * keeps TaskRouter events this way too.
   */
  async resolve(tx: Executor, items: Array<{ type: string; ref: string }>): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>();
    for (const { prefix, resolve } of this.resolvers) {
      const refs = items.filter((i) => i.type.startsWith(prefix)).map((i) => i.ref);
      if (refs.length === 0) continue;
      for (const [ref, data] of await resolve(tx, refs)) out.set(ref, data);
    }
    return out;
  }
}
