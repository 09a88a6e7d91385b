import fs from 'node:fs';
import { mulberry32, pick, shuffle } from '../support/random.js';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { it, expect } from 'vitest';
import twilio from 'twilio';
import { ManualClock } from '../../src/platform/clock.js';
import { parseConfig } from '../../src/platform/config.js';
import { createParley, type Parley } from '../../src/server.js';
import { dropPgSchema, type Db } from '../../src/storage/db.js';
import { describeEngines, localHttpClient, type Server } from '../support/harness.js';

/**
 * The routing invariants under concurrent load, through the real HTTP API:
 * whatever interleaving of accepts, rejects, timeouts, cancels, completes,
 * activity and capacity changes the engine sees, a task is assigned at most once
 * and no worker channel holds more work than it was offered at.
 */

const clock = new ManualClock(Date.UTC(2026, 2, 3, 9, 0, 0));
const BASE = '/taskrouter/v1/Workspaces';
const HOLDING = ['accepted', 'wrapping', 'completed'];
const LOAD = ['pending', 'accepted', 'wrapping'];
const DECISION: Record<string, string> = {
  accepted: 'reservation.accepted',
  wrapping: 'reservation.accepted',
  completed: 'reservation.accepted',
  rejected: 'reservation.rejected',
  timeout: 'reservation.timeout',
  canceled: 'reservation.canceled',
  rescinded: 'reservation.rescinded',
};

type Reply = { status: number; body: any };
type Http = (method: string, pathname: string, body?: Record<string, string>) => Promise<Reply>;
interface Node {
  http: Http;
  client: twilio.Twilio;
  parley: Parley;
}
interface Op {
  kind: string;
  key?: string;
  run: () => Promise<Reply>;
}
interface Outcome {
  kind: string;
  key?: string;
  status: number;
  body: any;
}


function serverNode(server: Server): Node {
  return { http: (m, p, b) => server.http(m, p, b), client: server.client, parley: server.parley };
}

/** Raw HTTP against one node, the way the harness does it. */
function httpAt(origin: string, accountSid: string, authToken: string): Http {
  const auth = 'Basic ' + Buffer.from(`${accountSid}:${authToken}`).toString('base64');
  return async (method, pathname, body) => {
    const res = await fetch(origin + pathname, {
      method,
      headers: { Authorization: auth, ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
      ...(body ? { body: new URLSearchParams(body).toString() } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  };
}

interface Fixture {
  ws: string;
  workflow: string;
  chat: string;
  workers: string[];
  activities: { available: string; offline: string; unavailable: string };
  /** worker → highest chat capacity ever configured, for channels whose capacity was lowered. */
  lowered: Map<string, number>;
  capacity: Map<string, number>;
}

async function setup(node: Node, o: { workers: number; tasks: number; maxReserved: number; reservationTimeout: number; rand: () => number }): Promise<Fixture> {
  const ws = await node.client.taskrouter.v1.workspaces.create({ friendlyName: `race-${randomBytes(4).toString('hex')}` });
  const w = node.client.taskrouter.v1.workspaces(ws.sid);
  const activities = await w.activities.list();
  const act = (name: string) => activities.find((a) => a.friendlyName === name)!.sid;
  const queue = await w.taskQueues.create({ friendlyName: 'Everyone', targetWorkers: '1==1', maxReservedWorkers: o.maxReserved });
  const workflow = await w.workflows.create({
    friendlyName: 'Default',
    configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.sid } } }),
    taskReservationTimeout: o.reservationTimeout,
  });
  const chat = (await w.taskChannels.list()).find((c) => c.uniqueName === 'chat')!.sid;
  const fx: Fixture = { ws: ws.sid, workflow: workflow.sid, chat, workers: [], activities: { available: act('Available'), offline: act('Offline'), unavailable: act('Unavailable') }, lowered: new Map(), capacity: new Map() };
  for (let i = 0; i < o.workers; i++) {
    const wk = await w.workers.create({ friendlyName: `agent-${i}`, activitySid: fx.activities.offline, attributes: JSON.stringify({ n: i }) });
    const capacity = 2 + Math.floor(o.rand() * 2);
    await w.workers(wk.sid).workerChannels('chat').update({ capacity });
    fx.workers.push(wk.sid);
    fx.capacity.set(wk.sid, capacity);
  }
  // Tasks arrive concurrently, and so do the agents coming online.
  const creates = Array.from({ length: o.tasks }, (_, i) => () => createTask(node, fx, i));
  const online = fx.workers.map((wk) => () => node.http('POST', `${BASE}/${fx.ws}/Workers/${wk}`, { ActivitySid: fx.activities.available }));
  const replies = await Promise.all(shuffle(o.rand, [...creates, ...online]).map((f) => f()));
  expect(replies.map((r) => r.status).filter((s) => s >= 300)).toEqual([]);
  return fx;
}

