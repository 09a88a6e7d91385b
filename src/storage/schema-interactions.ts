import type { Generated } from 'kysely';

/** Flex Interactions tables (migration 004). Conventions as in schema.ts. */
export interface InteractionsTables {
  fx_interactions: FxInteractionsTable;
  fx_channels: FxChannelsTable;
  fx_participants: FxParticipantsTable;
  fx_invites: FxInvitesTable;
  fx_transfers: FxTransfersTable;
}

interface Base {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  date_created: number;
  date_updated: number;
}

export interface FxInteractionsTable extends Base {
  channel: string; // (enc) the Channel JSON as given
  routing: string; // (enc) the routing rendered at creation: {reservation, properties{…task…}}
  interaction_context_sid: string | null;
  webhook_ttid: string | null;
}

export interface FxChannelsTable extends Base {
  interaction_sid: string;
  type: string;
  status: string; // setup | active | failed | closed | inactive
  error_code: number | null;
  error_message: string | null;
  initiated_by: string; // customer | agent | api
  conversation_sid: string;
  service_sid: string;
  workspace_sid: string;
  /** (enc) Routing.properties of the interaction without worker targeting: a reactivated channel routes with it. */
  routing: string;
}

export interface FxParticipantsTable extends Base {
  interaction_sid: string;
  channel_sid: string;
  type: string; // supervisor | customer | external | agent | unknown
  status: string; // active | wrapup | closed
  media_properties: string; // (enc) JSON
  routing_properties: string | null; // JSON {task_sid, worker_sid, reservation_sid}
  /** The Conversations participant (MB) this one put in the conversation, while it is there. */
  conversation_participant_sid: string | null;
  task_sid: string | null;
  worker_sid: string | null;
  /** Unique: an accepted reservation adds its agent once, however often the job runs. */
  reservation_sid: string | null;
}

/** Every task of a channel comes from an invite: the interaction's first routing, POST /Invites, or a transfer. */
export interface FxInvitesTable extends Base {
  interaction_sid: string;
  channel_sid: string;
  workspace_sid: string;
  task_sid: string | null;
  transfer_sid: string | null;
  routing: string; // (enc) {reservation, properties{…task…}} as rendered at creation
}

export interface FxTransfersTable extends Base {
  interaction_sid: string;
  channel_sid: string;
  type: string; // warm | cold
  status: string; // active | failed | completed
  from_participant_sid: string;
  to_sid: string;
  /** The transferring agent's task (moved to wrapping by a completed cold transfer). */
  from_task_sid: string | null;
  task_sid: string | null;
  note_sid: string | null;
  summary_sid: string | null;
}
