import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../support/random.js';
import {
  ExpressionError,
  MAX_NESTING,
  collectKeys,
  compareWorkers,
  evaluate,
  filterScope,
  longestIdleFirst,
  parseExpression,
  parseOrderBy,
  skipIfScope,
  targetScope,
  targetWorkersScope,
  timeFacts,
  validateExpression,
  validateOrderBy,
  workerComparator,
  type Expression,
  type WorkerFacts,
} from '../../src/taskrouter/expressions/index.js';

/** Monday 2025-01-06 08:05 UTC. */
const MONDAY_0805 = Date.UTC(2025, 0, 6, 8, 5);

function run(text: string, taskAttributes: unknown = {}, now = MONDAY_0805): boolean {
  return evaluate(parseExpression(text, 'filter'), filterScope({ taskAttributes, now }));
}

function worker(sid: string, attributes: unknown, activity = 'Available'): WorkerFacts {
  return { sid, friendly_name: `${sid}-name`, activity_sid: `WA${activity.length.toString(16).padStart(32, '0')}`, activity_name: activity, attributes };
}

function errorOf(text: string): ExpressionError {
  try {
    parseExpression(text);
  } catch (err) {
    if (err instanceof ExpressionError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('TaskRouter expressions: constants and keys', () => {
  it.each([
    [`"apple" != "orange"`, true],
    [`'apple' == "apple"`, true],
    [`'it\\'s' == "it's"`, true],
    [`"say \\"hi\\"" == 'say "hi"'`, true],
    [`'a\\\\b' == "a\\\\b"`, true],
    [`'tab\\there' CONTAINS '\t'`, true],
    [`'line\\nbreak' CONTAINS '\n'`, true],
    [`'\\q' == 'q'`, true],
    [`'' == ""`, true],
    [`1 == 1`, true],
    [`1 == 1.0`, true],
    [`1.00 == 1`, true],
    [`3.141529 > 3.14`, true],
    [`-5 < 0`, true],
    [`-1.5 == -1.50`, true],
    [`0800 == 800`, true],
    [`0 != 1`, true],
    [`true == TRUE`, true],
    [`True != False`, true],
    [`null == NULL`, true],
    [`Null == null`, true],
  ])('%s → %s', (text, expected) => {
    expect(run(text)).toBe(expected);
  });

  it('resolves nested keys and array indexes as in the docs example', () => {
    const attrs = { string_const: 'foo', object: { array: ['a', 'b', 'c'], attr: 'bar' } };
    expect(run(`string_const == "foo"`, attrs)).toBe(true);
    expect(run(`object.array HAS "b"`, attrs)).toBe(true);
    expect(run(`object.array[2] == "c"`, attrs)).toBe(true);
    expect(run(`object.array[ 2 ] == "c"`, attrs)).toBe(true);
    expect(run(`object.attr == "bar"`, attrs)).toBe(true);
    expect(run(`object.array[3] == null`, attrs)).toBe(true);
    expect(run(`object.attr.deeper == null`, attrs)).toBe(true);
    expect(run(`object.array.length == null`, attrs)).toBe(true);
  });

  it('walks deep paths mixing objects and arrays, and digit-leading segments', () => {
    const attrs = { task: { skills: [{ level: 4 }, { level: 9, tags: ['x'] }] }, scores: { '2024': 7 }, matrix: [[1, 2], [3, 4]] };
    expect(run(`task.skills[1].level == 9`, attrs)).toBe(false); // `task.` is the prefix: path is skills[1].level
    expect(run(`skills[1].level == null`, attrs)).toBe(true);
    const flat = { skills: [{ level: 4 }, { level: 9, tags: ['x'] }], scores: { '2024': 7 }, matrix: [[1, 2], [3, 4]] };
    expect(run(`skills[1].level == 9`, flat)).toBe(true);
    expect(run(`task.skills[1].level == 9`, flat)).toBe(true);
    expect(run(`skills[1].tags[0] == 'x'`, flat)).toBe(true);
    expect(run(`scores.2024 == 7`, flat)).toBe(true);
    expect(run(`matrix[1][0] == 3`, flat)).toBe(true);
    expect(run(`skills.level == null`, flat)).toBe(true);
    expect(run(`scores[0] == null`, flat)).toBe(true);
  });

  it('does not resolve inherited properties', () => {
    expect(run(`constructor == null`, {})).toBe(true);
    expect(run(`toString == null`, { a: 1 })).toBe(true);
    expect(run(`__proto__ == null`, {})).toBe(true);
  });

  it('keywords are case-insensitive and whole-word only', () => {
    const attrs = { android: 1, order: 2, notes: 3, index: 4, hashes: 5, truthy: 6, nullable: 7, contains_x: 8, In: 9 };
    expect(run(`android == 1 and order == 2 AnD notes == 3 oR index == 0`, attrs)).toBe(true);
    expect(run(`hashes == 5 AND truthy == 6 AND nullable == 7 AND contains_x == 8`, attrs)).toBe(true);
    expect(run(`'en' in ['en'] AND ['x'] has 'x' AND 'abc' contains 'b' AND 'q' not in ['r'] AND 'q' Not In ['r']`)).toBe(true);
    expect(errorOf(`In == 9`).position).toBe(0); // keywords are reserved as bare keys
  });

  it('accepts `=` as `==` (used in Twilio docs examples)', () => {
    expect(run(`subSection = 'x'`, { subSection: 'x' })).toBe(true);
    expect(run(`1 = 2`)).toBe(false);
  });

  it('accepts symbolic logical operators', () => {
    expect(run(`1 == 1 && 2 == 2`)).toBe(true);
    expect(run(`1 == 2 || 2 == 2`)).toBe(true);
    expect(run(`!1 == 2`)).toBe(true);
    expect(run(`! (1 == 1)`)).toBe(false);
    expect(run(`!!1 == 1`)).toBe(true);
  });

  it('array literals hold constants of any type, or nothing', () => {
    expect(run(`1 IN ['a', "b", 1, true, null, -2.5]`)).toBe(true);
    expect(run(`-2.5 IN ['a', "b", 1, true, null, -2.5]`)).toBe(true);
    expect(run(`null IN ['a', null]`)).toBe(true);
    expect(run(`'a' IN []`)).toBe(false);
    expect(run(`'a' NOT IN []`)).toBe(true);
  });

  it('tolerates any whitespace between tokens', () => {
    expect(run(`\n\t( a\t==\n'x' )\r\n`, { a: 'x' })).toBe(true);
    expect(run(`a=='x'&&b>=2||c<-1`, { a: 'x', b: 2 })).toBe(true);
  });
});

describe('TaskRouter expressions: AST and precedence', () => {
  const shape = (e: Expression): unknown => {
    if (e.kind === 'compare') return `${e.left.kind === 'key' ? e.left.text : JSON.stringify(e.left.kind === 'literal' ? e.left.value : e.left.items)} ${e.operator} ${e.right.kind === 'key' ? e.right.text : JSON.stringify(e.right.kind === 'literal' ? e.right.value : e.right.items)}`;
    if (e.kind === 'not') return { not: shape(e.operand) };
    return { [e.kind]: [shape(e.left), shape(e.right)] };
  };

  it('AND binds tighter than OR', () => {
    expect(shape(parseExpression('a == 1 OR b == 2 AND c == 3'))).toEqual({ or: ['a == 1', { and: ['b == 2', 'c == 3'] }] });
    expect(shape(parseExpression('a == 1 AND b == 2 OR c == 3'))).toEqual({ or: [{ and: ['a == 1', 'b == 2'] }, 'c == 3'] });
  });

  it('NOT binds tighter than AND and negates a whole condition', () => {
    expect(shape(parseExpression('NOT a == 1 AND b == 2'))).toEqual({ and: [{ not: 'a == 1' }, 'b == 2'] });
    expect(shape(parseExpression('NOT (a == 1 AND b == 2)'))).toEqual({ not: { and: ['a == 1', 'b == 2'] } });
    expect(shape(parseExpression('NOT NOT a == 1'))).toEqual({ not: { not: 'a == 1' } });
  });

  it('AND and OR are left-associative; parentheses override', () => {
    expect(shape(parseExpression('a == 1 OR b == 2 OR c == 3'))).toEqual({ or: [{ or: ['a == 1', 'b == 2'] }, 'c == 3'] });
    expect(shape(parseExpression('(a == 1 OR b == 2) AND c == 3'))).toEqual({ and: [{ or: ['a == 1', 'b == 2'] }, 'c == 3'] });
    expect(shape(parseExpression('((((a == 1))))'))).toEqual('a == 1');
  });

  it('NOT IN is one operator; `=` normalises to `==`', () => {
    expect(shape(parseExpression(`worker.sid NOT IN task.rejected`))).toBe('worker.sid NOT IN task.rejected');
    expect(shape(parseExpression(`language IN ["en", "es"]`))).toBe('language IN ["en","es"]');
    expect(shape(parseExpression(`x = 'y'`))).toBe('x == "y"');
  });

  it('evaluates precedence as parsed', () => {
    expect(run('1 == 1 OR 1 == 2 AND 1 == 2')).toBe(true);
    expect(run('(1 == 1 OR 1 == 2) AND 1 == 2')).toBe(false);
    expect(run('NOT 1 == 1 OR 1 == 1')).toBe(true);
    expect(run('NOT (1 == 1 OR 1 == 1)')).toBe(false);
    expect(run('NOT 1 == 2 AND NOT 2 == 3')).toBe(true);
  });

  it('records source positions and collects keys in order', () => {
    const e = parseExpression(`task.a == 1 AND worker.b IN task.c`);
    expect(e.kind).toBe('and');
    expect(e.position).toBe(12);
    expect(collectKeys(e).map((k) => [k.text, k.position, k.path])).toEqual([
      ['task.a', 0, ['task', 'a']],
      ['worker.b', 16, ['worker', 'b']],
      ['task.c', 28, ['task', 'c']],
    ]);
  });
});

describe('TaskRouter expressions: syntax errors carry positions', () => {
  it.each([
    ['a == )', 5, 'Unexpected token ")" at position 5; expected a value'],
    ['(a == 1', 7, 'Unexpected end of expression at position 7; expected ")"'],
    ['a == 1)', 6, 'Unexpected token ")" at position 6; expected AND, OR or the end of the expression'],
    ["a == 'abc", 5, 'Unterminated string starting at position 5'],
    ['a == "abc\\"', 5, 'Unterminated string starting at position 5'],
    ['a == "abc\\', 5, 'Unterminated string starting at position 5'],
    ['', 0, 'Unexpected end of expression at position 0; expected a value'],
    ['   ', 3, 'Unexpected end of expression at position 3; expected a value'],
    ['a', 1, 'Unexpected end of expression at position 1; expected a comparison operator'],
    ['true', 4, 'Unexpected end of expression at position 4; expected a comparison operator'],
    ['a ==', 4, 'Unexpected end of expression at position 4; expected a value'],
    ['a == 1 b == 2', 7, 'Unexpected token "b" at position 7; expected AND, OR or the end of the expression'],
    ['a == 1 AND', 10, 'Unexpected end of expression at position 10; expected a value'],
    ['a == 1 OR OR b == 1', 10, 'Unexpected token "OR" at position 10; expected a value'],
    ['a NOT b', 6, 'Unexpected token "b" at position 6; expected IN after NOT'],
    ['a === 1', 4, 'Unexpected token "=" at position 4; expected a value'],
    ['a == 1 == 1', 7, 'Unexpected token "==" at position 7'],
    ['a <> 1', 3, 'Unexpected token ">" at position 3; expected a value'],
    ['a & b', 2, 'Unexpected character "&" at position 2'],
    ['a | b', 2, 'Unexpected character "|" at position 2'],
    ['a == @', 5, 'Unexpected character "@" at position 5'],
    ['skill-level == 1', 5, 'Unexpected character "-" at position 5; hyphens are not supported'],
    ['a == - 1', 5, 'Unexpected character "-" at position 5; hyphens are not supported'],
    ['a. == 1', 2, 'Expected a key name after "." at position 2'],
    ['a..b == 1', 2, 'Expected a key name after "." at position 2'],
    ['a[x] == 1', 2, 'Expected an array index after "[" at position 2'],
    ['a[-1] == 1', 2, 'Expected an array index after "[" at position 2'],
    ['a[1 == 1', 4, 'Expected "]" to close the array index at position 4'],
    ['a == 1.', 7, 'Expected a digit after the decimal point at position 7'],
    ['a == 1.2.3', 5, 'Invalid number "1.2." at position 5'],
    ['a == 12abc', 5, 'Invalid number "12a" at position 5'],
    ['a IN [1, b]', 9, 'Unexpected token "b" at position 9; expected a constant in the array'],
    ['a IN [1 2]', 8, 'Unexpected token "2" at position 8; expected "," or "]"'],
    ['a IN [1,]', 8, 'Unexpected token "]" at position 8; expected a constant in the array'],
    ['a IN [1', 7, 'Unexpected end of expression at position 7; expected "," or "]"'],
    ['a IN [[1]]', 6, 'Unexpected token "[" at position 6; expected a constant in the array'],
    ['(1) == 1', 2, 'Unexpected token ")" at position 2; expected a comparison operator'],
    ['NOT', 3, 'Unexpected end of expression at position 3; expected a value'],
    ['NOT IN [1]', 4, 'Unexpected token "IN" at position 4; expected a value'],
    ['() ', 1, 'Unexpected token ")" at position 1; expected a value'],
    ['a == b AND (c == d OR e == f', 28, 'Unexpected end of expression at position 28; expected ")"'],
  ])('%j → position %i', (text, position, message) => {
    const err = errorOf(text);
    expect(err).toBeInstanceOf(ExpressionError);
    expect(err.position).toBe(position);
    expect(err.message.startsWith(message)).toBe(true);
    expect(validateExpression(text)).toEqual({ ok: false, message: err.message, position });
  });

  it('validateExpression reports success', () => {
    expect(validateExpression('1==1')).toEqual({ ok: true });
    expect(validateExpression(`(skills HAS 'support') AND (languages HAS 'english')`)).toEqual({ ok: true });
  });

  it('caps nesting so hostile input cannot exhaust the stack', () => {
    const ok = `${'('.repeat(MAX_NESTING)}1 == 1${')'.repeat(MAX_NESTING)}`;
    expect(run(ok)).toBe(true);
    const deep = `${'('.repeat(MAX_NESTING + 1)}1 == 1${')'.repeat(MAX_NESTING + 1)}`;
    expect(errorOf(deep).position).toBe(MAX_NESTING);
    expect(errorOf(`${'NOT '.repeat(10_000)}1 == 1`).message).toMatch(/nested more than/);
    expect(errorOf(`${'('.repeat(100_000)}`).position).toBe(MAX_NESTING);
  });

  it('handles long flat expressions without recursion trouble', () => {
    const text = Array.from({ length: 5_000 }, (_, i) => `a == ${i}`).join(' OR ');
    expect(run(text, { a: 4_999 })).toBe(true);
    expect(run(text, { a: 5_000 })).toBe(false);
  });
});

describe('TaskRouter expressions: operators', () => {
  const attrs = {
    name: 'Alice Smith',
    tier: 'Gold',
    level: 5,
    rating: 4.5,
    vip: true,
    count: '5',
    empty: '',
    nothing: null,
    skills: ['support', 'sales', 3, true, null],
    numbers: [1, 2, 3],
    nested: { list: ['x', 'y'], obj: { k: 'v' } },
    mixed: [{ k: 'v' }, ['inner']],
  };

  it.each([
    // == and !=
    [`tier == 'Gold'`, true],
    [`tier == 'gold'`, false], // case-sensitive
    [`tier != 'gold'`, true],
    [`level == 5`, true],
    [`level == 5.0`, true],
    [`level != 5`, false],
    [`rating == 4.5`, true],
    [`vip == true`, true],
    [`vip == 'true'`, false],
    [`vip != false`, true],
    [`level == '5'`, false], // no number/string coercion
    [`count == 5`, false],
    [`count != 5`, true],
    [`count == '5'`, true],
    [`'5' == 5`, false],
    [`1 == true`, false],
    [`0 == false`, false],
    [`empty == ''`, true],
    [`empty == null`, false],
    // ordering
    [`level > 4`, true],
    [`level > 5`, false],
    [`level >= 5`, true],
    [`level < 5`, false],
    [`level <= 5`, true],
    [`rating < 5`, true],
    [`-1 < level`, true],
    [`count > 4`, false], // string vs number: false, never coerced
    [`count < 6`, false],
    [`count >= '5'`, true],
    [`'b' > 'a'`, true],
    [`'B' < 'a'`, true], // code-unit order
    [`'apple' < 'apricot'`, true],
    [`vip > false`, false], // booleans are not ordered
    [`vip >= true`, false],
    // CONTAINS
    [`name CONTAINS 'Smith'`, true],
    [`name CONTAINS 'smith'`, false], // case-sensitive
    [`name CONTAINS ''`, true],
    [`name CONTAINS 'Alice Smith'`, true],
    [`'Smith' CONTAINS name`, false],
    [`level CONTAINS 5`, false],
    [`level CONTAINS '5'`, false],
    [`count CONTAINS '5'`, true],
    // HAS
    [`skills HAS 'support'`, true],
    [`skills HAS 'Support'`, false],
    [`skills HAS 3`, true],
    [`skills HAS '3'`, false],
    [`skills HAS true`, true],
    [`skills HAS null`, true],
    [`numbers HAS 4`, false],
    [`nested.list HAS 'y'`, true],
    [`['a', 'b'] HAS 'a'`, true],
    // IN / NOT IN
    [`tier IN ['Gold', 'Silver']`, true],
    [`tier IN ['gold', 'silver']`, false],
    [`tier NOT IN ['gold', 'silver']`, true],
    [`tier NOT IN ['Gold']`, false],
    [`level IN numbers`, false],
    [`3 IN numbers`, true],
    [`'3' IN numbers`, false],
    [`'3' NOT IN numbers`, true],
    [`'x' IN nested.list`, true],
    [`'support' IN skills`, true],
    [`level IN [1, 5]`, true],
    [`level NOT IN [1, 5]`, false],
  ])('%s → %s', (text, expected) => {
    expect(run(text, attrs)).toBe(expected);
  });

  describe('scalar operators applied to arrays or objects are false', () => {
    it.each([
      `skills == 'support'`,
      `skills != 'support'`,
      `skills == skills`,
      `skills != numbers`,
      `['a'] == ['a']`,
      `[] == []`,
      `numbers > 0`,
      `numbers < 100`,
      `numbers >= 1`,
      `numbers <= 3`,
      `skills CONTAINS 'support'`,
      `'support' CONTAINS skills`,
      `nested.obj == nested.obj`,
      `nested.obj != 'v'`,
      `nested.obj CONTAINS 'v'`,
      `nested == null`,
      `nested != null`,
    ])('%s → false', (text) => {
      expect(run(text, attrs)).toBe(false);
    });
  });

  describe('array operators applied to scalars are false', () => {
    it.each([
      `tier HAS 'Gold'`,
      `name HAS 'Alice'`,
      `level HAS 5`,
      `'Gold' IN tier`,
      `'Gold' NOT IN tier`,
      `5 IN level`,
      `5 NOT IN level`,
      `'a' IN 'abc'`,
      `'a' NOT IN 'abc'`,
      `skills HAS numbers`,
      `skills HAS ['support']`,
      `numbers IN [1, 2, 3]`,
      `numbers NOT IN [4]`,
      `['support'] IN skills`,
      `nested.obj IN mixed`,
      `nested.obj NOT IN mixed`,
      `mixed HAS nested.obj`,
      `nested.obj HAS 'k'`,
    ])('%s → false', (text) => {
      expect(run(text, attrs)).toBe(false);
    });
  });

  it('logical operators combine results', () => {
    expect(run(`tier == 'Gold' AND level > 3`, attrs)).toBe(true);
    expect(run(`tier == 'Gold' AND level > 5`, attrs)).toBe(false);
    expect(run(`tier == 'Silver' OR level > 3`, attrs)).toBe(true);
    expect(run(`tier == 'Silver' OR level > 5`, attrs)).toBe(false);
    expect(run(`NOT tier == 'Silver'`, attrs)).toBe(true);
    expect(run(`(language == "en" OR language == "fr") AND skill_rating >= 5.1`, { language: 'fr', skill_rating: 5.1 })).toBe(true);
    expect(run(`(condition_a == true) OR (condition_b == true)`, { condition_b: true })).toBe(true);
  });
});

describe('TaskRouter expressions: NULL semantics', () => {
  const attrs = { present: 'x', zero: 0, f: false, empty: '', explicitNull: null, list: ['a'] };

  it.each([
    [`missing == null`, true],
    [`missing != null`, false],
    [`explicitNull == null`, true],
    [`null == missing`, true],
    [`present == null`, false],
    [`present != null`, true],
    [`zero == null`, false],
    [`f == null`, false],
    [`empty == null`, false],
    [`list == null`, false], // arrays are never scalar-compared
    [`list != null`, false],
    [`missing == 'x'`, false],
    [`missing != 'x'`, true], // != is the negation of == on scalars
    [`missing == 0`, false],
    [`missing == false`, false],
    [`missing == ''`, false],
    [`missing > 0`, false],
    [`missing < 0`, false],
    [`missing >= 0`, false],
    [`missing <= 0`, false],
    [`null > null`, false],
    [`null >= null`, false],
    [`missing CONTAINS 'x'`, false],
    [`present CONTAINS missing`, false],
    [`missing HAS 'x'`, false],
    [`missing IN ['x']`, false],
    [`missing IN [null]`, true],
    [`missing NOT IN ['x']`, true],
    [`'a' IN missing`, false],
    [`'a' NOT IN missing`, true], // an absent exclusion list excludes nobody
    [`'a' NOT IN explicitNull`, true],
    [`missing.deeper.still == null`, true],
    [`present.deeper == null`, true],
    [`list[5] == null`, true],
    [`missing == otherMissing`, true],
  ])('%s → %s', (text, expected) => {
    expect(run(text, attrs)).toBe(expected);
  });

  it('treats non-object attribute documents as empty', () => {
    for (const doc of [null, undefined, 'text', 42, ['a']]) {
      expect(run(`a == null`, doc)).toBe(true);
      expect(run(`1 == 1`, doc)).toBe(true);
    }
  });
});

describe('TaskRouter expressions: contexts and prefixes', () => {
  const alice = worker('WK01', { languages: ['en', 'es'], skills: { level: 7 }, sid: 'spoofed', team: 'blue' });
  const task = { language: 'es', rejected_workers: ['WK02'], team: 'blue', priority_level: 3 };

  it('workflow filter: bare keys and task. are task attributes; worker. is just an attribute path', () => {
    const scope = filterScope({ taskAttributes: { ...task, worker: { x: 1 } }, now: MONDAY_0805 });
    expect(evaluate(parseExpression(`language == 'es'`), scope)).toBe(true);
    expect(evaluate(parseExpression(`task.language == 'es'`), scope)).toBe(true);
    expect(evaluate(parseExpression(`worker.x == 1`), scope)).toBe(true);
    expect(evaluate(parseExpression(`taskrouter.dayOfWeek == 'Mon'`), scope)).toBe(true);
    expect(validateExpression(`language == 'es'`, 'filter')).toEqual({ ok: true });
  });

  it('TaskQueue target_workers: bare keys and worker. are the worker, built-ins win over attributes', () => {
    const scope = targetWorkersScope({ worker: alice });
    expect(evaluate(parseExpression(`languages HAS 'en'`), scope)).toBe(true);
    expect(evaluate(parseExpression(`worker.languages HAS 'en'`), scope)).toBe(true);
    expect(evaluate(parseExpression(`skills.level >= 7`), scope)).toBe(true);
    expect(evaluate(parseExpression(`sid == 'WK01'`), scope)).toBe(true);
    expect(evaluate(parseExpression(`worker.sid == 'WK01'`), scope)).toBe(true);
    expect(evaluate(parseExpression(`worker.friendly_name == 'WK01-name'`), scope)).toBe(true);
    expect(evaluate(parseExpression(`worker.activity_name IN ['Available', 'High Value Tasks']`), scope)).toBe(true);
    expect(evaluate(parseExpression(`worker.activity_sid == '${alice.activity_sid}'`), scope)).toBe(true);
    expect(evaluate(parseExpression(`worker.sid.x == null`), scope)).toBe(true);
    expect(evaluate(parseExpression(`task.language == null`), scope)).toBe(true);
    expect(evaluate(parseExpression(`taskrouter.currentHour == null`), scope)).toBe(true);
    expect(evaluate(parseExpression(`1 == 1`), scope)).toBe(true);
  });

  it('workflow target expression: task. and worker. prefixes together', () => {
    const bob = worker('WK02', { languages: ['fr'], team: 'red' });
    const cases: [string, WorkerFacts, boolean][] = [
      [`worker.sid NOT IN task.rejected_workers`, alice, true],
      [`worker.sid NOT IN task.rejected_workers`, bob, false],
      [`task.language IN worker.languages`, alice, true],
      [`task.language IN worker.languages`, bob, false],
      [`worker.languages HAS task.language`, alice, true],
      [`task.team == worker.team`, alice, true],
      [`task.team = worker.team`, bob, false],
      [`worker.skills.level > task.priority_level`, alice, true],
      [`worker.skills.level > task.priority_level`, bob, false],
      [`worker.sid NOT IN task.never_set`, bob, true],
      [`task.team == worker.team AND taskrouter.currentTime > 0800`, alice, true],
    ];
    for (const [text, w, expected] of cases) {
      const scope = targetScope({ taskAttributes: task, worker: w, now: MONDAY_0805 });
      expect([text, w.sid, evaluate(parseExpression(text, 'target'), scope)]).toEqual([text, w.sid, expected]);
    }
  });

  it('workflow target expression: unprefixed keys are rejected with their position, and resolve to NULL if evaluated', () => {
    const v = validateExpression(`task.language == 'es' AND language == 'es'`, 'target');
    expect(v).toMatchObject({ ok: false, position: 26 });
    expect(v.ok === false && v.message).toContain('Unprefixed key "language" at position 26');
    expect(validateExpression(`worker == 'x'`, 'target')).toMatchObject({ ok: false, position: 0 });
    expect(validateExpression(`workers.available == 0`, 'target')).toMatchObject({ ok: false, position: 0 });
    expect(validateExpression(`task.a == worker.b AND taskrouter.currentHour > 8`, 'target')).toEqual({ ok: true });
    const scope = targetScope({ taskAttributes: task, worker: alice, now: MONDAY_0805 });
    expect(evaluate(parseExpression(`language == 'es'`), scope)).toBe(false);
    expect(evaluate(parseExpression(`language == null`), scope)).toBe(true);
  });

  it('prefix checks only apply to kinds that require them', () => {
    expect(validateExpression(`language == 'es'`, 'target_workers')).toEqual({ ok: true });
    expect(validateExpression(`language == 'es'`, 'skip_if')).toEqual({ ok: true });
    expect(validateExpression(`language == 'es'`)).toEqual({ ok: true });
  });
});

describe('TaskRouter expressions: time of day from an injected clock', () => {
  it('computes HHMM, hour, minute and weekday in UTC', () => {
    expect(timeFacts(MONDAY_0805)).toEqual({ currentTime: 805, currentHour: 8, currentMin: 5, dayOfWeek: 'Mon' });
    expect(timeFacts(Date.UTC(2025, 0, 6, 0, 0))).toEqual({ currentTime: 0, currentHour: 0, currentMin: 0, dayOfWeek: 'Mon' });
    expect(timeFacts(Date.UTC(2025, 0, 5, 23, 59, 59, 999))).toEqual({ currentTime: 2359, currentHour: 23, currentMin: 59, dayOfWeek: 'Sun' });
    expect(timeFacts(Date.UTC(2024, 1, 29, 18, 30))).toEqual({ currentTime: 1830, currentHour: 18, currentMin: 30, dayOfWeek: 'Thu' });
  });

  it('names every day of the week', () => {
    const names = Array.from({ length: 7 }, (_, d) => timeFacts(Date.UTC(2025, 0, 6 + d, 12)).dayOfWeek);
    expect(names).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
  });

  it('evaluates the documented business-hours filter across days and hours', () => {
    const hours = `(taskrouter.dayOfWeek IN ['Mon', 'Tue', 'Thu'] AND taskrouter.currentTime > 800 AND taskrouter.currentTime < 1730)
      OR (taskrouter.dayOfWeek IN ['Wed', 'Fri'] AND taskrouter.currentTime > 900 AND taskrouter.currentTime < 1830)
      OR (taskrouter.dayOfWeek = 'Sat' AND taskrouter.currentTime > 1100 AND taskrouter.currentTime < 1530)`;
    const at = (day: number, h: number, m: number) => run(hours, {}, Date.UTC(2025, 0, 6 + day, h, m));
    expect(at(0, 8, 0)).toBe(false); // Mon 08:00 — strictly after 0800
    expect(at(0, 8, 1)).toBe(true);
    expect(at(0, 17, 29)).toBe(true);
    expect(at(0, 17, 30)).toBe(false);
    expect(at(2, 8, 30)).toBe(false); // Wed opens at 9
    expect(at(2, 18, 0)).toBe(true);
    expect(at(3, 10, 0)).toBe(true); // Thu
    expect(at(5, 12, 0)).toBe(true); // Sat
    expect(at(5, 16, 0)).toBe(false);
    expect(at(6, 12, 0)).toBe(false); // Sun: closed
  });

  it('matches weekday names case-sensitively (the docs example writes THU, which never matches)', () => {
    const thursday = Date.UTC(2025, 0, 9, 10);
    expect(run(`taskrouter.dayOfWeek IN ['Mon', 'Tue', 'THU']`, {}, thursday)).toBe(false);
    expect(run(`taskrouter.dayOfWeek == 'Thu'`, {}, thursday)).toBe(true);
  });

  it('hour and minute are integers comparable with numbers', () => {
    const t = Date.UTC(2025, 0, 6, 9, 45);
    expect(run(`taskrouter.currentHour > 8 AND taskrouter.currentHour < 18`, {}, t)).toBe(true);
    expect(run(`taskrouter.currentMin > 10 AND taskrouter.currentMin < 50`, {}, t)).toBe(true);
    expect(run(`taskrouter.currentTime == 0945`, {}, t)).toBe(true);
    expect(run(`taskrouter.unknown == null`, {}, t)).toBe(true);
    expect(run(`taskrouter.currentHour > 8`, {}, Date.UTC(2025, 0, 6, 8, 59))).toBe(false);
  });

  it('is available in target expressions, with the same clock', () => {
    const scope = targetScope({ taskAttributes: {}, worker: worker('WK1', {}), now: Date.UTC(2025, 0, 11, 22, 15) });
    expect(evaluate(parseExpression(`taskrouter.dayOfWeek == 'Sat' AND taskrouter.currentTime == 2215`, 'target'), scope)).toBe(true);
  });
});

describe('TaskRouter expressions: skip_if', () => {
  const busy = 'WA' + 'b'.repeat(32);
  const lunch = 'WA' + 'c'.repeat(32);
  const skip = (text: string, available: number, unavailable = 0, byActivity: Record<string, number> = {}) =>
    evaluate(parseExpression(text, 'skip_if'), skipIfScope({ counts: { available, unavailable, byActivity }, taskAttributes: { vip: true }, now: MONDAY_0805 }));

  it('exposes available and unavailable counts', () => {
    expect(skip('workers.available == 0', 0)).toBe(true);
    expect(skip('workers.available == 0', 2)).toBe(false);
    expect(skip('workers.unavailable > 3', 1, 4)).toBe(true);
    expect(() => skip('workers.available + 1 > 0', 0)).toThrow(ExpressionError);
  });

  it('exposes counts per activity SID, zero for activities nobody is in', () => {
    expect(skip(`workers.${busy} < 2`, 0, 0, { [busy]: 1 })).toBe(true);
    expect(skip(`workers.${busy} < 2 OR workers.${lunch} < 2`, 0, 0, { [busy]: 5, [lunch]: 7 })).toBe(false);
    expect(skip(`workers.${lunch} == 0`, 0, 0, { [busy]: 5 })).toBe(true);
    expect(skip(`workers.somethingElse == null`, 0)).toBe(true);
    expect(skip(`workers.available.x == null`, 3)).toBe(true);
  });

  it('accepts constant expressions and task attributes', () => {
    expect(skip('1==1', 5)).toBe(true);
    expect(skip('vip == true AND workers.available == 0', 0)).toBe(true);
    expect(skip('task.vip == true AND taskrouter.dayOfWeek == "Mon"', 3)).toBe(true);
  });
});

describe('TaskRouter order_by', () => {
  it('parses clauses with directions, defaults and positions', () => {
    expect(parseOrderBy('worker.english_level DESC, worker.sid ASC')).toEqual([
      { path: ['english_level'], key: 'worker.english_level', direction: 'DESC', position: 0 },
      { path: ['sid'], key: 'worker.sid', direction: 'ASC', position: 27 },
    ]);
    expect(parseOrderBy('worker.skills.finance desc,level')).toEqual([
      { path: ['skills', 'finance'], key: 'worker.skills.finance', direction: 'DESC', position: 0 },
      { path: ['level'], key: 'level', direction: 'ASC', position: 27 },
    ]);
    expect(parseOrderBy('worker.scores[1] Asc')[0]).toMatchObject({ path: ['scores', 1], direction: 'ASC' });
    expect(parseOrderBy('')).toEqual([]);
    expect(parseOrderBy('  ')).toEqual([]);
  });

  it.each([
    ['worker.a DESC,', 14, 'Unexpected end of order_by at position 14'],
    ['worker.a DESC worker.b', 14, 'Unexpected token "worker.b" at position 14; expected ","'],
    ['worker.a worker.b', 9, 'Unexpected token "worker.b" at position 9; expected ASC, DESC or ","'],
    ['DESC', 0, 'Unexpected token "DESC" at position 0'],
    [', worker.a', 0, 'Unexpected token "," at position 0'],
    ['worker.a UP', 9, 'Unexpected token "UP" at position 9'],
    ['task.priority DESC', 0, 'Key "task.priority" is not a worker attribute at position 0'],
    ['worker.a-b ASC', 8, 'Unexpected character "-" at position 8'],
    ["'x' ASC", 0, 'Unexpected token "\'x\'" at position 0'],
  ])('rejects %j at position %i', (text, position, message) => {
    const v = validateOrderBy(text);
    expect(v).toMatchObject({ ok: false, position });
    expect(v.ok === false && v.message.startsWith(message)).toBe(true);
  });

  const alice = worker('WKalice', { finance: 10, support: 8 });
  const bob = worker('WKbob', { finance: 10, support: 5 });
  const carol = worker('WKcarol', { finance: 10 });
  const dave = worker('WKdave', { finance: 'ten', support: 1 });

  it('breaks ties clause by clause (docs example: Bob before Alice)', () => {
    const clauses = parseOrderBy('worker.finance ASC, worker.support ASC');
    expect(compareWorkers(clauses, bob, alice)).toBeLessThan(0);
    expect(compareWorkers(clauses, alice, bob)).toBeGreaterThan(0);
    expect([alice, bob].sort(workerComparator(clauses)).map((w) => w.sid)).toEqual(['WKbob', 'WKalice']);
  });

  it('orders descending', () => {
    const clauses = parseOrderBy('worker.support DESC');
    expect([bob, alice].sort(workerComparator(clauses)).map((w) => w.sid)).toEqual(['WKalice', 'WKbob']);
  });

  it('puts workers missing the attribute last in both directions (docs example: Alice before Carol)', () => {
    for (const dir of ['ASC', 'DESC']) {
      const clauses = parseOrderBy(`worker.finance ASC, worker.support ${dir}`);
      expect([carol, alice, bob].sort(workerComparator(clauses)).at(-1)?.sid).toBe('WKcarol');
      expect(compareWorkers(clauses, alice, carol)).toBeLessThan(0);
      expect(compareWorkers(clauses, carol, alice)).toBeGreaterThan(0);
    }
  });

  it('treats non-numeric values as absent ("ordering on a non-integer attribute is ignored")', () => {
    const clauses = parseOrderBy('worker.finance DESC');
    expect(compareWorkers(clauses, dave, carol)).toBeGreaterThan(0);
    expect(compareWorkers(clauses, dave, worker('WKx', { finance: 'eleven' }))).toBe(0);
    expect(compareWorkers(parseOrderBy('worker.sid ASC'), alice, bob)).toBe(0);
  });

  it('falls back to the tie-breaker: longest idle first, then SID', () => {
    const lastAssigned: Record<string, number | null> = { WKalice: 3_000, WKbob: 1_000, WKcarol: null, WKeve: 1_000 };
    const eve = worker('WKeve', { finance: 10, support: 5 });
    const idle = longestIdleFirst<WorkerFacts>((w) => lastAssigned[w.sid] ?? null);
    const sorted = (text: string) => [alice, bob, carol, eve].sort(workerComparator(parseOrderBy(text), idle)).map((w) => w.sid);
    expect(sorted('')).toEqual(['WKcarol', 'WKbob', 'WKeve', 'WKalice']);
    expect(sorted('worker.finance DESC')).toEqual(['WKcarol', 'WKbob', 'WKeve', 'WKalice']);
    expect(sorted('worker.support ASC')).toEqual(['WKbob', 'WKeve', 'WKalice', 'WKcarol']);
    expect(sorted('worker.support DESC')).toEqual(['WKalice', 'WKbob', 'WKeve', 'WKcarol']);
    expect(compareWorkers([], alice, bob)).toBe(0);
  });

  it('is a consistent total preorder over random workers', () => {
    const rand = prng(7);
    const values = [1, 2, 3, 'x', null, undefined, 2.5, -1];
    const pool = Array.from({ length: 40 }, (_, i) => {
      const attrs: Record<string, unknown> = {};
      for (const k of ['p', 'q']) {
        const v = values[Math.floor(rand() * values.length)];
        if (v !== undefined) attrs[k] = v;
      }
      return worker(`WK${String(i).padStart(2, '0')}`, attrs);
    });
    const cmp = workerComparator(parseOrderBy('worker.p DESC, worker.q ASC'), (a, b) => (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0));
    for (const a of pool) {
      for (const b of pool) {
        expect(Math.sign(cmp(a, b))).toBe(-Math.sign(cmp(b, a)) || 0);
        for (const c of pool.slice(0, 10)) if (cmp(a, b) < 0 && cmp(b, c) < 0) expect(cmp(a, c)).toBeLessThan(0);
      }
    }
  });
});

// ---------------------------------------------------------------------------
// Property tests: random expression trees, rendered to text in randomised
// styles, evaluated both through the real parser/evaluator and by a tiny
// reference interpreter that walks the tree directly.
// ---------------------------------------------------------------------------

const prng = mulberry32;

type Lit = string | number | boolean | null;
type GOperand = { t: 'key'; path: (string | number)[] } | { t: 'lit'; v: Lit } | { t: 'arr'; items: Lit[] };
type GNode = { t: 'and'; l: GNode; r: GNode } | { t: 'or'; l: GNode; r: GNode } | { t: 'not'; x: GNode } | { t: 'cmp'; op: string; l: GOperand; r: GOperand };

const OPS = ['==', '!=', '>', '>=', '<', '<=', 'CONTAINS', 'HAS', 'IN', 'NOT IN'];
const STRINGS = ['en', 'es', 'EN', 'gold', 'Gold', '5', '', 'a"b', "it's", 'back\\slash', 'AND', 'x y'];
const NUMBERS = [0, 1, 5, -1, 2.5, 10, 42];
const FIELDS = ['lang', 'tier', 'level', 'flag', 'tags', 'nums', 'nested', 'android', 'order', 'notes', 'index', 'hashes'];

function generator(rand: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const lit = (): Lit => {
    const r = rand();
    return r < 0.45 ? pick(STRINGS) : r < 0.8 ? pick(NUMBERS) : r < 0.92 ? rand() < 0.5 : null;
  };
  const value = (depth: number): unknown => {
    const r = rand();
    if (depth > 0 && r < 0.15) return Array.from({ length: Math.floor(rand() * 4) }, () => (rand() < 0.85 ? lit() : value(depth - 1)));
    if (depth > 0 && r < 0.25) return attrs(depth - 1);
    return lit();
  };
  const attrs = (depth = 2): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const f of FIELDS) if (rand() < 0.6) out[f] = value(depth);
    return out;
  };
  const path = (): (string | number)[] => {
    const p: (string | number)[] = [pick(FIELDS)];
    while (rand() < 0.3) p.push(rand() < 0.5 ? Math.floor(rand() * 3) : pick(FIELDS));
    return p;
  };
  const operand = (): GOperand => {
    const r = rand();
    if (r < 0.5) return { t: 'key', path: path() };
    if (r < 0.85) return { t: 'lit', v: lit() };
    return { t: 'arr', items: Array.from({ length: Math.floor(rand() * 4) }, lit) };
  };
  const node = (depth: number): GNode => {
    const r = rand();
    if (depth <= 0 || r < 0.4) return { t: 'cmp', op: pick(OPS), l: operand(), r: operand() };
    if (r < 0.55) return { t: 'not', x: node(depth - 1) };
    return { t: rand() < 0.5 ? 'and' : 'or', l: node(depth - 1), r: node(depth - 1) };
  };
  return { pick, attrs, node };
}

function render(n: GNode, rand: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const ws = () => pick([' ', ' ', '  ', '\t', '\n']);
  const caseOf = (word: string) => pick([word.toUpperCase(), word.toLowerCase(), word[0]!.toUpperCase() + word.slice(1).toLowerCase()]);
  const str = (s: string) => {
    const q = pick(['"', "'"]);
    return q + s.replace(/\\/g, '\\\\').replace(new RegExp(q, 'g'), `\\${q}`) + q;
  };
  const litText = (v: Lit): string => {
    if (v === null) return caseOf('null');
    if (typeof v === 'boolean') return caseOf(String(v));
    if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && rand() < 0.2 ? `0${v}` : String(v);
    return str(v);
  };
  const operandText = (o: GOperand): string => {
    if (o.t === 'lit') return litText(o.v);
    if (o.t === 'arr') return `[${o.items.map(litText).join(pick([',', ', ', ' , ']))}]`;
    const [head, ...rest] = o.path;
    const prefix = rand() < 0.25 ? 'task.' : '';
    return prefix + String(head) + rest.map((s) => (typeof s === 'number' ? pick([`[${s}]`, `[ ${s} ]`]) : `.${s}`)).join('');
  };
  const opText = (op: string): string => {
    if (op === '==') return pick(['==', '=']);
    if (op === 'NOT IN') return `${caseOf('not')}${ws()}${caseOf('in')}`;
    if (/^[A-Z]/.test(op)) return caseOf(op);
    return op;
  };
  const paren = (s: string) => (rand() < 0.15 ? `(${ws()}${s}${ws()})` : s);
  const go = (x: GNode): string => {
    if (x.t === 'cmp') return paren(`${operandText(x.l)}${ws()}${opText(x.op)}${ws()}${operandText(x.r)}`);
    if (x.t === 'not') {
      const inner = x.x.t === 'and' || x.x.t === 'or' ? `(${go(x.x)})` : go(x.x);
      return paren(rand() < 0.5 ? `${caseOf('not')}${ws()}${inner}` : `!${inner}`);
    }
    const word = x.t === 'and' ? pick([caseOf('and'), '&&']) : pick([caseOf('or'), '||']);
    // AND binds tighter than OR, so an OR under an AND needs parentheses.
    const side = (c: GNode) => (x.t === 'and' && c.t === 'or' ? `(${go(c)})` : go(c));
    return paren(`${side(x.l)}${ws()}${word}${ws()}${side(x.r)}`);
  };
  return go(n);
}

/** Reference semantics, written independently of src/: a direct reading of the documented rules. */
function refEval(n: GNode, doc: unknown): boolean {
  if (n.t === 'and') return refEval(n.l, doc) && refEval(n.r, doc);
  if (n.t === 'or') return refEval(n.l, doc) || refEval(n.r, doc);
  if (n.t === 'not') return !refEval(n.x, doc);
  const get = (o: GOperand): unknown => {
    if (o.t === 'lit') return o.v;
    if (o.t === 'arr') return o.items;
    let cur: unknown = doc;
    for (const seg of o.path) {
      if (cur === null || typeof cur !== 'object') return null;
      const isArr = Array.isArray(cur);
      if (typeof seg === 'number' ? !isArr : isArr) return null;
      const bag = cur as Record<string | number, unknown>;
      if (!Object.prototype.hasOwnProperty.call(bag, seg)) return null;
      cur = bag[seg];
    }
    return cur === undefined ? null : cur;
  };
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  const scalar = (v: unknown) => ['null', 'string', 'number', 'boolean'].includes(typeOf(v));
  const member = (list: unknown[], v: unknown) => list.some((e) => scalar(e) && e === v);
  const l = get(n.l);
  const r = get(n.r);
  switch (n.op) {
    case '==':
      return scalar(l) && scalar(r) && typeOf(l) === typeOf(r) && l === r;
    case '!=':
      return scalar(l) && scalar(r) && !(typeOf(l) === typeOf(r) && l === r);
    case 'CONTAINS':
      return typeOf(l) === 'string' && typeOf(r) === 'string' && (l as string).indexOf(r as string) >= 0;
    case 'HAS':
      return typeOf(l) === 'array' && scalar(r) && member(l as unknown[], r);
    case 'IN':
      return scalar(l) && typeOf(r) === 'array' && member(r as unknown[], l);
    case 'NOT IN':
      return scalar(l) && (typeOf(r) === 'array' ? !member(r as unknown[], l) : r === null);
    default: {
      const t = typeOf(l);
      if (t !== typeOf(r) || (t !== 'number' && t !== 'string')) return false;
      const c = (l as number | string) < (r as number | string) ? -1 : l === r ? 0 : 1;
      return n.op === '>' ? c > 0 : n.op === '>=' ? c >= 0 : n.op === '<' ? c < 0 : c <= 0;
    }
  }
}

describe('TaskRouter expressions: property tests', () => {
  it('agrees with a reference interpreter on 6000 random expressions and documents', () => {
    const rand = prng(20250106);
    const gen = generator(rand);
    let trues = 0;
    for (let i = 0; i < 6000; i++) {
      const tree = gen.node(1 + Math.floor(rand() * 4));
      const text = render(tree, rand);
      for (let j = 0; j < 3; j++) {
        const doc = gen.attrs();
        const expected = refEval(tree, doc);
        const actual = run(text, doc);
        if (actual !== expected) throw new Error(`mismatch for ${text} over ${JSON.stringify(doc)}: got ${actual}, expected ${expected}`);
        if (actual) trues++;
      }
    }
    // Both outcomes must be well represented, or the test proves little.
    expect(trues).toBeGreaterThan(3000);
    expect(trues).toBeLessThan(15000);
  });

  it('keeps every AST position inside the text', () => {
    const rand = prng(99);
    const gen = generator(rand);
    for (let i = 0; i < 1000; i++) {
      const text = render(gen.node(3), rand);
      const visit = (e: Expression): void => {
        expect(e.position).toBeGreaterThanOrEqual(0);
        expect(e.position).toBeLessThan(text.length);
        if (e.kind === 'compare') for (const o of [e.left, e.right]) expect(o.position).toBeLessThan(text.length);
        else if (e.kind === 'not') visit(e.operand);
        else [e.left, e.right].forEach(visit);
      };
      visit(parseExpression(text));
      for (const key of collectKeys(parseExpression(text))) expect(text.slice(key.position, key.position + key.text.length)).toBe(key.text);
    }
  });

  it('rejects corrupted expressions with a position inside the text', () => {
    const rand = prng(4242);
    const gen = generator(rand);
    const junk = ['(', ')', '[', ']', '"', "'", '=', '!', '&', '|', '-', '@', ',', '.', '#', '\\', ' ', 'AND', 'NOT', '1', 'x'];
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const text = render(gen.node(3), rand);
      const at = Math.floor(rand() * (text.length + 1));
      const kind = Math.floor(rand() * 7);
      let corrupt: string;
      let mustFailAt: number | undefined;
      if (kind === 0) corrupt = text.slice(0, at) + text.slice(at + 1);
      else if (kind === 1) corrupt = text.slice(0, at) + gen.pick(junk) + text.slice(at);
      else if (kind === 2) corrupt = text.slice(0, at);
      else if (kind === 3) [corrupt, mustFailAt] = [`${text})`, text.length];
      else if (kind === 4) [corrupt, mustFailAt] = [`(${text}`, text.length + 1];
      else if (kind === 5) [corrupt, mustFailAt] = [`${text} '`, text.length + 1];
      else {
        corrupt = text.slice(0, at) + '@' + text.slice(at);
        const v = validateExpression(corrupt);
        // '@' is only legal inside a string constant, and otherwise fails exactly where it was put —
        // unless it splits a token that is itself invalid when cut short (`\\`, `-1`, `&&`, `||`).
        if (!v.ok && !['\\', '-', '&', '|'].includes(text[at - 1] ?? '')) expect(v.position).toBe(at);
      }
      const v = validateExpression(corrupt);
      if (mustFailAt !== undefined) expect(v).toMatchObject({ ok: false, position: mustFailAt });
      if (!v.ok) {
        rejected++;
        expect(v.position).toBeGreaterThanOrEqual(0);
        expect(v.position).toBeLessThanOrEqual(corrupt.length);
        expect(v.message).toContain(`at position ${v.position}`);
        expect(() => parseExpression(corrupt)).toThrow(ExpressionError);
      }
    }
    expect(rejected).toBeGreaterThan(2000);
  });
});
