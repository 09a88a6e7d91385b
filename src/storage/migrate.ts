import { Migrator, sql, type Migration as KyselyMigration } from 'kysely';
import type { Storage } from './db.js';
import { migrations } from './migrations/index.js';

/**
 * Brings the schema up to date. Kysely's migrator serializes concurrent nodes with
 * its lock table; a failed attempt rolls back whole (DDL is transactional on both
 * engines), so it is tried once more before giving up — seen very rarely on
 * PostgreSQL with many schemas being created at once in one database.
 */
export async function migrate(storage: Storage): Promise<void> {
  try {
    await migrateOnce(storage);
  } catch {
    await new Promise((r) => setTimeout(r, 250));
    await migrateOnce(storage);
  }
}

async function migrateOnce(storage: Storage): Promise<void> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one, so a
  // second schema in the same database (a test run, another tenant) would fool it.
  const schema = storage.engine === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(storage.db)).rows[0]?.s : undefined;
  const migrator = new Migrator({
    db: storage.db,
    ...(schema ? { migrationTableSchema: schema } : {}),
    // Modules add migrations independently; an existing database may meet an earlier-numbered one later.
    allowUnorderedMigrations: true,
    provider: {
      async getMigrations() {
        const out: Record<string, KyselyMigration> = {};
        for (const m of migrations) out[m.name] = { up: (db) => m.up({ db, engine: storage.engine }) };
        return out;
      },
    },
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
}
