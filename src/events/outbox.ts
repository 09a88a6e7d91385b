import type { Executor } from '../storage/db.js';
import type { Cipher } from '../platform/crypto.js';
import type { Clock } from '../platform/clock.js';

/**
 * A domain event, written to the outbox in the same transaction as the state
 * change it describes. Only committed events ever reach subscribers.
 */
export interface DomainEvent<T = Record<string, unknown>> {
  type: string;
  accountSid: string;
  data: T;
}

export interface CommittedEvent<T = Record<string, unknown>> extends DomainEvent<T> {
  seq: number;
  createdAt: number;
}

export class Outbox {
  constructor(
    private readonly cipher: Cipher,
    private readonly clock: Clock,
    /** Poked after a commit so the dispatcher runs now rather than at its next poll. */
    private readonly onWrite: () => void = () => {},
  ) {}

  /** Writes events inside the caller's transaction. */
  async write(tx: Executor, events: DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const now = this.clock.now();
    await tx
      .insertInto('outbox')
      .values(events.map((e) => ({ account_sid: e.accountSid, type: e.type, payload: this.cipher.encrypt(JSON.stringify(e.data)), created_at: now, dispatched_at: null })))
      .execute();
  }

  /** Call after the transaction that wrote events has committed. */
  committed(): void {
    this.onWrite();
  }

  decode(row: { seq: number; account_sid: string; type: string; payload: string; created_at: number }): CommittedEvent {
    return { seq: row.seq, accountSid: row.account_sid, type: row.type, data: JSON.parse(this.cipher.decrypt(row.payload)) as Record<string, unknown>, createdAt: row.created_at };
  }
}
