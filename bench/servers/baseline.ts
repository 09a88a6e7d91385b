// The raw baseline: a bare Fastify route doing one SQLite insert per request,
// with the same storage settings Parley uses (better-sqlite3, WAL).
import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import SQLite from 'better-sqlite3';

const dir = process.argv[2] ?? fs.mkdtempSync('/tmp/parley-bench-');
const db = new SQLite(path.join(dir, 'baseline.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, conversation TEXT NOT NULL, author TEXT, body TEXT, date_created INTEGER)');
const insert = db.prepare('INSERT INTO messages (conversation, author, body, date_created) VALUES (?, ?, ?, ?)');

const app = Fastify({ logger: false });
await app.register(formbody);
app.post('/v1/Conversations/:sid/Messages', async (req, reply) => {
  const body = req.body as { Author?: string; Body?: string };
  const info = insert.run((req.params as { sid: string }).sid, body.Author ?? 'system', body.Body ?? '', Date.now());
  reply.code(201);
  return { sid: String(info.lastInsertRowid), body: body.Body };
});
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(JSON.stringify({ port: (app.server.address() as { port: number }).port }) + '\n');