function createTask(node: Node, fx: Fixture, n: number): Promise<Reply> {
  return node.http('POST', `${BASE}/${fx.ws}/Tasks`, { WorkflowSid: fx.workflow, TaskChannel: 'chat', Attributes: JSON.stringify({ n }), Priority: String(n % 3) });
}

async function rows(db: Db, ws: string) {
  const [tasks, reservations, channels, queues] = await Promise.all([
    db.selectFrom('tr_tasks').select(['sid', 'assignment_status', 'task_queue_sid']).where('workspace_sid', '=', ws).execute(),
    db.selectFrom('tr_reservations').select(['sid', 'task_sid', 'worker_sid', 'task_channel_sid', 'status']).where('workspace_sid', '=', ws).orderBy('seq').execute(),
    db.selectFrom('tr_worker_channels').select(['worker_sid', 'task_channel_sid', 'capacity']).where('workspace_sid', '=', ws).execute(),
    db.selectFrom('tr_task_queues').select(['sid', 'max_reserved_workers']).where('workspace_sid', '=', ws).execute(),
  ]);
  return { tasks, reservations, channels, queues };
}

/** Every routing invariant that must hold once the system is quiet; returns the violations. */
async function violations(db: Db, fx: Fixture): Promise<string[]> {
  const { tasks, reservations, channels, queues } = await rows(db, fx.ws);
  const out: string[] = [];
  const byTask = new Map<string, typeof reservations>();
  for (const r of reservations) byTask.set(r.task_sid, [...(byTask.get(r.task_sid) ?? []), r]);
  const maxReserved = new Map(queues.map((q) => [q.sid, q.max_reserved_workers]));
  for (const t of tasks) {
    const rs = byTask.get(t.sid) ?? [];
    const held = rs.filter((r) => HOLDING.includes(r.status));
    const live = rs.filter((r) => r.status === 'accepted' || r.status === 'wrapping');
    const pending = rs.filter((r) => r.status === 'pending');
    if (held.length > 1) out.push(`${t.sid} (${t.assignment_status}) has ${held.length} accepted/wrapping/completed reservations`);
    if ((t.assignment_status === 'assigned' || t.assignment_status === 'wrapping') && live.length !== 1) out.push(`${t.sid} is ${t.assignment_status} with ${live.length} accepted/wrapping reservations`);
    if (t.assignment_status === 'assigned' && live[0] && live[0].status !== 'accepted') out.push(`${t.sid} is assigned but its reservation is ${live[0].status}`);
    if (t.assignment_status === 'wrapping' && live[0] && live[0].status !== 'wrapping') out.push(`${t.sid} is wrapping but its reservation is ${live[0].status}`);
    if (t.assignment_status === 'pending' && pending.length > 0) out.push(`${t.sid} is pending with ${pending.length} pending reservations`);
    if (t.assignment_status === 'reserved' && pending.length === 0) out.push(`${t.sid} is reserved without a pending reservation`);
    if ((t.assignment_status === 'canceled' || t.assignment_status === 'completed') && pending.length > 0) out.push(`${t.sid} is ${t.assignment_status} with a pending reservation`);
    if ((t.assignment_status === 'canceled' || t.assignment_status === 'pending' || t.assignment_status === 'reserved') && live.length > 0) out.push(`${t.sid} is ${t.assignment_status} with an accepted/wrapping reservation`);
    if (t.task_queue_sid && pending.length > (maxReserved.get(t.task_queue_sid) ?? 1)) out.push(`${t.sid} has ${pending.length} pending reservations, over MaxReservedWorkers`);
    const offered = pending.map((r) => r.worker_sid);
    if (new Set(offered).size !== offered.length) out.push(`${t.sid} is offered twice to one worker`);
  }
  for (const c of channels) {
    const load = reservations.filter((r) => r.worker_sid === c.worker_sid && r.task_channel_sid === c.task_channel_sid && LOAD.includes(r.status)).length;
    const highest = c.task_channel_sid === fx.chat ? fx.lowered.get(c.worker_sid) : undefined;
    // Lowering capacity leaves work already offered in place; otherwise the configured capacity holds.
    const limit = highest === undefined ? c.capacity : Math.max(highest, c.capacity);
    if (load > limit) out.push(`${c.worker_sid} holds ${load} reservations on ${c.task_channel_sid}, capacity ${c.capacity}${highest !== undefined ? ` (was up to ${highest})` : ''}`);
  }
  return out;
}

