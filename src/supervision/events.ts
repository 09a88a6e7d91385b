/**
 * Supervision events. They travel the outbox like every domain event, so they
 * reach the realtime gateway only once committed, but no Conversations handler
 * knows them: they never become webhooks, carrier sends or Studio triggers.
 * The gateway routes them to the conversation's stream (ConversationSid) and
 * delivers them to staff subscribers only (see realtime/access.ts).
 */
export const SUPERVISION_EVENT_PREFIX = 'supervision.';
export const WHISPER_EVENT = `${SUPERVISION_EVENT_PREFIX}whisper`;

/** The event's data is the realtime frame's data as is. */
export interface WhisperEventData {
  [key: string]: unknown;
  EventType: 'onWhisperAdded';
  AccountSid: string;
  ConversationSid: string;
  WhisperSid: string;
  Body: string;
  Author: string;
  AuthorRole: string;
  DateCreated: string;
}
