import type { Cipher } from '../../platform/crypto.js';
import type { Clock } from '../../platform/clock.js';
import type { Storage } from '../../storage/db.js';
import type { Jobs, Job } from '../../events/jobs.js';
import type { ConversationsProduct } from '../../conversations/index.js';
import type { DeliveryStatus } from '../../conversations/messages/receipts.js';
import { messagesStore, receiptsStore } from '../../conversations/messages/store.js';
import { participantsStore } from '../../conversations/participants/store.js';
import { CarrierError, type MessagingCarrier, type StoredMediaRef } from './carrier.js';
import { CARRIER_CHANNELS, planOutbound } from './limits.js';
import { carrierReceiptsStore } from './store.js';
import type { SendRoute } from '../fan-out.js';

export const SEND_JOB = 'channels.messaging.send';
export const STATUS_JOB = 'channels.messaging.status';
const SEND_ATTEMPTS = 6;
const STATUS_ATTEMPTS = 8;
/** Twilio's "Unknown error": a send that never got an answer from the carrier. */
const UNKNOWN_ERROR = 30008;

/** Carrier statuses that move a receipt; queued/accepted/sending/scheduled do not. */
const RECEIPT_STATUS: Record<string, DeliveryStatus> = { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed', undelivered: 'undelivered', canceled: 'failed' };

export interface OutboundDeps {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
  jobs: Jobs;
}

export interface SendMessageInput {
  accountSid: string;
  from: string;
  to: string;
  body?: string;
  mediaUrl?: string | string[];
}

export interface SendMessageResult {
  /** The carrier's SM SID; null when the carrier refused it. */
  sid: string | null;
  status: string;
  errorCode?: number;
  errorMessage?: string;
}

/**
 * Conversation messages out to SMS/WhatsApp/Messenger participants, and their
 * delivery back. Every committed onMessageAdded schedules one durable send job
 * per non-chat recipient (not its author), keyed by message+participant; a job
 * that finds the recipient's receipt already there does nothing, so a send is
 * at-least-once and normally exactly once. The receipt (DY) starts at `sent`
 * when the carrier accepts the message, carries the carrier's SM SID, and moves
 * with its status callbacks.
 */
export class OutboundMessaging {
  constructor(
    private readonly deps: OutboundDeps,
    private readonly conversations: ConversationsProduct,
    private readonly carrierFor: (accountSid: string) => Promise<MessagingCarrier>,
  ) {}

  /** SMS, WhatsApp and Messenger participants get this adapter's send jobs (scheduled by channels/fan-out.ts). */
  readonly sendRoute: SendRoute = { kind: SEND_JOB, maxAttempts: SEND_ATTEMPTS, carries: (p) => CARRIER_CHANNELS.includes(p.binding_type ?? '') };

  register(): void {
    this.deps.jobs.handle(SEND_JOB, (job) => this.send(job));
    this.deps.jobs.handle(STATUS_JOB, async (job) => {
      const p = job.payload as { channelMessageSid: string; status: string; errorCode: number | null };
      if (!(await this.applyStatus(job.accountSid, p.channelMessageSid, p.status, p.errorCode))) throw new Error(`no receipt carries ${p.channelMessageSid} yet`);
    });
  }


  private async send(job: Job): Promise<void> {
    const { accountSid } = job;
    const { messageSid, participantSid } = job.payload as { messageSid: string; participantSid: string };
    const db = this.deps.storage.db;
    const message = await messagesStore.bySid(db, accountSid, messageSid);
    if (!message) return;
    const participant = await participantsStore.find(db, accountSid, message.conversation_sid, participantSid);
    if (!participant?.binding_address || !participant.binding_proxy_address) return;
    if (await receiptsStore.byParticipant(db, accountSid, message.sid, participant.sid)) return;
    const carrier = await this.carrierFor(accountSid);
    if (!(await carrier.sendsFrom(participant.binding_proxy_address))) return;
    const receipts = this.conversations.receipts;
    const fail = (errorCode: number) => receipts.recordDelivery(accountSid, { messageSid, participantSid, status: 'failed', errorCode });

    const decoded = this.conversations.messages.decode(message);
    const templated = message.content_sid !== null;
    const plan = templated ? ({ ok: true, body: undefined, media: [] } as const) : planOutbound(participant.binding_type ?? 'sms', decoded.body, decoded.media ?? []);
    if (!plan.ok) {
      await fail(plan.errorCode);
      return;
    }
    const media: StoredMediaRef[] = plan.media.map((m) => ({ sid: m.sid, serviceSid: message.service_sid, contentType: m.content_type, size: m.size }));
    try {
      const accepted = await carrier.send({
        from: participant.binding_proxy_address,
        to: participant.binding_address,
        ...(plan.body !== undefined ? { body: plan.body } : {}),
        media,
        mediaUrls: [],
        ...(templated ? { contentSid: message.content_sid! } : {}),
        ...(templated && message.content_variables !== null ? { contentVariables: this.deps.cipher.decrypt(message.content_variables) } : {}),
        track: true,
      });
      await receipts.recordDelivery(accountSid, { messageSid, participantSid, status: 'sent', channelMessageSid: accepted.sid });
    } catch (err) {
      if (!(err instanceof CarrierError)) throw err;
      // Refusals are final; silence and overload are retried until the attempts run out.
      if (err.retryable && job.attempts < job.maxAttempts) throw err;
      await fail(err.code || UNKNOWN_ERROR);
    }
  }

  /**
   * A carrier reported a message's status (status callback, simulator). Applied
   * at once when its receipt exists; otherwise (the callback outran the send
   * job's write) retried by a durable job. Returns whether it applied now.
   */
  async reportStatus(accountSid: string, channelMessageSid: string, carrierStatus: string, errorCode: number | null): Promise<boolean> {
    if (await this.applyStatus(accountSid, channelMessageSid, carrierStatus, errorCode)) return true;
    await this.deps.storage.transaction((tx) =>
      this.deps.jobs.schedule(tx, {
        accountSid,
        kind: STATUS_JOB,
        dedupeKey: `${STATUS_JOB}:${channelMessageSid}:${carrierStatus}`,
        payload: { channelMessageSid, status: carrierStatus, errorCode },
        runAt: this.deps.clock.now() + 250,
        maxAttempts: STATUS_ATTEMPTS,
      }),
    );
    return false;
  }

  /** True when the status was applied or means nothing for a receipt; false when the receipt is not there yet. */
  private async applyStatus(accountSid: string, channelMessageSid: string, carrierStatus: string, errorCode: number | null): Promise<boolean> {
    const status = RECEIPT_STATUS[carrierStatus.toLowerCase()];
    if (!status) return true;
    const receipt = await carrierReceiptsStore.byChannelSid(this.deps.storage.db, accountSid, channelMessageSid);
    if (!receipt) return false;
    const failed = status === 'failed' || status === 'undelivered';
    await this.conversations.receipts.recordDelivery(accountSid, {
      messageSid: receipt.message_sid,
      participantSid: receipt.participant_sid,
      status,
      errorCode: failed ? errorCode : null,
      channelMessageSid,
      advanceOnly: true,
    });
    return true;
  }

  /** A message outside any conversation (Studio's send-message): sent once, not tracked. */
  async sendMessage(input: SendMessageInput): Promise<SendMessageResult> {
    const carrier = await this.carrierFor(input.accountSid);
    const mediaUrls = input.mediaUrl === undefined ? [] : Array.isArray(input.mediaUrl) ? input.mediaUrl : [input.mediaUrl];
    // A real carrier judges the From itself; the simulator only plays the account's own addresses.
    if (!(await carrier.sendsFrom(input.from))) {
      return { sid: null, status: 'failed', errorCode: 21606, errorMessage: `The From phone number ${input.from} is not a valid, SMS-capable inbound phone number or short code for your account.` };
    }
    try {
      const accepted = await carrier.send({ from: input.from, to: input.to, ...(input.body !== undefined ? { body: input.body } : {}), media: [], mediaUrls, track: false });
      return { sid: accepted.sid, status: accepted.status };
    } catch (err) {
      if (!(err instanceof CarrierError)) throw err;
      return { sid: null, status: 'failed', errorCode: err.code || UNKNOWN_ERROR, errorMessage: err.message };
    }
  }
}
