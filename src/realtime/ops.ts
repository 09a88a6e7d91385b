import type { Storage } from '../storage/db.js';
import type { Clock } from '../platform/clock.js';
import { isoDate } from '../platform/clock.js';
import { Errors, TwilioError } from '../platform/errors.js';
import type { ActionSource } from '../conversations/deps.js';
import type { MessagesService } from '../conversations/messages/service.js';
import type { ParticipantsService } from '../conversations/participants/service.js';
import type { AccessClaims } from './tokens.js';
import type { SendFrame } from './protocol.js';
import { authorizeWrite } from './access.js';
import { realtimeStore } from './store.js';
import { stream } from './streams.js';

/** A pending claim untouched this long belongs to a process that died mid-operation: it may be redone. */
const ABANDONED_MS = 30_000;
const WAIT_STEP_MS = 25;
const WAIT_MAX_MS = 10_000;

export interface ClientOpsDeps {
  storage: Storage;
  clock: Clock;
  messages: Pick<MessagesService, 'create'>;
  participants: Pick<ParticipantsService, 'update'>;
  /** Fans a typing indicator out to the conversation's subscribers on every node. */
  typing(accountSid: string, streamName: string, frame: Record<string, unknown>, exceptIdentity: string): void;
}

type Ack = Record<string, unknown>;

/**
 * Operations clients send over the socket. Each carries a client id; the first
 * attempt claims (account, identity, client id) durably, runs, and stores its
 * answer, so a retry after a reconnect (on any node) gets the same answer instead
 * of a second message. Writes go through the Conversations services as SDK
 * actions of the token's identity, so pre- and post-action webhooks fire exactly
 * as they do for Twilio's SDKs.
 */
export class ClientOps {
  constructor(private readonly deps: ClientOpsDeps) {}

  async handle(claims: AccessClaims, frame: SendFrame): Promise<Ack | undefined> {
    if (frame.action === 'typing') {
      try {
        const { participantSid } = await authorizeWrite(this.deps.storage.db, claims, frame.conversationSid);
        const name = stream.conversation(frame.conversationSid);
        this.deps.typing(claims.accountSid, name, { op: 'typing', stream: name, identity: claims.identity, participantSid }, claims.identity);
        return frame.clientId !== undefined ? { op: 'ack', clientId: frame.clientId, result: {} } : undefined;
      } catch (err) {
        return frame.clientId !== undefined ? { op: 'ack', clientId: frame.clientId, error: errorBody(err) } : { op: 'error', ...errorBody(err) };
      }
    }
    return this.once(claims, frame.clientId, frame.action, () => this.run(claims, frame));
  }

  private async run(claims: AccessClaims, frame: Exclude<SendFrame, { action: 'typing' }>): Promise<Record<string, unknown>> {
    const { serviceSid, participantSid } = await authorizeWrite(this.deps.storage.db, claims, frame.conversationSid);
    const actor: ActionSource = { accountSid: claims.accountSid, source: 'SDK', webhooksEnabled: true, clientIdentity: claims.identity };
    if (frame.action === 'message.create') {
      const m = await this.deps.messages.create(actor, serviceSid, frame.conversationSid, {
        author: claims.identity,
        ...(frame.body !== undefined ? { body: frame.body } : {}),
        ...(frame.attributes !== undefined ? { attributes: frame.attributes } : {}),
        ...(frame.mediaSid !== undefined ? { mediaSid: frame.mediaSid } : {}),
      });
      return { messageSid: m.row.sid, conversationSid: m.row.conversation_sid, index: m.row.idx, dateCreated: isoDate(m.row.date_created) };
    }
    const p = await this.deps.participants.update(actor, serviceSid, frame.conversationSid, participantSid, { lastReadMessageIndex: frame.index });
    return { participantSid: p.row.sid, conversationSid: p.row.conversation_sid, lastReadMessageIndex: p.row.last_read_message_index };
  }

  private async once(claims: AccessClaims, clientId: string, action: string, run: () => Promise<Record<string, unknown>>): Promise<Ack> {
    const { storage, clock } = this.deps;
    const db = storage.db;
    const key = [claims.accountSid, claims.identity, clientId] as const;
    const now = clock.now();
    let claimed = false;
    for (let attempt = 0; attempt < 3 && !claimed; attempt++) {
      claimed = await realtimeStore.claimOp(db, { account_sid: key[0], identity: key[1], client_id: key[2], action, status: 'pending', result: null, created_at: now, updated_at: now });
      if (claimed) break;
      const settled = await this.awaitSettled(...key);
      if (!settled) continue; // the other attempt failed without a verdict and let go: claim again
      if (settled.status === 'done') return { op: 'ack', clientId, ...(JSON.parse(settled.result ?? '{}') as object), replayed: true };
      claimed = clock.now() - settled.updated_at > ABANDONED_MS && (await realtimeStore.retakeOp(db, settled, clock.now()));
      if (!claimed) return { op: 'ack', clientId, error: errorBody(Errors.invalidParameter(`Operation ${clientId} is still in progress; retry later`)) };
    }
    if (!claimed) return { op: 'ack', clientId, error: errorBody(Errors.internal()) };
    let answer: { result: Record<string, unknown> } | { error: Record<string, unknown> };
    try {
      answer = { result: await run() };
    } catch (err) {
      if (!(err instanceof TwilioError)) {
        // Not a verdict on the request (storage down…): forget the claim so a retry runs it again.
        await realtimeStore.releaseOp(db, ...key).catch(() => {});
        return { op: 'ack', clientId, error: errorBody(err) };
      }
      answer = { error: errorBody(err) };
    }
    await realtimeStore.finishOp(db, ...key, JSON.stringify(answer), clock.now());
    return { op: 'ack', clientId, ...answer };
  }

  /** A concurrent attempt (another connection, another node) holds the claim: wait for its answer. */
  private async awaitSettled(accountSid: string, identity: string, clientId: string) {
    const end = Date.now() + WAIT_MAX_MS;
    for (;;) {
      const op = await realtimeStore.findOp(this.deps.storage.db, accountSid, identity, clientId);
      if (!op) return undefined;
      if (op.status === 'done' || Date.now() > end || this.deps.clock.now() - op.updated_at > ABANDONED_MS) return op;
      await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
    }
  }
}

export function errorBody(err: unknown): Record<string, unknown> {
  const e = err instanceof TwilioError ? err : Errors.internal();
  return { code: e.code, status: e.status, message: e.message };
}
