/**
 * Tokenizer for the TaskRouter expression language
 * (https://www.twilio.com/docs/taskrouter/expression-syntax).
 *
 * Keys are lexed whole — `task.skills[0].level` is one token carrying its path —
 * so index brackets glued to a key never get confused with array literals, and a
 * malformed key is reported at the exact character that breaks it.
 */

/**
 * A syntax error with the 0-based character offset where it was detected.
 * The message reads `Unexpected token ")" at position 14; expected a value`.
 */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    what: string,
    readonly position: number,
    hint?: string,
  ) {
    super(`${what} at position ${position}${hint === undefined ? '' : `; ${hint}`}`);
  }
}

export type KeySegment = string | number;

export type Keyword = 'AND' | 'OR' | 'NOT' | 'IN' | 'HAS' | 'CONTAINS' | 'TRUE' | 'FALSE' | 'NULL';
export type Punctuator = '==' | '=' | '!=' | '>' | '>=' | '<' | '<=' | '&&' | '||' | '!' | '(' | ')' | '[' | ']' | ',';

export type Token =
  | { type: 'string'; value: string; position: number; text: string }
  | { type: 'number'; value: number; position: number; text: string }
  | { type: 'key'; path: KeySegment[]; position: number; text: string }
  | { type: 'keyword'; keyword: Keyword; position: number; text: string }
  | { type: 'symbol'; symbol: Punctuator; position: number; text: string }
  | { type: 'eof'; position: number; text: string };

const KEYWORDS: ReadonlySet<string> = new Set(['AND', 'OR', 'NOT', 'IN', 'HAS', 'CONTAINS', 'TRUE', 'FALSE', 'NULL']);

/** Longest match first, so `>=` never lexes as `>` then `=`. */
const SYMBOLS: readonly Punctuator[] = ['==', '!=', '>=', '<=', '&&', '||', '=', '>', '<', '!', '(', ')', '[', ']', ','];

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0' };

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isIdentStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_]/.test(c);
const isIdentPart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** Renders a token the way error messages quote it. */
export function describeToken(token: Token): string {
  return token.type === 'eof' ? 'end of expression' : JSON.stringify(token.text);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      i = lexString(text, i, tokens);
    } else if (isDigit(c) || (c === '-' && isDigit(text[i + 1]))) {
      i = lexNumber(text, i, tokens);
    } else if (isIdentStart(c)) {
      i = lexWord(text, i, tokens);
    } else {
      const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
      if (symbol === undefined) {
        // Twilio documents that hyphens are unsupported; say so rather than just "unexpected".
        const hint = c === '-' ? 'hyphens are not supported in TaskRouter expressions' : undefined;
        throw new ExpressionError(`Unexpected character ${JSON.stringify(c)}`, start, hint);
      }
      tokens.push({ type: 'symbol', symbol, position: start, text: symbol });
      i += symbol.length;
    }
  }
  tokens.push({ type: 'eof', position: text.length, text: '' });
  return tokens;
}

function lexString(text: string, start: number, out: Token[]): number {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  for (;;) {
    const c = text[i];
    if (c === undefined) throw new ExpressionError('Unterminated string starting', start);
    if (c === quote) break;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined) throw new ExpressionError('Unterminated string starting', start);
      // Unknown escapes yield the character itself, as in JSON-ish and JS strings: `\'` → `'`.
      value += ESCAPES[next] ?? next;
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
  out.push({ type: 'string', value, position: start, text: text.slice(start, i + 1) });
  return i + 1;
}

function lexNumber(text: string, start: number, out: Token[]): number {
  let i = start;
  if (text[i] === '-') i++;
  while (isDigit(text[i])) i++;
  if (text[i] === '.') {
    if (!isDigit(text[i + 1])) throw new ExpressionError('Expected a digit after the decimal point', i + 1);
    i++;
    while (isDigit(text[i])) i++;
  }
  if (isIdentPart(text[i]) || text[i] === '.') {
    throw new ExpressionError(`Invalid number ${JSON.stringify(text.slice(start, i + 1))}`, start);
  }
  const raw = text.slice(start, i);
  // Leading zeros are plain decimal (Twilio's own example: `taskrouter.currentTime > 0800`).
  out.push({ type: 'number', value: Number(raw), position: start, text: raw });
  return i;
}

function lexWord(text: string, start: number, out: Token[]): number {
  let i = start;
  while (isIdentPart(text[i])) i++;
  const word = text.slice(start, i);
  const upper = word.toUpperCase();
  if (KEYWORDS.has(upper)) {
    out.push({ type: 'keyword', keyword: upper as Keyword, position: start, text: word });
    return i;
  }
  const path: KeySegment[] = [word];
  for (;;) {
    if (text[i] === '.') {
      const segStart = i + 1;
      let j = segStart;
      // Segments after a dot may start with a digit (`scores.2024`); JSON keys often do.
      while (isIdentPart(text[j])) j++;
      if (j === segStart) throw new ExpressionError('Expected a key name after "."', segStart);
      path.push(text.slice(segStart, j));
      i = j;
    } else if (text[i] === '[') {
      let j = i + 1;
      while (isSpace(text[j])) j++;
      const digitsStart = j;
      while (isDigit(text[j])) j++;
      if (j === digitsStart) throw new ExpressionError('Expected an array index after "["', digitsStart);
      const index = Number(text.slice(digitsStart, j));
      while (isSpace(text[j])) j++;
      if (text[j] !== ']') throw new ExpressionError('Expected "]" to close the array index', j);
      path.push(index);
      i = j + 1;
    } else {
      break;
    }
  }
  if (text[i] === '-' && isIdentPart(text[i + 1])) {
    throw new ExpressionError('Unexpected character "-"', i, 'hyphens are not supported in TaskRouter expressions');
  }
  out.push({ type: 'key', path, position: start, text: text.slice(start, i) });
  return i;
}
