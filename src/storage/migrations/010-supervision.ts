import type { MigrationContext } from './index.js';
import { resource } from './helpers.js';

/** Supervision: whispers, the notes agents and supervisors leave on a conversation that its customer never sees. */
export async function up(ctx: MigrationContext): Promise<void> {
  await resource(ctx, 'sv_whispers')
    .addColumn('conversation_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('author_identity', 'varchar(256)', (c) => c.notNull())
    .addColumn('author_agent_sid', 'varchar(34)', (c) => c.notNull())
    .addColumn('author_role', 'varchar(16)', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('date_created', 'bigint', (c) => c.notNull())
    .execute();
  await ctx.db.schema.createIndex('sv_whispers_conversation').on('sv_whispers').columns(['account_sid', 'conversation_sid', 'seq']).execute();
}
