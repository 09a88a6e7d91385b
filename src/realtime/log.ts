import type { Storage, Tx } from '../storage/db.js';
import type { Cipher } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';
import type { CommittedEvent } from '../events/outbox.js';
import { realtimeStore, type StreamEventRow } from './store.js';
import { defined, routeEvent, sealedFrame } from './streams.js';
import { REF_MARK, type Outbox } from '../events/outbox.js';
import type { TaskRouterOutboxData } from '../taskrouter/callbacks.js';

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


/**
 * The per-stream event log. A durable dispatcher handler appends, in the
 * dispatch transaction, one entry per stream an outbox event concerns, numbering
 * it with the stream's next sequence number. Dispatch is serialized (advisory
 * lock on PostgreSQL, one writer on SQLite) and a rolled-back dispatch rolls its
 * numbers back too, so every stream's numbers are gapless and in commit order —
 * which is what lets a client detect and fill any gap.
 */
export class StreamLog {
  /**
   * Entries recorded in a dispatch transaction wait here until it commits, keyed
   * by the event (the dispatcher hands the same objects to its subscribers; the
   * events of a rolled-back attempt are simply dropped with it).
   */
  private pending = new WeakMap<CommittedEvent, StreamEntry[]>();

  constructor(
    private readonly storage: Storage,
    private readonly cipher: Cipher,
    private readonly clock: Clock,
    /** Loads the events the log keeps by reference. */
    private readonly outbox: Pick<Outbox, 'resolve'>,
  ) {}

  /**
   * Durable batch handler: runs inside the dispatch transaction with the batch's
   * events in outbox order. Each stream's numbers are taken in one upsert for the
   * whole batch, and every row is written in one multi-row insert. A stream's run
   * of two or more entries kept by reference (TaskRouter events: a routing pass's
   * dozens on its workspace's stream) is one range row, not a row each.
   */
  async record(tx: Tx, events: CommittedEvent[]): Promise<void> {
    const now = this.clock.now();
    type Count = { accountSid: string; stream: string; n: number; next: number; rows: StreamEventRow[] };
    const routed: Array<{ event: CommittedEvent; counts: Count[]; payload: () => string; stored: string | undefined }> = [];
    const counts = new Map<string, Count>();
    for (const event of events) {
      const r = await routeEvent(tx, event);
      if (!r || r.streams.length === 0) continue;
      // Built when first wanted (a subscriber, another node), at most once for all the event's streams.
      let built: string | undefined;
      const payload = () => (built ??= r.sealed !== undefined ? sealedPayload(r.data, r.sealed) : this.cipher.encrypt(JSON.stringify(r.data)));
      const of: Count[] = [];
      for (const stream of r.streams) {
        const key = `${event.accountSid}|${stream}`;
        let c = counts.get(key);
        if (!c) counts.set(key, (c = { accountSid: event.accountSid, stream, n: 0, next: 0, rows: [] }));
        c.n += 1;
        of.push(c);
      }
      routed.push({ event, counts: of, payload, stored: r.ref !== undefined ? REF_MARK + r.ref : undefined });
    }
    if (routed.length === 0) return;
    const claimed = await realtimeStore.claimSeqs(tx, this.storage.engine, [...counts.values()]);
    for (const [key, c] of counts) c.next = claimed.get(key)! - c.n + 1;
    for (const { event, counts: of, payload, stored } of routed) {
      const entries: StreamEntry[] = [];
      for (const c of of) {
        const seq = c.next++;
        c.rows.push({ account_sid: event.accountSid, stream: c.stream, seq, type: event.type, payload: stored ?? payload(), occurred_at: event.createdAt, created_at: now });
        // Live delivery needs no read: the entry carries its payload in full.
        entries.push(new LiveEntry(event.accountSid, c.stream, seq, event.type, event.createdAt, payload));
      }
      this.pending.set(event, entries);
    }
    const rows: StreamEventRow[] = [];
    for (const c of counts.values()) {
      if (c.rows.length >= 2 && c.rows.every((r) => r.payload.startsWith(REF_MARK))) rows.push(rangeRow(c.rows));
      else rows.push(...c.rows);
    }
    await realtimeStore.appendEvents(tx, this.storage.engine, rows);
  }

