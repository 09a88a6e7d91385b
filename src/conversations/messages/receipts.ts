import { Errors } from '../../platform/errors.js';
import { isoDate } from '../../platform/clock.js';
import { newSid, SidPrefix } from '../../platform/sid.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { ActionSource, ConversationsDeps } from '../deps.js';
import type { ConversationHooks } from '../hooks.js';
import type { ConversationsService } from '../conversation/service.js';
import { messagesStore, receiptsStore, type ReceiptRow } from './store.js';
import { participantsStore } from '../participants/store.js';

export const DELIVERY_STATUSES = ['sent', 'delivered', 'read', 'failed', 'undelivered'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
type Amount = 'all' | 'some' | 'none';

/** Message `delivery`: how many non-chat recipients reached each state. */
export interface DeliverySummary {
  total: number;
  sent: Amount;
  delivered: Amount;
  read: Amount;
  failed: Amount;
  undelivered: Amount;
}

/**
 * States are cumulative along the happy path: a read message was delivered and a
 * delivered one was sent, so a receipt at `read` counts towards all three.
 */
const REACHED: Record<DeliveryStatus, DeliveryStatus[]> = {
  sent: ['sent', 'delivered', 'read'],
  delivered: ['delivered', 'read'],
  read: ['read'],
  failed: ['failed'],
  undelivered: ['undelivered'],
};

export function summarize(counts: Partial<Record<string, number>>): DeliverySummary {
  const total = Object.values(counts).reduce<number>((a, n) => a + (n ?? 0), 0);
  const amount = (status: DeliveryStatus): Amount => {
    const n = REACHED[status].reduce((a, s) => a + (counts[s] ?? 0), 0);
    return n === 0 ? 'none' : n === total ? 'all' : 'some';
  };
  return { total, sent: amount('sent'), delivered: amount('delivered'), read: amount('read'), failed: amount('failed'), undelivered: amount('undelivered') };
}

export interface DeliveryReport {
  messageSid: string;
  participantSid: string;
  status: DeliveryStatus;
  errorCode?: number | null;
  channelMessageSid?: string | null;
  /**
   * Carriers report out of order and more than once: with this set, a report that
   * would move the receipt backwards (delivered after read) or repeats it changes
   * nothing and emits no event.
   */
  advanceOnly?: boolean;
}

/** How far along a receipt is; terminal failures rank with delivered. */
const PROGRESS: Record<DeliveryStatus, number> = { sent: 1, delivered: 2, failed: 2, undelivered: 2, read: 3 };

/** Whether a report moves a receipt on (see DeliveryReport.advanceOnly). */
export function advances(current: { status: string; error_code: number | null }, status: DeliveryStatus, errorCode: number | null): boolean {
  const from = PROGRESS[current.status as DeliveryStatus] ?? 0;
  if (PROGRESS[status] < from) return false;
  return !(current.status === status && current.error_code === errorCode);
}

/** Delivery receipts: one per (message, non-chat participant), reported by channel adapters. */
export class DeliveryReceiptsService {
  constructor(
    private readonly deps: ConversationsDeps,
    private readonly conversations: ConversationsService,
    private readonly hooks: ConversationHooks,
  ) {}

  async list(accountSid: string, serviceSid: string, conversation: string, messageSid: string, w: KeysetWindow): Promise<ReceiptRow[]> {
    const message = await this.message(accountSid, serviceSid, conversation, messageSid);
    return receiptsStore.list(this.deps.storage.db, accountSid, message, w);
  }

  async get(accountSid: string, serviceSid: string, conversation: string, messageSid: string, sid: string): Promise<ReceiptRow> {
    const message = await this.message(accountSid, serviceSid, conversation, messageSid);
    const row = await receiptsStore.find(this.deps.storage.db, accountSid, message, sid);
    if (!row) throw Errors.notFound(`/Conversations/${conversation}/Messages/${messageSid}/Receipts/${sid}`);
    return row;
  }

  /**
   * Records what a channel reported for one recipient of a message: creates or
   * updates that participant's receipt (which moves the message's delivery
   * summary) and emits onDeliveryUpdated, in one transaction.
   */
  async recordDelivery(accountSid: string, report: DeliveryReport): Promise<ReceiptRow> {
    if (!(DELIVERY_STATUSES as readonly string[]).includes(report.status)) throw Errors.invalidParameter(`Status must be one of ${DELIVERY_STATUSES.join(', ')}`);
    const { storage, clock } = this.deps;
    // Channel reports are system actions: service-level webhooks fire as for SDK activity.
    const actor: ActionSource = { accountSid, source: 'API', webhooksEnabled: true };
    const row = await storage.transaction(async (tx) => {
      // Serializes reports for one message so two first reports cannot both insert.
      const message = await messagesStore.bySid(tx, accountSid, report.messageSid, storage.engine === 'postgres');
      if (!message) throw Errors.notFound(`/Messages/${report.messageSid}`);
      if ((await participantsStore.find(tx, accountSid, message.conversation_sid, report.participantSid))?.sid !== report.participantSid) {
        throw Errors.invalidParameter(`Participant ${report.participantSid} is not in conversation ${message.conversation_sid}`);
      }
      const now = clock.now();
      const existing = await receiptsStore.byParticipant(tx, accountSid, message.sid, report.participantSid);
      if (existing && report.advanceOnly && !advances(existing, report.status, report.errorCode ?? null)) return existing;
      let sid: string;
      if (existing) {
        sid = existing.sid;
        await receiptsStore.update(tx, accountSid, sid, {
          status: report.status,
          error_code: report.errorCode ?? null,
          channel_message_sid: report.channelMessageSid ?? existing.channel_message_sid,
          date_updated: now,
        });
      } else {
        sid = newSid(SidPrefix.DeliveryReceipt);
        await receiptsStore.insert(tx, {
          sid,
          account_sid: accountSid,
          service_sid: message.service_sid,
          conversation_sid: message.conversation_sid,
          message_sid: message.sid,
          participant_sid: report.participantSid,
          channel_message_sid: report.channelMessageSid ?? null,
          status: report.status,
          error_code: report.errorCode ?? null,
          date_created: now,
          date_updated: now,
        });
      }
      const stored = (await receiptsStore.find(tx, accountSid, message.sid, sid))!;
      await this.hooks.post(tx, actor, {
        event: 'onDeliveryUpdated',
        serviceSid: message.service_sid,
        conversationSid: message.conversation_sid,
        params: {
          ConversationSid: stored.conversation_sid,
          ChatServiceSid: stored.service_sid,
          MessageSid: stored.message_sid,
          DeliveryReceiptSid: stored.sid,
          ChannelMessageSid: stored.channel_message_sid ?? undefined,
          ParticipantSid: stored.participant_sid,
          Status: stored.status,
          ErrorCode: stored.error_code !== null ? String(stored.error_code) : undefined,
          DateCreated: isoDate(stored.date_created)!,
          DateUpdated: isoDate(stored.date_updated)!,
        },
      });
      return stored;
    });
    this.deps.outbox.committed();
    return row;
  }

  /** Resolves the message a receipt URL names; returns its SID. */
  private async message(accountSid: string, serviceSid: string, conversation: string, messageSid: string): Promise<string> {
    const c = await this.conversations.get(accountSid, serviceSid, conversation);
    const m = await messagesStore.find(this.deps.storage.db, accountSid, c.row.sid, messageSid);
    if (!m) throw Errors.notFound(`/Conversations/${conversation}/Messages/${messageSid}`);
    return m.sid;
  }
}
