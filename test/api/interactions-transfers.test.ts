import { it, expect } from 'vitest';
import { describeEngines, twilioError, type Server } from '../support/harness.js';
import { agent, embeddedTask, flexWorkspace, identities, inbound, settleAll, smsConversation, type FlexWorkspace } from '../support/flex.js';

/** An inbound conversation already accepted by `first`: the starting point of invites and transfers. */
async function accepted(s: Server, t: FlexWorkspace, first: string) {
  const { conv } = await smsConversation(s);
  const i = await inbound(s, t, conv.sid);
  const taskSid = embeddedTask(i.routing).sid;
  const [r] = await t.w.tasks(taskSid).reservations.list();
  await t.w.tasks(taskSid).reservations(r!.sid).update({ reservationStatus: 'accepted' });
  await settleAll(s);
  const channelSid = (i.channel as { sid: string }).sid;
  const ch = s.client.flexApi.v1.interaction(i.sid).channels(channelSid);
  const from = (await ch.participants.list()).find((p) => p.type === 'agent')!;
  expect((from.routingProperties as { worker_sid: string }).worker_sid).toBe((await t.w.workers.list({ friendlyName: first }))[0]!.sid);
  return { conv, i, ch, channelSid, taskSid, from };
}

async function acceptOnly(t: FlexWorkspace, taskSid: string, workerSid: string) {
  const pending = (await t.w.tasks(taskSid).reservations.list()).filter((r) => r.reservationStatus === 'pending');
  expect(pending.map((r) => r.workerSid)).toEqual([workerSid]);
  await t.w.tasks(taskSid).reservations(pending[0]!.sid).update({ reservationStatus: 'accepted' });
}

