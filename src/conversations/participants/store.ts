import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../storage/db.js';
import type { ConvParticipantsTable, ConvRolesTable, ConvUsersTable } from '../../storage/schema.js';
import { keyset, type KeysetWindow } from '../../storage/keyset.js';
import type { ConversationRow } from '../conversation/store.js';

export type ParticipantRow = Selectable<ConvParticipantsTable>;
export type UserRow = Selectable<ConvUsersTable>;
export type RoleRow = Selectable<ConvRolesTable>;

/** Who a ParticipantConversations listing is about. */
export type ParticipantMatch = { identity: string } | { address: string };

export const participantsStore = {
  /** By MB SID or identity, within one conversation. */
  find(db: Executor, accountSid: string, conversationSid: string, sidOrIdentity: string): Promise<ParticipantRow | undefined> {
    const q = db.selectFrom('conv_participants').selectAll().where('account_sid', '=', accountSid).where('conversation_sid', '=', conversationSid);
    return (/^MB[0-9a-fA-F]{32}$/.test(sidOrIdentity) ? q.where('sid', '=', sidOrIdentity) : q.where('identity', '=', sidOrIdentity)).executeTakeFirst();
  },
  byIdentity(db: Executor, accountSid: string, conversationSid: string, identity: string): Promise<ParticipantRow | undefined> {
    return db.selectFrom('conv_participants').selectAll().where('account_sid', '=', accountSid).where('conversation_sid', '=', conversationSid).where('identity', '=', identity).executeTakeFirst();
  },
  byOpenBinding(db: Executor, accountSid: string, key: string): Promise<ParticipantRow | undefined> {
    return db.selectFrom('conv_participants').selectAll().where('account_sid', '=', accountSid).where('open_binding_key', '=', key).executeTakeFirst();
  },
  list(db: Executor, accountSid: string, conversationSid: string, w: KeysetWindow): Promise<ParticipantRow[]> {
    return keyset(db.selectFrom('conv_participants').selectAll().where('account_sid', '=', accountSid).where('conversation_sid', '=', conversationSid), w).execute();
  },
  all(db: Executor, accountSid: string, conversationSid: string): Promise<ParticipantRow[]> {
    return db.selectFrom('conv_participants').selectAll().where('account_sid', '=', accountSid).where('conversation_sid', '=', conversationSid).orderBy('seq').execute();
  },
  /** Participant counts of a conversation: all, and those bound to a non-chat address. */
  async counts(db: Executor, accountSid: string, conversationSid: string): Promise<{ total: number; nonChat: number }> {
    const rows = await db
      .selectFrom('conv_participants')
      .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.count<number>('binding_address').as('non_chat')])
      .where('account_sid', '=', accountSid)
      .where('conversation_sid', '=', conversationSid)
      .executeTakeFirstOrThrow();
    return { total: Number(rows.total), nonChat: Number(rows.non_chat) };
  },
  /** The participants matching an identity or an address across a service, in seq order. */
  matching(db: Executor, accountSid: string, serviceSid: string, match: ParticipantMatch, w: KeysetWindow): Promise<ParticipantRow[]> {
    const q = db.selectFrom('conv_participants').selectAll().where('account_sid', '=', accountSid).where('service_sid', '=', serviceSid);
    return keyset('identity' in match ? q.where('identity', '=', match.identity) : q.where('binding_address', '=', match.address), w).execute();
  },
  async insert(db: Executor, row: Insertable<ConvParticipantsTable>): Promise<void> {
    await db.insertInto('conv_participants').values(row).execute();
  },
  async update(db: Executor, accountSid: string, sid: string, patch: Updateable<ConvParticipantsTable>): Promise<void> {
    await db.updateTable('conv_participants').set(patch).where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  async delete(db: Executor, accountSid: string, sid: string): Promise<void> {
    await db.deleteFrom('conv_participants').where('account_sid', '=', accountSid).where('sid', '=', sid).execute();
  },
  conversationsBySid(db: Executor, accountSid: string, sids: string[]): Promise<ConversationRow[]> {
    if (sids.length === 0) return Promise.resolve([]);
    return db.selectFrom('conv_conversations').selectAll().where('account_sid', '=', accountSid).where('sid', 'in', sids).execute();
  },
  usersByIdentity(db: Executor, accountSid: string, serviceSid: string, identities: string[]): Promise<Array<Pick<UserRow, 'sid' | 'identity'>>> {
    if (identities.length === 0) return Promise.resolve([]);
    return db.selectFrom('conv_users').select(['sid', 'identity']).where('account_sid', '=', accountSid).where('service_sid', '=', serviceSid).where('identity', 'in', identities).execute();
  },
  role(db: Executor, accountSid: string, serviceSid: string, sid: string): Promise<RoleRow | undefined> {
    return db.selectFrom('conv_roles').selectAll().where('account_sid', '=', accountSid).where('service_sid', '=', serviceSid).where('sid', '=', sid).executeTakeFirst();
  },
};
