import { Errors } from './errors.js';

/**
 * Keyset paging over the engine-assigned `seq` column. The PageToken is opaque to
 * clients: `PT` + base64url JSON {a: after-seq} or {b: before-seq}. Because it names
 * a position rather than an offset, pages stay stable while rows are inserted.
 */
export interface PageRequest {
  pageSize: number;
  page: number;
  /** Rows strictly after this seq in list order. */
  after?: number;
  /** Rows strictly before this seq in list order (previous page). */
  before?: number;
  /** List order: ascending seq unless the resource was asked for desc. */
  desc: boolean;
}

export interface PageLimits {
  defaultSize: number;
  maxSize: number;
}

export const PageLimits = {
  /** Conversations: Services, Conversations, Messages, Participants, Credentials, Bindings. */
  conversations: { defaultSize: 50, maxSize: 100 },
  /** Conversations: Users, Roles, UserConversations, ParticipantConversations, Receipts, Addresses. */
  conversationsSmall: { defaultSize: 50, maxSize: 50 },
  /** Conversation-scoped webhooks. */
  scopedWebhooks: { defaultSize: 5, maxSize: 5 },
  /** TaskRouter, Flex v1, Studio v2, core API. */
  standard: { defaultSize: 50, maxSize: 1000 },
} as const satisfies Record<string, PageLimits>;

export interface PagingQuery {
  PageSize?: number;
  Page?: number;
  PageToken?: string;
}

export function pageRequest(q: PagingQuery, limits: PageLimits, desc = false): PageRequest {
  const requested = q.PageSize ?? limits.defaultSize;
  if (!Number.isInteger(requested) || requested < 1) throw Errors.invalidParameter('PageSize must be a positive integer');
  const pageSize = Math.min(requested, limits.maxSize);
  const page = q.Page ?? 0;
  if (!Number.isInteger(page) || page < 0) throw Errors.invalidParameter('Page must be a non-negative integer');
  const req: PageRequest = { pageSize, page, desc };
  if (q.PageToken) {
    const pos = decodeToken(q.PageToken);
    if ('a' in pos) req.after = pos.a;
    else req.before = pos.b;
  }
  return req;
}

export function encodeToken(pos: { a: number } | { b: number }): string {
  return 'PT' + Buffer.from(JSON.stringify(pos)).toString('base64url');
}

function decodeToken(token: string): { a: number } | { b: number } {
  try {
    if (!token.startsWith('PT')) throw new Error('prefix');
    const pos = JSON.parse(Buffer.from(token.slice(2), 'base64url').toString('utf8')) as unknown;
    if (pos && typeof pos === 'object') {
      const o = pos as Record<string, unknown>;
      if (typeof o.a === 'number' && Number.isInteger(o.a)) return { a: o.a };
      if (typeof o.b === 'number' && Number.isInteger(o.b)) return { b: o.b };
    }
    throw new Error('shape');
  } catch {
    throw Errors.invalidParameter(`Invalid PageToken: ${token}`);
  }
}

/** A page of rows as read by a store: `rows` in list order plus whether more exist each way. */
export interface PageResult<T> {
  rows: T[];
  hasNext: boolean;
  hasPrevious: boolean;
}

/**
 * Runs a keyset read: `fetch` receives seq bounds, a direction and a limit and must
 * return rows ordered by seq in that direction. One extra row tells whether the
 * page has a neighbour.
 */
export async function readPage<T extends { seq: number }>(
  req: PageRequest,
  fetch: (w: { gt?: number; lt?: number; ascending: boolean; limit: number }) => Promise<T[]>,
): Promise<PageResult<T>> {
  const limit = req.pageSize + 1;
  if (req.before !== undefined) {
    // Walk backwards from the cursor, then restore list order.
    const rows = await fetch(req.desc ? { gt: req.before, ascending: true, limit } : { lt: req.before, ascending: false, limit });
    const more = rows.length > req.pageSize;
    const page = rows.slice(0, req.pageSize).reverse();
    return { rows: page, hasNext: true, hasPrevious: more };
  }
  const bound = req.after;
  const rows = await fetch(
    req.desc ? { ...(bound !== undefined ? { lt: bound } : {}), ascending: false, limit } : { ...(bound !== undefined ? { gt: bound } : {}), ascending: true, limit },
  );
  const more = rows.length > req.pageSize;
  return { rows: rows.slice(0, req.pageSize), hasNext: more, hasPrevious: bound !== undefined };
}