describeEngines('Flex Interactions: invites and transfers', (ctx) => {
  it('invites a second agent into the same channel: a new task with the invite sid, both agents in the conversation', async () => {
    const s = ctx.server;
    const t = await flexWorkspace(s);
    await agent(t, 'ann');
    const { conv, i, ch, channelSid } = await accepted(s, t, 'ann');
    const ben = await agent(t, 'ben');
    const invite = await ch.invites.create({ routing: { properties: { workspace_sid: t.ws.sid, worker_sid: ben.sid, queue_sid: t.queue.sid, attributes: { customerName: 'VIP' } } } });
    expect(invite).toMatchObject({ sid: expect.stringMatching(/^KG/), interactionSid: i.sid, channelSid: channelSid });
    expect(invite.url).toBe(`${s.origin}/flex-api/v1/Interactions/${i.sid}/Channels/${channelSid}/Invites/${invite.sid}`);
    const props = embeddedTask(invite.routing);
    expect(props).toMatchObject({ routing_target: ben.sid, assignment_status: 'reserved' });
    // Twilio does not carry the first task's attributes over: Flex's keys and the invite's own.
    expect(JSON.parse(props.attributes)).toMatchObject({ flexChannelInviteSid: invite.sid, flexInteractionSid: i.sid, conversationSid: conv.sid, customerName: 'VIP' });
    await acceptOnly(t, props.sid, ben.sid);
    await settleAll(s);
    expect(await identities(s, conv.sid)).toEqual([null, 'ann', 'ben']);
    expect((await ch.participants.list()).map((p) => p.type)).toEqual(['customer', 'agent', 'agent']);
    const invites = await ch.invites.list();
    expect(invites.map((x) => x.sid)).toEqual([JSON.parse(embeddedTask(i.routing).attributes).flexChannelInviteSid, invite.sid]);
  });

  it('warm transfer to a worker: the new agent joins, the transferring one stays until they leave', async () => {
    const s = ctx.server;
    const t = await flexWorkspace(s);
    await agent(t, 'cat');
    const { conv, ch, channelSid, taskSid, from } = await accepted(s, t, 'cat');
    const dan = await agent(t, 'dan');
    const transfer = await ch.transfers.create({ body: { type: 'warm', from: from.sid, to: dan.sid } });
    expect(transfer).toMatchObject({ sid: expect.stringMatching(/^UX/), type: 'warm', status: 'active', from: from.sid, to: dan.sid, accountSid: s.accountSid, channelSid: channelSid });
    expect(transfer.dateCreated).toBeInstanceOf(Date);
    const newTask = (await t.w.tasks.list({ assignmentStatus: ['reserved'] }))[0]!;
    expect(JSON.parse(newTask.attributes)).toMatchObject({ transferTargetType: 'worker', conversationSid: conv.sid });
    expect(newTask.sid).not.toBe(taskSid);
    await acceptOnly(t, newTask.sid, dan.sid);
    await settleAll(s);
    expect((await ch.transfers(transfer.sid).fetch()).status).toBe('completed');
    expect(await identities(s, conv.sid)).toEqual([null, 'cat', 'dan']);
    expect((await t.w.tasks(taskSid).fetch()).assignmentStatus).toBe('assigned');
    // Cat leaves when done: completing her task takes her out.
    await t.w.tasks(taskSid).update({ assignmentStatus: 'completed', reason: 'handed over' });
    await settleAll(s);
    expect(await identities(s, conv.sid)).toEqual([null, 'dan']);
  });

  it('cold transfer to a queue: the transferring agent leaves (task wrapping) once the new reservation is accepted', async () => {
    const s = ctx.server;
    const t = await flexWorkspace(s);
    await agent(t, 'eve');
    const { conv, ch, taskSid, from } = await accepted(s, t, 'eve');
    // Through raw JSON too: the body may name its fields at the top level.
    const raw = await s.http('POST', `/flex-api/v1/Interactions/${from.interactionSid}/Channels/${from.channelSid}/Transfers`, JSON.stringify({ type: 'cold', from: from.sid, to: t.queue.sid }), { 'Content-Type': 'application/json' });
    expect(raw.status).toBe(201);
    expect(raw.body).toMatchObject({ type: 'cold', status: 'active', to: t.queue.sid, instance_sid: null, execution_sid: null });
    await settleAll(s);
    expect(await identities(s, conv.sid)).toEqual([null, 'eve']);
    const fay = await agent(t, 'fay');
    await settleAll(s);
    const newTask = (await t.w.tasks.list({ assignmentStatus: ['reserved'] }))[0]!;
    expect(newTask.taskQueueSid).toBe(t.queue.sid);
    await acceptOnly(t, newTask.sid, fay.sid);
    await settleAll(s);
    expect((await ch.transfers(raw.body.sid).fetch()).status).toBe('completed');
    expect(await identities(s, conv.sid)).toEqual([null, 'fay']);
    expect((await t.w.tasks(taskSid).fetch()).assignmentStatus).toBe('wrapping');
    // Eve is no longer active: she cannot transfer again.
    expect(await twilioError(ch.transfers.create({ body: { type: 'cold', from: from.sid, to: t.queue.sid } }))).toMatchObject({ status: 400, code: 20001 });
  });

  it('a transfer fails when its task is canceled or withdrawn; the transferring agent keeps the conversation', async () => {
    const s = ctx.server;
    const t = await flexWorkspace(s);
    await agent(t, 'gus');
    const { conv, ch, from } = await accepted(s, t, 'gus');
    const away = await agent(t, 'hal', false);
    const first = await ch.transfers.create({ body: { type: 'cold', from: from.sid, to: away.sid } });
    const task1 = (await t.w.tasks.list({ assignmentStatus: ['pending'] }))[0]!;
    await t.w.tasks(task1.sid).update({ assignmentStatus: 'canceled', reason: 'nobody' });
    await settleAll(s);
    expect((await ch.transfers(first.sid).fetch()).status).toBe('failed');
    const second = await ch.transfers.create({ body: { type: 'warm', from: from.sid, to: away.sid, note_sid: 'KQ' + 'a'.repeat(32) } });
    expect(second.noteSid).toBe('KQ' + 'a'.repeat(32));
    const withdrawn = await ch.transfers(second.sid).update({ body: { status: 'failed' } });
    expect(withdrawn.status).toBe('failed');
    expect((await t.w.tasks.list({ assignmentStatus: ['pending', 'reserved'] })).length).toBe(0);
    await settleAll(s);
    expect(await identities(s, conv.sid)).toEqual([null, 'gus']);
    expect(await twilioError(ch.transfers(second.sid).update({ body: { status: 'completed' } }))).toMatchObject({ status: 400, code: 20001 });
  });

  it('refuses malformed transfers and unknown ones', async () => {
    const s = ctx.server;
    const t = await flexWorkspace(s);
    await agent(t, 'ida');
    const { ch, from } = await accepted(s, t, 'ida');
    const customer = (await ch.participants.list()).find((p) => p.type === 'customer')!;
    const bad = [
      { type: 'hot', from: from.sid, to: t.queue.sid },
      { type: 'warm', to: t.queue.sid },
      { type: 'warm', from: from.sid, to: 'someone' },
      { type: 'warm', from: customer.sid, to: t.queue.sid },
      { type: 'warm', from: from.sid, to: from.routingProperties && (from.routingProperties as { worker_sid: string }).worker_sid },
      { type: 'warm', from: from.sid, to: 'WK' + '0'.repeat(32) },
    ];
    for (const body of bad) expect(await twilioError(ch.transfers.create({ body }))).toMatchObject({ status: 400, code: 20001 });
    const raw = await s.http('POST', `/flex-api/v1/Interactions/${from.interactionSid}/Channels/${from.channelSid}/Transfers`, '{oops', { 'Content-Type': 'application/json' });
    expect(raw).toMatchObject({ status: 400, body: { code: 20001 } });
    const form = await s.http('POST', `/flex-api/v1/Interactions/${from.interactionSid}/Channels/${from.channelSid}/Transfers`, { type: 'warm' });
    expect(form).toMatchObject({ status: 415, body: { code: 20415 } });
    expect(await twilioError(ch.transfers('UX' + '0'.repeat(32)).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect((await s.parley.storage.db.selectFrom('fx_transfers').select('sid').where('channel_sid', '=', from.channelSid).execute()).length).toBe(0);
  });
});
