import { beforeEach, afterEach } from 'vitest';
import type { Server } from './harness.js';
import { startReceiver, type Receiver } from './receiver.js';
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

/**
 * A fresh receiver for every test of the enclosing suite, with the account
 * webhooks cleared after each. The returned object always speaks for the
 * current test's receiver.
 */
export function receiverPerTest(ctx: { server: Server }): Receiver {
  let current: Receiver | undefined;
  beforeEach(async () => {
    current = await startReceiver();
  });
  afterEach(async () => {
    await configureAccountWebhooks(ctx.server.parley.storage.db, ctx.server.accountSid, { filters: [] });
    await current?.close();
  });
  const now = () => {
    if (!current) throw new Error('no receiver outside a test');
    return current;
  };
  return {
    get url() {
      return now().url;
    },
    get received() {
      return now().received;
    },
    respond: (fn) => now().respond(fn),
    waitFor: (n, timeoutMs) => now().waitFor(n, timeoutMs),
    close: () => now().close(),
  };
}
