import { it, expect } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { describeEngines } from '../support/harness.js';
import { startReceiver } from '../support/receiver.js';

const clock = new ManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

describeEngines(
  'Conversation state timers',
  (ctx) => {
    it('moves active → inactive → closed on its timers, emitting onConversationStateUpdated with Reason TIMER', async () => {
      const { client, parley, accountSid } = ctx.server;
      const receiver = await startReceiver();
      await parley.storage.db
        .updateTable('conv_configuration')
        .set({ post_webhook_url: `${receiver.url}/state`, webhook_filters: JSON.stringify(['onConversationStateUpdated']) })
        .where('account_sid', '=', accountSid)
        .execute();
      const t0 = clock.now();
      const conv = await client.conversations.v1.conversations.create({ friendlyName: 'timed', 'timers.inactive': 'PT1M', 'timers.closed': 'PT10M' });
      expect(conv.timers).toEqual({ date_inactive: iso(t0 + 60_000), date_closed: iso(t0 + 600_000) });

      clock.advance(59_000);
      await ctx.server.drain();
      expect((await client.conversations.v1.conversations(conv.sid).fetch()).state).toBe('active');

      clock.advance(2_000);
      await ctx.server.drain();
      const inactive = await client.conversations.v1.conversations(conv.sid).fetch();
      expect(inactive.state).toBe('inactive');
      expect(inactive.timers).toEqual({ date_closed: iso(t0 + 600_000) });

      clock.advance(9 * 60_000);
      await ctx.server.drain();
      const closed = await client.conversations.v1.conversations(conv.sid).fetch();
      expect(closed.state).toBe('closed');
      expect(closed.timers).toEqual({});

      const hits = await receiver.waitFor(2);
      expect(hits.map((h) => [h.params.StateFrom, h.params.StateTo, h.params.Reason])).toEqual([
        ['active', 'inactive', 'TIMER'],
        ['inactive', 'closed', 'TIMER'],
      ]);
      expect(hits[0]!.params.ConversationSid).toBe(conv.sid);
      await receiver.close();
    });

    it('reports API state changes with Reason API and refuses to reopen a closed conversation', async () => {
      const { client } = ctx.server;
      const conv = await client.conversations.v1.conversations.create({ friendlyName: 'manual' });
      await client.conversations.v1.conversations(conv.sid).update({ state: 'closed' });
      const err = await client.conversations.v1.conversations(conv.sid).update({ state: 'active' }).catch((e: { status: number }) => e);
      expect((err as { status: number }).status).toBe(400);
      expect((await client.conversations.v1.conversations(conv.sid).fetch()).state).toBe('closed');
    });

    it('keeps a pending timer across a restart', async () => {
      const server = ctx.server;
      const conv = await server.client.conversations.v1.conversations.create({ friendlyName: 'durable', 'timers.inactive': 'PT5M' });
      await server.restart();
      clock.advance(5 * 60_000 + 1000);
      await server.drain();
      expect((await server.client.conversations.v1.conversations(conv.sid).fetch()).state).toBe('inactive');
    });

    it('uses the account default timers for new conversations', async () => {
      const { client, parley, accountSid } = ctx.server;
      await parley.storage.db.updateTable('conv_configuration').set({ default_inactive_timer: 'PT2M' }).where('account_sid', '=', accountSid).execute();
      const conv = await client.conversations.v1.conversations.create({ friendlyName: 'defaults' });
      expect(conv.timers).toEqual({ date_inactive: iso(clock.now() + 120_000) });
      await parley.storage.db.updateTable('conv_configuration').set({ default_inactive_timer: null }).where('account_sid', '=', accountSid).execute();
    });
  },
  { clock, startWorker: false },
);
