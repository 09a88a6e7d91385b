import type { Generated } from 'kysely';

/** Supervision tables (migration 010). Conventions as in schema.ts. */
export interface SupervisionTables {
  sv_whispers: SvWhispersTable;
}

/** A whisper: a note on a conversation for its agents and supervisors only (never a Conversations message). */
export interface SvWhispersTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  conversation_sid: string;
  /** The author's chat identity (what the agent desktop shows and matches against participants). */
  author_identity: string;
  author_agent_sid: string;
  author_role: string;
  body: string; // (enc)
  date_created: number;
}
