import type { Storage, Tx } from '../storage/db.js';
import type { Cipher } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';
import type { CommittedEvent } from '../events/outbox.js';
import { realtimeStore, type StreamEventRow } from './store.js';
import { routeEvent } from './streams.js';

/** One event of one stream, as stored and as published between nodes (payload still encrypted). */
export interface StreamEntry {
  accountSid: string;
  stream: string;
  seq: number;
  type: string;
  payload: string;
  occurredAt: number;
}

export interface EventFrame {
  op: 'event';
  stream: string;
  seq: number;
  type: string;
  /** ISO 8601, when the change committed. */
  date: string;
  data: Record<string, unknown>;
}

/** Entries recorded in a dispatch transaction wait here (by outbox seq) until it commits. */
const MAX_PENDING = 10_000;

/**
 * The per-stream event log. A durable dispatcher handler appends, in the
 * dispatch transaction, one entry per stream an outbox event concerns, numbering
 * it with the stream's next sequence number. Dispatch is serialized (advisory
 * lock on PostgreSQL, one writer on SQLite) and a rolled-back dispatch rolls its
 * numbers back too, so every stream's numbers are gapless and in commit order —
 * which is what lets a client detect and fill any gap.
 */
export class StreamLog {
  private pending = new Map<number, StreamEntry[]>();

  constructor(
    private readonly storage: Storage,
    private readonly cipher: Cipher,
    private readonly clock: Clock,
  ) {}

  /**
   * Durable batch handler: runs inside the dispatch transaction with the batch's
   * events in outbox order. Each stream's numbers are taken in one upsert for the
   * whole batch, and every entry is written in one multi-row insert.
   */
  async record(tx: Tx, events: CommittedEvent[]): Promise<void> {
    const now = this.clock.now();
    const routed: Array<{ event: CommittedEvent; streams: string[]; payload: string }> = [];
    const counts = new Map<string, { accountSid: string; stream: string; n: number; next: number }>();
    for (const event of events) {
      const r = await routeEvent(tx, event);
      if (!r || r.streams.length === 0) continue;
      routed.push({ event, streams: r.streams, payload: this.cipher.encrypt(JSON.stringify(r.data)) });
      for (const stream of r.streams) {
        const key = `${event.accountSid}|${stream}`;
        const c = counts.get(key) ?? { accountSid: event.accountSid, stream, n: 0, next: 0 };
        c.n += 1;
        counts.set(key, c);
      }
    }
    if (routed.length === 0) return;
    for (const c of counts.values()) c.next = (await realtimeStore.claimSeqs(tx, c.accountSid, c.stream, c.n)) - c.n + 1;
    const rows: StreamEventRow[] = [];
    for (const { event, streams, payload } of routed) {
      const entries: StreamEntry[] = [];
      for (const stream of streams) {
        const c = counts.get(`${event.accountSid}|${stream}`)!;
        const row: StreamEventRow = { account_sid: event.accountSid, stream, seq: c.next++, type: event.type, payload, occurred_at: event.createdAt, created_at: now };
        rows.push(row);
        entries.push(toEntry(row));
      }
      // A retried dispatch overwrites what a rolled-back attempt left here.
      this.pending.set(event.seq, entries);
      if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value as number);
    }
    await realtimeStore.appendEvents(tx, this.storage.engine, rows);
  }

  /** After commit: the entries the event produced, handed over once. */
  take(outboxSeq: number): StreamEntry[] | undefined {
    const entries = this.pending.get(outboxSeq);
    this.pending.delete(outboxSeq);
    return entries;
  }

  head(accountSid: string, stream: string): Promise<number> {
    return realtimeStore.head(this.storage.db, accountSid, stream);
  }

  async heads(accountSid: string, streams: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < streams.length; i += 500) {
      for (const r of await realtimeStore.heads(this.storage.db, accountSid, streams.slice(i, i + 500))) out.set(r.stream, Number(r.last_seq));
    }
    return out;
  }

  async read(accountSid: string, stream: string, afterSeq: number, limit: number): Promise<StreamEntry[]> {
    return (await realtimeStore.read(this.storage.db, accountSid, stream, afterSeq, limit)).map(toEntry);
  }

  prune(olderThan: number): Promise<number> {
    return realtimeStore.prune(this.storage.db, olderThan);
  }

  frame(entry: StreamEntry): EventFrame {
    return {
      op: 'event',
      stream: entry.stream,
      seq: entry.seq,
      type: entry.type,
      date: new Date(entry.occurredAt).toISOString(),
      data: JSON.parse(this.cipher.decrypt(entry.payload)) as Record<string, unknown>,
    };
  }
}

function toEntry(r: StreamEventRow): StreamEntry {
  return { accountSid: r.account_sid, stream: r.stream, seq: Number(r.seq), type: r.type, payload: r.payload, occurredAt: Number(r.occurred_at) };
}