/** Each reservation that left pending did so exactly once, by the event matching its status. */
async function decisionViolations(db: Db, fx: Fixture): Promise<string[]> {
  const { reservations } = await rows(db, fx.ws);
  const events = await db.selectFrom('tr_events').select(['event_type', 'reservation_sid']).where('workspace_sid', '=', fx.ws).where('resource_type', '=', 'reservation').execute();
  const decisions = new Set(Object.values(DECISION));
  const byReservation = new Map<string, string[]>();
  for (const e of events) if (e.reservation_sid && decisions.has(e.event_type)) byReservation.set(e.reservation_sid, [...(byReservation.get(e.reservation_sid) ?? []), e.event_type]);
  const out: string[] = [];
  for (const r of reservations) {
    const got = byReservation.get(r.sid) ?? [];
    const want = r.status === 'pending' ? [] : [DECISION[r.status]];
    if (JSON.stringify(got) !== JSON.stringify(want)) out.push(`${r.sid} is ${r.status} but recorded ${JSON.stringify(got)}`);
  }
  return out;
}

/** Lets every routing pass, due job and follow-up pass run to the end, on every node. */
async function quiesce(nodes: Node[]): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await Promise.all(nodes.map((n) => n.parley.taskrouter.engine.settle()));
    for (const n of nodes) await n.parley.worker.drain();
    await Promise.all(nodes.map((n) => n.parley.taskrouter.engine.settle()));
  }
}

function accept(node: Node, fx: Fixture, r: { sid: string; task_sid: string; worker_sid: string }, viaWorker: boolean): Op {
  const p = viaWorker ? `${BASE}/${fx.ws}/Workers/${r.worker_sid}/Reservations/${r.sid}` : `${BASE}/${fx.ws}/Tasks/${r.task_sid}/Reservations/${r.sid}`;
  return { kind: 'accept', key: r.sid, run: () => node.http('POST', p, { ReservationStatus: 'accepted' }) };
}

