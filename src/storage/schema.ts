import type { Generated } from 'kysely';
import type { TaskRouterTables } from './schema-taskrouter.js';
import type { InteractionsTables } from './schema-interactions.js';
import type { StudioTables } from './schema-studio.js';
import type { RealtimeTables } from './schema-realtime.js';
import type { ChannelTables } from './schema-channels.js';
import type { AgentsTables } from './schema-agents.js';
import type { WebChatTables } from './schema-webchat.js';
import type { SupervisionTables } from './schema-supervision.js';

/**
 * The one schema shared by SQLite and PostgreSQL.
 * Conventions: `seq` is an engine-assigned ascending key used for keyset paging;
 * dates are epoch milliseconds (bigint); booleans are 0/1 integers; JSON is text.
 * Columns marked (enc) hold AES-256-GCM ciphertext from platform/crypto.
 * Every tenant row carries account_sid and every query filters by it.
 */
export interface Database extends TaskRouterTables, StudioTables, RealtimeTables, InteractionsTables, ChannelTables, AgentsTables, WebChatTables, SupervisionTables {
  settings: SettingsTable;
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  outbox: OutboxTable;
  jobs: JobsTable;
  conv_configuration: ConvConfigurationTable;
  conv_services: ConvServicesTable;
  conv_conversations: ConvConversationsTable;
  conv_participants: ConvParticipantsTable;
  conv_messages: ConvMessagesTable;
  conv_receipts: ConvReceiptsTable;
  conv_webhooks: ConvWebhooksTable;
  conv_users: ConvUsersTable;
  conv_roles: ConvRolesTable;
  conv_credentials: ConvCredentialsTable;
  conv_bindings: ConvBindingsTable;
  conv_addresses: ConvAddressesTable;
  media: MediaTable;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface AccountsTable {
  seq: Generated<number>;
  sid: string;
  /** Equal to sid: every table carries account_sid. */
  account_sid: string;
  owner_account_sid: string;
  friendly_name: string;
  auth_token: string; // (enc)
  status: string; // active | suspended | closed
  type: string; // Full | Trial
  date_created: number;
  date_updated: number;
}

export interface ApiKeysTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  friendly_name: string;
  secret: string; // (enc) kept recoverable: access tokens are HS256-signed with it
  date_created: number;
  date_updated: number;
}

export interface OutboxTable {
  seq: Generated<number>;
  account_sid: string;
  type: string;
  payload: string; // (enc) JSON
  created_at: number;
  dispatched_at: number | null;
}

export interface JobsTable {
  seq: Generated<number>;
  account_sid: string;
  kind: string;
  /** Unique when set: a timer or delivery that must exist at most once (re-arming replaces it). */
  dedupe_key: string | null;
  payload: string; // (enc) JSON
  run_at: number;
  attempts: number;
  max_attempts: number;
  locked_until: number | null;
  status: string; // pending | done | failed
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface ConvConfigurationTable {
  account_sid: string;
  default_chat_service_sid: string;
  default_messaging_service_sid: string | null;
  default_inactive_timer: string | null;
  default_closed_timer: string | null;
  webhook_method: string;
  webhook_filters: string; // JSON array
  pre_webhook_url: string | null;
  post_webhook_url: string | null;
  webhook_target: string; // webhook | flex
  date_updated: number;
}

export interface ConvServicesTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  friendly_name: string;
  default_conversation_creator_role_sid: string | null;
  default_conversation_role_sid: string | null;
  default_chat_service_role_sid: string | null;
  reachability_enabled: number;
  webhook_method: string;
  webhook_filters: string; // JSON array
  pre_webhook_url: string | null;
  post_webhook_url: string | null;
  notifications: string; // JSON object
  date_created: number;
  date_updated: number;
}

export interface ConvConversationsTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  service_sid: string;
  messaging_service_sid: string | null;
  friendly_name: string | null;
  unique_name: string | null;
  attributes: string; // (enc)
  state: string; // initializing | active | inactive | closed
  timer_inactive: string | null; // ISO 8601 duration as given
  timer_closed: string | null;
  date_inactive: number | null; // when the inactive timer fires
  date_closed: number | null; // when the closed timer fires
  bindings: string | null; // JSON
  last_message_index: number; // -1 before the first message
  created_by: string | null;
  date_created: number;
  date_updated: number;
}

export interface ConvParticipantsTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  service_sid: string;
  conversation_sid: string;
  identity: string | null;
  attributes: string; // (enc)
  binding_type: string | null; // sms | whatsapp | messenger | email | gbm | rcs | ...
  binding_address: string | null;
  binding_proxy_address: string | null;
  binding_projected_address: string | null;
  /** Set while the conversation is not closed: unique per account, enforces "one open conversation per address+proxy". */
  open_binding_key: string | null;
  role_sid: string | null;
  last_read_message_index: number | null;
  last_read_timestamp: number | null;
  notification_level: string; // default | muted
  date_created: number;
  date_updated: number;
}

export interface ConvMessagesTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  service_sid: string;
  conversation_sid: string;
  idx: number;
  author: string;
  body: string | null; // (enc)
  attributes: string; // (enc)
  participant_sid: string | null;
  media: string | null; // JSON array of {sid,size,content_type,filename}
  subject: string | null; // (enc)
  content_sid: string | null;
  content_variables: string | null; // (enc)
  date_created: number;
  date_updated: number | null;
}

export interface ConvReceiptsTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  service_sid: string;
  conversation_sid: string;
  message_sid: string;
  participant_sid: string;
  channel_message_sid: string | null;
  status: string; // sent | delivered | read | failed | undelivered
  error_code: number | null;
  date_created: number;
  date_updated: number;
}

export interface ConvWebhooksTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  service_sid: string;
  conversation_sid: string;
  target: string; // webhook | trigger | studio
  url: string | null;
  method: string;
  filters: string; // JSON array
  triggers: string; // JSON array
  flow_sid: string | null;
  replay_after: number | null;
  date_created: number;
  date_updated: number;
}

export interface ConvUsersTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  service_sid: string;
  identity: string;
  friendly_name: string | null;
  attributes: string; // (enc)
  role_sid: string | null;
  is_online: number | null;
  is_notifiable: number | null;
  date_created: number;
  date_updated: number;
}

export interface ConvRolesTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  service_sid: string;
  friendly_name: string;
  type: string; // conversation | service
  permissions: string; // JSON array
  date_created: number;
  date_updated: number;
}

export interface ConvCredentialsTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  type: string; // apn | gcm | fcm
  friendly_name: string | null;
  sandbox: number;
  secrets: string; // (enc) JSON {certificate, private_key, api_key, secret}
  date_created: number;
  date_updated: number;
}

export interface ConvBindingsTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  service_sid: string;
  credential_sid: string;
  endpoint: string;
  identity: string;
  binding_type: string; // apn | gcm | fcm | twilsock
  message_types: string; // JSON array
  date_created: number;
  date_updated: number;
}

export interface ConvAddressesTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  type: string;
  address: string;
  friendly_name: string | null;
  address_country: string | null;
  auto_creation: string; // JSON object
  date_created: number;
  date_updated: number;
}

export interface MediaTable {
  seq: Generated<number>;
  sid: string;
  account_sid: string;
  service_sid: string;
  content_type: string;
  filename: string | null;
  size: number;
  data: Buffer; // (enc) raw ciphertext bytes
  author: string | null;
  message_sid: string | null;
  date_created: number;
}
