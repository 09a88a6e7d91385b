/** Web chat tables (migration 009). Conventions as in schema.ts. */
export interface WebChatTables {
  wc_addresses: WcAddressesTable;
  wc_sessions: WcSessionsTable;
}

/** Parley's settings of a chat address configuration (IG); an address without a row has the defaults. */
export interface WcAddressesTable {
  account_sid: string;
  address_sid: string;
  /** JSON array: `self`, `*`, exact origins, or `https://*.example.com`. */
  allowed_origins: string;
  /** (enc) HS256 secret verifying customers' signed user tokens; null: user tokens are refused. */
  user_token_secret: string | null;
  date_created: number;
  date_updated: number;
}

/** A browser's web chat: who it is and how it proves it when its access token lapses. */
export interface WcSessionsTable {
  account_sid: string;
  conversation_sid: string;
  address_sid: string;
  service_sid: string;
  identity: string;
  /** sha256 hex of the resume secret handed to the browser once, at creation. */
  secret_hash: string;
  /** 1 when the identity came from a verified user token. */
  verified: number;
  date_created: number;
  date_updated: number;
}
