import { Registry, collectDefaultMetrics, Counter } from 'prom-client';
import type { FastifyServerOptions } from 'fastify';
import type { Config } from './platform/config.js';
import { createCipher, loadMasterKey } from './platform/crypto.js';
import { systemClock, type Clock } from './platform/clock.js';
import { buildApp, type App } from './platform/http/app.js';
import { openStorage, type Storage } from './storage/db.js';
import { migrate } from './storage/migrate.js';
import { Outbox } from './events/outbox.js';
import { Jobs } from './events/jobs.js';
import { Dispatcher } from './events/dispatcher.js';
import { Worker } from './events/worker.js';
import { WebhookSender } from './events/webhooks.js';
import { AccountsService, type Account } from './accounts/service.js';
import { registerAccountRoutes } from './accounts/routes.js';
import { ConversationsProduct } from './conversations/index.js';
import { TaskRouterProduct } from './taskrouter/index.js';
import { InteractionsProduct } from './interactions/index.js';
import { mediaModule } from './media/routes.js';
import { webRoutes } from './web/static.js';
import { AccountSetup } from './provisioning.js';
import { ChannelsProduct } from './channels/index.js';
import { StudioProduct } from './studio/index.js';
import { AgentsProduct } from './agents/index.js';
import { SupervisionProduct } from './supervision/index.js';
import { conversationsPort } from './studio/conversations-bridge.js';
import { WebChatProduct } from './webchat/index.js';
import { RealtimeProduct, DEFAULT_REALTIME_SETTINGS, type RealtimeSettings } from './realtime/index.js';

export interface ParleyOptions {
  clock?: Clock;
  logger?: FastifyServerOptions['logger'];
  /** Test hooks: storage location overrides. */
  sqliteFile?: string;
  pgSchema?: string;
  /** First webhook retry delay (doubles each attempt). */
  webhookRetryBaseMs?: number;
  webhookMaxAttempts?: number;
  /** Start the background worker (tests may drive it by hand). */
  startWorker?: boolean;
  /** Create the demo agent worker (`demo-agent`) in the main account's Flex workspace (npm start). */
  demoAgent?: boolean;
  /** How long the simulated carrier takes to report a message delivered (default 1 s). */
  simulatorDeliveryMs?: number;
  /** Realtime gateway overrides (tests: retention, catch-up bound, poll intervals). */
  realtime?: Partial<RealtimeSettings>;
}

export interface Parley {
  app: App;
  storage: Storage;
  worker: Worker;
  account: Account;
  /** True when this start generated the main account's credentials. */
  generatedCredentials: boolean;
  accounts: AccountsService;
  conversations: ConversationsProduct;
  taskrouter: TaskRouterProduct;
  interactions: InteractionsProduct;
  channels: ChannelsProduct;
  studio: StudioProduct;
  realtime: RealtimeProduct;
  webchat: WebChatProduct;
  agents: AgentsProduct;
  /** `npm start`'s demo agent accounts (username, role), when ParleyOptions.demoAgent. */
  demoAgents: Array<{ username: string; role: string }>;
  close(): Promise<void>;
}