/** One round of mixed operations, all in flight at once. */
async function mixedRound(nodes: Node[], fx: Fixture, rand: () => number, round: number): Promise<Outcome[]> {
  const db = nodes[0]!.parley.storage.db;
  const { tasks, reservations } = await rows(db, fx.ws);
  const node = () => pick(rand, nodes);
  const ops: Op[] = [];
  const pending = reservations.filter((r) => r.status === 'pending');
  for (const r of pending) {
    const x = rand();
    if (x < 0.55) {
      // Racing accepts of one reservation (and, through the loop, of its siblings).
      const copies = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < copies; i++) ops.push(accept(node(), fx, r, rand() < 0.5));
    } else if (x < 0.75) {
      const body: Record<string, string> = { ReservationStatus: 'rejected', ...(rand() < 0.3 ? { WorkerActivitySid: pick(rand, [fx.activities.offline, fx.activities.available]) } : {}) };
      ops.push({ kind: 'reject', key: r.sid, run: () => node().http('POST', `${BASE}/${fx.ws}/Tasks/${r.task_sid}/Reservations/${r.sid}`, body) });
      if (rand() < 0.3) ops.push(accept(node(), fx, r, true));
    }
  }
  // Stale decisions on reservations that are long settled: must fail cleanly.
  for (const r of shuffle(rand, reservations.filter((x) => x.status !== 'pending')).slice(0, 6)) ops.push(accept(node(), fx, r, false));
  for (const t of tasks) {
    const x = rand();
    const taskPath = `${BASE}/${fx.ws}/Tasks/${t.sid}`;
    if (t.assignment_status === 'assigned' || t.assignment_status === 'wrapping') {
      if (x < 0.35) ops.push({ kind: 'complete', run: () => node().http('POST', taskPath, { AssignmentStatus: 'completed', Reason: 'resolved' }) });
      else if (x < 0.5) ops.push({ kind: 'wrap', run: () => node().http('POST', taskPath, { AssignmentStatus: 'wrapping' }) });
      else if (x < 0.6) {
        const r = reservations.find((y) => y.task_sid === t.sid && (y.status === 'accepted' || y.status === 'wrapping'));
        if (r) ops.push({ kind: 'complete', run: () => node().http('POST', `${BASE}/${fx.ws}/Workers/${r.worker_sid}/Reservations/${r.sid}`, { ReservationStatus: 'completed' }) });
      } else if (x < 0.65) ops.push({ kind: 'cancel', run: () => node().http('POST', taskPath, { AssignmentStatus: 'canceled', Reason: 'too late' }) });
    } else if (t.assignment_status === 'pending' || t.assignment_status === 'reserved') {
      if (x < 0.08) ops.push({ kind: 'cancel', run: () => node().http('POST', taskPath, { AssignmentStatus: 'canceled', Reason: 'customer left' }) });
      else if (x < 0.12) ops.push({ kind: 'complete', run: () => node().http('POST', taskPath, { AssignmentStatus: 'completed', Reason: 'not yet' }) });
    }
  }
  for (const wk of shuffle(rand, fx.workers).slice(0, 3)) {
    const activity = pick(rand, [fx.activities.available, fx.activities.available, fx.activities.offline, fx.activities.unavailable]);
    ops.push({ kind: 'activity', run: () => node().http('POST', `${BASE}/${fx.ws}/Workers/${wk}`, { ActivitySid: activity }) });
  }
  // Everybody offline for too long starves the run: bring the others back.
  for (const wk of fx.workers) if (rand() < 0.4) ops.push({ kind: 'activity', run: () => node().http('POST', `${BASE}/${fx.ws}/Workers/${wk}`, { ActivitySid: fx.activities.available }) });
  // At most one capacity change per worker per round, so the final value is known.
  for (const wk of shuffle(rand, fx.workers).slice(0, 2)) {
    const before = fx.capacity.get(wk)!;
    const capacity = Math.floor(rand() * 4);
    if (capacity < before) fx.lowered.set(wk, Math.max(fx.lowered.get(wk) ?? 0, before));
    fx.capacity.set(wk, capacity);
    ops.push({ kind: 'capacity', run: () => node().http('POST', `${BASE}/${fx.ws}/Workers/${wk}/Channels/chat`, { Capacity: String(capacity) }) });
  }
  for (let i = 0; i < 5; i++) ops.push({ kind: 'create', run: () => createTask(node(), fx, 1000 * round + i) });
  for (let i = 0; i < 10; i++) ops.push({ kind: 'read', run: () => node().http('GET', `${BASE}/${fx.ws}/Workers/${pick(rand, fx.workers)}/Reservations?ReservationStatus=pending`) });
  return run(shuffle(rand, ops));
}

function start(ops: Op[]): Array<Promise<Outcome>> {
  return ops.map(async (op) => ({ kind: op.kind, ...(op.key ? { key: op.key } : {}), ...(await op.run()) }));
}

function run(ops: Op[]): Promise<Outcome[]> {
  return Promise.all(start(ops));
}

function expectNoServerErrors(outcomes: Outcome[]): void {
  const failures = outcomes.filter((o) => o.status >= 500).map((o) => `${o.kind} → ${o.status} ${JSON.stringify(o.body)}`);
  expect(failures).toEqual([]);
}

/** Racing accepts of one reservation: at most one wins, and the winner's reservation is accepted. */
async function expectOneWinner(db: Db, outcomes: Outcome[]): Promise<number> {
  const wins = new Map<string, number>();
  for (const o of outcomes) if (o.kind === 'accept' && o.key && o.status === 200) wins.set(o.key, (wins.get(o.key) ?? 0) + 1);
  const doubled = [...wins].filter(([, n]) => n > 1);
  expect(doubled, 'one reservation accepted twice').toEqual([]);
  if (wins.size > 0) {
    const won = await db.selectFrom('tr_reservations').select(['sid', 'task_sid', 'status']).where('sid', 'in', [...wins.keys()]).execute();
    const perTask = new Map<string, number>();
    for (const r of won) perTask.set(r.task_sid, (perTask.get(r.task_sid) ?? 0) + 1);
    expect([...perTask].filter(([, n]) => n > 1), 'two sibling reservations of one task both accepted').toEqual([]);
    expect(won.filter((r) => !HOLDING.includes(r.status)).map((r) => `${r.sid} ${r.status}`), 'a winning accept that did not stick').toEqual([]);
  }
  for (const o of outcomes) if (o.kind === 'accept' && o.status !== 200) expect(o.status, JSON.stringify(o.body)).toBe(400);
  return wins.size;
}

