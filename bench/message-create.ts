/**
 * Message-create benchmark: N concurrent clients POST messages through Parley's
 * REST API, side by side (same run, same machine) with a raw baseline — a bare
 * Fastify route doing one SQLite insert. Each server runs in its own process;
 * autocannon drives both from this one. Results are appended to bench/RESULTS.md.
 *
 *   npm run bench -- [--connections 16] [--duration 10] [--no-record]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import autocannon from 'autocannon';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const connections = opt('connections', 16);
const duration = opt('duration', 10);
const record = !args.includes('--no-record');
const here = path.dirname(new URL(import.meta.url).pathname);

async function startServer(script: string): Promise<{ child: ChildProcess; info: Record<string, string | number> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'servers', script), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const rl = readline.createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, info: JSON.parse(line) as Record<string, string | number> };
}

interface Outcome {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function run(name: string, url: string, headers: Record<string, string>): Promise<Outcome> {
  let n = 0;
  const result = await autocannon({
    url,
    connections,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    requests: [{ setupRequest: (req) => ({ ...req, body: `Author=customer&Body=${encodeURIComponent(`hello number ${++n} from the benchmark`)}` }) }],
  });
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

const baseline = await startServer('baseline.ts');
const parley = await startServer('parley.ts');
try {
  const b = baseline.info;
  const p = parley.info;
  // Warm both up briefly so JIT and caches are comparable.
  await autocannon({ url: `http://127.0.0.1:${b.port}/v1/Conversations/CHwarm/Messages`, connections: 4, duration: 2, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Body=warm' });
  await autocannon({ url: `http://127.0.0.1:${p.port}/conversations/v1/Conversations/${p.conversationSid}/Messages`, connections: 4, duration: 2, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: String(p.auth) }, body: 'Body=warm' });
  const outcomes = [
    await run('baseline: bare Fastify + one SQLite insert', `http://127.0.0.1:${b.port}/v1/Conversations/CHbench/Messages`, {}),
    await run('Parley: POST /conversations/v1/Conversations/{CH}/Messages', `http://127.0.0.1:${p.port}/conversations/v1/Conversations/${p.conversationSid}/Messages`, { authorization: String(p.auth) }),
  ];
  const ratio = outcomes[1]!.rps / outcomes[0]!.rps;
  const table = [
    '| server | req/s | p50 ms | p99 ms | errors | non-2xx |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...outcomes.map((o) => `| ${o.name} | ${o.rps.toFixed(0)} | ${o.p50} | ${o.p99} | ${o.errors} | ${o.non2xx} |`),
  ].join('\n');
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
  const report = `\n## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — message create, ${connections} connections × ${duration} s\n\nMachine: ${machine}\n\n${table}\n\nParley / baseline throughput: **${ratio.toFixed(2)}×** (target ≥ 0.5×)\n`;
  process.stdout.write(report);
  if (record) fs.appendFileSync(path.join(here, 'RESULTS.md'), report);
} finally {
  baseline.child.kill();
  parley.child.kill();
}
