import { CONVERSATION_EVENT_PREFIX } from '../conversations/hooks.js';
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { ProductModule } from '../platform/http/app.js';
import type { Dispatcher } from '../events/dispatcher.js';
import type { ProductDeps } from '../events/product-deps.js';
import type { ConversationsProduct } from '../conversations/index.js';
import { MEDIA_MAX_BYTES } from '../media/limits.js';
import type { MessagingCarrier } from './messaging/carrier.js';
import { InboundPipeline } from './messaging/inbound.js';
import { OutboundMessaging, type SendMessageInput, type SendMessageResult } from './messaging/outbound.js';
import { MediaLinks } from './messaging/media-links.js';
import { CarrierAccounts } from './twilio-messaging/accounts.js';
import { TwilioMessagingCarrier } from './twilio-messaging/client.js';
import { registerCarrierAdminRoutes, registerCarrierWebhooks } from './twilio-messaging/routes.js';
import { Simulator } from './simulator/service.js';
import { registerSimulatorRoutes } from './simulator/routes.js';
import { EmailAccounts } from './email/accounts.js';
import { EmailInbound } from './email/inbound.js';
import { OutboundEmail } from './email/outbound.js';
import { scheduleSends } from './fan-out.js';
import { registerEmailAdminRoutes, registerEmailWebhook } from './email/routes.js';

export interface ChannelsDeps extends ProductDeps {
  /** The auth token of a Parley account (signs media links). */
  authTokenFor(accountSid: string): Promise<string>;
  /** The main account, known once accounts have bootstrapped (the environment carrier belongs to it). */
  mainAccountSid(): string;
  publicUrl: string | undefined;
  /** PARLEY_TWILIO_ACCOUNT_SID / PARLEY_TWILIO_AUTH_TOKEN. */
  twilioMessaging: { accountSid: string; authToken: string } | undefined;
  twilioApiUrl: string;
  /** PARLEY_SMTP_URL: the main account's email relay. */
  smtpUrl?: string | undefined;
  /** Where channel failures worth an operator's eye are logged. */
  log?: (msg: string, detail: Record<string, unknown>) => void;
  /** How long the simulator takes to report `delivered` (default 1 s). */
  simulatorDeliveryMs?: number;
}

/**
 * The messaging channels (SMS/MMS, WhatsApp, Messenger) behind one carrier
 * interface: Twilio Programmable Messaging for accounts that have a carrier
 * account, the built-in simulator for the others. Inbound goes through the
 * conversations' address auto-creation; outbound follows committed messages.
 */
export class ChannelsProduct {
  readonly carriers: CarrierAccounts;
  readonly mediaLinks: MediaLinks;
  readonly inbound: InboundPipeline;
  readonly outbound: OutboundMessaging;
  readonly simulator: Simulator;
  readonly email: EmailAccounts;
  readonly emailInbound: EmailInbound;
  readonly emailOutbound: OutboundEmail;

  constructor(
    private readonly deps: ChannelsDeps,
    private readonly conversations: ConversationsProduct,
    dispatcher: Dispatcher,
  ) {
    this.carriers = new CarrierAccounts({
      storage: deps.storage,
      cipher: deps.cipher,
      clock: deps.clock,
      environment: deps.twilioMessaging,
      defaultApiUrl: deps.twilioApiUrl,
      publicUrl: deps.publicUrl,
      mainAccountSid: deps.mainAccountSid,
    });
    this.mediaLinks = new MediaLinks(deps.authTokenFor, deps.clock);
    this.inbound = new InboundPipeline(deps, conversations);
    this.outbound = new OutboundMessaging(deps, conversations, (accountSid) => this.carrierFor(accountSid));
    this.simulator = new Simulator({
      storage: deps.storage,
      cipher: deps.cipher,
      clock: deps.clock,
      jobs: deps.jobs,
      addresses: conversations.addresses,
      deliveryMs: deps.simulatorDeliveryMs ?? 1000,
      reportStatus: (accountSid, sid, status, errorCode) => this.outbound.reportStatus(accountSid, sid, status, errorCode),
      inbound: () => this.inbound,
    });
    this.outbound.register();
    this.email = new EmailAccounts({ storage: deps.storage, cipher: deps.cipher, clock: deps.clock, environmentSmtpUrl: deps.smtpUrl, mainAccountSid: deps.mainAccountSid });
    this.emailInbound = new EmailInbound(deps, conversations, this.inbound);
    this.emailOutbound = new OutboundEmail({ ...deps, ...(deps.log ? { log: deps.log } : {}) }, conversations, this.email);
    this.emailOutbound.register();
    // One reaction for every adapter: a new message's participants are read once.
    dispatcher.onDurable((tx, event) => scheduleSends(deps, tx, event, [this.outbound.sendRoute, this.emailOutbound.sendRoute]), [CONVERSATION_EVENT_PREFIX]);
  }

  /** The carrier an account's messages go through. */
  async carrierFor(accountSid: string): Promise<MessagingCarrier> {
    const account = await this.carriers.forAccount(accountSid);
    if (!account) return this.simulator.carrier(accountSid);
    return new TwilioMessagingCarrier(account, (base, ref) => this.mediaLinks.url(base, accountSid, ref.serviceSid, ref.sid));
  }

  /** Sends one message outside any conversation (Studio's send-message widget). */
  sendMessage(input: SendMessageInput): Promise<SendMessageResult> {
    return this.outbound.sendMessage(input);
  }

  /** Carrier webhooks and media links: for `publicRoutes` (they authenticate themselves). */
  publicRoutes(): (app: FastifyInstance) => void {
    return (app) =>
      registerCarrierWebhooks(app, {
        carriers: this.carriers,
        carrierFor: (accountSid) => this.carrierFor(accountSid),
        inbound: this.inbound,
        outbound: this.outbound,
        media: this.conversations.media,
        mediaLinks: this.mediaLinks,
        publicUrl: this.deps.publicUrl,
      });
  }

  /** The inbound email webhook: for `publicRoutes` (its URL's token authenticates it). */
  emailRoutes(): (app: FastifyInstance) => Promise<void> {
    return registerEmailWebhook(this.email, this.emailInbound);
  }

  /** Parley's admin API for channels, under /parley (Basic auth). */
  module(): ProductModule {
    return {
      label: 'parley',
      register: async (app: FastifyInstance) => {
        await app.register(multipart, { limits: { fileSize: MEDIA_MAX_BYTES, files: 10, fields: 20, parts: 30 } });
        registerCarrierAdminRoutes(app, this.carriers, this.deps.publicUrl);
        registerSimulatorRoutes(app, this.simulator, this.mediaLinks, this.deps.publicUrl);
        registerEmailAdminRoutes(app, this.email, this.deps.publicUrl);
      },
    };
  }
}

export type { SendMessageInput, SendMessageResult } from './messaging/outbound.js';