describeEngines(
  'TaskRouter routing under concurrency',
  (ctx, engine) => {
    it('keeps every routing invariant through rounds of racing accepts, rejects, cancels, completes and worker changes', async () => {
      const rand = mulberry32(0xc0ffee);
      const node = serverNode(ctx.server);
      const db = ctx.server.parley.storage.db;
      const fx = await setup(node, { workers: 8, tasks: 40, maxReserved: 3, reservationTimeout: 120, rand });
      await quiesce([node]);
      expect(await violations(db, fx)).toEqual([]);
      const kinds = new Map<string, number>();
      let accepted = 0;
      let total = 0;
      for (let round = 0; round < 10; round++) {
        const outcomes = await mixedRound([node], fx, rand, round);
        total += outcomes.length;
        for (const o of outcomes) if (o.status < 300) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
        expectNoServerErrors(outcomes);
        accepted += await expectOneWinner(db, outcomes);
        await quiesce([node]);
        expect(await violations(db, fx), `after round ${round}`).toEqual([]);
      }
      expect(await decisionViolations(db, fx)).toEqual([]);
      // The run must have exercised the paths it claims to.
      expect(total).toBeGreaterThan(400);
      expect(accepted).toBeGreaterThan(20);
      for (const kind of ['accept', 'reject', 'complete', 'wrap', 'cancel', 'activity', 'capacity', 'create']) expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(0);
    });

    it('resolves reservation timeouts racing accepts to exactly one outcome each', async () => {
      const rand = mulberry32(42);
      const node = serverNode(ctx.server);
      const db = ctx.server.parley.storage.db;
      const fx = await setup(node, { workers: 6, tasks: 16, maxReserved: 2, reservationTimeout: 30, rand });
      await quiesce([node]);
      let timedOut = 0;
      let won = 0;
      for (let round = 0; round < 4; round++) {
        const before = (await rows(db, fx.ws)).reservations.filter((r) => r.status === 'pending');
        expect(before.length, `round ${round} has offers to race`).toBeGreaterThan(0);
        const thirds: Array<typeof before> = [[], [], []];
        for (const r of shuffle(rand, before)) thirds[thirds.indexOf(thirds.reduce((x, y) => (y.length < x.length ? y : x)))]!.push(r);
        const [early, late] = thirds as [typeof before, typeof before, typeof before];
        // Accepts in flight when time runs out (one has landed, so accepts win some);
        // the timers fire while more accepts arrive; the last third nobody answers.
        const first = start(early.flatMap((r) => [accept(node, fx, r, false), ...(rand() < 0.5 ? [accept(node, fx, r, true)] : [])]));
        await Promise.race(first);
        clock.advance(31_000);
        const timers = ctx.server.drain();
        const second = start(late.flatMap((r) => [accept(node, fx, r, rand() < 0.5), ...(rand() < 0.3 ? [accept(node, fx, r, false)] : [])]));
        const outcomes = await Promise.all([...first, ...second]);
        await timers;
        expectNoServerErrors(outcomes);
        won += await expectOneWinner(db, outcomes);
        await quiesce([node]);
        const after = new Map((await rows(db, fx.ws)).reservations.map((r) => [r.sid, r.status]));
        for (const r of before) expect(['accepted', 'timeout', 'rescinded'], `${r.sid}`).toContain(after.get(r.sid));
        timedOut += before.filter((r) => after.get(r.sid) === 'timeout').length;
        expect(await violations(db, fx), `after round ${round}`).toEqual([]);
        expect(await decisionViolations(db, fx)).toEqual([]);
        // Free the capacity and bring the timed-out agents back for the next round.
        const { tasks } = await rows(db, fx.ws);
        const next = [
          ...tasks.filter((t) => t.assignment_status === 'assigned').map((t) => () => node.http('POST', `${BASE}/${fx.ws}/Tasks/${t.sid}`, { AssignmentStatus: 'completed', Reason: 'done' })),
          ...fx.workers.map((wk) => () => node.http('POST', `${BASE}/${fx.ws}/Workers/${wk}`, { ActivitySid: fx.activities.available })),
          ...Array.from({ length: 4 }, (_, i) => () => createTask(node, fx, 100 * round + i)),
        ];
        expectNoServerErrors((await Promise.all(shuffle(rand, next).map((f) => f()))).map((r) => ({ kind: 'reset', ...r })));
        await quiesce([node]);
        expect(await violations(db, fx), `after reset ${round}`).toEqual([]);
      }
      // Both sides of the race must have won sometimes.
      expect(timedOut).toBeGreaterThan(0);
      expect(won).toBeGreaterThan(0);
    });

    // Two nodes need one shared PostgreSQL schema; an embedded SQLite file belongs to one process.
    if (engine === 'postgres') it('never double-assigns with two Parley nodes on one PostgreSQL schema', async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-two-nodes-'));
      const pgSchema = `t_${randomBytes(6).toString('hex')}`;
      const pgUrl = process.env.DATABASE_URL!;
      // Same DATA_DIR: the second node reads the master key the first generated; same schema: same rows.
      const config = parseConfig({ DATA_DIR: dataDir, DATABASE_URL: pgUrl, PARLEY_WORKER_POLL_MS: '20' });
      const parleys: Parley[] = [];
      try {
        for (let i = 0; i < 2; i++) parleys.push(await createParley(config, { logger: false, pgSchema, startWorker: false }));
        const nodes: Node[] = [];
        for (const p of parleys) {
          await p.app.listen({ port: 0, host: '127.0.0.1' });
          const origin = `http://127.0.0.1:${(p.app.server.address() as { port: number }).port}`;
          expect(p.account.sid).toBe(parleys[0]!.account.sid);
          nodes.push({ parley: p, http: httpAt(origin, p.account.sid, p.account.authToken), client: twilio(p.account.sid, p.account.authToken, { httpClient: localHttpClient(origin) }) });
        }
        const rand = mulberry32(7);
        const db = parleys[0]!.storage.db;
        const fx = await setup(nodes[0]!, { workers: 8, tasks: 32, maxReserved: 3, reservationTimeout: 120, rand });
        await quiesce(nodes);
        let won = 0;
        for (let round = 0; round < 5; round++) {
          const { reservations, tasks } = await rows(db, fx.ws);
          const ops: Op[] = [];
          // Every offer accepted at both nodes at once; siblings race through the same loop.
          for (const r of reservations.filter((x) => x.status === 'pending')) ops.push(accept(nodes[0]!, fx, r, rand() < 0.5), accept(nodes[1]!, fx, r, rand() < 0.5));
          for (const task of tasks.filter((x) => x.assignment_status === 'assigned' && rand() < 0.5)) {
            ops.push({ kind: 'complete', run: () => pick(rand, nodes).http('POST', `${BASE}/${fx.ws}/Tasks/${task.sid}`, { AssignmentStatus: 'completed', Reason: 'done' }) });
          }
          for (let i = 0; i < 6; i++) ops.push({ kind: 'create', run: () => createTask(nodes[i % 2]!, fx, 100 * round + i) });
          for (const wk of shuffle(rand, fx.workers).slice(0, 2)) ops.push({ kind: 'activity', run: () => pick(rand, nodes).http('POST', `${BASE}/${fx.ws}/Workers/${wk}`, { ActivitySid: pick(rand, [fx.activities.available, fx.activities.unavailable]) }) });
          const outcomes = await run(shuffle(rand, ops));
          expectNoServerErrors(outcomes);
          won += await expectOneWinner(db, outcomes);
          await quiesce(nodes);
          expect(await violations(db, fx), `after round ${round}`).toEqual([]);
        }
        expect(await decisionViolations(db, fx)).toEqual([]);
        expect(won).toBeGreaterThan(10);
      } finally {
        for (const p of parleys) await p.close();
        await dropPgSchema(pgUrl, pgSchema);
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  },
  { clock, startWorker: false },
);
