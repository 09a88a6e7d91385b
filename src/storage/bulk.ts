import { CompiledQuery } from 'kysely';
import type { Engine, Executor } from './db.js';

const statements = new Map<string, string>();

/**
 * A multi-row INSERT compiled by hand: Kysely's builder parses and freezes every
 * value of every row, which for the hot paths (routing events, outbox entries,
 * the realtime log) cost more than running the statement. Column names come from
 * code, never from input; values are always bound parameters.
 */
export async function bulkInsert(db: Executor, engine: Engine, table: string, columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>, chunk = 200): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const key = `${engine}|${table}|${columns.join(',')}|${part.length}`;
    let text = statements.get(key);
    if (!text) {
      let n = 0;
      const tuple = () => `(${columns.map(() => (engine === 'postgres' ? `$${++n}` : '?')).join(', ')})`;
      text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${part.map(tuple).join(', ')}`;
      statements.set(key, text);
    }
    const params: unknown[] = [];
    for (const row of part) for (const c of columns) params.push(row[c] ?? null);
    await db.executeQuery(CompiledQuery.raw(text, params));
  }
}
