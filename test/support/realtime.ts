import WebSocket from 'ws';
import twilio from 'twilio';

/** A frame received from the gateway (loosely typed: tests assert on it). */
export type Frame = Record<string, any>;

export interface TokenGrants {
  identity: string;
  ttl?: number;
  chatServiceSid?: string;
  workspaceSid?: string;
  workerSid?: string;
  role?: string;
}

/** A token minted by the official helper library: proves Parley reads Twilio's AccessToken format. */
export function twilioToken(accountSid: string, keySid: string, secret: string, g: TokenGrants): string {
  const token = new twilio.jwt.AccessToken(accountSid, keySid, secret, { identity: g.identity, ...(g.ttl !== undefined ? { ttl: g.ttl } : {}) });
  token.addGrant(new twilio.jwt.AccessToken.ChatGrant(g.chatServiceSid ? { serviceSid: g.chatServiceSid } : {}));
  if (g.workspaceSid || g.workerSid || g.role) {
    token.addGrant(new twilio.jwt.AccessToken.TaskRouterGrant({ ...(g.workspaceSid ? { workspaceSid: g.workspaceSid } : {}), ...(g.workerSid ? { workerSid: g.workerSid } : {}), ...(g.role ? { role: g.role } : {}) }));
  }
  return token.toJwt();
}

/**
 * A realtime client over the `ws` package: records every frame, lets a test
 * wait for the next frame matching a predicate, and sees how the socket closed.
 */
export class RtClient {
  readonly frames: Frame[] = [];
  closeInfo: { code: number; reason: string } | undefined;
  private waiters: Array<{ pred: (f: Frame) => boolean; from: number; resolve: (f: Frame) => void }> = [];
  private closeWaiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      const index = this.frames.length - 1;
      this.waiters = this.waiters.filter((w) => {
        if (index >= w.from && w.pred(frame)) {
          w.resolve(frame);
          return false;
        }
        return true;
      });
    });
    ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      for (const w of this.closeWaiters.splice(0)) w();
    });
  }

  /** Opens a socket; with a token, authenticates by `hello` and waits for `ready` (or the refusal). */
  static async open(origin: string, opts: { token?: string; headerToken?: string } = {}): Promise<RtClient> {
    const ws = new WebSocket(origin.replace(/^http/, 'ws') + '/v1/realtime', opts.headerToken ? { headers: { 'X-Twilio-Token': opts.headerToken } } : {});
    const client = new RtClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (opts.token !== undefined) {
      client.send({ op: 'hello', token: opts.token });
      await client.next((f) => f.op === 'ready' || f.op === 'error');
    }
    return client;
  }

  send(frame: Frame): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** The first frame (already received or arriving) at index >= from that matches. */
  next(pred: (f: Frame) => boolean, timeoutMs = 5000, from = 0): Promise<Frame> {
    const found = this.frames.slice(from).find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`)), timeoutMs);
      this.waiters.push({ pred, from, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  }

  /** Subscribes and waits for `subscribed` (or an error for that stream). */
  async subscribe(stream: string, after?: number): Promise<Frame> {
    const from = this.frames.length;
    this.send({ op: 'subscribe', stream, ...(after !== undefined ? { after } : {}) });
    return this.next((f) => f.stream === stream && (f.op === 'subscribed' || f.op === 'error'), 5000, from);
  }

  /** Sends an operation and waits for its ack. */
  async op(frame: Frame): Promise<Frame> {
    this.send({ op: 'send', ...frame });
    return this.next((f) => f.op === 'ack' && f.clientId === frame.clientId, 10_000, this.frames.length);
  }

  events(stream?: string): Frame[] {
    return this.frames.filter((f) => f.op === 'event' && (stream === undefined || f.stream === stream));
  }

  /** Waits until `n` event frames of the stream arrived. */
  async eventCount(stream: string, n: number, timeoutMs = 5000): Promise<Frame[]> {
    const end = Date.now() + timeoutMs;
    while (this.events(stream).length < n) {
      if (Date.now() > end) throw new Error(`expected ${n} events on ${stream}, got ${this.events(stream).length}: ${JSON.stringify(this.events(stream).map((e) => e.type))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.events(stream);
  }

  closed(): Promise<{ code: number; reason: string }> {
    if (this.closeInfo) return Promise.resolve(this.closeInfo);
    return new Promise((resolve) => this.closeWaiters.push(() => resolve(this.closeInfo!)));
  }

  close(): void {
    this.ws.close();
  }

  /** Drops the TCP connection without a close handshake (a network failure). */
  kill(): void {
    this.ws.terminate();
  }
}
