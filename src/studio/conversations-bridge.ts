import type { ConversationsProduct } from '../conversations/index.js';
import type { ConversationRef, ConversationsPort } from './ports.js';

/** The author of messages Studio posts; Studio ignores its own messages by it. */
export const STUDIO_AUTHOR = 'system';

/** ConversationsPort over the in-process Conversations product. */
export function conversationsPort(conversations: ConversationsProduct): ConversationsPort {
  const actor = (accountSid: string) => ({ accountSid, source: 'API' as const, webhooksEnabled: true });
  return {
    async postMessage(ref: ConversationRef, body: string) {
      const m = await conversations.messages.create(actor(ref.accountSid), ref.serviceSid, ref.conversationSid, { author: STUDIO_AUTHOR, body });
      return { sid: m.row.sid, index: m.row.idx, author: m.row.author };
    },
    async studioFlowOf(tx, accountSid, conversationSid) {
      const hook = await tx
        .selectFrom('conv_webhooks')
        .select('flow_sid')
        .where('account_sid', '=', accountSid)
        .where('conversation_sid', '=', conversationSid)
        .where('target', '=', 'studio')
        .orderBy('seq')
        .executeTakeFirst();
      return hook?.flow_sid ?? undefined;
    },
    async proxyAddressOf(tx, accountSid, participantSid) {
      const p = await tx.selectFrom('conv_participants').select('binding_proxy_address').where('account_sid', '=', accountSid).where('sid', '=', participantSid).executeTakeFirst();
      return p?.binding_proxy_address ?? undefined;
    },
    async detachStudio(ref: ConversationRef) {
      const hooks = await conversations.deps.storage.db
        .selectFrom('conv_webhooks')
        .select('sid')
        .where('account_sid', '=', ref.accountSid)
        .where('conversation_sid', '=', ref.conversationSid)
        .where('target', '=', 'studio')
        .execute();
      for (const h of hooks) await conversations.scopedWebhooks.delete(ref.accountSid, ref.serviceSid, ref.conversationSid, h.sid);
    },
  };
}