/** The composition root: config → storage → events → products → http. */
export async function createParley(config: Config, options: ParleyOptions = {}): Promise<Parley> {
  const clock = options.clock ?? systemClock;
  const storage = await openStorage({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    ...(options.sqliteFile ? { sqliteFile: options.sqliteFile } : {}),
    ...(options.pgSchema ? { pgSchema: options.pgSchema } : {}),
  });
  await migrate(storage);
  const cipher = createCipher(loadMasterKey(config.masterKey, config.dataDir));

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const jobFailures = new Counter({ name: 'parley_job_failures_total', help: 'Failed job attempts by kind', labelNames: ['kind'], registers: [metrics] });

  let worker: Worker | undefined;
  const outbox = new Outbox(cipher, clock, storage.engine, () => worker?.poke());
  const jobs = new Jobs({
    storage,
    cipher,
    clock,
    baseBackoffMs: options.webhookRetryBaseMs ?? 1000,
    maxBackoffMs: 10 * 60 * 1000,
    leaseMs: 60_000,
    onError: (job) => jobFailures.inc({ kind: job.kind }),
  });
  const dispatcher = new Dispatcher(storage, outbox, clock);
  worker = new Worker(dispatcher, jobs, config.workerPollMs, () => {});

  const accounts = new AccountsService({ storage, cipher, clock });
  const webhooks = new WebhookSender({
    authTokenFor: async (accountSid) => (await accounts.get(accountSid)).authToken,
    clock,
    jobs,
    maxAttempts: options.webhookMaxAttempts ?? 8,
    defaultTimeoutMs: config.preWebhookTimeoutMs,
  });

  const conversations = new ConversationsProduct({ storage, cipher, clock, outbox, jobs, webhooks, preWebhookTimeoutMs: config.preWebhookTimeoutMs }, dispatcher);
  accounts.onAccountCreated((sid) => conversations.provision(sid));
  let app: App | undefined;
  const taskrouter = new TaskRouterProduct({ storage, cipher, clock, outbox, jobs, webhooks }, dispatcher, (err) => app?.log.error({ err }, 'routing pass failed'));
  const interactions = new InteractionsProduct({ storage, cipher, clock, outbox, jobs, webhooks }, { conversations, taskrouter }, dispatcher);
  accounts.onAccountCreated((sid) => interactions.provision(sid));
  // Studio ports: send-to-flex (Interactions) and send-message outside conversations (carrier channels) are wired here.
  const studio = new StudioProduct({ storage, cipher, clock, outbox, jobs, webhooks }, dispatcher, conversationsPort(conversations), {
    sendToFlex: (input) => interactions.interactions.sendToFlex(input),
    sendMessage: (input) => channels.sendMessage(input),
  });
  const setup = new AccountSetup(storage, conversations, interactions, studio);
  accounts.onAccountCreated((sid) => setup.provision(sid).then(() => undefined));
  const realtime = new RealtimeProduct(
    { storage, cipher, clock, accounts, conversations, taskrouter, outbox, onError: (err) => app?.log.error({ err }, 'realtime gateway') },
    dispatcher,
    { ...DEFAULT_REALTIME_SETTINGS, retentionSeconds: config.realtimeRetentionSeconds, maxCatchUp: config.realtimeMaxCatchUp, redisUrl: config.redisUrl, ...options.realtime },
  );
  await realtime.start();

  let mainAccountSid = '';
  const channels = new ChannelsProduct(
    {
      storage, cipher, clock, outbox, jobs, webhooks,
      authTokenFor: async (accountSid) => (await accounts.get(accountSid)).authToken,
      mainAccountSid: () => mainAccountSid,
      publicUrl: config.publicUrl,
      twilioMessaging: config.twilioMessaging,
      twilioApiUrl: config.twilioApiUrl,
      smtpUrl: config.smtpUrl,
      log: (msg, detail) => app?.log.warn(detail, msg),
      ...(options.simulatorDeliveryMs !== undefined ? { simulatorDeliveryMs: options.simulatorDeliveryMs } : {}),
    },
    conversations,
    dispatcher,
  );

  const { account, generated } = await accounts.bootstrap({
    ...(config.accountSid ? { accountSid: config.accountSid } : {}),
    ...(config.authToken ? { authToken: config.authToken } : {}),
  });
  mainAccountSid = account.sid;
  const webchat = new WebChatProduct({ storage, cipher, clock, accounts, conversations, taskrouter, interactions, realtime, publicUrl: config.publicUrl, mainAccountSid: () => mainAccountSid });

  const agents = new AgentsProduct({
    storage, cipher, clock, conversations, taskrouter, interactions,
    tokens: realtime.tokenService,
    flexDefaults: (sid) => interactions.provisioning.defaults(sid),
    publicUrl: config.publicUrl,
    mainAccountSid: () => mainAccountSid,
  });
  const supervision = new SupervisionProduct({ storage, cipher, clock, outbox, media: conversations.media, stats: realtime.stats, identity: agents.identity });
  let demoAgents: Array<{ username: string; role: string }> = [];
  if (options.demoAgent) {
    demoAgents = await agents.ensureDemo(account.sid, await interactions.provisioning.ensureDemoAgent(account.sid));
    await setup.demoNumbers(account.sid);
  }

  app = await buildApp({
    publicUrl: config.publicUrl,
    logger: options.logger ?? { level: config.logLevel },
    authenticate: (u, p) => accounts.authenticate(u, p),
    metrics,
    ready: async () => {
      await storage.db.selectFrom('settings').select('key').limit(1).execute();
    },
    bodyLimit: 20 * 1024 * 1024,
    publicRoutes: [realtime.routes(), channels.publicRoutes(), channels.emailRoutes(), webchat.routes(), agents.publicRoutes(), supervision.routes(), webRoutes()],
    products: [
      { label: 'api', register: (scope) => registerAccountRoutes(scope, accounts) },
      conversations.module(),
      taskrouter.module(),
      interactions.module(),
      studio.module(),
      mediaModule(conversations.media, conversations.services),
      channels.module(),
      realtime.module(),
      webchat.module(),
      agents.module(),
    ],
  });
  await app.ready();

  if (options.startWorker !== false) worker.start();

  return {
    app,
    storage,
    worker,
    account,
    generatedCredentials: generated,
    accounts,
    conversations,
    taskrouter,
    interactions,
    channels,
    studio,
    realtime,
    webchat,
    agents,
    demoAgents,
    async close() {
      await worker!.stop();
      await taskrouter.engine.stop();
      await realtime.close();
      await app.close();
      await storage.close();
    },
  };
}
