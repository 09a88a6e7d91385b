/**
 * Split Based On… conditions (reference §5.2). Text comparisons ignore case and
 * surrounding whitespace, as Studio's do; numeric and time comparisons are false
 * when either side does not parse.
 */
export const CONDITION_TYPES = [
  'equal_to',
  'not_equal_to',
  'matches_any_of',
  'does_not_match_any_of',
  'is_blank',
  'is_not_blank',
  'regex',
  'contains',
  'does_not_contain',
  'starts_with',
  'does_not_start_with',
  'less_than',
  'greater_than',
  'is_before_time',
  'is_after_time',
  'is_before_date',
  'is_after_date',
] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

/** Conditions that test the input alone and take no value. */
export const VALUELESS_CONDITIONS: readonly ConditionType[] = ['is_blank', 'is_not_blank'];

export function isConditionType(value: unknown): value is ConditionType {
  return typeof value === 'string' && (CONDITION_TYPES as readonly string[]).includes(value);
}

const norm = (s: string) => s.trim().toLowerCase();

function number(s: string): number | undefined {
  const t = s.trim();
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return undefined;
  return Number(t);
}

/** "14:30", "2:30 PM", "2:30pm", "14:30:15" → minutes (with fraction) after midnight. */
export function timeOfDay(s: string): number | undefined {
  const m = /^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?\s*$/i.exec(s);
  if (!m) return undefined;
  let h = Number(m[1]);
  const min = Number(m[2]);
  const sec = Number(m[3] ?? 0);
  const meridiem = m[4]?.toLowerCase().replace(/\./g, '');
  if (min > 59 || sec > 59) return undefined;
  if (meridiem) {
    if (h < 1 || h > 12) return undefined;
    h = (h % 12) + (meridiem === 'pm' ? 12 : 0);
  } else if (h > 23) return undefined;
  return h * 60 + min + sec / 60;
}

function date(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map(norm)
    .filter((v) => v.length > 0);
}

function compare(a: number | undefined, b: number | undefined, test: (a: number, b: number) => boolean): boolean {
  return a !== undefined && b !== undefined && test(a, b);
}

/** Whether `input` satisfies one condition with its (already rendered) `value`. */
export function evaluateCondition(type: ConditionType, input: string, value: string): boolean {
  switch (type) {
    case 'equal_to': {
      const a = number(input);
      const b = number(value);
      return a !== undefined && b !== undefined ? a === b : norm(input) === norm(value);
    }
    case 'not_equal_to':
      return !evaluateCondition('equal_to', input, value);
    case 'matches_any_of':
      return list(value).includes(norm(input));
    case 'does_not_match_any_of':
      return !list(value).includes(norm(input));
    case 'is_blank':
      return input.trim() === '';
    case 'is_not_blank':
      return input.trim() !== '';
    case 'regex':
      try {
        return new RegExp(value).test(input);
      } catch {
        return false;
      }
    case 'contains':
      return norm(input).includes(norm(value));
    case 'does_not_contain':
      return !norm(input).includes(norm(value));
    case 'starts_with':
      return norm(input).startsWith(norm(value));
    case 'does_not_start_with':
      return !norm(input).startsWith(norm(value));
    case 'less_than':
      return compare(number(input), number(value), (a, b) => a < b);
    case 'greater_than':
      return compare(number(input), number(value), (a, b) => a > b);
    case 'is_before_time':
      return compare(timeOfDay(input), timeOfDay(value), (a, b) => a < b);
    case 'is_after_time':
      return compare(timeOfDay(input), timeOfDay(value), (a, b) => a > b);
    case 'is_before_date':
      return compare(date(input), date(value), (a, b) => a < b);
    case 'is_after_date':
      return compare(date(input), date(value), (a, b) => a > b);
  }
}
