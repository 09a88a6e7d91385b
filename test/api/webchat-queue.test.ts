import { it, expect } from 'vitest';
import type { Clock } from '../../src/platform/clock.js';
import { describeEngines, type Server } from '../support/harness.js';
import { agent, chatToFlex, settleAll } from '../support/flex.js';
import { startChat, wc, type StartedChat } from '../support/webchat.js';
import { positionInQueue, estimateWait } from '../../src/webchat/queue.js';

/** Real time plus an offset the test moves: waits in queue become whole minutes without sleeping. */
let offset = 0;
const clock: Clock = { now: () => Date.now() + offset };

/** A chat address whose Studio flow hands every chat to Flex in a fresh workspace (no agent available). */
async function routedAddress(server: Server) {
  const { client } = server;
  const { t, flowSid } = await chatToFlex(server);
  const address = await client.conversations.v1.addressConfigurations.create({ type: 'chat', address: `queued-${Date.now()}`, 'autoCreation.enabled': true, 'autoCreation.type': 'studio', 'autoCreation.studioFlowSid': flowSid });
  await server.http('POST', `/parley/v1/WebChat/Addresses/${address.sid}`, { AllowedOrigins: 'self' });
  return { t, address };
}

async function queueOf(server: Server, chat: StartedChat) {
  const res = await wc(server, 'GET', `/Sessions/${chat.conversationSid}/Queue`, { token: chat.token });
  expect(res.status).toBe(200);
  return res.body as { status: string; position: number | null; queueSize: number | null; estimatedWaitSeconds: number | null; availableAgents: number | null };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describeEngines(
  'web chat queue position',
  (ctx) => {
    it('places waiting chats 1 and 2 in their queue, learns the estimate from accepted waits, says assigned once an agent accepts', async () => {
      const s = ctx.server;
      const { t, address } = await routedAddress(s);
      const a = await startChat(s, { address: address.address, question: 'first' });
      const queued = (chat: StartedChat) => until('the chat to be queued', async () => ((await queueOf(s, chat)).position !== null ? queueOf(s, chat) : undefined));
      await queued(a);
      offset += 5_000;
      const b = await startChat(s, { address: address.address, question: 'second' });
      await queued(b);

      expect(await queueOf(s, a)).toEqual({ status: 'waiting', position: 1, queueSize: 2, estimatedWaitSeconds: null, availableAgents: 0 });
      expect(await queueOf(s, b)).toEqual({ status: 'waiting', position: 2, queueSize: 2, estimatedWaitSeconds: null, availableAgents: 0 });

      // A minute later an agent (one chat at a time) comes online and takes the oldest chat.
      offset += 60_000;
      const worker = await agent(t, 'queue-agent', false);
      await t.w.workers(worker.sid).workerChannels('chat').update({ capacity: 1 });
      await t.w.workers(worker.sid).update({ activitySid: t.available });
      await settleAll(s);
      const [reservation] = await t.w.workers(worker.sid).reservations.list({ reservationStatus: 'pending' });
      expect(reservation).toBeDefined();
      // Offered, not accepted: still waiting, still first.
      expect(await queueOf(s, a)).toMatchObject({ status: 'waiting', position: 1, queueSize: 2 });
      const task = await t.w.tasks(reservation!.taskSid).fetch();
      expect(JSON.parse(task.attributes)).toMatchObject({ conversationSid: a.conversationSid });
      await t.w.tasks(reservation!.taskSid).reservations(reservation!.sid).update({ reservationStatus: 'accepted' });
      await settleAll(s);

      expect(await queueOf(s, a)).toEqual({ status: 'assigned', position: null, queueSize: null, estimatedWaitSeconds: null, availableAgents: null });
      // a waited 65 s; b has waited 60 s and is next: about 5 s left. A new chat c is second: about 130 s.
      const bNow = await queueOf(s, b);
      // Available is TaskRouter's activity-based count: the agent is busy with a, but Available.
      expect(bNow).toMatchObject({ status: 'waiting', position: 1, queueSize: 1, availableAgents: 1 });
      expect(bNow.estimatedWaitSeconds).toBeGreaterThanOrEqual(3);
      expect(bNow.estimatedWaitSeconds).toBeLessThanOrEqual(7);
      const c = await startChat(s, { address: address.address, question: 'third' });
      await until('c to be queued', async () => ((await queueOf(s, c)).position === 2 ? true : undefined));
      const cNow = await queueOf(s, c);
      expect(cNow).toMatchObject({ status: 'waiting', position: 2, queueSize: 2 });
      expect(cNow.estimatedWaitSeconds).toBeGreaterThanOrEqual(128);
      expect(cNow.estimatedWaitSeconds).toBeLessThanOrEqual(132);

      // A chat nobody routed has no task.
      const bare = await s.client.conversations.v1.addressConfigurations.create({ type: 'chat', address: `bare-${Date.now()}` });
      const plain = await startChat(s, { address: bare.address, question: 'no routing here' });
      await settleAll(s);
      expect(await queueOf(s, plain)).toEqual({ status: 'none', position: null, queueSize: null, estimatedWaitSeconds: null, availableAgents: null });
    });

    it('orders like the matcher: priority first, then age (FIFO oldest first, LIFO newest first)', () => {
      const task = (sid: string, priority: number, start: number) => ({ sid, workspace_sid: 'WS', task_queue_sid: 'WQ', assignment_status: 'pending', priority, virtual_start_time: start, task_queue_entered_date: start, date_created: start });
      const tasks = [task('WT1', 0, 100), task('WT2', 0, 200), task('WT3', 5, 300)];
      expect(['WT1', 'WT2', 'WT3'].map((sid) => positionInQueue(tasks, sid, 'FIFO'))).toEqual([2, 3, 1]);
      expect(['WT1', 'WT2', 'WT3'].map((sid) => positionInQueue(tasks, sid, 'LIFO'))).toEqual([3, 2, 1]);
      expect(positionInQueue(tasks, 'WT9', 'FIFO')).toBeNull();
      expect(estimateWait(0, 3, 0)).toBeNull();
      expect(estimateWait(30, 2, 10)).toBe(50);
      expect(estimateWait(30, 1, 90)).toBe(0);
    });
  },
  { clock },
);
