import { Errors } from '../../platform/errors.js';

/**
 * Checks shared by every Conversations webhook setting (account, service,
 * conversation-scoped, address auto-creation): Twilio only calls absolute
 * http(s) URLs and only with GET or POST.
 */
export function webhookUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw Errors.invalidParameter(`${name} must be an absolute URL, got "${value}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw Errors.invalidParameter(`${name} must be an http or https URL`);
  return value;
}

/** GET or POST, in any case; returned upper-case as stored. */
export function webhookMethod(name: string, value: string | undefined): 'GET' | 'POST' | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (upper !== 'GET' && upper !== 'POST') throw Errors.invalidParameter(`${name} must be GET or POST, got "${value}"`);
  return upper;
}

/** Every entry must be one of the allowed event names (exact case, as Twilio lists them). */
export function eventFilters(name: string, values: string[] | undefined, allowed: readonly string[]): string[] | undefined {
  if (values === undefined) return undefined;
  for (const v of values) {
    if (!allowed.includes(v)) throw Errors.invalidParameter(`${name} contains an unknown event "${v}"; allowed: ${allowed.join(', ')}`);
  }
  return [...new Set(values)];
}

export function sidParam(name: string, prefix: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value)) throw Errors.invalidParameter(`${name} must be a ${prefix} SID, got "${value}"`);
  return value;
}
