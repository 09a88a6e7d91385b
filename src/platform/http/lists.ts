import type { FastifyRequest } from 'fastify';
import { encodeToken, type PageRequest, type PageResult } from '../paging.js';

export interface ListEnvelopeInput<T> {
  req: FastifyRequest;
  /** meta.key and the name of the array. */
  key: string;
  /** Path below the product base, e.g. /v1/Conversations. */
  path: string;
  page: PageRequest;
  result: PageResult<T & { seq: number }>;
  /** Filters to carry into every page URL (already in their wire names). */
  filters?: Record<string, string | number | boolean | string[] | undefined>;
  render(row: T): unknown;
}

/** Twilio's list envelope: `{<key>: [...], meta: {page, page_size, first/previous/next page URLs, url, key}}`. */
export function listEnvelope<T>(input: ListEnvelopeInput<T>): Record<string, unknown> {
  const { req, key, path, page, result } = input;
  const base = `${req.productBase}${path}`;
  const filterParams = new URLSearchParams();
  for (const [name, value] of Object.entries(input.filters ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) filterParams.append(name, v);
    else filterParams.append(name, String(value));
  }
  const urlFor = (pageNo: number, token?: string) => {
    const p = new URLSearchParams(filterParams);
    p.set('PageSize', String(page.pageSize));
    p.set('Page', String(pageNo));
    if (token) p.set('PageToken', token);
    return `${base}?${p.toString()}`;
  };
  const rows = result.rows;
  const first = rows[0];
  const last = rows[rows.length - 1];
  const current = page.after !== undefined ? encodeToken({ a: page.after }) : page.before !== undefined ? encodeToken({ b: page.before }) : undefined;
  return {
    [key]: rows.map((r) => input.render(r)),
    meta: {
      page: page.page,
      page_size: page.pageSize,
      first_page_url: urlFor(0),
      previous_page_url: result.hasPrevious && first ? urlFor(Math.max(0, page.page - 1), encodeToken({ b: first.seq })) : null,
      url: urlFor(page.page, current),
      next_page_url: result.hasNext && last ? urlFor(page.page + 1, encodeToken({ a: last.seq })) : null,
      key,
    },
  };
}
