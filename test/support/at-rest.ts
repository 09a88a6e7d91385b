import fs from 'node:fs';
import { sql } from 'kysely';
import type { Server } from './harness.js';

/**
 * Everything the database holds for the given tables, as one latin1 string, so a
 * test can assert that a plaintext never reached the disk. SQLite: the raw bytes
 * of the database file and its WAL. PostgreSQL: every row of the tables, binary
 * columns included.
 */
export async function storedBytes(server: Server, pgTables: string[]): Promise<string> {
  const { storage } = server.parley;
  if (storage.engine === 'sqlite') {
    const files = await sql<{ name: string; file: string }>`PRAGMA database_list`.execute(storage.db);
    const main = files.rows.find((f) => f.name === 'main')!.file;
    return [main, `${main}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f).toString('latin1')).join('\n');
  }
  const parts: string[] = [];
  for (const table of pgTables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(storage.db);
    for (const row of rows.rows) {
      for (const v of Object.values(row)) parts.push(Buffer.isBuffer(v) ? v.toString('latin1') : String(v));
    }
  }
  return parts.join('\n');
}
