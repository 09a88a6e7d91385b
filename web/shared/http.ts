/**
 * Same-origin HTTP for the web surfaces: Twilio's form-encoded writes, JSON
 * answers, and its error envelope ({code, message, more_info, status, details})
 * turned into an ApiError that the UI shows as "code: message".
 */

export type FormValue = string | number | boolean | readonly string[] | undefined | null;
export type FormParams = Record<string, FormValue>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    message: string,
    readonly moreInfo?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Form encoding as Twilio's SDKs send it: lists as repeated keys, undefined/null left out. */
export function encodeForm(params: FormParams): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) form.append(key, String(v));
    else form.append(key, String(value));
  }
  return form.toString();
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  /** POST: form body; GET: query string. */
  params?: FormParams;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** One call; resolves with the parsed JSON (undefined for 204), rejects with ApiError. */
export async function request<T = unknown>(url: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  let target = url;
  let body: string | undefined;
  if (opts.params) {
    const encoded = encodeForm(opts.params);
    if (method === 'POST') {
      body = encoded;
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    } else if (encoded) {
      target += (url.includes('?') ? '&' : '?') + encoded;
    }
  }
  let res: Response;
  try {
    res = await fetch(target, { method, headers, body, credentials: 'same-origin', ...(opts.signal ? { signal: opts.signal } : {}) });
  } catch (err) {
    throw new ApiError(0, undefined, `Network error: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = (json ?? {}) as { code?: number; message?: string; more_info?: string; details?: unknown };
    throw new ApiError(res.status, typeof e.code === 'number' ? e.code : undefined, e.message ?? (text.slice(0, 200) || res.statusText), e.more_info, e.details);
  }
  return json as T;
}

/** The problems a Studio 81022 (or a draft's `errors`) lists: `{message, property_path}`. */
export function detailErrors(details: unknown): Array<{ message: string; property_path?: string }> {
  const list = (details as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(list) ? (list.filter((e) => e && typeof e === 'object') as Array<{ message: string; property_path?: string }>) : [];
}

/** Reads every page of a list (bounded), following meta.next_page_url. */
export async function listAll<T>(first: string, key: string, headers: Record<string, string> = {}, maxPages = 20): Promise<T[]> {
  const out: T[] = [];
  let url: string | null = first;
  for (let i = 0; url && i < maxPages; i++) {
    const page: Record<string, unknown> & { meta?: { next_page_url?: string | null } } = await request(url, { headers });
    out.push(...((page[key] as T[] | undefined) ?? []));
    // Page URLs are absolute, built from the origin this request reached: keep only the path.
    const next = page.meta?.next_page_url;
    url = next ? sameOrigin(next) : null;
  }
  return out;
}

function sameOrigin(url: string): string {
  try {
    const u = new URL(url, location.origin);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}
