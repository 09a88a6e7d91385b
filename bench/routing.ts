/**
 * Routing benchmark: task created → reservation offered, on embedded SQLite.
 * For each shape (workers × queues) a workspace gets that many workers, each
 * with one skill, one queue per skill (`skill == 'sN'`) and a workflow with one
 * filter per skill. Tasks with a random skill are created by C concurrent
 * callers through the TaskRouter service (the same code the REST route calls);
 * a task counts as routed once it holds a reservation. Reported: p50/p99 of
 * create→offered and tasks routed per second, beside a raw baseline in the same
 * run: one indexed SQLite select of a free worker + one reservation insert.
 *
 *   npm run bench:routing -- [--shapes 1000x100,10000x1000] [--tasks 2000] [--concurrency 16 | --rate R] [--warmup N] [--no-record] [--profile out.cpuprofile]
 *
 * --concurrency C (closed loop): C callers, each creating its next task when the last returned.
 * --rate R (open loop): task n is due at n/R seconds whatever happened to the others; its latency
 *   counts from when it was due.
 * --warmup N leaves the first N tasks' latencies out of p50/p99 (they still count as routed).
 *
 * Dispatch (event callbacks, the realtime log, Flex orchestration) runs interleaved with routing, as
 * in a server: the outbox worker yields between batches and routing lanes between passes. Reported
 * beside the rates: the process's CPU time per task (main thread, GC and the checkpointer thread).
 *
 * --profile records a CPU profile of the routed phase only (not the set-up).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import SQLite from 'better-sqlite3';
import { parseConfig } from '../src/platform/config.js';
import { createParley, type Parley } from '../src/server.js';
import type { Actor } from '../src/taskrouter/deps.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const shapes = arg('shapes', '1000x100,1000x1000,10000x100,10000x1000').split(',').map((s) => s.split('x').map(Number) as [number, number]);
const taskCount = Number(arg('tasks', '2000'));
const concurrency = Number(arg('concurrency', '16'));
const warmup = Number(arg('warmup', '0'));
const rate = Number(arg('rate', '0'));
const record = !args.includes('--no-record');
const profileOut = args.includes('--profile') ? arg('profile', 'routing.cpuprofile') : undefined;
const here = path.dirname(new URL(import.meta.url).pathname);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function runParley(workers: number, queues: number): Promise<{ p50: number; p99: number; rate: number; routed: number; setupS: number; cpuMsPerTask: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-routing-bench-'));
  const parley: Parley = await createParley(parseConfig({ DATA_DIR: dir, LOG_LEVEL: 'error' }), { logger: false });
  const tr = parley.taskrouter;
  const actor: Actor = { type: 'account', sid: parley.account.sid, source: 'API' };
  const setupStart = performance.now();
  const view = await tr.workspaces.create(actor, parley.account.sid, { friendlyName: 'bench' });
  const ws = view.row;
  const available = [...(await parley.storage.db.selectFrom('tr_activities').selectAll().where('workspace_sid', '=', ws.sid).execute())].find((a) => a.friendly_name === 'Available')!;
  const queueSids: string[] = [];
  for (let q = 0; q < queues; q++) queueSids.push((await tr.taskQueues.create(actor, ws, { friendlyName: `q${q}`, targetWorkers: `skill == 's${q}'` })).row.sid);
  const configuration = JSON.stringify({ task_routing: { filters: queueSids.map((sid, q) => ({ filter_friendly_name: `s${q}`, expression: `skill == 's${q}'`, targets: [{ queue: sid }] })) } });
  await tr.workflows.create(actor, ws, { friendlyName: 'skills', configuration });
  for (let w = 0; w < workers; w++) {
    await tr.workers.create(actor, ws, { friendlyName: `w${w}`, activitySid: available.sid, attributes: JSON.stringify({ skill: `s${w % queues}`, level: w % 10 }) });
  }
  await tr.engine.settle();
  const setupS = (performance.now() - setupStart) / 1000;
  // As a REST request would: the workspace as it stands now.
  const current = await tr.workspaces.get(parley.account.sid, ws.sid);

  const latencies: number[] = [];
  let next = 0;
  let routed = 0;
  const profiler = profileOut ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  /** Creates task n; its latency counts from `since` (when it was due, under --rate). */
  const createTask = async (n: number, since: number) => {
    const task = await tr.tasks.create(actor, current, { attributes: JSON.stringify({ skill: `s${n % queues}` }), taskChannel: 'chat' });
    if (task.row.assignment_status === 'reserved') {
      routed += 1;
      // The first tasks warm the JIT and the caches: their latencies are not steady state.
      if (n >= warmup) latencies.push(performance.now() - since);
    }
  };
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  if (rate > 0) {
    // Open loop: task n is due at started + n/rate whatever happened to the others,
    // and its latency counts from then, so a late generator is no excuse.
    const inFlight: Array<Promise<void>> = [];
    while (next < taskCount) {
      const now = performance.now();
      while (next < taskCount && started + (next * 1000) / rate <= now) {
        const n = next++;
        inFlight.push(createTask(n, started + (n * 1000) / rate));
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(inFlight);
  } else {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < taskCount) {
          const n = next++;
          await createTask(n, performance.now());
        }
      }),
    );
  }
  const elapsedS = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMsPerTask = (cpu.user + cpu.system) / 1000 / taskCount;
  // Dispatch ran alongside; what is left of it when the last task was offered:
  const drainStart = performance.now();
  await parley.worker.drain();
  const drainS = (performance.now() - drainStart) / 1000;
  process.stderr.write(`  outbox drained ${drainS.toFixed(2)} s after the last offer\n`);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    fs.writeFileSync(profileOut!, JSON.stringify(profile));
    profiler.disconnect();
  }
  await parley.close();
  fs.rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), rate: routed / elapsedS, routed, setupS, cpuMsPerTask };
}

