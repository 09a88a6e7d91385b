import { isoDate } from '../../platform/clock.js';
import type { Scope } from '../scope.js';
import { renderConversation } from '../conversation/routes.js';
import type { Participant, ParticipantConversation } from './service.js';
import type { ParticipantRow } from './store.js';

/**
 * Twilio's messaging_binding: null for a chat participant, `{type, projected_address}`
 * for a chat participant in group MMS, `{type, address, proxy_address}` otherwise
 * (proxy_address left out when the participant has none, as in group MMS).
 */
export function messagingBinding(r: ParticipantRow): Record<string, string> | null {
  if (r.binding_address !== null) {
    return { type: r.binding_type ?? 'sms', address: r.binding_address, ...(r.binding_proxy_address !== null ? { proxy_address: r.binding_proxy_address } : {}) };
  }
  if (r.binding_projected_address !== null) return { type: r.binding_type ?? 'sms', projected_address: r.binding_projected_address };
  return null;
}

export function renderParticipant(p: Participant, scope: Scope): Record<string, unknown> {
  const r = p.row;
  return {
    account_sid: r.account_sid,
    chat_service_sid: r.service_sid,
    conversation_sid: r.conversation_sid,
    sid: r.sid,
    identity: r.identity,
    attributes: p.attributes,
    messaging_binding: messagingBinding(r),
    role_sid: r.role_sid,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    url: `${scope.base}/Conversations/${r.conversation_sid}/Participants/${r.sid}`,
    last_read_message_index: r.last_read_message_index,
    last_read_timestamp: isoDate(r.last_read_timestamp),
  };
}

export function renderParticipantConversation(pc: ParticipantConversation, scope: Scope): Record<string, unknown> {
  const p = pc.participant;
  const c = pc.conversation.row;
  const conversationUrl = `${scope.base}/Conversations/${c.sid}`;
  return {
    account_sid: p.account_sid,
    chat_service_sid: p.service_sid,
    participant_sid: p.sid,
    participant_user_sid: pc.userSid,
    participant_identity: p.identity,
    participant_messaging_binding: messagingBinding(p),
    conversation_sid: c.sid,
    conversation_unique_name: c.unique_name,
    conversation_friendly_name: c.friendly_name,
    conversation_attributes: pc.conversation.attributes,
    conversation_date_created: isoDate(c.date_created),
    conversation_date_updated: isoDate(c.date_updated),
    conversation_created_by: c.created_by,
    conversation_state: c.state,
    conversation_timers: renderConversation(pc.conversation, scope).timers,
    links: {
      participant: `${conversationUrl}/Participants/${p.sid}`,
      conversation: conversationUrl,
    },
  };
}
