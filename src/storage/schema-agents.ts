import type { Generated } from 'kysely';

/** Agent accounts and their browser sessions (migration 008). Conventions as in schema.ts. */
export interface AgentsTables {
  agents: AgentsTable;
  agent_sessions: AgentSessionsTable;
}

export interface AgentsTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  /** As given; unique per account case-insensitively (through username_key). */
  username: string;
  username_key: string;
  friendly_name: string;
  role: string; // agent | supervisor | admin
  workspace_sid: string;
  worker_sid: string | null;
  /** `scrypt$N$r$p$<salt b64>$<hash b64>`: the parameters travel with the hash so they can be raised later. */
  password_hash: string;
  date_created: number;
  date_updated: number;
}

/** A logged-in browser: only the SHA-256 of the cookie's token is kept. */
export interface AgentSessionsTable {
  token_hash: string;
  account_sid: string;
  agent_sid: string;
  created_at: number;
  /** Absolute end (created_at + 12 h). */
  expires_at: number;
  /** Idle expiry is measured from here (refreshed at most once a minute). */
  last_seen_at: number;
}
