/**
 * Workflow target `order_by` (https://www.twilio.com/docs/taskrouter/order-workers):
 * comma-separated clauses `worker.<attribute> ASC|DESC`, compared in order.
 * - Clauses order by numeric attributes; "if ordering is attempted on a non-integer
 *   attribute, then the expression is ignored", so a non-number counts as absent.
 * - "Workers without a given skill are ordered after those that have a skill …
 *   regardless of whether ASC or DESC".
 * - Workers equal on every clause fall back to the caller's tie-breaker — Twilio's
 *   default is the longest time since the last assignment (see longestIdleFirst).
 * The direction may be omitted (ASC); `worker.` may be omitted (bare = worker attribute).
 */
import { ExpressionError, tokenize, type KeySegment, type Token } from './lexer.js';
import type { Validation } from './parser.js';
import { workerResolver, type WorkerFacts } from './scopes.js';

export type SortDirection = 'ASC' | 'DESC';

export interface OrderByClause {
  /** Path within the worker (after any `worker.` prefix). */
  readonly path: readonly KeySegment[];
  /** The key as written, e.g. `worker.english_level`. */
  readonly key: string;
  readonly direction: SortDirection;
  readonly position: number;
}

export type Comparator<T> = (a: T, b: T) => number;

export function parseOrderBy(text: string): OrderByClause[] {
  const tokens = tokenize(text);
  const clauses: OrderByClause[] = [];
  let i = 0;
  const next = (): Token => tokens[Math.min(i++, tokens.length - 1)]!;
  if (tokens[0]?.type === 'eof') return clauses;
  for (;;) {
    const key = next();
    if (key.type !== 'key' || directionOf(key) !== undefined) throw unexpected(key, 'expected a worker attribute such as "worker.level"');
    if (key.path[0] === 'task' || key.path[0] === 'taskrouter' || key.path[0] === 'workers') {
      throw new ExpressionError(`Key ${JSON.stringify(key.text)} is not a worker attribute`, key.position, 'order_by sorts workers');
    }
    let after = next();
    const explicit = directionOf(after);
    if (explicit !== undefined) after = next();
    const path = key.path[0] === 'worker' && key.path.length > 1 ? key.path.slice(1) : key.path;
    clauses.push({ path, key: key.text, direction: explicit ?? 'ASC', position: key.position });
    if (after.type === 'eof') return clauses;
    if (after.type !== 'symbol' || after.symbol !== ',') throw unexpected(after, explicit === undefined ? 'expected ASC, DESC or ","' : 'expected ","');
  }
}

export function validateOrderBy(text: string): Validation {
  try {
    parseOrderBy(text);
    return { ok: true };
  } catch (err) {
    if (err instanceof ExpressionError) return { ok: false, message: err.message, position: err.position };
    throw err;
  }
}

/**
 * Negative when `a` should be offered the task before `b`. With no clauses, or a
 * tie on all of them, the tie-breaker decides (0 when none is given).
 */
export function compareWorkers<T extends WorkerFacts>(clauses: readonly OrderByClause[], a: T, b: T, tieBreak?: Comparator<T>): number {
  const resolveA = workerResolver(a);
  const resolveB = workerResolver(b);
  for (const clause of clauses) {
    const va = sortValue(resolveA(clause.path));
    const vb = sortValue(resolveB(clause.path));
    if (va === undefined && vb === undefined) continue;
    if (va === undefined) return 1;
    if (vb === undefined) return -1;
    if (va !== vb) return (va < vb ? -1 : 1) * (clause.direction === 'ASC' ? 1 : -1);
  }
  return tieBreak === undefined ? 0 : tieBreak(a, b);
}

/** A sort comparator: `workers.sort(workerComparator(parseOrderBy(text), longestIdleFirst(...)))`. */
export function workerComparator<T extends WorkerFacts>(clauses: readonly OrderByClause[], tieBreak?: Comparator<T>): Comparator<T> {
  return (a, b) => compareWorkers(clauses, a, b, tieBreak);
}

/**
 * Twilio's default order: the worker idle longest goes first. `lastAssignedAt`
 * is epoch ms (null = never assigned, which counts as idle longest); the SID
 * settles exact ties so the order is deterministic.
 */
export function longestIdleFirst<T extends { readonly sid: string }>(lastAssignedAt: (worker: T) => number | null): Comparator<T> {
  return (a, b) => {
    const ta = lastAssignedAt(a) ?? Number.NEGATIVE_INFINITY;
    const tb = lastAssignedAt(b) ?? Number.NEGATIVE_INFINITY;
    if (ta !== tb) return ta < tb ? -1 : 1;
    return a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0;
  };
}

function sortValue(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function directionOf(token: Token): SortDirection | undefined {
  if (token.type !== 'key' || token.path.length !== 1) return undefined;
  const word = String(token.path[0]).toUpperCase();
  return word === 'ASC' || word === 'DESC' ? word : undefined;
}

function unexpected(token: Token, hint: string): ExpressionError {
  const what = token.type === 'eof' ? 'Unexpected end of order_by' : `Unexpected token ${JSON.stringify(token.text)}`;
  return new ExpressionError(what, token.position, hint);
}
