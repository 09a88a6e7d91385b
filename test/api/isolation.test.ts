import { it, expect } from 'vitest';
import { describeEngines, twilioError } from '../support/harness.js';

/**
 * Every stored row is scoped by account: a second account, holding valid
 * credentials, gets 404 for each resource of the first and never sees it listed.
 */
describeEngines('Account isolation across every resource', (ctx) => {
  it('returns 404 to another account for every Conversations, media and TaskRouter resource', async () => {
    const { client, accountSid } = ctx.server;
    const cv = client.conversations.v1;
    const service = await cv.services.create({ friendlyName: 'owner service' });
    const conv = await cv.conversations.create({ friendlyName: 'owner', uniqueName: 'owner-conv' });
    const participant = await cv.conversations(conv.sid).participants.create({ identity: 'owner-agent' });
    const message = await cv.conversations(conv.sid).messages.create({ author: 'owner-agent', body: 'private words' });
    const hook = await cv.conversations(conv.sid).webhooks.create({ target: 'webhook', 'configuration.url': 'https://example.com/hook', 'configuration.filters': ['onMessageAdded'] });
    const user = await cv.users.create({ identity: 'owner-user' });
    const role = await cv.roles.create({ friendlyName: 'owner role', type: 'conversation', permission: ['sendMessage'] });
    const credential = await cv.credentials.create({ type: 'fcm', friendlyName: 'owner fcm', secret: 'server-key' });
    const address = await cv.addressConfigurations.create({ type: 'sms', address: '+15005550006', friendlyName: 'owner number' });
    const upload = await fetch(`${ctx.server.origin}/mcs/v1/Services/${conv.chatServiceSid}/Media`, {
      method: 'POST',
      headers: { Authorization: 'Basic ' + Buffer.from(`${accountSid}:${ctx.server.authToken}`).toString('base64'), 'Content-Type': 'image/png' },
      body: new Uint8Array([137, 80, 78, 71]),
    });
    const media = (await upload.json()) as { sid: string };
    const ws = await client.taskrouter.v1.workspaces.create({ friendlyName: 'owner workspace' });
    const worker = await client.taskrouter.v1.workspaces(ws.sid).workers.create({ friendlyName: 'owner worker' });

    const sub = await client.api.v2010.accounts.create({ friendlyName: 'intruder' });
    const other = ctx.server.clientFor(sub.sid, sub.authToken);
    const ov = other.conversations.v1;
    const probes: Array<[string, () => Promise<unknown>]> = [
      ['service', () => ov.services(service.sid).fetch()],
      ['conversation', () => ov.conversations(conv.sid).fetch()],
      ['conversation by unique name', () => ov.conversations('owner-conv').fetch()],
      ['conversation under service', () => ov.services(conv.chatServiceSid).conversations(conv.sid).fetch()],
      ['participant', () => ov.conversations(conv.sid).participants(participant.sid).fetch()],
      ['message', () => ov.conversations(conv.sid).messages(message.sid).fetch()],
      ['message update', () => ov.conversations(conv.sid).messages(message.sid).update({ body: 'tampered' })],
      ['receipts', () => ov.conversations(conv.sid).messages(message.sid).deliveryReceipts.list()],
      ['scoped webhook', () => ov.conversations(conv.sid).webhooks(hook.sid).fetch()],
      ['user', () => ov.users(user.sid).fetch()],
      ['user by identity', () => ov.users('owner-user').fetch()],
      ['role', () => ov.roles(role.sid).fetch()],
      ['credential', () => ov.credentials(credential.sid).fetch()],
      ['address configuration', () => ov.addressConfigurations(address.sid).fetch()],
      ['service configuration', () => ov.services(service.sid).configuration().fetch()],
      ['workspace', () => other.taskrouter.v1.workspaces(ws.sid).fetch()],
      ['worker', () => other.taskrouter.v1.workspaces(ws.sid).workers(worker.sid).fetch()],
    ];
    for (const [name, probe] of probes) {
      const err = await twilioError(probe());
      expect(err.status, name).toBe(404);
      expect(err.code, name).toBe(20404);
    }
    const mediaProbe = await fetch(`${ctx.server.origin}/mcs/v1/Services/${conv.chatServiceSid}/Media/${media.sid}/Content`, {
      headers: { Authorization: 'Basic ' + Buffer.from(`${sub.sid}:${sub.authToken}`).toString('base64') },
    });
    expect(mediaProbe.status).toBe(404);
    // Lists of the other account never include the owner's rows.
    expect((await ov.conversations.list()).map((c) => c.sid)).not.toContain(conv.sid);
    expect((await ov.users.list()).map((u) => u.sid)).not.toContain(user.sid);
    expect((await ov.credentials.list()).map((c) => c.sid)).not.toContain(credential.sid);
    expect((await ov.addressConfigurations.list()).map((a) => a.sid)).not.toContain(address.sid);
    expect((await other.taskrouter.v1.workspaces.list()).map((w) => w.sid)).not.toContain(ws.sid);
    expect((await ov.participantConversations.list({ identity: 'owner-agent' })).length).toBe(0);
    // And nothing of the owner's changed.
    expect((await cv.conversations(conv.sid).messages(message.sid).fetch()).body).toBe('private words');
  });
});
