import type { Server } from './harness.js';
import { flowDefinition } from './studio.js';

let counter = 0;
/** A fresh E.164 number per call: open SMS bindings must not collide across tests. */
export function phone(): string {
  counter += 1;
  return `+1555${String(Date.now() % 1000).padStart(3, '0')}${String(counter).padStart(4, '0')}`;
}

export const PROXY = '+15005550006';

/** Routing passes, the outbox and due jobs, until all of them are idle. */
export async function settleAll(server: Server): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await server.parley.taskrouter.engine.settle();
    await server.settle();
  }
}

/** A workspace shaped like Flex's: queue "Everyone", a workflow to it, a short reservation timeout. */
export async function flexWorkspace(server: Server, reservationTimeout = 120) {
  const { client } = server;
  const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: `flex-${Math.random().toString(36).slice(2)}` });
  const w = client.taskrouter.v1.workspaces(ws.sid);
  const activities = await w.activities.list();
  const act = (name: string) => activities.find((a) => a.friendlyName === name)!.sid;
  const queue = await w.taskQueues.create({ friendlyName: 'Everyone', targetWorkers: '1==1' });
  const workflow = await w.workflows.create({
    friendlyName: 'Assign to Anyone',
    configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.sid } } }),
    taskReservationTimeout: reservationTimeout,
  });
  return { ws, w, queue, workflow, available: act('Available'), offline: act('Offline') };
}

export type FlexWorkspace = Awaited<ReturnType<typeof flexWorkspace>>;

/** A worker whose chat identity is `name` (Flex's `contact_uri: client:<name>`). */
export async function agent(t: FlexWorkspace, name: string, available = true) {
  return t.w.workers.create({ friendlyName: name, attributes: JSON.stringify({ contact_uri: `client:${name}`, full_name: name }), activitySid: available ? t.available : t.offline });
}

/** A customer writing by SMS: a conversation with their binding. */
export async function smsConversation(server: Server, address = phone()) {
  const conv = await server.client.conversations.v1.conversations.create({ friendlyName: 'customer' });
  const member = await server.client.conversations.v1.conversations(conv.sid).participants.create({ 'messagingBinding.address': address, 'messagingBinding.proxyAddress': PROXY });
  return { conv, member, address };
}

/** An inbound SMS interaction for an existing conversation. */
export function inbound(server: Server, t: FlexWorkspace, conversationSid: string, attributes: Record<string, unknown> = {}) {
  return server.client.flexApi.v1.interaction.create({
    channel: { type: 'sms', initiated_by: 'customer', properties: { media_channel_sid: conversationSid } },
    routing: { properties: { workspace_sid: t.ws.sid, workflow_sid: t.workflow.sid, task_channel_unique_name: 'sms', attributes } },
  });
}

/** The embedded task of an interaction or invite response. */
export function embeddedTask(routing: unknown): { sid: string; attributes: string; [k: string]: unknown } {
  return (routing as { properties: { sid: string; attributes: string } }).properties;
}

export async function identities(server: Server, conversationSid: string): Promise<Array<string | null>> {
  return (await server.client.conversations.v1.conversations(conversationSid).participants.list()).map((p) => p.identity);
}

/** A fresh Flex workspace and a published Studio flow handing every chat conversation to it (web chat tests). */
export async function chatToFlex(server: Server): Promise<{ t: FlexWorkspace; flowSid: string }> {
  const t = await flexWorkspace(server);
  const flow = await server.client.studio.v2.flows.create({
    friendlyName: 'web chat to flex',
    status: 'published',
    definition: flowDefinition(
      [{ name: 'flex', type: 'send-to-flex', properties: { workflow: t.workflow.sid, channel: 'chat', attributes: '{"channelType": "web"}' }, transitions: [{ event: 'callComplete' }, { event: 'failedToEnqueue' }, { event: 'callFailure' }] }],
      { incomingConversationMessage: 'flex' },
    ),
  });
  return { t, flowSid: flow.sid };
}
