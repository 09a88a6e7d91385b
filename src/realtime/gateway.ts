import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { Storage } from '../storage/db.js';
import type { Clock } from '../platform/clock.js';
import { Errors, TwilioError } from '../platform/errors.js';
import { isPrivileged, type AccessClaims, type AccessTokens } from './tokens.js';
import type { EventFrame } from './log.js';
import type { Peer, StreamHub, Subscription } from './hub.js';
import type { ClientOps } from './ops.js';
import { errorBody } from './ops.js';
import type { LiveStats } from './stats.js';
import { parseClientFrame, type ClientFrame } from './protocol.js';
import { parseStream } from './streams.js';
import { authorizeRead, readsStaffNotes } from './access.js';
import { SUPERVISION_EVENT_PREFIX } from '../supervision/events.js';

export const REALTIME_PATH = '/v1/realtime';

/** Close codes: 4001 token refused or expired, 4002 protocol violation, 4008 client too slow to keep up. */
export const CloseCode = { shutdown: 1001, internal: 1011, token: 4001, protocol: 4002, slow: 4008 } as const;

export interface GatewaySettings {
  /** Heartbeat: a socket that missed one ping round is dropped. */
  pingMs: number;
  /** How long an upgraded socket may wait before sending its `hello` token. */
  helloTimeoutMs: number;
  /** Unsent bytes beyond which a client is dropped (it resumes from its last seq). */
  maxBufferedBytes: number;
  maxSubscriptions: number;
}

export interface GatewayDeps {
  storage: Storage;
  clock: Clock;
  tokens: AccessTokens;
  hub: StreamHub;
  ops: ClientOps;
  stats: LiveStats;
  settings: GatewaySettings;
  onError(err: unknown): void;
}

/**
 * The WebSocket endpoint. A client authenticates with an access token — in the
 * upgrade request's X-Twilio-Token header, or as its first frame (`hello`, for
 * browsers, so tokens never sit in URLs or logs) — then subscribes to streams and
 * sends operations. It knows sockets and frames; delivery rules live in the hub.
 */
