import { Errors, TwilioError } from '../platform/errors.js';
import { flexSource, type InteractionsDeps, type Products } from './deps.js';
import { interactionsStore, type ChannelRow, type ParticipantRow } from './store.js';

/** What a channel participant is in the conversation: a chat identity or a messaging binding. */
export interface Media {
  identity?: string;
  address?: string;
  proxyAddress?: string;
  /** With an identity: the name the customer sees for it (an agent's `full_name`). */
  friendlyName?: string;
}

/**
 * Who is in a channel's conversation. Channel participants put Conversations
 * participants in and take them out; both directions tolerate the work having
 * been done already, since the jobs that call them may run more than once.
 */
export class Membership {
  constructor(
    private readonly deps: InteractionsDeps,
    private readonly products: Products,
  ) {}

  /**
   * The conversation participant for this identity or binding: the one already
   * there, else a new one. Undefined when the conversation is closed (or gone).
   */
  async join(channel: ChannelRow, media: Media): Promise<string | undefined> {
    const { participants, conversations } = this.products.conversations;
    const actor = flexSource(channel.account_sid);
    const conv = await conversations.get(channel.account_sid, channel.service_sid, channel.conversation_sid).catch(notFoundAsUndefined);
    if (!conv || conv.row.state === 'closed') return undefined;
    const existing = async () => {
      if (media.identity !== undefined) return participants.byIdentity(channel.account_sid, channel.conversation_sid, media.identity);
      const all = await participants.allOf(channel.account_sid, channel.conversation_sid);
      return all.find((p) => p.binding_address === media.address && (media.proxyAddress === undefined || p.binding_proxy_address === media.proxyAddress));
    };
    const found = await existing();
    let sid = found?.sid;
    if (sid === undefined) {
      try {
        const p = await participants.create(actor, channel.service_sid, channel.conversation_sid, {
          ...(media.identity !== undefined ? { identity: media.identity } : {}),
          ...(media.address !== undefined ? { address: media.address } : {}),
          ...(media.proxyAddress !== undefined ? { proxyAddress: media.proxyAddress } : {}),
          ...(media.identity !== undefined && media.friendlyName !== undefined ? { attributes: JSON.stringify({ friendlyName: media.friendlyName }) } : {}),
        });
        sid = p.row.sid;
      } catch (err) {
        // Another run of the same job got there first.
        if (err instanceof TwilioError && err.code === 50433) sid = (await existing())?.sid;
        else if (err instanceof TwilioError && err.code === 50377) return undefined;
        else throw err;
      }
    }
    if (sid !== undefined && media.identity !== undefined && media.friendlyName !== undefined) await this.name(channel, media.identity, media.friendlyName);
    return sid;
  }

  /**
   * Names the identity's Conversations User, as Flex names an agent's: chat
   * clients (Twilio's web chat app) show a participant by its user's friendly
   * name. The participant's attributes carry it too (set as it is created):
   * a live participant event tells a client nothing about the user behind it,
   * and a client reading the user at once may do so before this rename commits.
   */
  private async name(channel: ChannelRow, identity: string, friendlyName: string): Promise<void> {
    const { users } = this.products.conversations;
    const user = await users.find(channel.account_sid, channel.service_sid, identity).catch(notFoundAsUndefined);
    if (!user || user.friendly_name === friendlyName) return;
    await users.update(flexSource(channel.account_sid), channel.service_sid, user.sid, { friendlyName });
  }

  /**
   * Takes a channel participant's conversation participant out, unless another
   * active channel participant still stands for the same person (an agent
   * invited twice), or the conversation is closed (its transcript keeps everyone).
   */
  async leave(channel: ChannelRow, p: ParticipantRow): Promise<void> {
    const memberSid = p.conversation_participant_sid;
    if (!memberSid) return;
    const db = this.deps.storage.db;
    const others = (await interactionsStore.allParticipants(db, channel.account_sid, channel.sid)).filter((o) => o.sid !== p.sid && o.status === 'active' && o.conversation_participant_sid === memberSid);
    const { participants, conversations } = this.products.conversations;
    const conv = await conversations.get(channel.account_sid, channel.service_sid, channel.conversation_sid).catch(notFoundAsUndefined);
    if (others.length === 0 && conv && conv.row.state !== 'closed') {
      await participants.delete(flexSource(channel.account_sid), channel.service_sid, channel.conversation_sid, memberSid).catch(notFoundAsUndefined);
    }
    await interactionsStore.updateParticipant(db, channel.account_sid, p.sid, { conversation_participant_sid: null, date_updated: this.deps.clock.now() });
  }

  /** Closes the conversation (Flex closes the media channel with the interaction channel). */
  async closeConversation(channel: ChannelRow): Promise<void> {
    const { conversations } = this.products.conversations;
    const conv = await conversations.get(channel.account_sid, channel.service_sid, channel.conversation_sid).catch(notFoundAsUndefined);
    if (!conv || conv.row.state === 'closed') return;
    try {
      await conversations.update(flexSource(channel.account_sid), channel.service_sid, channel.conversation_sid, { state: 'closed' });
    } catch (err) {
      if (!(err instanceof TwilioError && err.code === 50377)) throw err;
    }
  }
}

export function notFoundAsUndefined(err: unknown): undefined {
  if (err instanceof TwilioError && err.code === 20404) return undefined;
  throw err;
}

export function channelOpen(channel: ChannelRow): void {
  if (channel.status === 'closed' || channel.status === 'failed') throw Errors.flexChannelNotOpen(channel.sid, channel.status);
}
