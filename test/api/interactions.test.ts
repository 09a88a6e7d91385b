import { it, expect } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { describeEngines, twilioError } from '../support/harness.js';
import { PROXY, agent, embeddedTask, flexWorkspace, identities, inbound, phone, settleAll, smsConversation } from '../support/flex.js';

const clock = new ManualClock(Date.UTC(2026, 3, 1, 9, 0, 0));

describeEngines(
  'Flex Interactions',
  (ctx) => {
    it('binds an inbound interaction to its conversation and routes a task with Flex attributes; accept brings the agent in', async () => {
      const s = ctx.server;
      const t = await flexWorkspace(s);
      const alice = await agent(t, 'alice');
      const { conv, member, address } = await smsConversation(s);
      const i = await inbound(s, t, conv.sid, { customerName: 'Ada' });
      expect(i.sid).toMatch(/^KD[0-9a-f]{32}$/);
      expect(i.channel).toEqual({ type: 'sms', sid: expect.stringMatching(/^UO[0-9a-f]{32}$/) });
      expect(i.url).toBe(`https://flex-api.twilio.com/v1/Interactions/${i.sid}`.replace('https://flex-api.twilio.com', `${s.origin}/flex-api`));
      expect(i.links).toEqual({ channels: `${i.url}/Channels` });
      const channelSid = (i.channel as { sid: string }).sid;
      const props = embeddedTask(i.routing);
      expect(i.routing).toMatchObject({ reservation: null });
      expect(props).toMatchObject({
        sid: expect.stringMatching(/^WT/),
        workspace_sid: t.ws.sid,
        account_sid: s.accountSid,
        workflow_sid: t.workflow.sid,
        workflow_name: 'Assign to Anyone',
        queue_sid: t.queue.sid,
        queue_name: 'Everyone',
        task_channel_unique_name: 'sms',
        assignment_status: 'reserved',
        assignmentCounter: 1,
        reason: '',
        age: 0,
        timeout: 86400,
        addons: '{}',
        date_created: Math.floor(clock.now() / 1000),
        date_updated: Math.floor(clock.now() / 1000),
      });
      const attrs = JSON.parse(props.attributes);
      expect(attrs).toEqual({
        conversationSid: conv.sid,
        flexInteractionSid: i.sid,
        flexInteractionChannelSid: channelSid,
        flexChannelInviteSid: expect.stringMatching(/^KG[0-9a-f]{32}$/),
        channelType: 'sms',
        customerAddress: address,
        customerName: 'Ada',
        initiatedBy: 'customer',
        direction: 'inbound',
        customers: { phone: address, name: address },
        conversations: { initiated_by: 'customer', conversation_id: i.sid, media: [{ type: 'ChatTranscript', sid: conv.sid }] },
      });

      const task = await t.w.tasks(props.sid).fetch();
      expect(JSON.parse(task.attributes)).toEqual(attrs);
      const channel = await s.client.flexApi.v1.interaction(i.sid).channels(channelSid).fetch();
      expect(channel).toMatchObject({ sid: channelSid, interactionSid: i.sid, type: 'sms', status: 'active', errorCode: null, errorMessage: null });
      expect(channel.links).toEqual({ participants: `${channel.url}/Participants`, invites: `${channel.url}/Invites`, transfers: `${channel.url}/Transfers` });
      expect((await s.client.flexApi.v1.interaction(i.sid).fetch()).routing).toEqual(i.routing);

      const [reservation] = await t.w.tasks(props.sid).reservations.list();
      expect(reservation!.workerSid).toBe(alice.sid);
      expect(await identities(s, conv.sid)).toEqual([null]);
      await t.w.tasks(props.sid).reservations(reservation!.sid).update({ reservationStatus: 'accepted' });
      await settleAll(s);

      const people = await s.client.conversations.v1.conversations(conv.sid).participants.list();
      expect(people.map((p) => p.identity)).toEqual([null, 'alice']);
      const parts = await s.client.flexApi.v1.interaction(i.sid).channels(channelSid).participants.list();
      expect(parts.map((p) => p.type)).toEqual(['customer', 'agent']);
      expect(parts[0]!.routingProperties).toBeNull();
      expect(parts[1]!.routingProperties).toEqual({ task_sid: props.sid, worker_sid: alice.sid, reservation_sid: reservation!.sid });
      expect(parts[1]!.url).toBe(`${channel.url}/Participants/${parts[1]!.sid}`);
      expect(member.sid).toMatch(/^MB/);

      // The accept job may run again (at-least-once): nothing doubles.
      await s.parley.storage.db.updateTable('outbox').set({ dispatched_at: null }).where('type', '=', 'taskrouter.reservation.accepted').execute();
      await settleAll(s);
      expect(await identities(s, conv.sid)).toEqual([null, 'alice']);
      expect((await s.client.flexApi.v1.interaction(i.sid).channels(channelSid).participants.list()).length).toBe(2);
    });

    it('leaves the conversation untouched when the reservation is rejected or times out', async () => {
      const s = ctx.server;
      const t = await flexWorkspace(s, 60);
      const bob = await agent(t, 'bob');
      const { conv } = await smsConversation(s);
      const i = await inbound(s, t, conv.sid);
      const taskSid = embeddedTask(i.routing).sid;
      const [r1] = await t.w.tasks(taskSid).reservations.list();
      await t.w.tasks(taskSid).reservations(r1!.sid).update({ reservationStatus: 'rejected' });
      await settleAll(s);
      expect(await identities(s, conv.sid)).toEqual([null]);
      // Re-offered to bob (still available); this time nobody answers.
      const pending = (await t.w.tasks(taskSid).reservations.list()).filter((r) => r.reservationStatus === 'pending');
      expect(pending.map((r) => r.workerSid)).toEqual([bob.sid]);
      clock.advance(61_000);
      await settleAll(s);
      expect((await t.w.tasks(taskSid).reservations(pending[0]!.sid).fetch()).reservationStatus).toBe('timeout');
      expect(await identities(s, conv.sid)).toEqual([null]);
      expect((await s.client.conversations.v1.conversations(conv.sid).fetch()).state).toBe('active');
      const channel = await s.client.flexApi.v1.interaction(i.sid).channels((i.channel as { sid: string }).sid).fetch();
      expect(channel.status).toBe('active');
      expect((await s.client.flexApi.v1.interaction(i.sid).channels(channel.sid).participants.list()).map((p) => p.type)).toEqual(['customer']);
    });

    it('closing the channel wraps up its tasks and closes the conversation; Routing closed completes them', async () => {
      const s = ctx.server;
      const t = await flexWorkspace(s);
      await agent(t, 'carol');
      for (const routing of [undefined, { status: 'closed' }]) {
        const { conv } = await smsConversation(s);
        const i = await inbound(s, t, conv.sid);
        const taskSid = embeddedTask(i.routing).sid;
        const [r] = await t.w.tasks(taskSid).reservations.list();
        await t.w.tasks(taskSid).reservations(r!.sid).update({ reservationStatus: 'accepted' });
        await settleAll(s);
        const channelSid = (i.channel as { sid: string }).sid;
        const closed = await s.client.flexApi.v1.interaction(i.sid).channels(channelSid).update({ status: 'closed', ...(routing ? { routing } : {}) });
        expect(closed.status).toBe('closed');
        await settleAll(s);
        expect((await t.w.tasks(taskSid).fetch()).assignmentStatus).toBe(routing ? 'completed' : 'wrapping');
        expect((await s.client.conversations.v1.conversations(conv.sid).fetch()).state).toBe('closed');
        // The transcript keeps its people; closing again is a no-op.
        expect(await identities(s, conv.sid)).toEqual([null, 'carol']);
        expect((await s.client.flexApi.v1.interaction(i.sid).channels(channelSid).update({ status: 'closed' })).status).toBe('closed');
        expect(await twilioError(s.client.flexApi.v1.interaction(i.sid).channels(channelSid).update({ status: 'inactive', routing: { status: 'closed' } }))).toMatchObject({ status: 400, code: 80906 });
        if (!routing) await t.w.tasks(taskSid).update({ assignmentStatus: 'completed', reason: 'done' });
      }
    });

    it('an inactive channel completes its tasks and lets the agent go; the customer writing again routes a new task', async () => {
      const s = ctx.server;
      const t = await flexWorkspace(s);
      await agent(t, 'dave');
      const { conv, address } = await smsConversation(s);
      const i = await inbound(s, t, conv.sid);
      const channelSid = (i.channel as { sid: string }).sid;
      const taskSid = embeddedTask(i.routing).sid;
      const [r] = await t.w.tasks(taskSid).reservations.list();
      await t.w.tasks(taskSid).reservations(r!.sid).update({ reservationStatus: 'accepted' });
      await settleAll(s);
      const ch = s.client.flexApi.v1.interaction(i.sid).channels(channelSid);
      expect(await twilioError(ch.update({ status: 'inactive' }))).toMatchObject({ status: 400, code: 20001 });
      expect((await ch.update({ status: 'inactive', routing: { status: 'closed' } })).status).toBe('inactive');
      await settleAll(s);
      expect((await t.w.tasks(taskSid).fetch()).assignmentStatus).toBe('completed');
      expect(await identities(s, conv.sid)).toEqual([null]);
      expect((await s.client.conversations.v1.conversations(conv.sid).fetch()).state).toBe('active');

      await s.client.conversations.v1.conversations(conv.sid).messages.create({ author: address, body: 'still there?' });
      await settleAll(s);
      expect((await ch.fetch()).status).toBe('active');
      const invites = await ch.invites.list();
      expect(invites.length).toBe(2);
      const next = embeddedTask(invites[1]!.routing);
      const nextTask = await t.w.tasks(next.sid).fetch();
      expect(nextTask.assignmentStatus).toBe('reserved');
      expect(JSON.parse(nextTask.attributes)).toMatchObject({ flexInteractionChannelSid: channelSid, flexChannelInviteSid: invites[1]!.sid, conversationSid: conv.sid });
    });

    it('participant wrapup takes the agent out of the conversation and wraps the task; closed completes it', async () => {
      const s = ctx.server;
      const t = await flexWorkspace(s);
      await agent(t, 'erin');
      for (const status of ['wrapup', 'closed'] as const) {
        const { conv } = await smsConversation(s);
        const i = await inbound(s, t, conv.sid);
        const taskSid = embeddedTask(i.routing).sid;
        const [r] = await t.w.tasks(taskSid).reservations.list();
        await t.w.tasks(taskSid).reservations(r!.sid).update({ reservationStatus: 'accepted' });
        await settleAll(s);
        const ch = s.client.flexApi.v1.interaction(i.sid).channels((i.channel as { sid: string }).sid);
        const agentPart = (await ch.participants.list()).find((p) => p.type === 'agent')!;
        const updated = await ch.participants(agentPart.sid).update({ status });
        expect(updated).toMatchObject({ sid: agentPart.sid, type: 'agent' });
        await settleAll(s);
        expect(await identities(s, conv.sid)).toEqual([null]);
        expect((await t.w.tasks(taskSid).fetch()).assignmentStatus).toBe(status === 'closed' ? 'completed' : 'wrapping');
        expect((await s.client.conversations.v1.conversations(conv.sid).fetch()).state).toBe('active');
        expect((await ch.fetch()).status).toBe('active');
        if (status === 'wrapup') await t.w.tasks(taskSid).update({ assignmentStatus: 'completed', reason: 'done' });
      }
    });

    it("names the agent for the customer: the user's friendly name and the participant's attributes come from the worker", async () => {
      const s = ctx.server;
      const t = await flexWorkspace(s);
      const users = s.client.conversations.v1.users;
      const accept = async (workerSid: string) => {
        const { conv } = await smsConversation(s);
        const taskSid = embeddedTask((await inbound(s, t, conv.sid)).routing).sid;
        const [r] = await t.w.tasks(taskSid).reservations.list();
        expect(r!.workerSid).toBe(workerSid);
        await t.w.tasks(taskSid).reservations(r!.sid).update({ reservationStatus: 'accepted' });
        await settleAll(s);
        return { conv, taskSid };
      };
      const attributesOf = async (convSid: string, identity: string) => JSON.parse((await s.client.conversations.v1.conversations(convSid).participants(identity).fetch()).attributes);

      const joan = await t.w.workers.create({ friendlyName: 'joan', attributes: JSON.stringify({ contact_uri: 'client:joan-c', full_name: 'Joan Clarke' }), activitySid: t.available });
      const first = await accept(joan.sid);
      expect(await attributesOf(first.conv.sid, 'joan-c')).toEqual({ friendlyName: 'Joan Clarke' });
      expect((await users('joan-c').fetch()).friendlyName).toBe('Joan Clarke');
      const updates = () => s.parley.storage.db.selectFrom('outbox').select('seq').where('type', '=', 'conversations.onUserUpdated').execute();
      const renamed = (await updates()).length;
      // The accept job may run again: the user is not renamed twice.
      await s.parley.storage.db.updateTable('outbox').set({ dispatched_at: null }).where('type', '=', 'taskrouter.reservation.accepted').execute();
      await settleAll(s);
      expect((await updates()).length).toBe(renamed);

      // A new full name reaches the user at the agent's next conversation.
      await t.w.tasks(first.taskSid).update({ assignmentStatus: 'completed', reason: 'done' });
      await t.w.workers(joan.sid).update({ attributes: JSON.stringify({ contact_uri: 'client:joan-c', full_name: 'Joan Murray' }) });
      const second = await accept(joan.sid);
      expect(await attributesOf(second.conv.sid, 'joan-c')).toEqual({ friendlyName: 'Joan Murray' });
      expect((await users('joan-c').fetch()).friendlyName).toBe('Joan Murray');
      expect(await attributesOf(first.conv.sid, 'joan-c').catch(() => 'left')).toBe('left');

      // Without a full name, the worker's friendly name.
      await t.w.workers(joan.sid).update({ activitySid: t.offline });
      const kay = await t.w.workers.create({ friendlyName: 'Kay McNulty', attributes: JSON.stringify({ contact_uri: 'client:kay' }), activitySid: t.available });
      const third = await accept(kay.sid);
      expect(await attributesOf(third.conv.sid, 'kay')).toEqual({ friendlyName: 'Kay McNulty' });
      expect((await users('kay').fetch()).friendlyName).toBe('Kay McNulty');
    });

    it('creates an agent-initiated outbound SMS interaction routed to that agent', async () => {
      const s = ctx.server;
      const t = await flexWorkspace(s);
      const frank = await agent(t, 'frank');
      await agent(t, 'grace');
      const to = phone();
      const i = await s.client.flexApi.v1.interaction.create({
        channel: { type: 'sms', initiated_by: 'agent', participants: [{ address: to, proxy_address: PROXY }] },
        routing: { properties: { workspace_sid: t.ws.sid, workflow_sid: t.workflow.sid, task_channel_unique_name: 'sms', worker_sid: frank.sid, queue_sid: t.queue.sid, attributes: { customerName: 'Zed', from: PROXY } } },
      });
      const props = embeddedTask(i.routing);
      expect(props).toMatchObject({ routing_target: frank.sid, queue_sid: t.queue.sid, assignment_status: 'reserved' });
      const attrs = JSON.parse(props.attributes);
      expect(attrs).toMatchObject({ direction: 'outbound', initiatedBy: 'agent', customerAddress: to, customerName: 'Zed', from: PROXY });
      const conv = await s.client.conversations.v1.conversations(attrs.conversationSid).fetch();
      const members = await s.client.conversations.v1.conversations(conv.sid).participants.list();
      expect(members.map((m) => m.messagingBinding)).toEqual([expect.objectContaining({ address: to, proxy_address: PROXY })]);
      const [r] = await t.w.tasks(props.sid).reservations.list();
      expect(r!.workerSid).toBe(frank.sid);
      await t.w.tasks(props.sid).reservations(r!.sid).update({ reservationStatus: 'accepted' });
      await settleAll(s);
      expect(await identities(s, conv.sid)).toEqual([null, 'frank']);

      // The same customer and proxy cannot be in a second open conversation.
      const again = await twilioError(
        s.client.flexApi.v1.interaction.create({
          channel: { type: 'sms', initiated_by: 'agent', participants: [{ address: to, proxy_address: PROXY }] },
          routing: { properties: { workspace_sid: t.ws.sid, worker_sid: frank.sid, queue_sid: t.queue.sid } },
        }),
      );
      expect(again).toMatchObject({ status: 409, code: 80102 });
      // A refused task leaves no conversation behind.
      const before = (await s.client.conversations.v1.conversations.list()).length;
      const refused = await twilioError(
        s.client.flexApi.v1.interaction.create({
          channel: { type: 'sms', initiated_by: 'agent', participants: [{ address: phone(), proxy_address: PROXY }] },
          routing: { properties: { workspace_sid: t.ws.sid, worker_sid: frank.sid, queue_sid: t.queue.sid, task_channel_unique_name: 'pigeon' } },
        }),
      );
      expect(refused).toMatchObject({ status: 400, code: 20001 });
      expect((await s.client.conversations.v1.conversations.list()).length).toBe(before);
    });

    it('leaves channel and conversation as they are when the task is canceled (the application decides)', async () => {
      const s = ctx.server;
      const t = await flexWorkspace(s);
      const { conv } = await smsConversation(s);
      const i = await inbound(s, t, conv.sid);
      const taskSid = embeddedTask(i.routing).sid;
      expect((await t.w.tasks(taskSid).fetch()).assignmentStatus).toBe('pending');
      await t.w.tasks(taskSid).update({ assignmentStatus: 'canceled', reason: 'abandoned' });
      await settleAll(s);
      const ch = s.client.flexApi.v1.interaction(i.sid).channels((i.channel as { sid: string }).sid);
      expect((await ch.fetch()).status).toBe('active');
      expect((await s.client.conversations.v1.conversations(conv.sid).fetch()).state).toBe('active');
      // Re-inviting routes a new task to the same channel.
      const hank = await agent(t, 'hank');
      const invite = await ch.invites.create({ routing: { properties: { workspace_sid: t.ws.sid, workflow_sid: t.workflow.sid, task_channel_unique_name: 'sms' } } });
      expect(embeddedTask(invite.routing)).toMatchObject({ assignment_status: 'reserved' });
      const [r] = await t.w.tasks(embeddedTask(invite.routing).sid).reservations.list();
      expect(r!.workerSid).toBe(hank.sid);
    });

    it('answers bad input with Twilio errors and changes nothing', async () => {
      const s = ctx.server;
      const t = await flexWorkspace(s);
      const { conv } = await smsConversation(s);
      const post = (body: Record<string, string>) => s.http('POST', '/flex-api/v1/Interactions', body);
      const routing = JSON.stringify({ properties: { workspace_sid: t.ws.sid, workflow_sid: t.workflow.sid } });
      const channel = JSON.stringify({ type: 'sms', properties: { media_channel_sid: conv.sid } });
      expect(await post({ Routing: routing })).toMatchObject({ status: 400, body: { code: 20001, message: 'Missing required parameter Channel in the post body' } });
      expect(await post({ Channel: '{not json', Routing: routing })).toMatchObject({ status: 400, body: { code: 20001, message: 'Channel must be a valid JSON string' } });
      expect(await post({ Channel: channel, Routing: '[1]' })).toMatchObject({ status: 400, body: { code: 20001 } });
      expect(await post({ Channel: channel })).toMatchObject({ status: 400, body: { code: 20001 } });
      expect(await post({ Channel: JSON.stringify({ type: 'pager', properties: { media_channel_sid: conv.sid } }), Routing: routing })).toMatchObject({ status: 400, body: { code: 20001 } });
      expect(await post({ Channel: JSON.stringify({ type: 'sms' }), Routing: routing })).toMatchObject({ status: 400, body: { code: 20001 } });
      expect(await post({ Channel: channel, Routing: JSON.stringify({ properties: { workflow_sid: t.workflow.sid } }) })).toMatchObject({ status: 400, body: { code: 20001 } });
      expect(await post({ Channel: channel, Routing: routing, Extra: 'x' })).toMatchObject({ status: 400, body: { code: 20001, message: 'Unknown parameter Extra' } });
      const unknownConv = JSON.stringify({ type: 'sms', properties: { media_channel_sid: 'CH' + '0'.repeat(32) } });
      expect(await post({ Channel: unknownConv, Routing: routing })).toMatchObject({ status: 404, body: { code: 20404 } });
      expect(await post({ Channel: channel, Routing: JSON.stringify({ properties: { workspace_sid: 'WS' + '0'.repeat(32) } }) })).toMatchObject({ status: 404, body: { code: 20404 } });
      expect(await post({ Channel: channel, Routing: JSON.stringify({ properties: { workspace_sid: t.ws.sid, workflow_sid: 'WW' + '0'.repeat(32) } }) })).toMatchObject({ status: 400, body: { code: 20001 } });
      expect((await t.w.tasks.list()).length).toBe(0);
      expect(s.parley.storage.db).toBeDefined();
      expect(await s.parley.storage.db.selectFrom('fx_channels').select('sid').where('conversation_sid', '=', conv.sid).execute()).toEqual([]);

      const i = await inbound(s, t, conv.sid);
      expect(await twilioError(inbound(s, t, conv.sid))).toMatchObject({ status: 409, code: 80102 });
      const channelSid = (i.channel as { sid: string }).sid;
      const KD = 'KD' + '0'.repeat(32);
      expect(await twilioError(s.client.flexApi.v1.interaction(KD).fetch())).toMatchObject({ status: 404, code: 20404 });
      expect((await s.http('GET', '/flex-api/v1/Interactions/nope')).body).toMatchObject({ status: 404, code: 20404 });
      expect(await twilioError(s.client.flexApi.v1.interaction(KD).channels.list())).toMatchObject({ status: 404, code: 20404 });
      expect(await twilioError(s.client.flexApi.v1.interaction(i.sid).channels('UO' + '0'.repeat(32)).fetch())).toMatchObject({ status: 404, code: 20404 });
      expect(await twilioError(s.client.flexApi.v1.interaction(i.sid).channels(channelSid).participants('UT' + '0'.repeat(32)).update({ status: 'closed' }))).toMatchObject({ status: 404, code: 20404 });
      expect((await s.http('POST', `/flex-api/v1/Interactions/${i.sid}/Channels/${channelSid}`, { Status: 'open' })).body).toMatchObject({ status: 400, code: 20001 });
      expect((await s.http('POST', `/flex-api/v1/Interactions/${i.sid}/Channels/${channelSid}`, { Status: 'closed', Routing: '{"status":"open"}' })).body).toMatchObject({ status: 400, code: 20001 });
      expect((await s.http('POST', `/flex-api/v1/Interactions/${i.sid}/Channels/${channelSid}/Participants`, { Type: 'agent', MediaProperties: '{}' })).body).toMatchObject({ status: 400, code: 20001 });
      expect((await s.http('POST', `/flex-api/v1/Interactions/${i.sid}/Channels/${channelSid}/Participants`, { Type: 'boss', MediaProperties: '{"identity":"x"}' })).body).toMatchObject({ status: 400, code: 20001 });
      expect((await s.http('POST', `/flex-api/v1/Interactions/${i.sid}/Channels/${channelSid}/Invites`, { Routing: 'nope' })).body).toMatchObject({ status: 400, code: 20001 });
      expect((await s.client.flexApi.v1.interaction(i.sid).channels(channelSid).fetch()).status).toBe('active');

      await s.client.conversations.v1.conversations(conv.sid).update({ state: 'closed' });
      const { conv: other } = await smsConversation(s);
      await s.client.conversations.v1.conversations(other.sid).update({ state: 'closed' });
      expect(await twilioError(inbound(s, t, other.sid))).toMatchObject({ status: 400, code: 45354 });

      const updated = await s.client.flexApi.v1.interaction(i.sid).update({ webhookTtid: 'flex_interactionwebhook_1' });
      expect(updated.webhookTtid).toBe('flex_interactionwebhook_1');
    });

    it('pages channel participants and invites', async () => {
      const s = ctx.server;
      const t = await flexWorkspace(s);
      const { conv } = await smsConversation(s);
      const i = await inbound(s, t, conv.sid);
      const ch = s.client.flexApi.v1.interaction(i.sid).channels((i.channel as { sid: string }).sid);
      for (const name of ['sup1', 'sup2', 'sup3']) {
        const p = await ch.participants.create({ type: 'supervisor', mediaProperties: { identity: name } });
        expect(p).toMatchObject({ type: 'supervisor', routingProperties: null });
      }
      expect(await identities(s, conv.sid)).toEqual([null, 'sup1', 'sup2', 'sup3']);
      expect(await twilioError(ch.participants.create({ type: 'supervisor', mediaProperties: { identity: 'sup1' } }))).toMatchObject({ status: 409, code: 80102 });
      const page = await ch.participants.page({ pageSize: 2 });
      expect(page.instances.map((p) => p.type)).toEqual(['customer', 'supervisor']);
      const next = await page.nextPage();
      expect(next!.instances.length).toBe(2);
      expect((await ch.participants.list()).length).toBe(4);
      const raw = await s.http('GET', `/flex-api/v1/Interactions/${i.sid}/Channels/${(i.channel as { sid: string }).sid}/Invites?PageSize=1`);
      expect(raw.body.meta).toMatchObject({ key: 'invites', page_size: 1, next_page_url: null });
      expect((await s.client.flexApi.v1.interaction(i.sid).channels.list()).map((c) => c.sid)).toEqual([(i.channel as { sid: string }).sid]);
    });
  },
  { clock },
);
