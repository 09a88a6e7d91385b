import type { Engine, Executor } from '../storage/db.js';
import { bulkInsert } from '../storage/bulk.js';

const OUTBOX_COLUMNS = ['account_sid', 'type', 'payload', 'created_at', 'dispatched_at'] as const;
import type { Cipher } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';

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

export interface CommittedEvent<T = Record<string, unknown>> extends DomainEvent<T> {
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

  /** Writes events inside the caller's transaction. */
  async write(tx: Executor, events: DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const now = this.clock.now();
    const rows = events.map((e) => ({ account_sid: e.accountSid, type: e.type, payload: e.ref ? REF_MARK + e.ref : this.cipher.encrypt(JSON.stringify(e.data)), created_at: now, dispatched_at: null }));
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

  /** Decodes outbox rows into events, loading referenced ones (in batches per resolver). */
  async decode(tx: Executor, rows: Array<{ seq: number; account_sid: string; type: string; payload: string; created_at: number }>): Promise<CommittedEvent[]> {
    const events = rows.map((row) => ({
      seq: row.seq,
      accountSid: row.account_sid,
      type: row.type,
      data: row.payload.startsWith(REF_MARK) ? {} : (JSON.parse(this.cipher.decrypt(row.payload)) as Record<string, unknown>),
      createdAt: row.created_at,
      ref: row.payload.startsWith(REF_MARK) ? row.payload.slice(REF_MARK.length) : undefined,
    }));
    const wanted = events.filter((e): e is typeof e & { ref: string } => e.ref !== undefined);
    const found = await this.resolve(tx, wanted);
    for (const e of wanted) {
      const data = found.get(e.ref);
      if (!data) throw new Error(`Outbox event ${e.seq} refers to ${e.ref}, which does not exist`);
      e.data = data;
    }
    return events.map(({ ref: _ref, ...e }) => e);
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
