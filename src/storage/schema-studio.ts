import type { Generated } from 'kysely';

/** Studio v2 tables (migration 003). Conventions as in schema.ts. */
export interface StudioTables {
  studio_flows: StudioFlowsTable;
  studio_flow_revisions: StudioFlowRevisionsTable;
  studio_executions: StudioExecutionsTable;
  studio_steps: StudioStepsTable;
}

export interface StudioFlowsTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  friendly_name: string;
  status: string; // draft | published (of the latest revision)
  /** Latest revision number; every write adds one. */
  revision: number;
  /** The revision executions run (the latest valid published one), null until one exists. */
  published_revision: number | null;
  definition: string; // (enc) JSON
  commit_message: string | null;
  valid: number;
  errors: string; // JSON array
  warnings: string; // JSON array
  test_users: string; // (enc) JSON array of identities / addresses
  date_created: number;
  date_updated: number;
}

/** Revisions share their flow's SID; (flow_sid, revision) is the key. */
export interface StudioFlowRevisionsTable {
  seq: Generated<number>;
  account_sid: string;
  flow_sid: string;
  revision: number;
  friendly_name: string;
  status: string;
  definition: string; // (enc) JSON
  commit_message: string | null;
  valid: number;
  errors: string; // JSON array
  warnings: string; // JSON array
  date_created: number;
  date_updated: number;
}

export interface StudioExecutionsTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  flow_sid: string;
  flow_revision: number;
  contact_sid: string;
  contact_address: string;
  /** flow.channel.address: the number or address the flow speaks from. */
  channel_address: string | null;
  status: string; // active | ended
  initiated_by: string;
  /** The trigger event that started it: incomingRequest | incomingMessage | incomingConversationMessage. */
  trigger: string;
  conversation_sid: string | null;
  conversation_service_sid: string | null;
  /** The widget the engine runs next; null while waiting or once ended. */
  next_widget: string | null;
  /** The widget that sent and waits for a reply, with the token its timeout job carries. */
  waiting_widget: string | null;
  wait_token: string | null;
  /** The widget and event that led to next_widget / waiting_widget (a step's transitioned_from). */
  last_widget: string | null;
  step_count: number;
  context: string; // (enc) JSON
  /** Optimistic concurrency: every engine write bumps it. */
  version: number;
  date_created: number;
  date_updated: number;
}

export interface StudioStepsTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  flow_sid: string;
  execution_sid: string;
  parent_step_sid: string | null;
  /** The event that caused the transition. */
  name: string;
  type: string;
  transitioned_from: string;
  transitioned_to: string;
  context: string; // (enc) JSON
  date_created: number;
  date_updated: number;
}
