import { Errors } from '../../platform/errors.js';
import { newSid } from '../../platform/sid.js';
import type { Cipher } from '../../platform/crypto.js';
import type { Clock } from '../../platform/clock.js';
import type { Storage } from '../../storage/db.js';
import type { Jobs, Job } from '../../events/jobs.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { AddressesService } from '../../conversations/addresses/service.js';
import { bindingType } from '../../conversations/participants/binding.js';
import { CarrierError, type CarrierAccepted, type FetchedMedia, type MessagingCarrier, type OutboundCarrierMessage } from '../messaging/carrier.js';
import type { InboundMedia, InboundOutcome, InboundPipeline } from '../messaging/inbound.js';
import { readMedia } from '../twilio-messaging/client.js';
import { simulatorStore, type SimulatorFilter, type SimulatorMessageRow } from './store.js';

export const SIMULATOR_PROGRESS_JOB = 'channels.simulator.progress';
/** Statuses a test may set on a message a simulated phone received. */
export const SETTABLE_STATUSES = ['sent', 'delivered', 'read', 'failed', 'undelivered'] as const;
export type SettableStatus = (typeof SETTABLE_STATUSES)[number];

/**
 * Twilio's magic "To" numbers for test credentials: a send to one fails with
 * the documented error, so failure paths can be tried without a carrier.
 */
