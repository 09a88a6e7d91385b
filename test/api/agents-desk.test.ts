import { it, expect } from 'vitest';
import { describeEngines, type Server } from '../support/harness.js';
import { PROXY, flexWorkspace, inbound, phone, settleAll, smsConversation, type FlexWorkspace } from '../support/flex.js';
import { agentHttp, agentSession } from '../support/agents.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a50000000049454e44ae426082', 'hex');

/** The agent desktop's API (/agent-api/v1) end to end, as the agent's own worker, with its permission checks. */
describeEngines('agent desktop API', (ctx) => {
  let n = 0;
  const uniq = (p: string) => `${p}${++n}${Math.random().toString(36).slice(2, 6)}`;

  async function team(server: Server) {
    const t = await flexWorkspace(server);
    const ana = await agentSession(server, uniq('ana'), { workspaceSid: t.ws.sid });
    const ben = await agentSession(server, uniq('ben'), { workspaceSid: t.ws.sid });
    const sup = await agentSession(server, uniq('sup'), { role: 'supervisor', workspaceSid: t.ws.sid });
    const as = (who: { token: string }) => (method: string, path: string, body?: Record<string, string> | string | Uint8Array, headers?: Record<string, string>) => agentHttp(server, who.token, method, `/agent-api/v1${path}`, body, headers);
    return { t, ana: { ...ana, call: as(ana) }, ben: { ...ben, call: as(ben) }, sup: { ...sup, call: as(sup) } };
  }

  async function ensureAddress(server: Server) {
    if (await server.parley.conversations.addresses.findByAddress(server.accountSid, 'sms', PROXY)) return;
    await server.client.conversations.v1.addressConfigurations.create({ type: 'sms', address: PROXY, friendlyName: 'the proxy number' });
  }

  async function available(t: FlexWorkspace, who: { call: (m: string, p: string, b?: Record<string, string>) => Promise<{ status: number; body: any }> }) {
    const res = await who.call('POST', '/Worker', { ActivitySid: t.available });
    expect(res.status).toBe(200);
    expect(res.body.worker.available).toBe(true);
  }

  it('activities, offers with their timeout, accept, transcript, media, wrap-up with a disposition and complete', async () => {
    const s = ctx.server;
    const { t, ana, ben, sup } = await team(s);

    const worker = await ana.call('GET', '/Worker');
    expect(worker.status).toBe(200);
    expect(worker.body.worker).toMatchObject({ sid: ana.agent.worker_sid, available: false });
    expect(worker.body.activities.map((a: { friendly_name: string }) => a.friendly_name)).toEqual(expect.arrayContaining(['Available', 'Unavailable', 'Offline']));
    await available(t, ana);

    // The proxy number is an address of the account, so the built-in simulator carries the replies.
    await ensureAddress(s);
    const { conv, address } = await smsConversation(s);
    await inbound(s, t, conv.sid, { customerName: 'Ada' });
    await settleAll(s);
    const offers = (await ana.call('GET', '/Reservations')).body.reservations;
    expect(offers).toHaveLength(1);
    const offer = offers[0];
    expect(offer).toMatchObject({ status: 'pending', worker_sid: ana.agent.worker_sid, task: { conversation_sid: conv.sid, customer_address: address, customer_name: 'Ada', channel_type: 'sms' } });
    expect(Date.parse(offer.timeout_date) - Date.now()).toBeGreaterThan(60_000);
    // Not ben's offer to see or answer.
    expect((await ben.call('GET', '/Reservations')).body.reservations).toEqual([]);
    expect((await ben.call('POST', `/Reservations/${offer.sid}`, { Status: 'accepted' })).status).toBe(404);
    expect((await ben.call('GET', `/Conversations/${conv.sid}`)).status).toBe(404);

    const accepted = await ana.call('POST', `/Reservations/${offer.sid}`, { Status: 'accepted' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('accepted');
    await settleAll(s);
    const tasks = (await ana.call('GET', '/Tasks')).body.tasks;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ sid: offer.task_sid, assignment_status: 'assigned', reservation_status: 'accepted', conversation_sid: conv.sid });

    // The customer writes, the agent answers with a file.
    const c = s.client.conversations.v1.conversations(conv.sid);
    await c.messages.create({ author: address, body: 'Hello?' });
    const upload = await ana.call('POST', `/Conversations/${conv.sid}/Media?Filename=dot.png`, PNG, { 'Content-Type': 'image/png' });
    expect(upload.status).toBe(201);
    expect(upload.body).toMatchObject({ sid: expect.stringMatching(/^ME/), content_type: 'image/png', filename: 'dot.png', size: PNG.length });
    const html = await ana.call('POST', `/Conversations/${conv.sid}/Media`, '<script>alert(1)</script>', { 'Content-Type': 'text/html' });
    expect(html.status).toBe(400);
    expect(html.body.message).toMatch(/SMS/);
    await c.messages.create({ author: ana.agent.username, body: '**Hi** Ada', mediaSid: upload.body.sid });
    await settleAll(s);
    const transcript = (await ana.call('GET', `/Conversations/${conv.sid}`)).body;
    expect(transcript.conversation).toMatchObject({ sid: conv.sid, state: 'active' });
    expect(transcript.participants.map((p: { identity: string | null; address: string | null }) => p.identity ?? p.address)).toEqual(expect.arrayContaining([address, ana.agent.username]));
    expect(transcript.messages.map((m: { body: string }) => m.body)).toEqual(['Hello?', '**Hi** Ada']);
    const sent = transcript.messages[1];
    expect(sent.media).toEqual([{ sid: upload.body.sid, content_type: 'image/png', filename: 'dot.png', size: PNG.length, url: `/agent-api/v1/Media/${upload.body.sid}` }]);
    expect(sent.delivery).toMatchObject({ total: 1, sent: 'all' });
    const file = await fetch(`${s.origin}${sent.media[0].url}`, { headers: { Cookie: `parley_session=${ana.token}` } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await file.arrayBuffer())).toEqual(PNG);
    expect((await ben.call('GET', `/Media/${upload.body.sid}`)).status).toBe(404);
    expect((await sup.call('GET', `/Conversations/${conv.sid}`)).status).toBe(200);

    const context = (await ana.call('GET', `/Tasks/${offer.task_sid}/Context`)).body;
    expect(context).toMatchObject({ channel_type: 'sms', customer: { address, name: 'Ada' }, conversation_sid: conv.sid, previous_conversations: [] });

    // Wrap-up: the last agent out closes the conversation; the disposition lands in the task.
    const wrapped = await ana.call('POST', `/Tasks/${offer.task_sid}/Wrapup`, { Disposition: 'resolved' });
    expect(wrapped.status).toBe(200);
    expect(wrapped.body).toMatchObject({ assignment_status: 'wrapping', disposition: 'resolved' });
    await settleAll(s);
    expect((await c.fetch()).state).toBe('closed');
    const done = await ana.call('POST', `/Tasks/${offer.task_sid}/Complete`, { Disposition: 'resolved: refund' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ assignment_status: 'completed' });
    const task = await t.w.tasks(offer.task_sid).fetch();
    expect(task.assignmentStatus).toBe('completed');
    expect(JSON.parse(task.attributes).disposition).toBe('resolved: refund');
    expect((await ana.call('GET', '/Tasks')).body.tasks).toEqual([]);
    // The agent still reads the transcript of a conversation they worked.
    expect((await ana.call('GET', `/Conversations/${conv.sid}`)).status).toBe(200);

    // The same customer writes again: a new conversation, with the earlier one as history.
    const second = await smsConversation(s, address);
    await inbound(s, t, second.conv.sid);
    await settleAll(s);
    const offer2 = (await ana.call('GET', '/Reservations')).body.reservations[0];
    await ana.call('POST', `/Reservations/${offer2.sid}`, { Status: 'accepted' });
    await settleAll(s);
    const ctx2 = (await ana.call('GET', `/Tasks/${offer2.task_sid}/Context`)).body;
    expect(ctx2.previous_conversations).toEqual([expect.objectContaining({ sid: conv.sid, state: 'closed', dispositions: ['resolved: refund'] })]);
    const history = (await ana.call('GET', `/Tasks/${offer2.task_sid}/History`)).body.conversations;
    expect(history).toHaveLength(1);
    expect(history[0].messages.map((m: { body: string }) => m.body)).toEqual(['Hello?', '**Hi** Ada']);
    expect((await ben.call('GET', `/Tasks/${offer2.task_sid}/History`)).status).toBe(404);
  });

  it('transfers to another agent, invites a second agent, starts an outbound SMS', async () => {
    const s = ctx.server;
    const { t, ana, ben } = await team(s);
    await available(t, ana);
    await available(t, ben);
    // Ben takes nothing until asked: the first offer must be Ana's.
    await ben.call('POST', '/Worker', { ActivitySid: t.offline });
    const { conv } = await smsConversation(s);
    await inbound(s, t, conv.sid);
    await settleAll(s);
    const offer = (await ana.call('GET', '/Reservations')).body.reservations[0];
    await ana.call('POST', `/Reservations/${offer.sid}`, { Status: 'accepted' });
    await settleAll(s);
    await available(t, ben);

    const dir = (await ana.call('GET', '/Directory')).body;
    expect(dir.workers.map((w: { sid: string }) => w.sid)).toContain(ben.agent.worker_sid);
    expect(dir.workers.map((w: { sid: string }) => w.sid)).not.toContain(ana.agent.worker_sid);
    expect(dir.queues.map((q: { sid: string }) => q.sid)).toContain(t.queue.sid);

    expect((await ana.call('POST', `/Tasks/${offer.task_sid}/Transfer`, { To: 'nobody' })).status).toBe(400);
    expect((await ben.call('POST', `/Tasks/${offer.task_sid}/Transfer`, { To: ana.agent.worker_sid })).status).toBe(404);
    const transfer = await ana.call('POST', `/Tasks/${offer.task_sid}/Transfer`, { To: ben.agent.worker_sid, Type: 'cold' });
    expect(transfer.status).toBe(201);
    expect(transfer.body).toMatchObject({ type: 'cold', status: 'active', to: ben.agent.worker_sid });
    await settleAll(s);
    const benOffer = (await ben.call('GET', '/Reservations')).body.reservations[0];
    expect(benOffer.task).toMatchObject({ conversation_sid: conv.sid, transfer_target_type: 'worker' });
    await ben.call('POST', `/Reservations/${benOffer.sid}`, { Status: 'accepted' });
    await settleAll(s);
    // Cold: Ana is out of the conversation and her task wraps up; Ben is in.
    expect((await ana.call('GET', '/Tasks')).body.tasks).toEqual([expect.objectContaining({ sid: offer.task_sid, assignment_status: 'wrapping' })]);
    const members = (await ben.call('GET', `/Conversations/${conv.sid}`)).body.participants.map((p: { identity: string | null }) => p.identity);
    expect(members).toContain(ben.agent.username);
    expect(members).not.toContain(ana.agent.username);
    expect((await ana.call('POST', `/Tasks/${offer.task_sid}/Complete`)).status).toBe(200);

    // Ben invites Ana back as a second agent.
    const invite = await ben.call('POST', `/Tasks/${benOffer.task_sid}/Invite`, { To: ana.agent.worker_sid });
    expect(invite.status).toBe(201);
    await settleAll(s);
    const anaOffer = (await ana.call('GET', '/Reservations')).body.reservations[0];
    expect(anaOffer.task).toMatchObject({ conversation_sid: conv.sid, attributes: expect.objectContaining({ invitedBy: ben.agent.username }) });
    await ana.call('POST', `/Reservations/${anaOffer.sid}`, { Status: 'accepted' });
    await settleAll(s);
    const both = (await ben.call('GET', `/Conversations/${conv.sid}`)).body.participants.map((p: { identity: string | null }) => p.identity);
    expect(both).toEqual(expect.arrayContaining([ana.agent.username, ben.agent.username]));
    // Ana leaves; Ben is still there, so the conversation stays open.
    await ana.call('POST', `/Tasks/${anaOffer.task_sid}/Complete`, { Disposition: 'helped' });
    await settleAll(s);
    expect((await s.client.conversations.v1.conversations(conv.sid).fetch()).state).toBe('active');
    await ben.call('POST', `/Tasks/${benOffer.task_sid}/Complete`);

    // Outbound: refused without an address to send from, then an SMS conversation routed straight to Ana.
    const customer = phone();
    const none = await ana.call('POST', '/Outbound', { Channel: 'whatsapp', To: customer });
    expect(none.status).toBe(400);
    expect(none.body.message).toMatch(/no whatsapp address/);
    expect((await ana.call('POST', '/Outbound', { Channel: 'sms', To: customer, From: '+15550009999' })).body.message).toMatch(/not a sms address/);
    expect((await ana.call('POST', '/Outbound', { Channel: 'email', To: 'ada@example.com' })).body.message).toMatch(/email/);
    expect((await ana.call('POST', '/Outbound', { Channel: 'sms', To: 'not a number' })).status).toBe(400);
    await ensureAddress(s);
    const out = await ana.call('POST', '/Outbound', { Channel: 'sms', To: customer, From: PROXY, Body: 'We have news about your order' });
    expect(out.status).toBe(201);
    expect(out.body.task).toMatchObject({ assignment_status: 'assigned', direction: 'outbound', channel_type: 'sms', customer_address: customer });
    await settleAll(s);
    const outbound = (await ana.call('GET', `/Conversations/${out.body.conversation_sid}`)).body;
    expect(outbound.participants.map((p: { identity: string | null; address: string | null }) => p.identity ?? p.address)).toEqual(expect.arrayContaining([customer, ana.agent.username]));
    expect(outbound.messages.map((m: { body: string }) => m.body)).toEqual(['We have news about your order']);
  });

  it('every endpoint needs a session; agents act only as their own worker', async () => {
    const s = ctx.server;
    const { t, ana, sup } = await team(s);
    const wr = 'WR' + '0'.repeat(32);
    const wt = 'WT' + '0'.repeat(32);
    const ch = 'CH' + '0'.repeat(32);
    const endpoints: Array<[string, string, Record<string, string>?]> = [
      ['GET', '/Worker'],
      ['POST', '/Worker', { ActivitySid: t.available }],
      ['GET', '/Reservations'],
      ['POST', `/Reservations/${wr}`, { Status: 'accepted' }],
      ['GET', '/Tasks'],
      ['GET', `/Tasks/${wt}/Context`],
      ['GET', `/Tasks/${wt}/History`],
      ['POST', `/Tasks/${wt}/Wrapup`, {}],
      ['POST', `/Tasks/${wt}/Complete`, {}],
      ['POST', `/Tasks/${wt}/Transfer`, { To: 'WK' + '0'.repeat(32) }],
      ['POST', `/Tasks/${wt}/Invite`, { To: 'WK' + '0'.repeat(32) }],
      ['GET', '/Directory'],
      ['POST', '/Outbound', { Channel: 'sms', To: '+15551234567' }],
      ['GET', `/Conversations/${ch}`],
      ['GET', `/Media/ME${'0'.repeat(32)}`],
    ];
    for (const [method, path, body] of endpoints) {
      const anon = await agentHttp(s, undefined, method, `/agent-api/v1${path}`, body);
      expect(anon.status, `${method} ${path}`).toBe(401);
      expect(anon.body.code).toBe(20003);
      const mine = await ana.call(method, path, body);
      expect([200, 201, 400, 404], `${method} ${path}`).toContain(mine.status);
    }
    const upload = await agentHttp(s, undefined, 'POST', `/agent-api/v1/Conversations/${ch}/Media`, 'x', { 'Content-Type': 'image/png' });
    expect(upload.status).toBe(401);
    // Someone else's task is simply not there; a supervisor without a worker has no worker to act as.
    expect((await ana.call('POST', `/Tasks/${wt}/Complete`)).status).toBe(404);
    const noWorker = await sup.call('GET', '/Worker');
    expect(noWorker.status).toBe(400);
    expect(noWorker.body.message).toMatch(/no TaskRouter worker/);
    expect((await ana.call('POST', '/Worker', { ActivitySid: 'WA' + '0'.repeat(32) })).status).toBe(400);
    expect((await ana.call('POST', '/Worker', { ActivitySid: t.available, Extra: '1' })).status).toBe(400);
  });
});
