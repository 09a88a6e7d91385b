import type { Kysely } from 'kysely';
import type { Engine } from '../db.js';
import * as m001 from './001-foundation.js';
import * as m002 from './002-taskrouter.js';
import * as m004 from './004-interactions.js';
import * as m003studio from './003-studio.js';
import * as m006realtime from './006-realtime.js';
import * as m007 from './007-task-deadlines.js';
import * as m005channels from './005-channels.js';
import * as m008agents from './008-agents.js';
import * as m009webchat from './009-webchat.js';
import * as m010supervision from './010-supervision.js';
import * as m011email from './011-email.js';

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
  { name: '004-interactions', up: m004.up },
  { name: '003-studio', up: m003studio.up },
  { name: '006-realtime', up: m006realtime.up },
  { name: '007-task-deadlines', up: m007.up },
  { name: '005-channels', up: m005channels.up },
  { name: '008-agents', up: m008agents.up },
  { name: '009-webchat', up: m009webchat.up },
  { name: '010-supervision', up: m010supervision.up },
  { name: '011-email', up: m011email.up },
];
