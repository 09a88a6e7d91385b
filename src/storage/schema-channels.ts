import type { Generated } from 'kysely';

/** Channel adapter tables (migration 005). Conventions as in schema.ts. */
export interface ChannelTables {
  channel_carriers: ChannelCarriersTable;
  channel_inbound: ChannelInboundTable;
  simulator_messages: SimulatorMessagesTable;
  channel_email_accounts: ChannelEmailAccountsTable;
  channel_email_messages: ChannelEmailMessagesTable;
}

/** A Parley account's own carrier account (Twilio Programmable Messaging); one per account. */
export interface ChannelCarriersTable {
  account_sid: string;
  provider: string; // twilio
  /** The carrier's account SID: unique, since inbound webhooks are routed by it. */
  carrier_account_sid: string;
  auth_token: string; // (enc)
  api_url: string;
  /** The public origin the carrier reaches Parley at (status callbacks, media URLs). */
  callback_base: string | null;
  date_created: number;
  date_updated: number;
}

/** Inbound channel messages already taken in: a carrier's retry of one is answered without storing it twice. */
export interface ChannelInboundTable {
  seq: Generated<number>;
  account_sid: string;
  provider: string; // twilio | simulator
  /** Unique per account. */
  channel_message_sid: string;
  message_sid: string;
  date_created: number;
}

/** The simulated carrier's traffic: what customers' simulated phones sent and received. */
export interface SimulatorMessagesTable {
  seq: Generated<number>;
  sid: string; // SM…
  account_sid: string;
  direction: string; // inbound (phone → Parley) | outbound-api (Parley → phone)
  from_address: string;
  to_address: string;
  body: string | null; // (enc)
  /** JSON array of {sid?, service_sid?, content_type?, size?, url?}. */
  media: string;
  status: string; // queued | sent | delivered | read | failed | undelivered | received
  error_code: number | null;
  /** Outbound: whether status changes are reported back (a conversation message's receipt). */
  track: number;
  /** Inbound: what became of it. */
  conversation_sid: string | null;
  message_sid: string | null;
  date_created: number;
  date_updated: number;
}

/** An account's email channel (migration 011): its SMTP relay and the secret of its inbound webhook URL. */
export interface ChannelEmailAccountsTable {
  account_sid: string;
  smtp_url: string | null; // (enc) smtp(s)://user:pass@host:port
  inbound_token: string; // (enc)
  date_created: number;
  date_updated: number;
}

/** Message-IDs of emails sent and received, for threading replies and subjects. */
export interface ChannelEmailMessagesTable {
  seq: Generated<number>;
  account_sid: string;
  direction: string; // inbound | outbound
  /** With angle brackets, as in the header. */
  message_id: string;
  conversation_sid: string;
  message_sid: string;
  subject: string | null; // (enc)
  date_created: number;
}
