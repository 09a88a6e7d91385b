import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Cipher } from '../../platform/crypto.js';
import type { Clock } from '../../platform/clock.js';
import type { Storage } from '../../storage/db.js';
import type { Jobs, Job } from '../../events/jobs.js';
import type { ConversationsProduct } from '../../conversations/index.js';
import { messagesStore, receiptsStore } from '../../conversations/messages/store.js';
import { participantsStore } from '../../conversations/participants/store.js';
import type { EmailAccounts } from './accounts.js';
import { emailMessagesStore } from './store.js';
import type { SendRoute } from '../fan-out.js';

export const EMAIL_SEND_JOB = 'channels.email.send';
const SEND_ATTEMPTS = 6;
/** Twilio's "Unknown error": the relay never answered, after every attempt. */
export const EMAIL_UNKNOWN_ERROR = 30008;
/** Twilio's "Channel could not find the From address": no SMTP relay is configured for the account. */
export const EMAIL_NOT_CONFIGURED = 63007;

export interface EmailOutboundDeps {
  storage: Storage;
  cipher: Cipher;
  clock: Clock;
  jobs: Jobs;
  log?: (msg: string, detail: Record<string, unknown>) => void;
}

/** The Message-ID of one message to one participant: deterministic, so a retried send keeps it. */
export function outboundMessageId(accountSid: string, messageSid: string, participantSid: string, from: string): { id: string; header: string } {
  const id = 'EM' + createHash('sha256').update(`${accountSid}:${messageSid}:${participantSid}`).digest('hex').slice(0, 32);
  const domain = from.split('@')[1] ?? 'parley.invalid';
  return { id, header: `<${id}@${domain}>` };
}

/**
 * Conversation messages out to email participants: one durable send job per
 * email recipient of a committed message (not its author), like the messaging
 * carriers'. The receipt is `sent` once the relay accepts the mail and carries
 * the Message-ID's id (EM…, the receipt column holds 34 characters); refusals
 * (5xx) fail it with the SMTP reply code, silence is retried.
 */
export class OutboundEmail {
  constructor(
    private readonly deps: EmailOutboundDeps,
    private readonly conversations: ConversationsProduct,
    private readonly accounts: EmailAccounts,
  ) {}

  /** Email participants get this adapter's send jobs (scheduled by channels/fan-out.ts). */
  readonly sendRoute: SendRoute = { kind: EMAIL_SEND_JOB, maxAttempts: SEND_ATTEMPTS, carries: (p) => p.binding_type === 'email' };

  register(): void {
    this.deps.jobs.handle(EMAIL_SEND_JOB, (job) => this.send(job));
  }

  private async send(job: Job): Promise<void> {
    const { accountSid } = job;
    const { messageSid, participantSid } = job.payload as { messageSid: string; participantSid: string };
    const { storage, cipher } = this.deps;
    const db = storage.db;
    const message = await messagesStore.bySid(db, accountSid, messageSid);
    if (!message) return;
    const participant = await participantsStore.find(db, accountSid, message.conversation_sid, participantSid);
    if (!participant?.binding_address || !participant.binding_proxy_address) return;
    if (await receiptsStore.byParticipant(db, accountSid, message.sid, participant.sid)) return;
    const receipts = this.conversations.receipts;
    const fail = (errorCode: number) => receipts.recordDelivery(accountSid, { messageSid, participantSid, status: 'failed', errorCode });

    const settings = await this.accounts.forAccount(accountSid);
    if (!settings.smtpUrl) {
      this.deps.log?.('email not sent: no SMTP relay configured (PARLEY_SMTP_URL or /parley/v1/Channels/Email)', { accountSid, messageSid });
      await fail(EMAIL_NOT_CONFIGURED);
      return;
    }
    const from = participant.binding_proxy_address;
    const { id, header } = outboundMessageId(accountSid, messageSid, participantSid, from);
    const decoded = this.conversations.messages.decode(message);
    const thread = await emailMessagesStore.thread(db, accountSid, message.conversation_sid);
    const lastInbound = [...thread].reverse().find((t) => t.direction === 'inbound' && t.subject !== null);
    const conversation = await this.conversations.conversations.get(accountSid, message.service_sid, message.conversation_sid);
    const inboundSubject = lastInbound?.subject ? cipher.decrypt(lastInbound.subject) : undefined;
    const subject = inboundSubject !== undefined ? (/^re:/i.test(inboundSubject) ? inboundSubject : `Re: ${inboundSubject}`) : (conversation.row.friendly_name ?? `Message from ${from}`);
    const references = thread.map((t) => t.message_id);
    const inReplyTo = [...thread].reverse().find((t) => t.direction === 'inbound')?.message_id ?? references[references.length - 1];
    const attachments = [];
    for (const m of decoded.media ?? []) {
      const file = await this.conversations.media.content(accountSid, message.service_sid, m.sid);
      attachments.push({ filename: file.filename ?? m.filename ?? m.sid, content: file.data, contentType: file.contentType });
    }

    const transport = nodemailer.createTransport(settings.smtpUrl);
    try {
      await transport.sendMail({
        from,
        to: participant.binding_address,
        subject,
        text: decoded.body ?? '',
        messageId: header,
        ...(inReplyTo ? { inReplyTo } : {}),
        ...(references.length > 0 ? { references } : {}),
        attachments,
      });
    } catch (err) {
      const e = err as { responseCode?: number; code?: string; message?: string };
      const refused = typeof e.responseCode === 'number' && e.responseCode >= 500;
      this.deps.log?.('email not sent', { accountSid, messageSid, responseCode: e.responseCode, code: e.code, reason: e.message });
      // A 5xx is the relay's final word; silence and 4xx are tried again until the attempts run out.
      if (!refused && job.attempts < job.maxAttempts) throw err;
      await fail(refused ? e.responseCode! : EMAIL_UNKNOWN_ERROR);
      return;
    } finally {
      transport.close();
    }
    await storage.transaction(async (tx) => {
      if (await emailMessagesStore.has(tx, accountSid, header)) return;
      await emailMessagesStore.record(tx, {
        account_sid: accountSid,
        direction: 'outbound',
        message_id: header,
        conversation_sid: message.conversation_sid,
        message_sid: message.sid,
        subject: cipher.encrypt(subject),
        date_created: this.deps.clock.now(),
      });
    });
    await receipts.recordDelivery(accountSid, { messageSid, participantSid, status: 'sent', channelMessageSid: id });
  }
}
