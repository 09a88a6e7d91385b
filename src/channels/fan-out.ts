import type { Tx } from '../storage/db.js';
import type { Jobs } from '../events/jobs.js';
import type { Clock } from '../platform/clock.js';
import type { CommittedEvent } from '../events/outbox.js';
import { CONVERSATION_EVENT_PREFIX, type ConversationEventData } from '../conversations/hooks.js';
import { participantsStore } from '../conversations/participants/store.js';

type ParticipantRow = Awaited<ReturnType<typeof participantsStore.all>>[number];

/**
 * Durable outbox reaction shared by the channel adapters: for a new message, one
 * send job per participant the adapter carries (`carries`), never the author.
 * Jobs are keyed by message and participant, so a redelivered event adds none.
 */
export async function scheduleSends(
  deps: { jobs: Jobs; clock: Clock },
  tx: Tx,
  event: CommittedEvent,
  job: { kind: string; maxAttempts: number },
  carries: (p: ParticipantRow) => boolean,
): Promise<void> {
  if (event.type !== CONVERSATION_EVENT_PREFIX + 'onMessageAdded') return;
  const data = event.data as unknown as ConversationEventData;
  // A replay re-sends a webhook; the customer got the message long ago.
  if (data.replay || !data.conversationSid) return;
  const messageSid = data.params.MessageSid;
  if (!messageSid) return;
  const recipients = (await participantsStore.all(tx, event.accountSid, data.conversationSid)).filter(
    (p) => p.binding_address !== null && p.binding_proxy_address !== null && p.sid !== data.params.ParticipantSid && carries(p),
  );
  if (recipients.length === 0) return;
  await deps.jobs.scheduleMany(
    tx,
    recipients.map((p) => ({
      accountSid: event.accountSid,
      kind: job.kind,
      dedupeKey: `${job.kind}:${messageSid}:${p.sid}`,
      payload: { messageSid, participantSid: p.sid },
      runAt: deps.clock.now(),
      maxAttempts: job.maxAttempts,
    })),
  );
}
