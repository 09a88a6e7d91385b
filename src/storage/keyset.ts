import type { SelectQueryBuilder } from 'kysely';

export interface KeysetWindow {
  gt?: number;
  lt?: number;
  ascending: boolean;
  limit: number;
}

/** Applies a paging window (see platform/paging.ts) to a query over a table with `seq`. */
export function keyset<QB extends SelectQueryBuilder<any, any, any>>(qb: QB, w: KeysetWindow): QB {
  let q = qb as SelectQueryBuilder<any, any, any>;
  if (w.gt !== undefined) q = q.where('seq', '>', w.gt);
  if (w.lt !== undefined) q = q.where('seq', '<', w.lt);
  return q.orderBy('seq', w.ascending ? 'asc' : 'desc').limit(w.limit) as QB;
}
