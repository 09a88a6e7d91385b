import type { Selectable } from 'kysely';
import { Errors } from '../../platform/errors.js';
import type { Executor } from '../../storage/db.js';
import type { ConvParticipantsTable } from '../../storage/schema.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';
import type { ActionSource, ConversationsDeps } from '../deps.js';
import { conversationsStore, type ConversationRow } from '../conversation/store.js';
import type { UsersService } from './service.js';
import type { UserRow } from './store.js';

type ParticipantRow = Selectable<ConvParticipantsTable>;

export const NOTIFICATION_LEVELS = ['default', 'muted'] as const;
export type NotificationLevel = (typeof NOTIFICATION_LEVELS)[number];

/**
 * A User's view of one conversation it takes part in. It has no table of its own:
 * it is the chat participant whose identity is the user's, joined with its conversation.
 */
export interface UserConversation {
  user: UserRow;
  participant: ParticipantRow;
  conversation: ConversationRow;
  /** Conversation attributes, decrypted. */
  attributes: string;
}

/** The Participants system's removal (kept to this one call so the modules stay decoupled). */
export interface ParticipantRemover {
  delete(actor: ActionSource, serviceSid: string, conversation: string, participantSid: string): Promise<void>;
}

export interface UserConversationInput {
  notificationLevel?: NotificationLevel;
  lastReadTimestamp?: number;
  lastReadMessageIndex?: number;
}

const participants = {
  ofIdentity(db: Executor, accountSid: string, serviceSid: string, identity: string, w: KeysetWindow): Promise<ParticipantRow[]> {
    return keyset(db.selectFrom('conv_participants').selectAll().where('account_sid', '=', accountSid).where('service_sid', '=', serviceSid).where('identity', '=', identity), w).execute();
  },
  inConversation(db: Executor, accountSid: string, conversationSid: string, identity: string): Promise<ParticipantRow | undefined> {
    return db.selectFrom('conv_participants').selectAll().where('account_sid', '=', accountSid).where('conversation_sid', '=', conversationSid).where('identity', '=', identity).executeTakeFirst();
  },
};

export class UserConversationsService {
  constructor(
    private readonly deps: ConversationsDeps,
    private readonly users: UsersService,
    private readonly participants: ParticipantRemover,
  ) {}

  async list(accountSid: string, serviceSid: string, userSidOrIdentity: string, w: KeysetWindow): Promise<Array<UserConversation & { seq: number }>> {
    const db = this.deps.storage.db;
    const user = await this.users.find(accountSid, serviceSid, userSidOrIdentity);
    const rows = await participants.ofIdentity(db, accountSid, serviceSid, user.identity, w);
    if (rows.length === 0) return [];
    const conversations = await db
      .selectFrom('conv_conversations')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('sid', 'in', rows.map((p) => p.conversation_sid))
      .execute();
    const bySid = new Map(conversations.map((c) => [c.sid, c]));
    return rows.flatMap((p) => {
      const c = bySid.get(p.conversation_sid);
      return c ? [{ ...this.view(user, p, c), seq: p.seq }] : [];
    });
  }

  async get(accountSid: string, serviceSid: string, userSidOrIdentity: string, conversation: string): Promise<UserConversation> {
    const user = await this.users.find(accountSid, serviceSid, userSidOrIdentity);
    return this.load(this.deps.storage.db, user, serviceSid, conversation);
  }

  async update(accountSid: string, serviceSid: string, userSidOrIdentity: string, conversation: string, input: UserConversationInput): Promise<UserConversation> {
    const user = await this.users.find(accountSid, serviceSid, userSidOrIdentity);
    const current = await this.load(this.deps.storage.db, user, serviceSid, conversation);
    const now = this.deps.clock.now();
    await this.deps.storage.transaction(async (tx) => {
      await tx
        .updateTable('conv_participants')
        .set({
          ...(input.notificationLevel !== undefined ? { notification_level: input.notificationLevel } : {}),
          ...(input.lastReadMessageIndex !== undefined ? { last_read_message_index: input.lastReadMessageIndex } : {}),
          // Moving the read horizon stamps it, as a participant update does, unless a time is given.
          ...(input.lastReadTimestamp !== undefined ? { last_read_timestamp: input.lastReadTimestamp } : input.lastReadMessageIndex !== undefined ? { last_read_timestamp: now } : {}),
          date_updated: now,
        })
        .where('account_sid', '=', accountSid)
        .where('sid', '=', current.participant.sid)
        .execute();
    });
    return this.load(this.deps.storage.db, user, serviceSid, current.conversation.sid);
  }

  /** Leaves the conversation: the same removal (hooks, events) as deleting the participant. */
  async delete(actor: ActionSource, serviceSid: string, userSidOrIdentity: string, conversation: string): Promise<void> {
    const user = await this.users.find(actor.accountSid, serviceSid, userSidOrIdentity);
    const current = await this.load(this.deps.storage.db, user, serviceSid, conversation);
    await this.participants.delete(actor, serviceSid, current.conversation.sid, current.participant.sid);
  }

  private async load(db: Executor, user: UserRow, serviceSid: string, conversation: string): Promise<UserConversation> {
    const c = await conversationsStore.find(db, user.account_sid, serviceSid, conversation);
    const p = c ? await participants.inConversation(db, user.account_sid, c.sid, user.identity) : undefined;
    if (!c || !p) throw Errors.notFound(`/Users/${user.sid}/Conversations/${conversation}`);
    return this.view(user, p, c);
  }

  private view(user: UserRow, participant: ParticipantRow, conversation: ConversationRow): UserConversation {
    return { user, participant, conversation, attributes: this.deps.cipher.decrypt(conversation.attributes) };
  }
}

/** Messages after the participant's read horizon; null until the participant has read anything. */
export function unreadCount(uc: UserConversation): number | null {
  const read = uc.participant.last_read_message_index;
  if (read === null) return null;
  return Math.max(0, uc.conversation.last_message_index - read);
}
