import { it, expect } from 'vitest';
import type twilio from 'twilio';
import { describeEngines, twilioError } from '../support/harness.js';
import { embeddedTask, identities, settleAll, smsConversation } from '../support/flex.js';

/** The account's Flex defaults, read through the public APIs. */
async function flexDefaults(client: twilio.Twilio) {
  const workspaces = await client.taskrouter.v1.workspaces.list({ friendlyName: 'Flex Task Assignment' });
  const ws = client.taskrouter.v1.workspaces(workspaces[0]!.sid);
  return {
    workspaces,
    activities: (await ws.activities.list()).map((a) => a.friendlyName).sort(),
    channels: (await ws.taskChannels.list()).map((c) => c.uniqueName).sort(),
    queues: await ws.taskQueues.list(),
    workflows: await ws.workflows.list(),
    addresses: (await client.conversations.v1.addressConfigurations.list()).filter((a) => a.type === 'chat'),
    workers: await ws.workers.list(),
  };
}

describeEngines('Flex defaults and Send to Flex', (ctx) => {
  it('gives every account a Flex workspace, queue, workflow and web chat address, once', async () => {
    const s = ctx.server;
    const main = await flexDefaults(s.client);
    expect(main.workspaces.length).toBe(1);
    expect(main.activities).toEqual(['Available', 'Break', 'Offline', 'Unavailable']);
    expect(main.channels).toEqual(expect.arrayContaining(['chat', 'default', 'sms', 'voice', 'whatsapp']));
    expect(main.queues.map((q) => [q.friendlyName, q.targetWorkers])).toEqual([['Everyone', '1==1']]);
    expect(main.workflows.map((w) => w.friendlyName)).toEqual(['Assign to Anyone']);
    expect(JSON.parse(main.workflows[0]!.configuration).task_routing.default_filter).toEqual({ queue: main.queues[0]!.sid });
    // The web chat reaches an agent out of the box: its address runs the published "Messaging Flow", which sends to Flex.
    const flows = await s.client.studio.v2.flows.list();
    expect(flows.map((f) => [f.friendlyName, f.status, f.valid])).toEqual([['Messaging Flow', 'published', true]]);
    expect(main.addresses.map((a) => [a.address, a.autoCreation.enabled, a.autoCreation.type, a.autoCreation.studio_flow_sid])).toEqual([['parley-webchat', true, 'studio', flows[0]!.sid]]);
    const sendToFlex = (flows[0]!.definition as { states: Array<{ type: string; properties: { workflow?: string } }> }).states.find((st) => st.type === 'send-to-flex');
    expect(sendToFlex?.properties.workflow).toBe(main.workflows[0]!.sid);

    const sub = await s.client.api.v2010.accounts.create({ friendlyName: 'tenant' });
    const subClient = s.clientFor(sub.sid, sub.authToken);
    const tenant = await flexDefaults(subClient);
    expect(tenant.workspaces.length).toBe(1);
    expect(tenant.workspaces[0]!.sid).not.toBe(main.workspaces[0]!.sid);
    expect(tenant.queues.length).toBe(1);
    expect(tenant.addresses.length).toBe(1);

    await s.restart();
    const again = await flexDefaults(s.client);
    expect(again.workspaces.map((w) => w.sid)).toEqual(main.workspaces.map((w) => w.sid));
    expect(again.queues.map((q) => q.sid)).toEqual(main.queues.map((q) => q.sid));
    expect(again.workflows.map((w) => w.sid)).toEqual(main.workflows.map((w) => w.sid));
    expect(again.addresses.map((a) => a.sid)).toEqual(main.addresses.map((a) => a.sid));
    expect((await s.client.studio.v2.flows.list()).map((f) => f.sid)).toEqual(flows.map((f) => f.sid));
    expect((await s.client.taskrouter.v1.workspaces.list()).filter((w) => w.friendlyName === 'Flex Task Assignment').length).toBe(1);
    expect((await flexDefaults(s.clientFor(sub.sid, sub.authToken))).workspaces.map((w) => w.sid)).toEqual(tenant.workspaces.map((w) => w.sid));
  });

  it('the demo agent is created once, with a client: contact_uri', async () => {
    const s = ctx.server;
    const provisioning = s.parley.interactions.provisioning;
    const first = await provisioning.ensureDemoAgent(s.accountSid);
    expect(await provisioning.ensureDemoAgent(s.accountSid)).toBe(first);
    const { workers } = await flexDefaults(s.client);
    expect(workers.map((w) => [w.friendlyName, JSON.parse(w.attributes).contact_uri, w.activityName])).toEqual([['demo-agent', 'client:demo-agent', 'Offline']]);
  });

  it('send-to-flex creates an inbound interaction for the conversation through the workflow, with the widget attributes', async () => {
    const s = ctx.server;
    const defaults = (await s.parley.interactions.provisioning.defaults(s.accountSid))!;
    const ws = s.client.taskrouter.v1.workspaces(defaults.workspaceSid);
    const activities = await ws.activities.list();
    const demo = (await ws.workers.list({ friendlyName: 'demo-agent' }))[0]!;
    await ws.workers(demo.sid).update({ activitySid: activities.find((a) => a.friendlyName === 'Available')!.sid });
    const { conv, address } = await smsConversation(s);
    const out = await s.parley.interactions.interactions.sendToFlex({
      accountSid: s.accountSid,
      conversationSid: conv.sid,
      flowSid: 'FW' + 'a'.repeat(32),
      executionSid: 'FN' + 'a'.repeat(32),
      workflowSid: defaults.workflowSid,
      taskChannel: 'chat',
      attributes: { name: 'Grace', topic: 'billing' },
      priority: 5,
      timeout: 3600,
    });
    expect(out.interactionSid).toMatch(/^KD/);
    const task = await ws.tasks(out.taskSid).fetch();
    expect(task).toMatchObject({ priority: 5, timeout: 3600, taskChannelUniqueName: 'chat', workflowSid: defaults.workflowSid, assignmentStatus: 'reserved' });
    expect(JSON.parse(task.attributes)).toMatchObject({ name: 'Grace', topic: 'billing', conversationSid: conv.sid, flexInteractionSid: out.interactionSid, channelType: 'sms', customerAddress: address, direction: 'inbound' });
    const interaction = await s.client.flexApi.v1.interaction(out.interactionSid).fetch();
    expect(embeddedTask(interaction.routing).sid).toBe(out.taskSid);
    const [r] = await ws.tasks(out.taskSid).reservations.list();
    await ws.tasks(out.taskSid).reservations(r!.sid).update({ reservationStatus: 'accepted' });
    await settleAll(s);
    expect(await identities(s, conv.sid)).toEqual([null, 'demo-agent']);

    // Without a conversation, from/to open one (the legacy SMS trigger).
    const other = await s.parley.interactions.interactions.sendToFlex({ accountSid: s.accountSid, flowSid: 'FW' + 'a'.repeat(32), executionSid: 'FN' + 'b'.repeat(32), workflowSid: defaults.workflowSid, taskChannel: 'sms', attributes: {}, from: '+15551230000', to: '+15005550006' });
    const attrs = JSON.parse((await ws.tasks(other.taskSid).fetch()).attributes);
    expect(attrs).toMatchObject({ channelType: 'sms', customerAddress: '+15551230000' });
    expect((await s.client.conversations.v1.conversations(attrs.conversationSid).participants.list())[0]!.messagingBinding).toMatchObject({ address: '+15551230000' });

    await expect(s.parley.interactions.interactions.sendToFlex({ accountSid: s.accountSid, conversationSid: conv.sid, flowSid: 'FW' + 'a'.repeat(32), executionSid: 'FN' + 'c'.repeat(32), workflowSid: 'WW' + '0'.repeat(32), taskChannel: 'chat', attributes: {} })).rejects.toMatchObject({ code: 20001 });
    expect(await twilioError(s.parley.interactions.interactions.sendToFlex({ accountSid: s.accountSid, conversationSid: conv.sid, flowSid: 'FW' + 'a'.repeat(32), executionSid: 'FN' + 'd'.repeat(32), workflowSid: defaults.workflowSid, taskChannel: 'chat', attributes: {} }))).toMatchObject({ code: 80102 });
  });
});