  /** After commit: the entries the event produced, handed over once. */
  take(event: CommittedEvent): StreamEntry[] | undefined {
    const entries = this.pending.get(event);
    this.pending.delete(event);
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
    const entries = (await realtimeStore.read(this.storage.db, accountSid, stream, afterSeq, limit))
      .flatMap((r) => (r.type === RANGE_TYPE ? expandRange(r) : [toEntry(r)]))
      .filter((e) => e.seq > afterSeq)
      .slice(0, limit);
    const byRef = entries.filter((e) => e.payload.startsWith(REF_MARK)).map((e) => ({ entry: e, type: e.type, ref: e.payload.slice(REF_MARK.length) }));
    if (byRef.length === 0) return entries;
    const found = await this.outbox.resolve(this.storage.db, byRef);
    for (const { entry, ref } of byRef) {
      const data = found.get(ref) as TaskRouterOutboxData | undefined;
      if (data) {
        const frame = sealedFrame(accountSid, data);
        entry.payload = sealedPayload(frame.data, frame.sealed);
      } else {
        // The event's row is gone (its workspace was deleted): the frame keeps its place in the stream, without details.
        entry.payload = sealedPayload({ EventType: entry.type.slice(entry.type.indexOf('.') + 1), Sid: ref }, undefined);
      }
    }
    return entries;
  }

  /** Drops what was logged before `olderThan`; returns the rows deleted (a range row holds several entries). */
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
      data: this.data(entry.payload),
    };
  }

  private data(payload: string): Record<string, unknown> {
    if (!payload.startsWith('{')) return JSON.parse(this.cipher.decrypt(payload)) as Record<string, unknown>;
    const { envelope, sealed } = JSON.parse(payload) as SealedPayload;
    return sealed === undefined ? envelope : { ...defined(JSON.parse(this.cipher.decrypt(sealed)) as Record<string, unknown>), ...envelope };
  }
}

/**
 * An entry's payload is either the cipher's output (`v1.…`: the frame's data,
 * encrypted) or, for events stored encrypted elsewhere (TaskRouter's), this
 * JSON: the plaintext envelope and the event's data exactly as it is stored —
 * no second encryption when the log is written, one decryption when a frame is
 * sent. Both stay encrypted at rest and between nodes.
 */
interface SealedPayload {
  envelope: Record<string, unknown>;
  sealed?: string;
}

function sealedPayload(envelope: Record<string, unknown>, sealed: string | undefined): string {
  // The sealed part is the cipher's output (`v1.` then base64 fields, see crypto.ts):
  // nothing in it needs escaping, so it is spliced in, not copied through JSON.stringify.
  if (sealed === undefined || !sealed.startsWith('v1.')) return JSON.stringify({ envelope, sealed } satisfies SealedPayload);
  return `{"envelope":${JSON.stringify(envelope)},"sealed":"${sealed}"}`;
}


/**
 * An entry as a dispatch recorded it: its payload is sealed only when something
 * reads it (a subscriber's frame, the bus to other nodes). With nobody watching
 * a stream, as for most workers' streams most of the time, it never is.
 */
class LiveEntry implements StreamEntry {
  constructor(
    readonly accountSid: string,
    readonly stream: string,
    readonly seq: number,
    readonly type: string,
    readonly occurredAt: number,
    private readonly seal: () => string,
  ) {}

  get payload(): string {
    return this.seal();
  }

  /** What the bus publishes: a plain entry. */
  toJSON(): StreamEntry {
    return { accountSid: this.accountSid, stream: this.stream, seq: this.seq, type: this.type, payload: this.payload, occurredAt: this.occurredAt };
  }
}

/**
 * The type of a row that holds a run of a stream's entries kept by reference:
 * its seq is the first entry's, its payload `@` then one `<type> <ref> <occurred at>`
 * line per entry, in order (the entries' seqs follow on without a gap).
 */
const RANGE_TYPE = '*';

function rangeRow(rows: StreamEventRow[]): StreamEventRow {
  const first = rows[0]!;
  const lines = rows.map((r) => `${r.type} ${r.payload.slice(REF_MARK.length)} ${r.occurred_at}`);
  return { ...first, type: RANGE_TYPE, payload: REF_MARK + lines.join('\n') };
}

function expandRange(r: StreamEventRow): StreamEntry[] {
  const first = Number(r.seq);
  return r.payload
    .slice(REF_MARK.length)
    .split('\n')
    .map((line, i) => {
      const [type, ref, occurredAt] = line.split(' ') as [string, string, string];
      return { accountSid: r.account_sid, stream: r.stream, seq: first + i, type, payload: REF_MARK + ref, occurredAt: Number(occurredAt) };
    });
}

function toEntry(r: StreamEventRow): StreamEntry {
  return { accountSid: r.account_sid, stream: r.stream, seq: Number(r.seq), type: r.type, payload: r.payload, occurredAt: Number(r.occurred_at) };
}
