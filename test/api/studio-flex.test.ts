import { it, expect } from 'vitest';
import { describeEngines } from '../support/harness.js';
import { flowDefinition } from '../support/studio.js';

/**
 * Send to Flex end to end: Studio → Interactions → TaskRouter, with the real
 * worker running. Needs the composition root to wire StudioPorts.sendToFlex to
 * InteractionsService.sendToFlex; until then the widget takes failedToEnqueue
 * ("flex not wired") and this suite fails.
 */
describeEngines('Studio send-to-flex through Interactions and TaskRouter', (ctx) => {
  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('creates the task with the Liquid-rendered attributes and lets go of the conversation', async () => {
    const { client } = ctx.server;
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'flex', template: 'FIFO' });
    const [workflow] = await client.taskrouter.v1.workspaces(ws.sid).workflows.list();
    const flow = await client.studio.v2.flows.create({
      friendlyName: 'to flex',
      status: 'published',
      definition: flowDefinition(
        [
          { name: 'vars', type: 'set-variables', properties: { variables: [{ key: 'topic', value: '{{trigger.conversation.Body | downcase}}' }] }, transitions: [{ event: 'next', next: 'flex' }] },
          {
            name: 'flex',
            type: 'send-to-flex',
            properties: {
              workflow: workflow!.sid,
              channel: 'chat',
              attributes: '{"name": "{{trigger.conversation.Author}}", "topic": "{{flow.variables.topic}}", "conversationSid": "{{trigger.conversation.ConversationSid}}", "channelType": "chat"}',
              priority: '7',
            },
            transitions: [{ event: 'callComplete' }, { event: 'failedToEnqueue' }, { event: 'callFailure' }],
          },
        ],
        { incomingConversationMessage: 'vars' },
      ),
    });
    const conv = await client.conversations.v1.conversations.create({ friendlyName: 'needs an agent' });
    await client.conversations.v1.conversations(conv.sid).participants.create({ identity: 'visitor' });
    await client.conversations.v1.conversations(conv.sid).webhooks.create({ target: 'studio', 'configuration.flowSid': flow.sid });
    await client.conversations.v1.conversations(conv.sid).messages.create({ author: 'visitor', body: 'BILLING' });

    const ended = await until('the execution to end', async () => {
      const [ex] = await client.studio.v2.flows(flow.sid).executions.list();
      return ex?.status === 'ended' ? ex : undefined;
    });
    const steps = await client.studio.v2.flows(flow.sid).executions(ended.sid).steps.list();
    expect(steps.map((s) => `${s.name} ${s.transitionedFrom}→${s.transitionedTo}`)).toEqual(['incomingConversationMessage Trigger→vars', 'next vars→flex', 'callComplete flex→Ended']);
    const widget = (ended.context as any).widgets.flex as { TaskSid: string; InteractionSid: string };
    expect(widget.TaskSid).toMatch(/^WT[0-9a-f]{32}$/);
    expect(widget.InteractionSid).toMatch(/^KD[0-9a-f]{32}$/);

    const task = await client.taskrouter.v1.workspaces(ws.sid).tasks(widget.TaskSid).fetch();
    expect(task.workflowSid).toBe(workflow!.sid);
    expect(task.taskChannelUniqueName).toBe('chat');
    expect(task.priority).toBe(7);
    expect(JSON.parse(task.attributes)).toMatchObject({ name: 'visitor', topic: 'billing', conversationSid: conv.sid });
    expect(await client.conversations.v1.conversations(conv.sid).webhooks.list()).toEqual([]);
  });
});