export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly connections = new Set<Connection>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(readonly deps: GatewayDeps) {
    this.heartbeat = setInterval(() => {
      for (const c of this.connections) c.beat();
    }, deps.settings.pingMs);
    this.heartbeat.unref?.();
  }

  /** Handles an HTTP upgrade if it is for the realtime path; false leaves it to others. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== REALTIME_PATH) return false;
    const header = req.headers['x-twilio-token'];
    const token = Array.isArray(header) ? header[0] : header;
    if (token === undefined) {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, undefined));
      return true;
    }
    this.deps.tokens.verify(token).then(
      (claims) => this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, claims)),
      (err: unknown) => refuseUpgrade(socket, err),
    );
    return true;
  }

  get size(): number {
    return this.connections.size;
  }

  private accept(ws: WebSocket, claims: AccessClaims | undefined): void {
    const conn = new Connection(ws, this.deps, () => this.connections.delete(conn));
    this.connections.add(conn);
    if (claims) conn.authenticated(claims);
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await Promise.all([...this.connections].map((c) => c.shutdown()));
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

class Connection implements Peer {
  private claims: AccessClaims | undefined;
  private readonly subs = new Map<string, Subscription>();
  private alive = true;
  private expiry: NodeJS.Timeout | undefined;
  private hello: NodeJS.Timeout | undefined;
  /** hello, token, subscribe, unsubscribe apply in order; sends run beside them once authenticated. */
  private control: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: GatewayDeps,
    private readonly onGone: () => void,
  ) {
    ws.on('message', (data: RawData, isBinary: boolean) => this.receive(data, isBinary));
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => this.gone());
    ws.on('error', () => this.gone());
    this.hello = setTimeout(() => {
      if (!this.claims) this.refuse(Errors.accessTokenInvalid('no token was presented'));
    }, deps.settings.helloTimeoutMs);
    this.hello.unref?.();
  }

  get identity(): string {
    return this.claims?.identity ?? '';
  }

  send(frame: Record<string, unknown>): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > this.deps.settings.maxBufferedBytes) {
      this.ws.close(CloseCode.slow, 'too slow: reconnect and resume');
      return;
    }
    this.ws.send(JSON.stringify(frame));
  }

  delivered(sub: Subscription, frame: EventFrame): void {
    // A participant who leaves stops hearing the conversation (supervisors watch on).
    if (frame.type === 'conversations.onParticipantRemoved' && frame.data.Identity === this.identity && this.claims && !isPrivileged(this.claims)) {
      this.drop(sub, 'removed');
    }
  }

  admits(frame: EventFrame): boolean {
    return !frame.type.startsWith(SUPERVISION_EVENT_PREFIX) || (this.claims !== undefined && readsStaffNotes(this.claims));
  }

  failed(err: unknown): void {
    this.deps.onError(err);
    this.ws.close(CloseCode.internal, 'internal error: reconnect and resume');
  }

  beat(): void {
    if (!this.alive) {
      this.ws.terminate();
      return;
    }
    this.alive = false;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.ping();
  }

  authenticated(claims: AccessClaims): void {
    if (this.hello) clearTimeout(this.hello);
    this.claims = claims;
    if (this.expiry) clearTimeout(this.expiry);
    this.expiry = setTimeout(() => this.refuse(Errors.accessTokenExpired()), Math.max(0, claims.expiresAt - this.deps.clock.now()));
    this.expiry.unref?.();
    this.send({
      op: 'ready',
      accountSid: claims.accountSid,
      identity: claims.identity,
      expiresAt: new Date(claims.expiresAt).toISOString(),
      grants: { chatServiceSid: claims.chatServiceSid, workspaceSid: claims.workspaceSid, workerSid: claims.workerSid, role: claims.role, conversationSid: claims.conversationSid },
    });
  }

  async shutdown(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ws.close(CloseCode.shutdown, 'server shutting down');
    await Promise.race([closed, new Promise((r) => setTimeout(r, 500))]);
    this.ws.terminate();
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.ws.close(CloseCode.protocol, 'frames are JSON text');
      return;
    }
    const parsed = parseClientFrame(data.toString());
    if (!parsed.ok) {
      const body = errorBody(Errors.invalidParameter(parsed.message));
      this.send(parsed.clientId !== undefined ? { op: 'ack', clientId: parsed.clientId, error: body } : { op: 'error', ...body });
      return;
    }
    const frame = parsed.frame;
    if (frame.op === 'send') {
      const gate = this.control;
      void gate.then(async () => {
        if (!this.claims) return this.refuse(Errors.accessTokenInvalid('send hello with a token first'));
        const ack = await this.deps.ops.handle(this.claims, frame);
        if (ack) this.send(ack);
      }).catch((err: unknown) => this.failed(err));
      return;
    }
    this.control = this.control.then(() => this.apply(frame)).catch((err: unknown) => this.failed(err));
  }

  private async apply(frame: Exclude<ClientFrame, { op: 'send' }>): Promise<void> {
    if (frame.op === 'ping') return this.send({ op: 'pong' });
    if (frame.op === 'hello' || frame.op === 'token') {
      let claims: AccessClaims;
      try {
        claims = await this.deps.tokens.verify(frame.token);
      } catch (err) {
        if (!this.claims) return this.refuse(err);
        return this.send({ op: 'error', ...errorBody(err) }); // a refused refresh leaves the current token in force
      }
      if (this.claims && (claims.accountSid !== this.claims.accountSid || claims.identity !== this.claims.identity)) {
        return this.send({ op: 'error', ...errorBody(Errors.accessTokenGrants('a refreshed token must keep the account and identity')) });
      }
      this.authenticated(claims);
      for (const sub of [...this.subs.values()]) {
        const ref = parseStream(sub.stream)!;
        await authorizeRead(this.deps.storage.db, claims, ref).catch(() => this.drop(sub, 'forbidden'));
      }
      return;
    }
    if (!this.claims) return this.refuse(Errors.accessTokenInvalid('send hello with a token first'));
    if (frame.op === 'unsubscribe') {
      const sub = this.subs.get(frame.stream);
      if (sub) this.drop(sub, 'requested');
      return;
    }
    const ref = parseStream(frame.stream);
    if (!ref) return this.send({ op: 'error', stream: frame.stream, ...errorBody(Errors.invalidParameter('stream must be conversation:<CH>, worker:<WK> or workspace:<WS>')) });
    if (!this.subs.has(ref.name) && this.subs.size >= this.deps.settings.maxSubscriptions) {
      return this.send({ op: 'error', stream: ref.name, ...errorBody(Errors.invalidParameter(`At most ${this.deps.settings.maxSubscriptions} subscriptions per connection`)) });
    }
    try {
      await authorizeRead(this.deps.storage.db, this.claims, ref);
    } catch (err) {
      if (!(err instanceof TwilioError)) throw err;
      return this.send({ op: 'error', stream: ref.name, ...errorBody(err) });
    }
    const previous = this.subs.get(ref.name);
    if (previous) this.deps.hub.unsubscribe(previous);
    const { accountSid } = this.claims;
    const initialStats =
      ref.kind === 'workspace'
        ? async (sub: Subscription) => {
            const stats = await this.deps.stats.compute(accountSid, ref.sid);
            if (stats && !sub.closed) this.send(stats);
          }
        : undefined;
    this.subs.set(ref.name, this.deps.hub.subscribe(this, accountSid, ref.name, frame.after, initialStats));
  }

  private drop(sub: Subscription, reason: string): void {
    this.deps.hub.unsubscribe(sub);
    if (this.subs.get(sub.stream) === sub) this.subs.delete(sub.stream);
    this.send({ op: 'unsubscribed', stream: sub.stream, reason });
  }

  private refuse(err: unknown): void {
    this.send({ op: 'error', ...errorBody(err) });
    this.ws.close(CloseCode.token, 'access token refused');
  }

  private gone(): void {
    if (this.hello) clearTimeout(this.hello);
    if (this.expiry) clearTimeout(this.expiry);
    for (const sub of this.subs.values()) this.deps.hub.unsubscribe(sub);
    this.subs.clear();
    this.onGone();
  }
}

/** A token refused before the upgrade: Twilio's error envelope over plain HTTP, then hang up. */
function refuseUpgrade(socket: Duplex, err: unknown): void {
  const e = err instanceof TwilioError ? err : Errors.internal();
  const body = JSON.stringify(e.toJSON());
  const reason = e.status === 403 ? 'Forbidden' : e.status === 401 ? 'Unauthorized' : 'Error';
  socket.end(`HTTP/1.1 ${e.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
