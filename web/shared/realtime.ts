/**
 * The browser side of Parley's realtime gateway (docs/realtime.md): one socket,
 * authenticated by an access token in a `hello` frame, streams resumed from the
 * last sequence number seen after every reconnect, and sends that are retried
 * until acknowledged (the gateway makes them idempotent by clientId).
 * Framework-free: the web chat widget uses it too.
 */

export interface RealtimeEvent {
  stream: string;
  seq: number;
  type: string;
  date: string;
  data: Record<string, unknown>;
}

export interface StreamHandlers {
  event?: (e: RealtimeEvent) => void;
  /** The gateway accepted the subscription (first time and after every reconnect), caught up to `seq`. */
  subscribed?: (seq: number) => void;
  /** The gap could not be replayed: reload state by REST; events continue after `seq`. */
  resync?: (seq: number) => void;
  typing?: (t: { identity: string; participantSid?: string }) => void;
  stats?: (data: unknown) => void;
  /** The subscription ended on the server's side (`removed`, `forbidden`). */
  ended?: (reason: string) => void;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface RealtimeOptions {
  /** ws(s)://host/v1/realtime; defaults to this page's origin. */
  url?: string;
  /** Returns a fresh access token (called on every (re)connect and before expiry). */
  token: () => Promise<string>;
  onState?: (state: ConnectionState) => void;
  onError?: (error: { code?: number; message?: string; stream?: string }) => void;
}

interface Pending {
  frame: Record<string, unknown>;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

let counter = 0;
export const newClientId = (): string => `c-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

export class RealtimeClient {
  private ws: WebSocket | undefined;
  private readonly streams = new Map<string, { after: number | undefined; handlers: StreamHandlers }>();
  private readonly pending = new Map<string, Pending>();
  private ready = false;
  private stopped = false;
  private attempt = 0;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  state: ConnectionState = 'closed';

  constructor(private readonly options: RealtimeOptions) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.refreshTimer);
    this.ws?.close(1000);
  }

  /** Subscribes (or re-subscribes) a stream; `after` = last seq already seen (0 = all retained, undefined = live). */
  subscribe(stream: string, handlers: StreamHandlers, after?: number): () => void {
    this.streams.set(stream, { after, handlers });
    if (this.ready) this.frame({ op: 'subscribe', stream, ...(after !== undefined ? { after } : {}) });
    return () => {
      this.streams.delete(stream);
      if (this.ready) this.frame({ op: 'unsubscribe', stream });
    };
  }

  /** The last sequence number delivered on a stream (to persist across page loads). */
  lastSeq(stream: string): number | undefined {
    return this.streams.get(stream)?.after;
  }

  /** A `send` op, retried across reconnects until the gateway acknowledges it. */
  send(action: string, fields: Record<string, unknown>, clientId: string = newClientId()): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const frame = { op: 'send', clientId, action, ...fields };
      this.pending.set(clientId, { frame, resolve, reject });
      if (this.ready) this.frame(frame);
    });
  }

  /** Typing is ephemeral: sent when connected, dropped otherwise. */
  typing(conversationSid: string): void {
    if (this.ready) this.frame({ op: 'send', action: 'typing', conversationSid });
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.options.onState?.(state);
  }

  private frame(f: Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(f));
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setState('connecting');
    let token: string;
    try {
      token = await this.options.token();
    } catch (err) {
      this.options.onError?.({ message: err instanceof Error ? err.message : String(err) });
      return this.retry();
    }
    const url = this.options.url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/realtime`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ op: 'hello', token }));
    ws.onmessage = (m) => this.receive(JSON.parse(String(m.data)) as Record<string, unknown>);
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ready = false;
      clearTimeout(this.refreshTimer);
      this.setState('closed');
      this.retry();
    };
  }

  private retry(): void {
    if (this.stopped) return;
    const delay = Math.min(10_000, 250 * 2 ** this.attempt++) * (0.75 + Math.random() / 2);
    setTimeout(() => void this.connect(), delay);
  }

  private receive(f: Record<string, unknown>): void {
    switch (f.op) {
      case 'ready': {
        this.ready = true;
        this.attempt = 0;
        this.setState('open');
        for (const [stream, s] of this.streams) this.frame({ op: 'subscribe', stream, ...(s.after !== undefined ? { after: s.after } : {}) });
        for (const p of this.pending.values()) this.frame(p.frame);
        const expiresAt = Date.parse(String(f.expiresAt));
        if (Number.isFinite(expiresAt)) {
          clearTimeout(this.refreshTimer);
          this.refreshTimer = setTimeout(() => void this.refresh(), Math.max(1000, expiresAt - Date.now() - 60_000));
        }
        break;
      }
      case 'event': {
        const s = this.streams.get(String(f.stream));
        if (!s) break;
        const seq = Number(f.seq);
        if (s.after !== undefined && seq <= s.after) break;
        s.after = seq;
        s.handlers.event?.(f as unknown as RealtimeEvent);
        break;
      }
      case 'subscribed': {
        const s = this.streams.get(String(f.stream));
        if (!s) break;
        if (s.after === undefined) s.after = Number(f.seq);
        s.handlers.subscribed?.(Number(f.seq));
        break;
      }
      case 'resync': {
        const s = this.streams.get(String(f.stream));
        if (!s) break;
        s.after = Number(f.seq);
        s.handlers.resync?.(Number(f.seq));
        break;
      }
      case 'typing':
        this.streams.get(String(f.stream))?.handlers.typing?.(f as unknown as { identity: string; participantSid?: string });
        break;
      case 'stats':
        this.streams.get(String(f.stream))?.handlers.stats?.(f.data);
        break;
      case 'unsubscribed': {
        const s = this.streams.get(String(f.stream));
        if (s && f.reason !== 'requested') {
          this.streams.delete(String(f.stream));
          s.handlers.ended?.(String(f.reason));
        }
        break;
      }
      case 'ack': {
        const p = this.pending.get(String(f.clientId));
        if (!p) break;
        this.pending.delete(String(f.clientId));
        if (f.error) p.reject(f.error);
        else p.resolve(f.result);
        break;
      }
      case 'error':
        this.options.onError?.(f as { code?: number; message?: string; stream?: string });
        break;
    }
  }

  private async refresh(): Promise<void> {
    try {
      this.frame({ op: 'token', token: await this.options.token() });
    } catch {
      /* the socket closes at expiry and reconnects with a new token */
    }
  }
}
