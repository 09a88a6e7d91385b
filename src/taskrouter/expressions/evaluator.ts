/**
 * Evaluates a parsed expression against a Scope. Pure: everything time- or
 * state-dependent (the clock, worker counts) arrives through the scope.
 *
 * Semantics, from https://www.twilio.com/docs/taskrouter/expression-syntax and,
 * where the page is silent, chosen to be predictable:
 * - A key the document lacks resolves to NULL. NULL is a scalar: `x == null` is
 *   true exactly when x is missing or JSON null, and `!=` is always the negation
 *   of `==` on scalars (so `missing != 'gold'` is true).
 * - "Comparisons between different types should be avoided": no coercion. `'5' == 5`
 *   is false and `'5' != 5` true; ordering (`> >= < <=`) needs two numbers or two
 *   strings (code-unit order) and is false otherwise, NULL included.
 * - "Using scalar operators on Arrays results in false": `== != > >= < <= CONTAINS`
 *   are false when either side is an array or an object — `!=` included.
 * - "Using array operators on two scalar values also returns false": `HAS` needs an
 *   array on the left and a scalar on the right; `IN` / `NOT IN` a scalar on the left
 *   and an array on the right. One exception: `x NOT IN missing_key` is true — an
 *   absent exclusion list excludes nobody, which is what the ubiquitous
 *   `worker.sid NOT IN task.rejected_workers` relies on before the first rejection.
 * - String matching is case-sensitive everywhere, CONTAINS included; the docs never
 *   promise case folding, and `==` on strings is plainly exact.
 */
import type { KeySegment } from './lexer.js';
import type { ComparisonOperator, Expression, Operand, Scalar } from './parser.js';

/** Resolves the rest of a key path (after its namespace prefix); anything it cannot find is null. */
export type Resolver = (path: readonly KeySegment[]) => unknown;

export interface Scope {
  /** Prefix → resolver, e.g. `task` → the task's attributes. */
  readonly namespaces: Readonly<Partial<Record<string, Resolver>>>;
  /** Namespace that keys without a known prefix resolve against; null when prefixes are required. */
  readonly bare: string | null;
}

export function evaluate(expression: Expression, scope: Scope): boolean {
  switch (expression.kind) {
    case 'and':
      return evaluate(expression.left, scope) && evaluate(expression.right, scope);
    case 'or':
      return evaluate(expression.left, scope) || evaluate(expression.right, scope);
    case 'not':
      return !evaluate(expression.operand, scope);
    case 'compare':
      return compare(expression.operator, valueOf(expression.left, scope), valueOf(expression.right, scope));
  }
}

export function resolveKey(path: readonly KeySegment[], scope: Scope): unknown {
  const [head, ...rest] = path;
  const prefixed = typeof head === 'string' && Object.hasOwn(scope.namespaces, head) ? scope.namespaces[head] : undefined;
  if (prefixed !== undefined) return prefixed(rest) ?? null;
  const bare = scope.bare === null ? undefined : scope.namespaces[scope.bare];
  return bare === undefined ? null : (bare(path) ?? null);
}

/** Walks a JSON document: string segments index objects (own keys only), numbers index arrays. */
export function lookupPath(root: unknown, path: readonly KeySegment[]): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return null;
      current = current[segment];
    } else {
      if (!isObject(current) || !Object.hasOwn(current, segment)) return null;
      current = current[segment];
    }
  }
  return current ?? null;
}

/** Applies one comparison operator to two resolved values. Exported for the order/match engine and tests. */
export function compare(operator: ComparisonOperator, left: unknown, right: unknown): boolean {
  switch (operator) {
    case '==':
      return isScalar(left) && isScalar(right) && left === right;
    case '!=':
      return isScalar(left) && isScalar(right) && left !== right;
    case '>':
    case '>=':
    case '<':
    case '<=':
      return ordered(operator, left, right);
    case 'CONTAINS':
      return typeof left === 'string' && typeof right === 'string' && left.includes(right);
    case 'HAS':
      return Array.isArray(left) && isScalar(right) && left.includes(right);
    case 'IN':
      return isScalar(left) && Array.isArray(right) && right.includes(left);
    case 'NOT IN':
      return isScalar(left) && (Array.isArray(right) ? !right.includes(left) : right === null);
  }
}

function ordered(operator: '>' | '>=' | '<' | '<=', left: unknown, right: unknown): boolean {
  const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!comparable) return false;
  const [l, r] = [left as number | string, right as number | string];
  if (operator === '>') return l > r;
  if (operator === '>=') return l >= r;
  if (operator === '<') return l < r;
  return l <= r;
}

function valueOf(operand: Operand, scope: Scope): unknown {
  if (operand.kind === 'literal') return operand.value;
  if (operand.kind === 'array') return operand.items;
  return resolveKey(operand.path, scope);
}

export function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
