import type { EventFrame, StreamEntry, StreamLog } from './log.js';

/** A connected client as the hub sees it. */
export interface Peer {
  readonly identity: string;
  send(frame: Record<string, unknown>): void;
  /** Called after each event frame went out (a participant removed from the conversation stops here). */
  delivered(sub: Subscription, frame: EventFrame): void;
  /** A step of a subscription failed (storage unavailable): the peer should drop and let the client resume. */
  failed(err: unknown): void;
  /**
   * False when this client may not see the event (a whisper, for a guest): it is
   * passed over — its seq is consumed, nothing is sent. Absent: everything is.
   */
  admits?(frame: EventFrame): boolean;
}

const PAGE = 500;

export class Subscription {
  /** The next seq this client must receive; 0 until the subscription started. */
  next = 0;
  closed = false;
  /** Every step (catch-up, live entry, gap fill) runs in order, one at a time. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly peer: Peer,
    readonly accountSid: string,
    readonly stream: string,
  ) {}

  get live(): boolean {
    return this.next > 0 && !this.closed;
  }

  enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.closed) return;
      try {
        await step();
      } catch (err) {
        this.peer.failed(err);
      }
    });
  }
}

/**
 * The subscriptions of this node, and the rules that make delivery lossless:
 * a subscription starts by replaying the log after the client's `after`, then
 * takes live entries; an entry it already sent is dropped, an entry beyond the
 * next expected one makes it fill the gap from the log first. Whatever the log
 * no longer holds (pruned, or further back than maxCatchUp) becomes a `resync`.
 */
export class StreamHub {
  private subs = new Map<string, Set<Subscription>>();

  constructor(
    private readonly log: StreamLog,
    private readonly maxCatchUp: number,
  ) {}

  subscribe(peer: Peer, accountSid: string, stream: string, after: number | undefined, then?: (sub: Subscription) => Promise<void>): Subscription {
    const sub = new Subscription(peer, accountSid, stream);
    const key = keyOf(accountSid, stream);
    let set = this.subs.get(key);
    if (!set) this.subs.set(key, (set = new Set()));
    // Indexed before the first read, so nothing committed meanwhile can slip between catch-up and live.
    set.add(sub);
    sub.enqueue(async () => {
      await this.start(sub, after);
      if (then) await then(sub);
    });
    return sub;
  }

  unsubscribe(sub: Subscription): void {
    sub.closed = true;
    const key = keyOf(sub.accountSid, sub.stream);
    const set = this.subs.get(key);
    set?.delete(sub);
    if (set?.size === 0) this.subs.delete(key);
  }

  /** True when this node has a subscriber for the stream. */
  has(accountSid: string, stream: string): boolean {
    return this.subs.has(keyOf(accountSid, stream));
  }

  deliver(entries: StreamEntry[]): void {
    for (const entry of entries) {
      const set = this.subs.get(keyOf(entry.accountSid, entry.stream));
      if (!set) continue;
      let frame: EventFrame | undefined;
      for (const sub of set) {
        sub.enqueue(async () => {
          frame ??= this.log.frame(entry);
          await this.live(sub, entry.seq, frame);
        });
      }
    }
  }

  /** Sends a frame without a seq to every started subscriber of a stream (typing, statistics). */
  ephemeral(accountSid: string, stream: string, frame: Record<string, unknown>, exceptIdentity?: string): void {
    for (const sub of this.subs.get(keyOf(accountSid, stream)) ?? []) {
      if (sub.live && sub.peer.identity !== exceptIdentity) sub.peer.send(frame);
    }
  }

  /**
   * Compares every subscribed stream's head with what its subscribers got, and
   * fills what is missing: the safety net for a lost pub/sub message or a node
   * that committed a dispatch but died before publishing it.
   */
  async poll(): Promise<void> {
    const byAccount = new Map<string, string[]>();
    for (const set of this.subs.values()) {
      const any = set.values().next().value as Subscription | undefined;
      if (!any) continue;
      const list = byAccount.get(any.accountSid) ?? [];
      list.push(any.stream);
      byAccount.set(any.accountSid, list);
    }
    for (const [accountSid, streams] of byAccount) {
      const heads = await this.log.heads(accountSid, streams);
      for (const [stream, head] of heads) {
        for (const sub of this.subs.get(keyOf(accountSid, stream)) ?? []) {
          if (sub.live && head >= sub.next) sub.enqueue(() => this.fill(sub, head));
        }
      }
    }
  }

  private async start(sub: Subscription, after: number | undefined): Promise<void> {
    const head = await this.log.head(sub.accountSid, sub.stream);
    if (after === undefined || after === head) {
      sub.next = head + 1;
    } else if (after > head || head - after > this.maxCatchUp) {
      this.resync(sub, head);
    } else {
      sub.next = after + 1;
      await this.fill(sub, head);
    }
    sub.peer.send({ op: 'subscribed', stream: sub.stream, seq: sub.next - 1 });
  }

  private async live(sub: Subscription, seq: number, frame: EventFrame): Promise<void> {
    if (seq > sub.next) await this.fill(sub, seq - 1);
    if (seq !== sub.next || sub.closed) return; // already sent (catch-up, fill) or skipped by a resync
    this.send(sub, frame);
  }

  /** Sends sub.next..upTo from the log; a hole in the log means those events are gone: resync. */
  private async fill(sub: Subscription, upTo: number): Promise<void> {
    while (sub.next <= upTo && !sub.closed) {
      const rows = await this.log.read(sub.accountSid, sub.stream, sub.next - 1, Math.min(PAGE, upTo - sub.next + 1));
      if (rows.length === 0 || rows[0]!.seq !== sub.next) {
        this.resync(sub, Math.max(upTo, await this.log.head(sub.accountSid, sub.stream)));
        return;
      }
      for (const row of rows) if (!sub.closed) this.send(sub, this.log.frame(row));
    }
  }

  private send(sub: Subscription, frame: EventFrame): void {
    sub.next = frame.seq + 1;
    if (sub.peer.admits?.(frame) === false) return;
    sub.peer.send(frame as unknown as Record<string, unknown>);
    sub.peer.delivered(sub, frame);
  }

  /** The client's view of the stream is beyond repair by replay: it reloads by REST and continues after `seq`. */
  private resync(sub: Subscription, head: number): void {
    sub.peer.send({ op: 'resync', stream: sub.stream, seq: head });
    sub.next = head + 1;
  }
}

function keyOf(accountSid: string, stream: string): string {
  return `${accountSid}|${stream}`;
}
