import type { CreateTableBuilder } from 'kysely';
import type { MigrationContext } from './index.js';

/** Columns every tenant resource table has: seq (paging key), sid, account_sid. */
export function resource<T extends string>(ctx: MigrationContext, name: T): CreateTableBuilder<T, 'seq' | 'sid' | 'account_sid'> {
  return ctx.db.schema
    .createTable(name)
    .addColumn('seq', ctx.engine === 'postgres' ? 'bigserial' : 'integer', (c) =>
      ctx.engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('sid', 'varchar(34)', (c) => c.notNull().unique())
    .addColumn('account_sid', 'varchar(34)', (c) => c.notNull());
}
