import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Storage } from '../storage/db.js';
import type { Cipher } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';
import type { ProductModule } from '../platform/http/app.js';
import type { Dispatcher } from '../events/dispatcher.js';
import type { Outbox } from '../events/outbox.js';
import type { AccountsService } from '../accounts/service.js';
import type { ConversationsProduct } from '../conversations/index.js';
import type { TaskRouterProduct } from '../taskrouter/index.js';
import { AccessTokens } from './tokens.js';
import { TokenService } from './token-service.js';
import { StreamLog } from './log.js';
import { StreamHub } from './hub.js';
import { LocalBus, RedisBus, type Bus } from './bus.js';
import { ClientOps } from './ops.js';
import { LiveStats } from './stats.js';
import { Gateway, type GatewaySettings } from './gateway.js';
import { parseStream } from './streams.js';
import { realtimeRoutes, tokensModule } from './routes.js';

export interface RealtimeSettings extends GatewaySettings {
  /** Events stay replayable this long; older ones answer `resync`. */
  retentionSeconds: number;
  /** A resume further behind than this answers `resync` rather than replaying. */
  maxCatchUp: number;
  /** Set: fan out across nodes through Redis pub/sub. */
  redisUrl: string | undefined;
  /** Safety-net check of subscribed streams' heads against what was delivered. */
  pollMs: number;
  statsIntervalMs: number;
  pruneEveryMs: number;
}

export const DEFAULT_REALTIME_SETTINGS: Omit<RealtimeSettings, 'retentionSeconds' | 'maxCatchUp' | 'redisUrl'> = {
  pingMs: 30_000,
  helloTimeoutMs: 10_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxSubscriptions: 1000,
  pollMs: 2000,
  statsIntervalMs: 1000,
  pruneEveryMs: 60_000,
};

export interface RealtimeDeps {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
  accounts: AccountsService;
  conversations: ConversationsProduct;
  taskrouter: TaskRouterProduct;
  /** Resolves the events the stream log keeps by reference. */
  outbox: Outbox;
  onError(err: unknown): void;
}

/**
 * The realtime gateway: access tokens, the per-stream log filled from the outbox,
 * fan-out (in process, or across nodes through Redis) and the WebSocket endpoint.
 */
export class RealtimeProduct {
  readonly tokens: AccessTokens;
  readonly tokenService: TokenService;
  readonly log: StreamLog;
  readonly hub: StreamHub;
  readonly stats: LiveStats;
  readonly gateway: Gateway;
  private bus: Bus = new LocalBus();
  private timers: NodeJS.Timeout[] = [];
  private closed = false;

  constructor(
    private readonly deps: RealtimeDeps,
    dispatcher: Dispatcher,
    readonly settings: RealtimeSettings,
  ) {
    const { storage, cipher, clock } = deps;
    this.tokens = new AccessTokens({ storage, clock, accounts: deps.accounts });
    this.tokenService = new TokenService(storage, this.tokens, deps.conversations.services);
    this.log = new StreamLog(storage, cipher, clock, deps.outbox);
    this.hub = new StreamHub(this.log, settings.maxCatchUp);
    this.stats = new LiveStats(deps.taskrouter, settings.statsIntervalMs, (a, s, frame) => this.hub.ephemeral(a, s, frame), deps.onError);
    const ops = new ClientOps({
      storage,
      clock,
      messages: deps.conversations.messages,
      participants: deps.conversations.participants,
      typing: (accountSid, stream, frame, exceptIdentity) => this.bus.publish({ kind: 'ephemeral', accountSid, stream, frame, exceptIdentity }),
    });
    this.gateway = new Gateway({ storage, clock, tokens: this.tokens, hub: this.hub, ops, stats: this.stats, settings, onError: deps.onError });
    dispatcher.onDurableBatch((tx, events) => this.log.record(tx, events));
    dispatcher.subscribe((event) => {
      const entries = this.log.take(event);
      if (entries) this.bus.publish({ kind: 'entries', entries });
    });
  }

  /** Connects to Redis when configured (failing fast when it cannot) and starts the timers. */
  async start(): Promise<void> {
    const { settings } = this;
    if (settings.redisUrl) this.bus = new RedisBus(settings.redisUrl, await namespace(this.deps.storage), this.deps.onError);
    this.bus.onMessage((msg) => {
      if (msg.kind === 'ephemeral') return this.hub.ephemeral(msg.accountSid, msg.stream, msg.frame, msg.exceptIdentity);
      this.hub.deliver(msg.entries);
      for (const e of msg.entries) {
        if (!this.hub.has(e.accountSid, e.stream)) continue;
        const ref = parseStream(e.stream);
        if (ref?.kind === 'workspace') this.stats.touch(e.accountSid, ref.sid);
      }
    });
    this.bus.onResume(() => void this.hub.poll().catch(this.deps.onError));
    await this.bus.start();
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => void fn().catch(this.deps.onError), ms);
      t.unref?.();
      this.timers.push(t);
    };
    every(settings.pollMs, () => this.hub.poll());
    every(settings.pruneEveryMs, () => this.prune());
  }

  /** Drops log entries (and remembered client operations) older than the retention window. */
  prune(now = this.deps.clock.now()): Promise<number> {
    return this.log.prune(now - this.settings.retentionSeconds * 1000);
  }

  routes(): (app: FastifyInstance) => void {
    return realtimeRoutes(this.gateway);
  }

  module(): ProductModule {
    return tokensModule(this.tokenService);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.stats.close();
    await this.gateway.close();
    await this.bus.close();
  }
}

/** One Redis channel per deployment: nodes on the same database and schema. */
async function namespace(storage: Storage): Promise<string> {
  if (storage.engine !== 'postgres') return 'sqlite';
  const r = await sql<{ d: string; s: string }>`select current_database() as d, current_schema() as s`.execute(storage.db);
  return `${r.rows[0]?.d ?? ''}.${r.rows[0]?.s ?? ''}`;
}
