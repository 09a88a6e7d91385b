import type { Kysely } from 'kysely';
import type { Database } from '../../src/storage/schema.js';

/**
 * Points the account-level Conversations webhooks (default service) at a receiver,
 * or clears them with `{ filters: [] }`. Written to the store directly so a test
 * can also reset URLs and filters to nothing, which the REST shape cannot express.
 */
export async function configureAccountWebhooks(db: Kysely<Database>, accountSid: string, cfg: { pre?: string | null; post?: string | null; filters: string[]; method?: string }): Promise<void> {
  await db
    .updateTable('conv_configuration')
    .set({ pre_webhook_url: cfg.pre ?? null, post_webhook_url: cfg.post ?? null, webhook_filters: JSON.stringify(cfg.filters), webhook_method: cfg.method ?? 'POST', webhook_target: 'webhook' })
    .where('account_sid', '=', accountSid)
    .execute();
}
