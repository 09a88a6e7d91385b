/** Realtime gateway tables (migration 006). Conventions as in schema.ts. */
export interface RealtimeTables {
  rt_streams: RtStreamsTable;
  rt_stream_events: RtStreamEventsTable;
  rt_client_ops: RtClientOpsTable;
}

/** The head of each stream: its last issued sequence number (kept after its events are pruned). */
export interface RtStreamsTable {
  account_sid: string;
  /** conversation:<CH>, worker:<WK> or workspace:<WS>. */
  stream: string;
  last_seq: number;
}

/** The retained event log of every stream: gapless seq per stream, pruned by age. */
export interface RtStreamEventsTable {
  account_sid: string;
  stream: string;
  seq: number;
  type: string;
  payload: string; // (enc) JSON of the frame's data
  /** When the outbox event was committed (the frame's date). */
  occurred_at: number;
  /** When the event entered the log (retention is measured from here). */
  created_at: number;
}

/** Client operations by (account, identity, client id): a retried `send` is answered, not redone. */
export interface RtClientOpsTable {
  account_sid: string;
  identity: string;
  client_id: string;
  action: string;
  status: string; // pending | done
  result: string | null; // JSON ack body
  created_at: number;
  updated_at: number;
}