/** The least routing can cost per task here: find one free worker by index, insert one reservation. */
function runBaseline(workers: number, queues: number): { p50: number; p99: number; rate: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-routing-base-'));
  const db = new SQLite(path.join(dir, 'base.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE workers (sid TEXT PRIMARY KEY, skill TEXT, load INTEGER, capacity INTEGER, idle_since INTEGER); CREATE INDEX w_skill ON workers (skill, load, idle_since);');
  db.exec('CREATE TABLE reservations (seq INTEGER PRIMARY KEY AUTOINCREMENT, task TEXT, worker TEXT, status TEXT, created INTEGER)');
  const ins = db.prepare('INSERT INTO workers VALUES (?, ?, 0, 1, ?)');
  db.transaction(() => {
    for (let w = 0; w < workers; w++) ins.run(`w${w}`, `s${w % queues}`, w);
  })();
  const pick = db.prepare('SELECT sid FROM workers WHERE skill = ? AND load < capacity ORDER BY idle_since LIMIT 1');
  const reserve = db.prepare('INSERT INTO reservations (task, worker, status, created) VALUES (?, ?, ?, ?)');
  const bump = db.prepare('UPDATE workers SET load = load + 1 WHERE sid = ?');
  const offer = db.transaction((task: string, skill: string) => {
    const w = pick.get(skill) as { sid: string } | undefined;
    if (!w) return false;
    reserve.run(task, w.sid, 'pending', Date.now());
    bump.run(w.sid);
    return true;
  });
  const latencies: number[] = [];
  const started = performance.now();
  let routed = 0;
  for (let n = 0; n < taskCount; n++) {
    const t0 = performance.now();
    if (offer(`t${n}`, `s${n % queues}`)) {
      routed += 1;
      latencies.push(performance.now() - t0);
    }
  }
  const elapsedS = (performance.now() - started) / 1000;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), rate: routed / elapsedS };
}

const rows: string[] = [];
for (const [workers, queues] of shapes) {
  const base = runBaseline(workers, queues);
  const p = await runParley(workers, queues);
  process.stderr.write(`${workers} workers × ${queues} queues: parley p50 ${p.p50.toFixed(2)} ms p99 ${p.p99.toFixed(2)} ms ${p.rate.toFixed(0)} tasks/s, ${p.cpuMsPerTask.toFixed(2)} ms CPU/task (routed ${p.routed}, setup ${p.setupS.toFixed(1)} s); baseline ${base.rate.toFixed(0)} tasks/s\n`);
  rows.push(`| ${workers} | ${queues} | ${p.p50.toFixed(2)} | ${p.p99.toFixed(2)} | ${p.rate.toFixed(0)} | ${p.cpuMsPerTask.toFixed(2)} | ${p.routed}/${taskCount} | ${base.p50.toFixed(3)} | ${base.p99.toFixed(3)} | ${base.rate.toFixed(0)} |`);
}
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const report = `\n## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — routing, ${taskCount} tasks, ${rate > 0 ? `open loop at ${rate} tasks/s` : `${concurrency} concurrent callers`}, dispatch included, SQLite\n\nMachine: ${machine}\n\n| workers | queues | p50 ms | p99 ms | tasks/s | CPU ms/task | routed | baseline p50 ms | baseline p99 ms | baseline tasks/s |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n${rows.join('\n')}\n\nTarget: p99 ≤ 10 ms and ≥ 2,000 tasks/s at 10,000 workers.\n`;
process.stdout.write(report);
if (record) fs.appendFileSync(path.join(here, 'RESULTS.md'), report);
