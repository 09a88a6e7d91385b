import type { Kysely } from 'kysely';
import type { Engine } from '../db.js';
import * as m001 from './001-foundation.js';
import * as m002 from './002-taskrouter.js';
import * as m007 from './007-task-deadlines.js';

export interface MigrationContext {
  // Migrations see an untyped database: the typed schema describes the end state.
  db: Kysely<any>;
  engine: Engine;
}

export interface Migration {
  name: string;
  up(ctx: MigrationContext): Promise<void>;
}

/** Every migration, in order. Append only: a shipped migration never changes. */
export const migrations: Migration[] = [
  { name: '001-foundation', up: m001.up },
  { name: '002-taskrouter', up: m002.up },
  { name: '007-task-deadlines', up: m007.up },
];