const MAGIC_TO: Record<string, { code: number; message: string }> = {
  '+15005550001': { code: 21211, message: "The 'To' number +15005550001 is not a valid phone number." },
  '+15005550002': { code: 21612, message: "The 'To' phone number is not currently reachable via SMS." },
  '+15005550003': { code: 21408, message: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number" },
  '+15005550004': { code: 21610, message: 'Attempt to send to unsubscribed recipient' },
  '+15005550009': { code: 21614, message: "'To' number is not a valid mobile number" },
};

export interface SimulatorDeps {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
  jobs: Jobs;
  addresses: AddressesService;
  /** How long after sending a simulated phone reports `delivered`. */
  deliveryMs: number;
  /** Where status changes of tracked messages go (the same path as carrier status callbacks). */
  reportStatus(accountSid: string, channelMessageSid: string, status: string, errorCode: number | null): Promise<boolean>;
  /** The inbound path customers' simulated phones send into. */
  inbound(): InboundPipeline;
}

export interface SimulatedMedia {
  sid?: string;
  service_sid?: string;
  content_type?: string;
  size?: number;
  url?: string;
}

export interface SimulatorMessage {
  row: SimulatorMessageRow;
  body: string | null;
  media: SimulatedMedia[];
}

export interface CustomerMessageInput {
  from: string;
  to: string;
  body?: string;
  media: InboundMedia[];
}

/**
 * The built-in carrier for accounts without a real one: customers' phones are
 * simulated. It plays the numbers the account configured as addresses (a send
 * from any other proxy address is not its business), keeps what every phone sent
 * and received, and reports `delivered` a moment after each send.
 */
export class Simulator {
  constructor(private readonly deps: SimulatorDeps) {
    deps.jobs.handle(SIMULATOR_PROGRESS_JOB, (job) => this.progress(job));
  }

  carrier(accountSid: string): MessagingCarrier {
    return {
      provider: 'simulator',
      sendsFrom: (from) => this.owns(accountSid, from),
      send: (m) => this.deliver(accountSid, m),
      fetchMedia: (url) => fetchPublic(url),
    };
  }

  async owns(accountSid: string, address: string): Promise<boolean> {
    return (await this.deps.addresses.findByAddress(accountSid, bindingType(address), address)) !== undefined;
  }

  /** A message sent to a simulated phone. */
  private async deliver(accountSid: string, m: OutboundCarrierMessage): Promise<CarrierAccepted> {
    const magic = MAGIC_TO[m.to.replace(/^[a-z]+:/, '')];
    if (magic) throw new CarrierError(magic.code, magic.message, 400);
    const { storage, clock, cipher, jobs } = this.deps;
    const sid = newSid('SM');
    const now = clock.now();
    const media: SimulatedMedia[] = [...m.media.map((r) => ({ sid: r.sid, service_sid: r.serviceSid, content_type: r.contentType, size: r.size })), ...m.mediaUrls.map((url) => ({ url }))];
    const body = m.body ?? (m.contentSid ? `[content template ${m.contentSid}]` : null);
    await storage.transaction(async (tx) => {
      await simulatorStore.insert(tx, {
        sid,
        account_sid: accountSid,
        direction: 'outbound-api',
        from_address: m.from,
        to_address: m.to,
        body: body !== null ? cipher.encrypt(body) : null,
        media: JSON.stringify(media),
        status: 'sent',
        error_code: null,
        track: m.track ? 1 : 0,
        conversation_sid: null,
        message_sid: null,
        date_created: now,
        date_updated: now,
      });
      await jobs.schedule(tx, { accountSid, kind: SIMULATOR_PROGRESS_JOB, dedupeKey: progressKey(sid), payload: { sid, status: 'delivered' }, runAt: now + this.deps.deliveryMs, maxAttempts: 8 });
    });
    return { sid, status: 'queued' };
  }

  private async progress(job: Job): Promise<void> {
    const { sid, status } = job.payload as { sid: string; status: SettableStatus };
    await this.apply(job.accountSid, sid, status, null);
  }

  /** What a simulated phone (or its network) says about a message it was sent. */
  async setStatus(accountSid: string, sid: string, status: string, errorCode: number | undefined): Promise<SimulatorMessage> {
    if (!(SETTABLE_STATUSES as readonly string[]).includes(status)) throw Errors.invalidParameter(`Status must be one of ${SETTABLE_STATUSES.join(', ')}`);
    const failed = status === 'failed' || status === 'undelivered';
    if (errorCode !== undefined && !failed) throw Errors.invalidParameter('ErrorCode goes with Status failed or undelivered');
    const row = await this.get(accountSid, sid);
    if (row.row.direction !== 'outbound-api') throw Errors.invalidParameter(`Message ${sid} was sent by a simulated phone; only messages sent to one have a delivery status`);
    // An explicit status wins over the automatic progression.
    await this.deps.storage.transaction((tx) => this.deps.jobs.cancel(tx, progressKey(sid)));
    await this.apply(accountSid, sid, status as SettableStatus, failed ? (errorCode ?? 30003) : null);
    return this.get(accountSid, sid);
  }

  private async apply(accountSid: string, sid: string, status: SettableStatus, errorCode: number | null): Promise<void> {
    const { storage, clock } = this.deps;
    const row = await simulatorStore.get(storage.db, accountSid, sid);
    if (!row) return;
    await simulatorStore.update(storage.db, accountSid, sid, { status, error_code: errorCode, date_updated: clock.now() });
    if (row.track === 1) await this.deps.reportStatus(accountSid, sid, status, errorCode);
  }

  /** A simulated phone sends a message to one of the account's addresses: the same path as a carrier's inbound webhook. */
  async customerSends(accountSid: string, input: CustomerMessageInput): Promise<{ message: SimulatorMessage; outcome: InboundOutcome }> {
    if (input.from.trim() === '' || input.to.trim() === '') throw Errors.invalidParameter('From and To are required');
    if ((input.body === undefined || input.body === '') && input.media.length === 0) throw Errors.invalidParameter('A message needs a Body or media');
    if (input.media.length > 10) throw Errors.invalidParameter('At most 10 media files per message');
    const sid = newSid('SM');
    const outcome = await this.deps.inbound().receive(this.carrier(accountSid), { accountSid, channelMessageSid: sid, from: input.from, to: input.to, ...(input.body !== undefined ? { body: input.body } : {}), media: input.media });
    const { storage, clock, cipher } = this.deps;
    const now = clock.now();
    await simulatorStore.insert(storage.db, {
      sid,
      account_sid: accountSid,
      direction: 'inbound',
      from_address: input.from,
      to_address: input.to,
      body: input.body ? cipher.encrypt(input.body) : null,
      media: JSON.stringify(outcome.media.map((r) => ({ sid: r.sid, service_sid: r.serviceSid, content_type: r.contentType, size: r.size }))),
      status: 'received',
      error_code: null,
      track: 0,
      conversation_sid: outcome.conversationSid,
      message_sid: outcome.messageSid,
      date_created: now,
      date_updated: now,
    });
    return { message: await this.get(accountSid, sid), outcome };
  }

  async get(accountSid: string, sid: string): Promise<SimulatorMessage> {
    const row = await simulatorStore.get(this.deps.storage.db, accountSid, sid);
    if (!row) throw Errors.notFound(`/Simulator/Messages/${sid}`);
    return this.decode(row);
  }

  async list(accountSid: string, f: SimulatorFilter, w: KeysetWindow): Promise<Array<SimulatorMessage & { seq: number }>> {
    const rows = await simulatorStore.list(this.deps.storage.db, accountSid, f, w);
    return rows.map((r) => ({ ...this.decode(r), seq: r.seq }));
  }

  private decode(row: SimulatorMessageRow): SimulatorMessage {
    return { row, body: row.body !== null ? this.deps.cipher.decrypt(row.body) : null, media: JSON.parse(row.media) as SimulatedMedia[] };
  }
}

function progressKey(sid: string): string {
  return `${SIMULATOR_PROGRESS_JOB}:${sid}`;
}

/** Media a simulated phone sends by URL is fetched like any public file. */
async function fetchPublic(url: string): Promise<FetchedMedia> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  } catch (err) {
    throw new CarrierError(0, `media ${url} unreachable: ${(err as Error).message}`, 0);
  }
  return readMedia(url, res);
}
