import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { StreamEntry } from './log.js';

/** What travels between nodes: committed stream entries, or an ephemeral frame (typing) with no seq. */
export type BusMessage =
  | { kind: 'entries'; entries: StreamEntry[] }
  | { kind: 'ephemeral'; accountSid: string; stream: string; frame: Record<string, unknown>; exceptIdentity?: string };

export interface Bus {
  /** Delivers to this node at once and, with Redis, to every other node. */
  publish(msg: BusMessage): void;
  onMessage(handler: (msg: BusMessage) => void): void;
  /** Called when the link to the other nodes came back: messages may have been missed meanwhile. */
  onResume(handler: () => void): void;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Single node: in-process fan-out. */
export class LocalBus implements Bus {
  private handlers: Array<(msg: BusMessage) => void> = [];
  publish(msg: BusMessage): void {
    for (const h of this.handlers) h(msg);
  }
  onMessage(handler: (msg: BusMessage) => void): void {
    this.handlers.push(handler);
  }
  onResume(): void {}
  async start(): Promise<void> {}
  async close(): Promise<void> {}
}

const CONNECT_TIMEOUT_MS = 5000;

/**
 * Several nodes: Redis pub/sub on one channel per deployment (database and
 * schema). Pub/sub is at-most-once, which is fine here: the stream log is the
 * source of truth and a node that misses a message fills the gap from it (on the
 * next entry of that stream, on resume, or at its periodic head check). Entry
 * payloads stay encrypted in transit; every node holds the master key.
 */
export class RedisBus implements Bus {
  private readonly node = randomUUID();
  private readonly channel: string;
  private pub: Redis | undefined;
  private sub: Redis | undefined;
  private handlers: Array<(msg: BusMessage) => void> = [];
  private resumers: Array<() => void> = [];
  private ready = false;

  constructor(
    private readonly url: string,
    namespace: string,
    private readonly onError: (err: unknown) => void,
  ) {
    this.channel = `parley:realtime:${namespace}`;
  }

  async start(): Promise<void> {
    const options = { lazyConnect: true, maxRetriesPerRequest: 3, connectTimeout: CONNECT_TIMEOUT_MS };
    this.pub = new Redis(this.url, options);
    this.sub = new Redis(this.url, options);
    let firstError: unknown;
    for (const c of [this.pub, this.sub]) {
      c.on('error', (err: unknown) => {
        if (this.ready) this.onError(err);
        else firstError ??= err;
      });
    }
    try {
      await Promise.all([this.pub.connect(), this.sub.connect()]);
      await this.sub.subscribe(this.channel);
    } catch (err) {
      this.pub.disconnect();
      this.sub.disconnect();
      const cause = firstError ?? err;
      throw new Error(`REDIS_URL: cannot reach Redis (${cause instanceof Error ? cause.message : String(cause)})`);
    }
    this.sub.on('message', (_channel: string, raw: string) => this.receive(raw));
    // ioredis resubscribes by itself after a reconnect; whatever was published meanwhile is lost.
    this.sub.on('ready', () => {
      if (this.ready) for (const r of this.resumers) r();
    });
    this.ready = true;
  }

  publish(msg: BusMessage): void {
    for (const h of this.handlers) h(msg);
    this.pub?.publish(this.channel, JSON.stringify({ node: this.node, msg })).catch((err: unknown) => this.onError(err));
  }

  onMessage(handler: (msg: BusMessage) => void): void {
    this.handlers.push(handler);
  }

  onResume(handler: () => void): void {
    this.resumers.push(handler);
  }

  private receive(raw: string): void {
    let parsed: { node: string; msg: BusMessage };
    try {
      parsed = JSON.parse(raw) as { node: string; msg: BusMessage };
    } catch (err) {
      this.onError(err);
      return;
    }
    if (parsed.node === this.node) return;
    for (const h of this.handlers) h(parsed.msg);
  }

  async close(): Promise<void> {
    this.ready = false;
    for (const c of [this.sub, this.pub]) {
      if (!c) continue;
      try {
        await c.quit();
      } catch {
        c.disconnect();
      }
    }
  }
}
