/**
 * Recursive-descent parser for TaskRouter expressions.
 *
 *   expression := or
 *   or         := and (("OR" | "||") and)*
 *   and        := unary (("AND" | "&&") unary)*
 *   unary      := ("NOT" | "!") unary | condition
 *   condition  := "(" expression ")" | operand operator operand
 *   operator   := "==" | "=" | "!=" | ">" | ">=" | "<" | "<=" | CONTAINS | HAS | IN | NOT IN
 *   operand    := string | number | TRUE | FALSE | NULL | key | "[" constants? "]"
 *
 * So NOT binds tighter than AND, AND tighter than OR, and NOT negates a whole
 * condition (`NOT a == 1` is `NOT (a == 1)`): operands are JSON values, never
 * booleans to be negated. A bare operand (`flag`, `true`) is not a condition —
 * Twilio's documented forms always compare (`1==1`, `condition_a == true`).
 */
import { ExpressionError, describeToken, tokenize, type KeySegment, type Keyword, type Punctuator, type Token } from './lexer.js';

export type Scalar = string | number | boolean | null;

export type ComparisonOperator = '==' | '!=' | '>' | '>=' | '<' | '<=' | 'CONTAINS' | 'HAS' | 'IN' | 'NOT IN';

export type Operand =
  | { kind: 'literal'; value: Scalar; position: number }
  | { kind: 'array'; items: Scalar[]; position: number }
  | { kind: 'key'; path: KeySegment[]; text: string; position: number };

export type Expression =
  | { kind: 'or' | 'and'; left: Expression; right: Expression; position: number }
  | { kind: 'not'; operand: Expression; position: number }
  | { kind: 'compare'; operator: ComparisonOperator; left: Operand; right: Operand; position: number };

export type Validation = { ok: true } | { ok: false; message: string; position: number };

/**
 * Where an expression lives decides what its keys mean
 * (https://www.twilio.com/docs/taskrouter/expression-syntax, "Queue, Matching Tasks, and Matching Workers"):
 * - `filter`: a Workflow filter's `expression`; bare keys are task attributes.
 * - `target_workers`: a TaskQueue's `TargetWorkers`; bare keys are worker attributes.
 * - `target`: a Workflow target's `expression`; "all attributes must be prefixed by task. or worker.".
 * - `skip_if`: a Workflow target's `skip_if`; `workers.available`, `workers.unavailable`, `workers.WA…`.
 * `taskrouter.*` (time of day) is documented for "both Filter and Target Worker Expressions" of a
 * Workflow; TaskQueue membership stays time-independent, so it is not offered there.
 */
export type ExpressionKind = 'filter' | 'target_workers' | 'target' | 'skip_if';
export type Namespace = 'task' | 'worker' | 'taskrouter' | 'workers';

export const EXPRESSION_KINDS: Readonly<Record<ExpressionKind, { bare: Namespace | null; prefixes: readonly Namespace[] }>> = {
  filter: { bare: 'task', prefixes: ['task', 'taskrouter'] },
  target_workers: { bare: 'worker', prefixes: ['worker'] },
  target: { bare: null, prefixes: ['task', 'worker', 'taskrouter'] },
  // Not documented beyond `workers.*`; bare keys fall back to task attributes rather than failing validation.
  skip_if: { bare: 'task', prefixes: ['workers', 'task', 'taskrouter'] },
};

/** Deep enough for any hand-written rule; shallow enough that hostile input cannot blow the stack. */
export const MAX_NESTING = 64;

const SYMBOL_OPERATORS: Partial<Record<Punctuator, ComparisonOperator>> = {
  '==': '==',
  '=': '==', // Twilio's own docs write `task.subSection = worker.specializedSubField`, `dayOfWeek = 'Sat'`
  '!=': '!=',
  '>': '>',
  '>=': '>=',
  '<': '<',
  '<=': '<=',
};

const KEYWORD_OPERATORS: Partial<Record<Keyword, ComparisonOperator>> = { CONTAINS: 'CONTAINS', HAS: 'HAS', IN: 'IN' };

const KEYWORD_CONSTANTS: Partial<Record<Keyword, Scalar>> = { TRUE: true, FALSE: false, NULL: null };

/**
 * Parses an expression or throws ExpressionError carrying the offending position.
 * With a kind, also rejects keys that kind cannot resolve (an unprefixed key in a target expression).
 */
export function parseExpression(text: string, kind?: ExpressionKind): Expression {
  const expression = new Parser(tokenize(text)).parse();
  if (kind !== undefined && EXPRESSION_KINDS[kind].bare === null) {
    const { prefixes } = EXPRESSION_KINDS[kind];
    for (const key of collectKeys(expression)) {
      const head = key.path[0];
      if (key.path.length < 2 || !(prefixes as readonly unknown[]).includes(head)) {
        const allowed = prefixes.map((p) => `"${p}."`).join(', ');
        throw new ExpressionError(`Unprefixed key ${JSON.stringify(key.text)}`, key.position, `${kind} expressions must start every key with one of ${allowed}`);
      }
    }
  }
  return expression;
}

