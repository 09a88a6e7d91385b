import { it, expect } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { describeEngines } from '../support/harness.js';
import { flowDefinition } from '../support/studio.js';
import type { SendToFlexInput } from '../../src/studio/ports.js';

const clock = new ManualClock(Date.UTC(2026, 2, 3, 9, 0, 0));

/** Asks for a name, thanks by it; too slow gets a goodbye. */
const greeter = flowDefinition(
  [
    {
      name: 'ask',
      type: 'send-and-wait-for-reply',
      properties: { body: 'Hi {{trigger.conversation.Author}}, you said "{{trigger.conversation.Body}}". Name?', timeout: '600' },
      transitions: [{ event: 'incomingMessage', next: 'thanks' }, { event: 'timeout', next: 'bye' }, { event: 'deliveryFailure' }],
    },
    { name: 'thanks', type: 'send-message', properties: { body: 'Thanks {{widgets.ask.inbound.Body}} ({{contact.channel.address}})' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
    { name: 'bye', type: 'send-message', properties: { body: 'Too slow' }, transitions: [{ event: 'sent' }, { event: 'failed' }] },
  ],
  { incomingConversationMessage: 'ask' },
);

describeEngines(
  'Studio v2 Conversations trigger',
  (ctx) => {
    const conversations = () => ctx.server.client.conversations.v1.conversations;
    const studio = () => ctx.server.client.studio.v2;

    async function connected(flowSid: string) {
      const conv = await conversations().create({ friendlyName: 'bot chat' });
      await conversations()(conv.sid).participants.create({ identity: 'customer' });
      await conversations()(conv.sid).webhooks.create({ target: 'studio', 'configuration.flowSid': flowSid });
      return conv.sid;
    }
    const say = (conv: string, body: string, author = 'customer') => conversations()(conv).messages.create({ author, body });
    const transcript = async (conv: string) => (await conversations()(conv).messages.list()).map((m) => `${m.author}: ${m.body}`);
    async function steps(flowSid: string, executionSid: string) {
      return (await studio().flows(flowSid).executions(executionSid).steps.list()).map((s) => `${s.name} ${s.transitionedFrom}→${s.transitionedTo}`);
    }

    it('starts an execution on a customer message and resumes it with the next one', async () => {
      const flow = await studio().flows.create({ friendlyName: 'greeter', status: 'published', definition: greeter });
      const conv = await connected(flow.sid);
      const first = await say(conv, 'hello');
      await ctx.server.drain();
      expect(await transcript(conv)).toEqual(['customer: hello', 'system: Hi customer, you said "hello". Name?']);
      const [ex] = await studio().flows(flow.sid).executions.list();
      expect(ex).toMatchObject({ status: 'active', contactChannelAddress: 'customer' });
      expect((await ctx.server.http('GET', `/studio/v2/Flows/${flow.sid}/Executions/${ex!.sid}`)).body.initiated_by).toBe(first.sid);
      const trigger = (ex!.context as any).trigger.conversation;
      expect(trigger).toMatchObject({ ConversationSid: conv, ChannelSid: conv, MessageSid: first.sid, Body: 'hello', Author: 'customer', From: 'customer', AccountSid: ctx.server.accountSid, Index: '0' });
      expect(trigger.ChatServiceSid).toMatch(/^IS/);
      expect(await steps(flow.sid, ex!.sid)).toEqual(['incomingConversationMessage Trigger→ask']);

      await say(conv, 'Ada');
      await ctx.server.drain();
      expect(await transcript(conv)).toEqual(['customer: hello', 'system: Hi customer, you said "hello". Name?', 'customer: Ada', 'system: Thanks Ada (customer)']);
      expect(await steps(flow.sid, ex!.sid)).toEqual(['incomingConversationMessage Trigger→ask', 'incomingMessage ask→thanks', 'sent thanks→Ended']);
      const done = await studio().flows(flow.sid).executions(ex!.sid).fetch();
      expect(done.status).toBe('ended');
      expect((done.context as any).widgets.ask.inbound).toMatchObject({ Body: 'Ada', Author: 'customer', ConversationSid: conv });
      expect((done.context as any).widgets.thanks.outbound).toMatchObject({ Body: 'Thanks Ada (customer)', Author: 'system', ConversationSid: conv, Status: 'sent' });

      // The execution ended: the next message starts a new one, which then times out.
      await say(conv, 'again');
      await ctx.server.drain();
      const executions = await studio().flows(flow.sid).executions.list();
      expect(executions.map((e) => e.status)).toEqual(['active', 'ended']);
      clock.advance(601_000);
      await ctx.server.drain();
      expect(await steps(flow.sid, executions[0]!.sid)).toEqual(['incomingConversationMessage Trigger→ask', 'timeout ask→bye', 'sent bye→Ended']);
      expect((await transcript(conv)).at(-1)).toBe('system: Too slow');
    });

    it('ignores messages Studio or the system posted, and conversations without a studio webhook', async () => {
      const flow = await studio().flows.create({ friendlyName: 'quiet', status: 'published', definition: greeter });
      const conv = await connected(flow.sid);
      await conversations()(conv).messages.create({ body: 'from the API, author system' });
      const plain = await conversations().create({ friendlyName: 'no studio' });
      await say(plain.sid, 'hello');
      await ctx.server.drain();
      expect(await studio().flows(flow.sid).executions.list()).toEqual([]);
      expect(await transcript(plain.sid)).toEqual(['customer: hello']);
    });

    it('keeps a waiting execution across a restart and resumes it there', async () => {
      const flow = await studio().flows.create({ friendlyName: 'durable', status: 'published', definition: greeter });
      const conv = await connected(flow.sid);
      await say(conv, 'hi');
      await ctx.server.drain();
      await ctx.server.restart();
      await say(conv, 'Grace');
      await ctx.server.drain();
      expect((await transcript(conv)).at(-1)).toBe('system: Thanks Grace (customer)');
      const [ex] = await studio().flows(flow.sid).executions.list();
      expect(ex!.status).toBe('ended');
    });

    it('retries a reply that arrives while the execution is between widgets', async () => {
      const flow = await studio().flows.create({ friendlyName: 'race', status: 'published', definition: greeter });
      const conv = await connected(flow.sid);
      await say(conv, 'hi');
      await ctx.server.drain();
      const [ex] = await studio().flows(flow.sid).executions.list();
      // Put the execution back between its Trigger and "ask", with its run due in 3 s.
      const { storage } = ctx.server.parley;
      await storage.db.updateTable('studio_executions').set({ waiting_widget: null, next_widget: 'ask', wait_token: null }).where('sid', '=', ex!.sid).execute();
      await storage.db.deleteFrom('jobs').where('kind', '=', 'studio.timeout').execute();
      await storage.transaction((tx) =>
        ctx.server.parley.conversations.deps.jobs.schedule(tx, { accountSid: ctx.server.accountSid, kind: 'studio.run', payload: { executionSid: ex!.sid }, runAt: clock.now() + 3000, dedupeKey: `studio.run:${ex!.sid}` }),
      );
      await say(conv, 'Early');
      await ctx.server.drain();
      // Not waiting yet: the reply is retried rather than lost.
      expect((await transcript(conv)).at(-1)).toBe('customer: Early');
      clock.advance(3000);
      await ctx.server.drain();
      expect((await transcript(conv)).at(-1)).toBe('system: Hi customer, you said "hi". Name?');
      clock.advance(1000);
      await ctx.server.drain();
      expect((await transcript(conv)).at(-1)).toBe('system: Thanks Early (customer)');
      expect((await studio().flows(flow.sid).executions(ex!.sid).fetch()).status).toBe('ended');
    });

    it('hands the conversation to Flex with send-to-flex and stops listening to it', async () => {
      const calls: SendToFlexInput[] = [];
      ctx.server.parley.studio.ports.sendToFlex = async (input) => {
        calls.push(input);
        return { interactionSid: 'KD' + '1'.repeat(32), taskSid: 'WT' + '1'.repeat(32) };
      };
      const workflow = 'WW' + 'a'.repeat(32);
      const flow = await studio().flows.create({
        friendlyName: 'to flex',
        status: 'published',
        definition: flowDefinition(
          [
            {
              name: 'flex',
              type: 'send-to-flex',
              properties: { workflow, channel: 'chat', attributes: '{"name": "{{trigger.conversation.Author}}", "said": {{trigger.conversation.Body | to_json}}, "channelType": "web"}', priority: '5', timeout: '3600' },
              transitions: [{ event: 'callComplete' }, { event: 'failedToEnqueue', next: 'sorry' }, { event: 'callFailure' }],
            },
            { name: 'sorry', type: 'send-message', properties: { body: 'Sorry, nobody is available' }, transitions: [] },
          ],
          { incomingConversationMessage: 'flex' },
        ),
      });
      const conv = await connected(flow.sid);
      await say(conv, 'I need "help"');
      await ctx.server.drain();
      const [ex] = await studio().flows(flow.sid).executions.list();
      expect(calls).toEqual([
        {
          accountSid: ctx.server.accountSid,
          conversationSid: conv,
          flowSid: flow.sid,
          executionSid: ex!.sid,
          workflowSid: workflow,
          taskChannel: 'chat',
          attributes: { name: 'customer', said: 'I need "help"', channelType: 'web' },
          priority: 5,
          timeout: 3600,
          from: 'customer',
        },
      ]);
      expect(ex!.status).toBe('ended');
      expect(await steps(flow.sid, ex!.sid)).toEqual(['incomingConversationMessage Trigger→flex', 'callComplete flex→Ended']);
      expect((ex!.context as any).widgets.flex).toEqual({ InteractionSid: 'KD' + '1'.repeat(32), TaskSid: 'WT' + '1'.repeat(32) });
      expect(await conversations()(conv).webhooks.list()).toEqual([]);
      await say(conv, 'still there?');
      await ctx.server.drain();
      expect(await studio().flows(flow.sid).executions.list()).toHaveLength(1);
      expect(calls).toHaveLength(1);

      // When Flex refuses, the flow carries on its failedToEnqueue branch.
      ctx.server.parley.studio.ports.sendToFlex = async () => {
        throw new Error('no such workflow');
      };
      const conv2 = await connected(flow.sid);
      await say(conv2, 'help');
      await ctx.server.drain();
      expect(await transcript(conv2)).toEqual(['customer: help', 'system: Sorry, nobody is available']);
      expect((await conversations()(conv2).webhooks.list()).map((w) => w.target)).toEqual(['studio']);
    });
  },
  { clock, startWorker: false },
);
