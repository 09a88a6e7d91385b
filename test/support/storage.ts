import { afterEach } from 'vitest';
import { randomBytes } from 'node:crypto';
import { dropPgSchema, openStorage, type Storage } from '../../src/storage/db.js';
import { migrate } from '../../src/storage/migrate.js';
import type { Engine } from './harness.js';

/**
 * For unit tests that need a database and nothing else: the returned function
 * opens a migrated storage on the engine (SQLite in memory; on PostgreSQL a
 * schema of its own, named after `name`), and after each test it is closed and
 * the schema dropped. Call it inside the `describe` the engine belongs to.
 */
export function migratedStorage(engine: Engine, name: string): () => Promise<Storage> {
  let storage: Storage | undefined;
  let schema: string | undefined;
  afterEach(async () => {
    await storage?.close();
    if (schema) await dropPgSchema(process.env.DATABASE_URL!, schema);
    storage = undefined;
    schema = undefined;
  });
  return async () => {
    schema = engine === 'postgres' ? `t_${name}_${randomBytes(6).toString('hex')}` : undefined;
    storage = await openStorage(engine === 'postgres' ? { databaseUrl: process.env.DATABASE_URL, dataDir: '', pgSchema: schema } : { databaseUrl: undefined, dataDir: '', sqliteFile: ':memory:' });
    await migrate(storage);
    return storage;
  };
}
