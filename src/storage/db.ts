import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import { createRequire } from 'node:module';
import type { Database } from './schema.js';
import { startCheckpointer } from './checkpointer.js';

export type Engine = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the root handle or a transaction: store functions accept both. */
export type Executor = Db | Tx;

export interface Storage {
  db: Db;
  engine: Engine;
  /** Runs fn in a transaction; on SQLite writes are serialized by the engine itself. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// int8 (bigint) comes back from pg as a string by default; every bigint we store
// (epoch milliseconds, sequence numbers) fits in a double, so parse it.
pg.types.setTypeParser(20, (value) => Number(value));

export interface StorageOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** For tests: an explicit SQLite file (':memory:' allowed). */
  sqliteFile?: string;
  /** For tests: a PostgreSQL schema to create and use (isolation per test file). */
  pgSchema?: string;
}

export async function openStorage(options: StorageOptions): Promise<Storage> {
  if (options.databaseUrl) {
    const poolConfig: pg.PoolConfig = { connectionString: options.databaseUrl, max: 10 };
    if (options.pgSchema) {
      const admin = new pg.Client({ connectionString: options.databaseUrl });
      await admin.connect();
      await admin.query(`CREATE SCHEMA IF NOT EXISTS "${options.pgSchema}"`);
      await admin.end();
      poolConfig.options = `-c search_path="${options.pgSchema}"`;
    }
    const pool = new pg.Pool(poolConfig);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      engine: 'postgres',
      transaction: (fn) => db.transaction().execute(fn),
      close: () => db.destroy(),
    };
  }
  const file = options.sqliteFile ?? path.join(options.dataDir, 'parley.db');
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  database.pragma('cache_size = -65536');
  database.pragma('temp_store = memory');
  // Checkpoints run off the event loop (see checkpointer.ts); the WAL still has a
  // ceiling should the checkpointer fall far behind.
  const checkpointer = file === ':memory:' ? undefined : startCheckpointer(file, createRequire(import.meta.url).resolve('better-sqlite3'));
  if (checkpointer) database.pragma('wal_autocheckpoint = 20000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  // Kysely's SQLite driver holds one connection behind a mutex, so a transaction
  // never interleaves with statements of a concurrent request.
  return {
    db,
    engine: 'sqlite',
    transaction: (fn) => db.transaction().execute(fn),
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/**
 * Kysely prepares every query anew; preparing costs more than running most of our
 * statements, so keep the prepared statements by SQL text (bounded, oldest evicted).
 */
function withStatementCache(database: SQLite.Database, max = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  return new Proxy(database, {
    get(target, prop, receiver) {
      if (prop === 'prepare') {
        return (source: string) => {
          let stmt = cache.get(source);
          if (stmt) {
            cache.delete(source);
          } else {
            stmt = target.prepare(source);
            if (cache.size >= max) cache.delete(cache.keys().next().value as string);
          }
          cache.set(source, stmt);
          return stmt;
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export async function dropPgSchema(databaseUrl: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}

export { sql };
