import type { Selectable } from 'kysely';
import type { Engine, Executor } from '../storage/db.js';
import { bulkInsert } from '../storage/bulk.js';
import type { RtClientOpsTable, RtStreamEventsTable } from '../storage/schema-realtime.js';

const STREAM_EVENT_COLUMNS = ['account_sid', 'stream', 'seq', 'type', 'payload', 'occurred_at', 'created_at'] as const;
const STREAM_COLUMNS = ['account_sid', 'stream', 'last_seq'] as const;
const CLAIM_TAIL = 'on conflict ("account_sid", "stream") do update set "last_seq" = "rt_streams"."last_seq" + excluded."last_seq" returning "account_sid", "stream", "last_seq"';

export type StreamEventRow = Selectable<RtStreamEventsTable>;
export type ClientOpRow = Selectable<RtClientOpsTable>;

/** Queries of the realtime gateway. Every one is scoped by account SID. */
export const realtimeStore = {
  /**
   * Takes each stream's next `n` sequence numbers (one multi-row upsert per 300
   * streams; the row locks serialize writers); returns the last number taken,
   * keyed `account|stream`.
   */
  async claimSeqs(tx: Executor, engine: Engine, claims: Array<{ accountSid: string; stream: string; n: number }>): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    // A stable order keeps two writers from locking the same rows in opposite orders.
    const sorted = [...claims].sort((a, b) => (a.accountSid === b.accountSid ? (a.stream < b.stream ? -1 : 1) : a.accountSid < b.accountSid ? -1 : 1));
    const rows = sorted.map((c) => ({ account_sid: c.accountSid, stream: c.stream, last_seq: c.n }));
    const claimed = await bulkInsert<{ account_sid: string; stream: string; last_seq: number | string }>(tx, engine, 'rt_streams', STREAM_COLUMNS, rows, { chunk: 300, tail: CLAIM_TAIL });
    for (const r of claimed) out.set(`${r.account_sid}|${r.stream}`, Number(r.last_seq));
    return out;
  },

  async appendEvents(tx: Executor, engine: Engine, rows: StreamEventRow[]): Promise<void> {
    await bulkInsert(tx, engine, 'rt_stream_events', STREAM_EVENT_COLUMNS, rows);
  },

  async head(db: Executor, accountSid: string, stream: string): Promise<number> {
    const row = await db.selectFrom('rt_streams').select('last_seq').where('account_sid', '=', accountSid).where('stream', '=', stream).executeTakeFirst();
    return row ? Number(row.last_seq) : 0;
  },

  async heads(db: Executor, accountSid: string, streams: string[]): Promise<Array<{ stream: string; last_seq: number }>> {
    if (streams.length === 0) return [];
    return db.selectFrom('rt_streams').select(['stream', 'last_seq']).where('account_sid', '=', accountSid).where('stream', 'in', streams).execute();
  },

  /**
   * Rows of a stream holding its events after `afterSeq`, oldest first: the rows
   * numbered after it, and before them the row at or before it, which may be a
   * range reaching past it (the caller expands ranges and drops what is not after).
   */
  async read(db: Executor, accountSid: string, stream: string, afterSeq: number, limit: number): Promise<StreamEventRow[]> {
    const inStream = () => db.selectFrom('rt_stream_events').selectAll().where('account_sid', '=', accountSid).where('stream', '=', stream);
    const [before, after] = await Promise.all([inStream().where('seq', '<=', afterSeq).orderBy('seq', 'desc').limit(1).execute(), inStream().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute()]);
    return [...before, ...after];
  },

  /** Retention: drops log entries and remembered client operations older than the cutoff (every account). */
  async prune(db: Executor, cutoff: number): Promise<number> {
    const events = await db.deleteFrom('rt_stream_events').where('created_at', '<', cutoff).executeTakeFirst();
    await db.deleteFrom('rt_client_ops').where('created_at', '<', cutoff).execute();
    return Number(events.numDeletedRows);
  },

  async claimOp(db: Executor, row: ClientOpRow): Promise<boolean> {
    const r = await db
      .insertInto('rt_client_ops')
      .values(row)
      .onConflict((oc) => oc.columns(['account_sid', 'identity', 'client_id']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  },

  findOp(db: Executor, accountSid: string, identity: string, clientId: string): Promise<ClientOpRow | undefined> {
    return db.selectFrom('rt_client_ops').selectAll().where('account_sid', '=', accountSid).where('identity', '=', identity).where('client_id', '=', clientId).executeTakeFirst();
  },

  /** Takes over an abandoned pending claim; true when this caller won it. */
  async retakeOp(db: Executor, op: ClientOpRow, now: number): Promise<boolean> {
    const r = await db
      .updateTable('rt_client_ops')
      .set({ updated_at: now })
      .where('account_sid', '=', op.account_sid)
      .where('identity', '=', op.identity)
      .where('client_id', '=', op.client_id)
      .where('status', '=', 'pending')
      .where('updated_at', '=', op.updated_at)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async finishOp(db: Executor, accountSid: string, identity: string, clientId: string, result: string, now: number): Promise<void> {
    await db
      .updateTable('rt_client_ops')
      .set({ status: 'done', result, updated_at: now })
      .where('account_sid', '=', accountSid)
      .where('identity', '=', identity)
      .where('client_id', '=', clientId)
      .execute();
  },

  async releaseOp(db: Executor, accountSid: string, identity: string, clientId: string): Promise<void> {
    await db.deleteFrom('rt_client_ops').where('account_sid', '=', accountSid).where('identity', '=', identity).where('client_id', '=', clientId).where('status', '=', 'pending').execute();
  },

  conversation(db: Executor, accountSid: string, sid: string) {
    return db.selectFrom('conv_conversations').select(['sid', 'service_sid', 'state']).where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
  },

  participant(db: Executor, accountSid: string, conversationSid: string, identity: string) {
    return db.selectFrom('conv_participants').select(['sid']).where('account_sid', '=', accountSid).where('conversation_sid', '=', conversationSid).where('identity', '=', identity).executeTakeFirst();
  },

  worker(db: Executor, accountSid: string, sid: string) {
    return db.selectFrom('tr_workers').select(['sid', 'workspace_sid']).where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
  },

  workspace(db: Executor, accountSid: string, sid: string) {
    return db.selectFrom('tr_workspaces').select(['sid']).where('account_sid', '=', accountSid).where('sid', '=', sid).executeTakeFirst();
  },

  /** Workers holding (or having completed) a reservation of a task: they hear of its updates. */
  async taskWorkers(db: Executor, accountSid: string, taskSid: string): Promise<string[]> {
    const rows = await db
      .selectFrom('tr_reservations')
      .select('worker_sid')
      .where('account_sid', '=', accountSid)
      .where('task_sid', '=', taskSid)
      .where('status', 'in', ['pending', 'accepted', 'wrapping', 'completed'])
      .execute();
    return [...new Set(rows.map((r) => r.worker_sid))];
  },
};
