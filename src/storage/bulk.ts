import { CompiledQuery } from 'kysely';
import type { Engine, Executor } from './db.js';

/*
 * Statements compiled by hand, for the hot paths only (a routing pass, dispatch,
 * the realtime log). Kysely's builder parses and freezes every value of every
 * row and compiles the tree again on every call; for these statements that cost
 * more than running them. Table and column names come from code, never from
 * input; values are always bound parameters. Everything else uses the builder.
 */

const numbered = new Map<string, string>();

/** `text` with its `?` placeholders as the engine wants them (`$1, $2…` on PostgreSQL); cached per text. */
function forEngine(engine: Engine, text: string): string {
  if (engine === 'sqlite') return text;
  let out = numbered.get(text);
  if (out === undefined) {
    let n = 0;
    out = text.replace(/\?/g, () => `$${++n}`);
    numbered.set(text, out);
  }
  return out;
}

/**
 * Runs a hand-written statement (`?` placeholders; none may appear elsewhere in
 * the text) and returns its rows. Pass the same text each time: it is the key of
 * the prepared-statement cache.
 */
export async function rawQuery<R = Record<string, unknown>>(db: Executor, engine: Engine, text: string, params: readonly unknown[]): Promise<R[]> {
  const result = await db.executeQuery<R>(CompiledQuery.raw(forEngine(engine, text), params as unknown[]));
  return result.rows;
}

/** `?, ?, …` — n placeholders for an IN list or a VALUES tuple. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

const texts = new Map<string, string>();

/**
 * A statement's text, built once per key — its shape: a table and its columns,
 * a row count, an IN list's length — so a hot path does not build the same
 * string on every call. Keys start with what the statement is for.
 */
export function statementText(key: string, build: () => string): string {
  let text = texts.get(key);
  if (text === undefined) texts.set(key, (text = build()));
  return text;
}

/**
 * A multi-row INSERT, `chunk` rows per statement; `tail` follows the VALUES list
 * (an ON CONFLICT clause, a RETURNING list) and the returned rows are all chunks'.
 */
export async function bulkInsert<R = never>(
  db: Executor,
  engine: Engine,
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<Record<string, unknown>>,
  options: { chunk?: number; tail?: string } = {},
): Promise<R[]> {
  const chunk = options.chunk ?? 200;
  const tail = options.tail ?? '';
  const out: R[] = [];
  for (let i = 0; i < rows.length; i += chunk) {
    const part = i === 0 && rows.length <= chunk ? rows : rows.slice(i, i + chunk);
    const text = statementText(`insert|${table}|${columns.join(',')}|${part.length}|${tail}`, () => {
      const tuple = `(${placeholders(columns.length)})`;
      return `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${part.map(() => tuple).join(', ')}${tail ? ` ${tail}` : ''}`;
    });
    const params: unknown[] = [];
    for (const row of part) for (const c of columns) params.push(row[c] ?? null);
    const got = await rawQuery<R>(db, engine, text, params);
    for (const r of got) out.push(r);
  }
  return out;
}
