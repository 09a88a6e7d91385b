/**
 * The TaskRouter expression language: parse once (positions on every error),
 * evaluate many times against a scope built for where the expression lives.
 *
 *   const filter = parseExpression("customer_value == 'Gold' AND type == 'ticket'", 'filter');
 *   evaluate(filter, filterScope({ taskAttributes, now: clock.now() }));
 */
export { ExpressionError, type KeySegment } from './lexer.js';
export {
  EXPRESSION_KINDS,
  MAX_NESTING,
  collectKeys,
  parseExpression,
  validateExpression,
  type ComparisonOperator,
  type Expression,
  type ExpressionKind,
  type Namespace,
  type Operand,
  type Scalar,
  type Validation,
} from './parser.js';
export { compare, evaluate, lookupPath, resolveKey, type Resolver, type Scope } from './evaluator.js';
export {
  attributesResolver,
  filterScope,
  skipIfScope,
  targetScope,
  targetWorkersScope,
  timeFacts,
  timeResolver,
  workerCountsResolver,
  workerResolver,
  type TimeFacts,
  type WorkerCounts,
  type WorkerFacts,
} from './scopes.js';
export {
  compareWorkers,
  longestIdleFirst,
  parseOrderBy,
  validateOrderBy,
  workerComparator,
  type Comparator,
  type OrderByClause,
  type SortDirection,
} from './order-by.js';