export function validateExpression(text: string, kind?: ExpressionKind): Validation {
  try {
    parseExpression(text, kind);
    return { ok: true };
  } catch (err) {
    if (err instanceof ExpressionError) return { ok: false, message: err.message, position: err.position };
    throw err;
  }
}

/** Every key referenced by an expression, in source order. */
export function collectKeys(expression: Expression): Extract<Operand, { kind: 'key' }>[] {
  const keys: Extract<Operand, { kind: 'key' }>[] = [];
  const visit = (node: Expression): void => {
    if (node.kind === 'compare') {
      if (node.left.kind === 'key') keys.push(node.left);
      if (node.right.kind === 'key') keys.push(node.right);
    } else if (node.kind === 'not') {
      visit(node.operand);
    } else {
      visit(node.left);
      visit(node.right);
    }
  };
  visit(expression);
  return keys;
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Expression {
    const expression = this.parseOr();
    const next = this.peek();
    if (next.type !== 'eof') throw unexpected(next, 'expected AND, OR or the end of the expression');
    return expression;
  }

  private parseOr(): Expression {
    let left = this.parseAnd();
    for (let op = this.peek(); isKeyword(op, 'OR') || isSymbol(op, '||'); op = this.peek()) {
      this.index++;
      left = { kind: 'or', left, right: this.parseAnd(), position: op.position };
    }
    return left;
  }

  private parseAnd(): Expression {
    let left = this.parseUnary();
    for (let op = this.peek(); isKeyword(op, 'AND') || isSymbol(op, '&&'); op = this.peek()) {
      this.index++;
      left = { kind: 'and', left, right: this.parseUnary(), position: op.position };
    }
    return left;
  }

  private parseUnary(): Expression {
    const token = this.peek();
    if (isKeyword(token, 'NOT') || isSymbol(token, '!')) {
      this.index++;
      return this.nested(token, () => ({ kind: 'not', operand: this.parseUnary(), position: token.position }));
    }
    if (isSymbol(token, '(')) {
      this.index++;
      return this.nested(token, () => {
        const inner = this.parseOr();
        const close = this.peek();
        if (!isSymbol(close, ')')) throw unexpected(close, 'expected ")"');
        this.index++;
        return inner;
      });
    }
    return this.parseComparison();
  }

  private parseComparison(): Expression {
    const left = this.parseOperand();
    const token = this.next();
    let operator: ComparisonOperator | undefined;
    if (token.type === 'symbol') operator = SYMBOL_OPERATORS[token.symbol];
    else if (token.type === 'keyword') {
      operator = KEYWORD_OPERATORS[token.keyword];
      if (token.keyword === 'NOT') {
        const after = this.next();
        if (!isKeyword(after, 'IN')) throw unexpected(after, 'expected IN after NOT');
        operator = 'NOT IN';
      }
    }
    if (operator === undefined) throw unexpected(token, 'expected a comparison operator');
    const right = this.parseOperand();
    return { kind: 'compare', operator, left, right, position: left.position };
  }

  private parseOperand(): Operand {
    const token = this.next();
    if (token.type === 'key') return { kind: 'key', path: token.path, text: token.text, position: token.position };
    if (isSymbol(token, '[')) return this.parseArrayLiteral(token.position);
    const value = constantOf(token);
    if (value === undefined) throw unexpected(token, 'expected a value');
    return { kind: 'literal', value: value.scalar, position: token.position };
  }

  private parseArrayLiteral(position: number): Operand {
    const items: Scalar[] = [];
    if (isSymbol(this.peek(), ']')) {
      this.index++;
      return { kind: 'array', items, position };
    }
    for (;;) {
      const element = this.next();
      const value = constantOf(element);
      if (value === undefined) throw unexpected(element, 'expected a constant in the array');
      items.push(value.scalar);
      const separator = this.next();
      if (isSymbol(separator, ']')) return { kind: 'array', items, position };
      if (!isSymbol(separator, ',')) throw unexpected(separator, 'expected "," or "]"');
    }
  }

  private nested(opening: Token, body: () => Expression): Expression {
    if (++this.depth > MAX_NESTING) throw new ExpressionError(`Expression nested more than ${MAX_NESTING} levels deep`, opening.position);
    try {
      return body();
    } finally {
      this.depth--;
    }
  }

  private peek(): Token {
    // The token list always ends with eof, and the parser never moves past it.
    return this.tokens[Math.min(this.index, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'eof') this.index++;
    return token;
  }
}

function constantOf(token: Token): { scalar: Scalar } | undefined {
  if (token.type === 'string' || token.type === 'number') return { scalar: token.value };
  if (token.type === 'keyword' && token.keyword in KEYWORD_CONSTANTS) return { scalar: KEYWORD_CONSTANTS[token.keyword] ?? null };
  return undefined;
}

function isKeyword(token: Token, keyword: Keyword): boolean {
  return token.type === 'keyword' && token.keyword === keyword;
}

function isSymbol(token: Token, symbol: Punctuator): boolean {
  return token.type === 'symbol' && token.symbol === symbol;
}

function unexpected(token: Token, expectation: string): ExpressionError {
  const what = token.type === 'eof' ? 'Unexpected end of expression' : `Unexpected token ${describeToken(token)}`;
  return new ExpressionError(what, token.position, expectation);
}
