import { createHash } from 'node:crypto';
import type { Cipher } from '../../platform/crypto.js';
import type { Clock } from '../../platform/clock.js';
import type { Storage } from '../../storage/db.js';
import type { ConversationsProduct } from '../../conversations/index.js';
import { participantsStore } from '../../conversations/participants/store.js';
import { CarrierError, type MessagingCarrier } from '../messaging/carrier.js';
import type { InboundOutcome, InboundPipeline } from '../messaging/inbound.js';
import { emailMessagesStore } from './store.js';

/** An inbound email as an inbound-parse provider (SendGrid) hands it over. */
export interface ParsedEmail {
  from: string;
  /** `to`, `cc` and the SMTP envelope's recipients, as received. */
  recipients: string[];
  subject?: string;
  text?: string;
  html?: string;
  /** The raw header block. */
  headers?: string;
  attachments: Array<{ data: Buffer; contentType: string; filename?: string }>;
}

const ADDRESS = /[^\s<>,;:"'()[\]]+@[^\s<>,;:"'()[\]]+\.[^\s<>,;:"'()[\]]+/g;

/** The bare addresses of a header value (`"Ada" <ada@example.com>, bob@example.com`). */
export function addressesIn(value: string): string[] {
  return [...value.matchAll(ADDRESS)].map((m) => m[0]);
}

/** One header of a raw header block (unfolded), or undefined. */
export function headerValue(headers: string, name: string): string | undefined {
  const unfolded = headers.replace(/\r?\n[ \t]+/g, ' ');
  const re = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im');
  return re.exec(unfolded)?.[1]?.trim();
}

function messageIds(value: string | undefined): string[] {
  return value ? [...value.matchAll(/<[^<>\s]+>/g)].map((m) => m[0]) : [];
}

/** The email channel plays no carrier: inbound files arrive in the request itself. */
const EMAIL_CARRIER: MessagingCarrier = {
  provider: 'email',
  sendsFrom: async () => false,
  send: async () => {
    throw new CarrierError(0, 'email is sent by the email channel', 0);
  },
  fetchMedia: async () => {
    throw new CarrierError(0, 'email attachments arrive with the message', 0);
  },
};

/**
 * Inbound email into conversations: a reply whose In-Reply-To/References names
 * an email of an open conversation, from that conversation's customer, joins it
 * (whichever of the account's addresses it was sent to); anything else goes
 * through address auto-creation like any channel. De-duplicated by Message-ID.
 */
export class EmailInbound {
  constructor(
    private readonly deps: { storage: Storage; cipher: Cipher; clock: Clock },
    private readonly conversations: ConversationsProduct,
    private readonly pipeline: InboundPipeline,
  ) {}

  async receive(accountSid: string, email: ParsedEmail): Promise<InboundOutcome & { messageId: string }> {
    const db = this.deps.storage.db;
    const headers = email.headers ?? '';
    const from = addressesIn(email.from)[0] ?? email.from.trim();
    const body = (email.text ?? (email.html !== undefined ? htmlToText(email.html) : '')).replace(/\s+$/, '');
    const messageId =
      messageIds(headerValue(headers, 'Message-ID'))[0] ??
      `<${createHash('sha256').update([from, ...email.recipients, email.subject ?? '', body].join('\n')).digest('hex').slice(0, 32)}@parley.invalid>`;
    const dedupeKey = 'em:' + createHash('sha256').update(messageId).digest('base64url');
    const threadIds = [...messageIds(headerValue(headers, 'In-Reply-To')), ...messageIds(headerValue(headers, 'References'))];

    let to: string | undefined;
    let customer = from;
    const threaded = await emailMessagesStore.conversationOf(db, accountSid, threadIds);
    if (threaded) {
      const p = (await participantsStore.all(db, accountSid, threaded)).find((x) => x.binding_type === 'email' && x.binding_address?.toLowerCase() === from.toLowerCase() && x.binding_proxy_address !== null);
      // Only while the conversation is open: a closed one's binding no longer routes, and auto-creation starts anew.
      if (p?.open_binding_key) {
        to = p.binding_proxy_address!;
        customer = p.binding_address!;
      }
    }
    const candidates = email.recipients.flatMap(addressesIn);
    if (to === undefined) {
      for (const c of candidates) {
        if (await this.conversations.addresses.findByAddress(accountSid, 'email', c)) {
          to = c;
          break;
        }
      }
    }
    to ??= candidates[0] ?? '';
    const outcome = await this.pipeline.receive(EMAIL_CARRIER, {
      accountSid,
      channelMessageSid: dedupeKey,
      from: customer,
      to,
      ...(body !== '' ? { body } : {}),
      media: email.attachments.map((a) => ({ data: a.data, contentType: a.contentType, ...(a.filename ? { filename: a.filename } : {}) })),
    });
    if (outcome.messageSid && outcome.conversationSid) {
      await emailMessagesStore.record(db, {
        account_sid: accountSid,
        direction: 'inbound',
        message_id: messageId,
        conversation_sid: outcome.conversationSid,
        message_sid: outcome.messageSid,
        subject: email.subject !== undefined && email.subject !== '' ? this.deps.cipher.encrypt(email.subject) : null,
        date_created: this.deps.clock.now(),
      });
    }
    return { ...outcome, messageId };
  }
}

/** A plain-text reading of an HTML-only email: tags dropped, breaks kept, common entities decoded. */
function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/p>|<\/div>|<\/li>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
