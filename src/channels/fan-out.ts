import type { Tx } from '../storage/db.js';
import type { Jobs } from '../events/jobs.js';
import type { Clock } from '../platform/clock.js';
import type { CommittedEvent } from '../events/outbox.js';
import { CONVERSATION_EVENT_PREFIX, type ConversationEventData } from '../conversations/hooks.js';
import { participantsStore } from '../conversations/participants/store.js';

type ParticipantRow = Awaited<ReturnType<typeof participantsStore.all>>[number];

/** How one adapter sends: its job kind, and which participants it carries. */
export interface SendRoute {
  kind: string;
  maxAttempts: number;
  carries(p: ParticipantRow): boolean;
}

/**
 * The channels' durable outbox reaction: for a new message, one send job per
 * participant an adapter carries (the first route that does), never the author.
 * The participants are read once for every adapter. Jobs are keyed by message
 * and participant, so a redelivered event adds none.
 */
export async function scheduleSends(deps: { jobs: Jobs; clock: Clock }, tx: Tx, event: CommittedEvent, routes: readonly SendRoute[]): Promise<void> {
  if (event.type !== CONVERSATION_EVENT_PREFIX + 'onMessageAdded') return;
  const data = event.data as unknown as ConversationEventData;
  // A replay re-sends a webhook; the customer got the message long ago.
  if (data.replay || !data.conversationSid) return;
  const messageSid = data.params.MessageSid;
  if (!messageSid) return;
  const jobs = [];
  for (const p of await participantsStore.all(tx, event.accountSid, data.conversationSid)) {
    if (p.binding_address === null || p.binding_proxy_address === null || p.sid === data.params.ParticipantSid) continue;
    const route = routes.find((r) => r.carries(p));
    if (!route) continue;
    jobs.push({ accountSid: event.accountSid, kind: route.kind, dedupeKey: `${route.kind}:${messageSid}:${p.sid}`, payload: { messageSid, participantSid: p.sid }, runAt: deps.clock.now(), maxAttempts: route.maxAttempts });
  }
  if (jobs.length > 0) await deps.jobs.scheduleMany(tx, jobs);
}
