import { it, expect } from 'vitest';
import { describeEngines, twilioError } from '../support/harness.js';
import { configureAccountWebhooks, receiverPerTest } from '../support/webhooks.js';

describeEngines('Conversations Users and Roles', (ctx) => {
  const receiver = receiverPerTest(ctx);

  it('creates, fetches by SID and identity, updates and deletes a user', async () => {
    const { client, parley, accountSid } = ctx.server;
    const created = await client.conversations.v1.users.create({ identity: 'alice@example.com', friendlyName: 'Alice', attributes: '{"tier":"gold"}' });
    expect(created.sid).toMatch(/^US[0-9a-f]{32}$/);
    expect(created.accountSid).toBe(accountSid);
    expect(created.identity).toBe('alice@example.com');
    expect(created.attributes).toBe('{"tier":"gold"}');
    expect(created.url).toMatch(new RegExp(`/v1/Users/${created.sid}$`));
    expect(created.links.user_conversations).toBe(`${created.url}/Conversations`);
    expect(created.isOnline).toBeNull();
    expect(created.isNotifiable).toBeNull();
    // The role defaults to the service's default chat-service role.
    const service = await parley.storage.db.selectFrom('conv_services').selectAll().where('sid', '=', created.chatServiceSid).executeTakeFirstOrThrow();
    expect(created.roleSid).toBe(service.default_chat_service_role_sid);

    const byIdentity = await client.conversations.v1.users('alice@example.com').fetch();
    expect(byIdentity.sid).toBe(created.sid);
    expect((await client.conversations.v1.users(created.sid).fetch()).friendlyName).toBe('Alice');

    const updated = await client.conversations.v1.users('alice@example.com').update({ friendlyName: 'Alice B', attributes: '{"tier":"silver"}' });
    expect(updated.friendlyName).toBe('Alice B');
    expect(updated.attributes).toBe('{"tier":"silver"}');
    expect(updated.identity).toBe('alice@example.com');
    // Attributes are encrypted at rest.
    const row = await parley.storage.db.selectFrom('conv_users').selectAll().where('sid', '=', created.sid).executeTakeFirstOrThrow();
    expect(row.attributes).not.toContain('silver');

    await client.conversations.v1.users(created.sid).remove();
    expect(await twilioError(client.conversations.v1.users('alice@example.com').fetch())).toMatchObject({ status: 404, code: 20404 });
  });

  it('refuses a duplicate identity with 50201 and bad input with 20001, changing nothing', async () => {
    const { client, http } = ctx.server;
    await client.conversations.v1.users.create({ identity: 'dup' });
    const before = (await client.conversations.v1.users.list()).length;
    expect(await twilioError(client.conversations.v1.users.create({ identity: 'dup', friendlyName: 'again' }))).toMatchObject({ status: 409, code: 50201 });
    expect(await twilioError(client.conversations.v1.users.create({ identity: 'x'.repeat(257) }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(client.conversations.v1.users.create({ identity: 'bad-json', attributes: '{nope' }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(client.conversations.v1.users.create({ identity: 'big', attributes: JSON.stringify({ a: 'x'.repeat(5000) }) }))).toMatchObject({ status: 400, code: 20001 });
    expect((await http('POST', '/conversations/v1/Users', { FriendlyName: 'no identity' })).body).toMatchObject({ code: 20001, status: 400 });
    expect((await client.conversations.v1.users.list()).length).toBe(before);
    expect((await client.conversations.v1.users('dup').fetch()).friendlyName).toBeNull();
  });

  it('accepts only a service-type role of the same service as RoleSid', async () => {
    const { client } = ctx.server;
    const roles = await client.conversations.v1.roles.list();
    const conversationRole = roles.find((r) => r.type === 'conversation')!;
    const serviceAdmin = roles.find((r) => r.friendlyName === 'service admin')!;
    expect(await twilioError(client.conversations.v1.users.create({ identity: 'role-bad', roleSid: conversationRole.sid }))).toMatchObject({ status: 400, code: 20001 });
    const other = await client.conversations.v1.services.create({ friendlyName: 'other' });
    const foreign = (await client.conversations.v1.services(other.sid).roles.list()).find((r) => r.type === 'service')!;
    expect(await twilioError(client.conversations.v1.users.create({ identity: 'role-foreign', roleSid: foreign.sid }))).toMatchObject({ status: 400, code: 20001 });
    const ok = await client.conversations.v1.users.create({ identity: 'role-ok', roleSid: serviceAdmin.sid });
    expect(ok.roleSid).toBe(serviceAdmin.sid);
    expect(await twilioError(client.conversations.v1.users('role-ok').update({ roleSid: conversationRole.sid }))).toMatchObject({ status: 400, code: 20001 });
    expect((await client.conversations.v1.users('role-ok').fetch()).roleSid).toBe(serviceAdmin.sid);
  });

  it('lists users through several pages under an explicit service', async () => {
    const { client } = ctx.server;
    const service = await client.conversations.v1.services.create({ friendlyName: 'users paging' });
    const users = client.conversations.v1.services(service.sid).users;
    const sids: string[] = [];
    for (let i = 0; i < 7; i++) sids.push((await users.create({ identity: `u${i}` })).sid);
    const seen: string[] = [];
    await users.each({ pageSize: 3 }, (u) => {
      seen.push(u.sid);
    });
    expect(seen).toEqual(sids);
    const page = await users.page({ pageSize: 3 });
    expect(page.instances.map((u) => u.identity)).toEqual(['u0', 'u1', 'u2']);
    expect(page.instances[0]!.url).toContain(`/v1/Services/${service.sid}/Users/`);
    expect(page.instances[0]!.isOnline).toBeNull();
    const next = await page.nextPage();
    expect(next!.instances.map((u) => u.identity)).toEqual(['u3', 'u4', 'u5']);
    expect((await next!.previousPage())!.instances.map((u) => u.sid)).toEqual(sids.slice(0, 3));
    // PageSize is capped at 50 for Users.
    const res = await ctx.server.http('GET', `/conversations/v1/Services/${service.sid}/Users?PageSize=500`);
    expect(res.body.meta.page_size).toBe(50);
    // Users of one service are invisible from another.
    expect(await twilioError(client.conversations.v1.users('u0').fetch())).toMatchObject({ status: 404 });
  });

  it('posts onUserAdded / onUserUpdated and lets the pre-event onUserUpdate reject', async () => {
    const { client, parley, accountSid } = ctx.server;
    await configureAccountWebhooks(parley.storage.db, accountSid, { post: `${receiver.url}/post`, filters: ['onUserAdded', 'onUserUpdated'] });
    const user = await client.conversations.v1.users.create({ identity: 'hooked', friendlyName: 'H', attributes: '{"a":1}', xTwilioWebhookEnabled: 'true' });
    const [added] = await receiver.waitFor(1);
    expect(added!.params).toMatchObject({
      EventType: 'onUserAdded',
      AccountSid: accountSid,
      ChatServiceSid: user.chatServiceSid,
      UserSid: user.sid,
      Identity: 'hooked',
      FriendlyName: 'H',
      Attributes: '{"a":1}',
      RoleSid: user.roleSid,
      Source: 'API',
    });
    expect(added!.params.DateCreated).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    await client.conversations.v1.users('hooked').update({ friendlyName: 'H2', xTwilioWebhookEnabled: 'true' });
    const [, updated] = await receiver.waitFor(2);
    expect(updated!.params).toMatchObject({ EventType: 'onUserUpdated', UserSid: user.sid, FriendlyName: 'H2', Attributes: '{"a":1}' });
    expect(updated!.params.DateUpdated).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    await configureAccountWebhooks(parley.storage.db, accountSid, { pre: `${receiver.url}/pre`, filters: ['onUserUpdate'] });
    receiver.respond(() => ({ status: 403 }));
    const err = await twilioError(client.conversations.v1.users('hooked').update({ friendlyName: 'blocked', xTwilioWebhookEnabled: 'true' }));
    expect(err.status).toBeGreaterThanOrEqual(400);
    expect(err.status).toBeLessThan(500);
    expect(receiver.received[2]!.params).toMatchObject({ EventType: 'onUserUpdate', UserSid: user.sid, FriendlyName: 'blocked', Identity: 'hooked' });
    expect((await client.conversations.v1.users('hooked').fetch()).friendlyName).toBe('H2');
  });

  it('starts each service with the four default roles', async () => {
    const { client } = ctx.server;
    const service = await client.conversations.v1.services.create({ friendlyName: 'roles defaults' });
    const roles = await client.conversations.v1.services(service.sid).roles.list();
    expect(roles.map((r) => [r.friendlyName, r.type])).toEqual([
      ['service admin', 'service'],
      ['service user', 'service'],
      ['channel admin', 'conversation'],
      ['channel user', 'conversation'],
    ]);
    expect(roles[0]!.url).toBe(`${service.url}/Roles/${roles[0]!.sid}`);
    expect(roles[0]!.chatServiceSid).toBe(service.sid);
  });

  it('creates, fetches, updates (replacing permissions), lists and deletes roles', async () => {
    const { client } = ctx.server;
    const service = await client.conversations.v1.services.create({ friendlyName: 'roles crud' });
    const roles = client.conversations.v1.services(service.sid).roles;
    const role = await roles.create({ friendlyName: 'moderator', type: 'conversation', permission: ['sendMessage', 'removeParticipant', 'sendMessage'] });
    expect(role.sid).toMatch(/^RL[0-9a-f]{32}$/);
    expect(role.type).toBe('conversation');
    expect(role.permissions).toEqual(['sendMessage', 'removeParticipant']);
    expect((await roles(role.sid).fetch()).friendlyName).toBe('moderator');
    const updated = await roles(role.sid).update({ permission: ['leaveConversation'] });
    expect(updated.permissions).toEqual(['leaveConversation']);
    for (let i = 0; i < 3; i++) await roles.create({ friendlyName: `extra${i}`, type: 'service', permission: ['createConversation'] });
    const names: string[] = [];
    await roles.each({ pageSize: 2 }, (r) => {
      names.push(r.friendlyName);
    });
    expect(names).toEqual(['service admin', 'service user', 'channel admin', 'channel user', 'moderator', 'extra0', 'extra1', 'extra2']);
    await roles(role.sid).remove();
    expect(await twilioError(roles(role.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
  });

  it('refuses duplicate names (50352), invalid permissions and missing parameters (20001)', async () => {
    const { client, http } = ctx.server;
    await client.conversations.v1.roles.create({ friendlyName: 'dupe role', type: 'service', permission: ['joinConversation'] });
    const before = (await client.conversations.v1.roles.list()).length;
    expect(await twilioError(client.conversations.v1.roles.create({ friendlyName: 'dupe role', type: 'conversation', permission: ['sendMessage'] }))).toMatchObject({ status: 409, code: 50352 });
    expect(await twilioError(client.conversations.v1.roles.create({ friendlyName: 'bogus', type: 'service', permission: ['flyToTheMoon'] }))).toMatchObject({ status: 400, code: 20001 });
    // A conversation-only permission is not valid on a service role.
    expect(await twilioError(client.conversations.v1.roles.create({ friendlyName: 'wrong scope', type: 'service', permission: ['sendMessage'] }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(client.conversations.v1.roles.create({ friendlyName: 'bad type', type: 'channel' as never, permission: ['sendMessage'] }))).toMatchObject({ status: 400, code: 20001 });
    expect((await http('POST', '/conversations/v1/Roles', { FriendlyName: 'no perms', Type: 'service' })).body).toMatchObject({ status: 400, code: 20001 });
    expect((await http('POST', '/conversations/v1/Roles', { FriendlyName: 'x'.repeat(65), Type: 'service', Permission: 'joinConversation' })).body).toMatchObject({ status: 400, code: 20001 });
    expect((await client.conversations.v1.roles.list()).length).toBe(before);
    const role = (await client.conversations.v1.roles.list()).find((r) => r.friendlyName === 'dupe role')!;
    expect(await twilioError(client.conversations.v1.roles(role.sid).update({ permission: ['sendMessage'] }))).toMatchObject({ status: 400, code: 20001 });
    expect((await client.conversations.v1.roles(role.sid).fetch()).permissions).toEqual(['joinConversation']);
  });

  it('refuses to delete a role in use by a user, a participant or the service configuration', async () => {
    const { client } = ctx.server;
    const service = await client.conversations.v1.services.create({ friendlyName: 'roles in use' });
    const svc = client.conversations.v1.services(service.sid);
    // The service configuration names three of the default roles; 'service admin' is free to go.
    const defaults = await svc.roles.list();
    for (const r of defaults.filter((d) => d.friendlyName !== 'service admin')) {
      expect(await twilioError(svc.roles(r.sid).remove())).toMatchObject({ status: 400, code: 20001 });
    }
    await svc.roles(defaults.find((d) => d.friendlyName === 'service admin')!.sid).remove();
    expect((await svc.roles.list()).length).toBe(3);

    const userRole = await svc.roles.create({ friendlyName: 'vip', type: 'service', permission: ['createConversation'] });
    await svc.users.create({ identity: 'vip-user', roleSid: userRole.sid });
    expect(await twilioError(svc.roles(userRole.sid).remove())).toMatchObject({ status: 400, code: 20001 });
    await svc.users('vip-user').remove();
    await svc.roles(userRole.sid).remove();

    const convRole = await svc.roles.create({ friendlyName: 'guest', type: 'conversation', permission: ['sendMessage'] });
    const conv = await svc.conversations.create({ friendlyName: 'role use' });
    await svc.conversations(conv.sid).participants.create({ identity: 'guest-1', roleSid: convRole.sid });
    expect(await twilioError(svc.roles(convRole.sid).remove())).toMatchObject({ status: 400, code: 20001 });
    expect((await svc.roles(convRole.sid).fetch()).sid).toBe(convRole.sid);
  });

  it("derives a user's conversations from its participants: unread count, notification level, leave", async () => {
    const { client, parley } = ctx.server;
    const service = await client.conversations.v1.services.create({ friendlyName: 'user conversations' });
    const svc = client.conversations.v1.services(service.sid);
    const convs = [];
    for (let i = 0; i < 4; i++) {
      const c = await svc.conversations.create({ friendlyName: `talk ${i}`, uniqueName: `talk-${i}`, attributes: `{"n":${i}}` });
      await svc.conversations(c.sid).participants.create({ identity: 'bob' });
      convs.push(c);
    }
    await svc.conversations.create({ friendlyName: 'not bob' });
    // Adding a chat participant created the User.
    const bob = await svc.users('bob').fetch();

    const listed: string[] = [];
    await svc.users('bob').userConversations.each({ pageSize: 3 }, (uc) => {
      listed.push(uc.conversationSid);
    });
    expect(listed).toEqual(convs.map((c) => c.sid));

    for (const body of ['one', 'two', 'three']) await svc.conversations(convs[0]!.sid).messages.create({ author: 'system', body });
    const lastIndex = (await parley.storage.db.selectFrom('conv_conversations').select('last_message_index').where('sid', '=', convs[0]!.sid).executeTakeFirstOrThrow()).last_message_index;
    expect(lastIndex).toBe(2);

    const uc = await svc.users(bob.sid).userConversations('talk-0').fetch();
    expect(uc).toMatchObject({
      accountSid: bob.accountSid,
      chatServiceSid: service.sid,
      conversationSid: convs[0]!.sid,
      userSid: bob.sid,
      friendlyName: 'talk 0',
      uniqueName: 'talk-0',
      attributes: '{"n":0}',
      conversationState: 'active',
      notificationLevel: 'default',
      unreadMessagesCount: null,
      lastReadMessageIndex: null,
    });
    expect(uc.participantSid).toMatch(/^MB[0-9a-f]{32}$/);
    expect(uc.url).toBe(`${service.url}/Users/${bob.sid}/Conversations/${convs[0]!.sid}`);
    expect(uc.links).toEqual({ participant: `${service.url}/Conversations/${convs[0]!.sid}/Participants/${uc.participantSid}`, conversation: `${service.url}/Conversations/${convs[0]!.sid}` });

    const read = await svc.users('bob').userConversations(convs[0]!.sid).update({ lastReadMessageIndex: 0, notificationLevel: 'muted', lastReadTimestamp: new Date('2024-01-02T03:04:05Z') });
    expect(read.lastReadMessageIndex).toBe(0);
    expect(read.unreadMessagesCount).toBe(2);
    expect(read.notificationLevel).toBe('muted');
    const participant = await svc.conversations(convs[0]!.sid).participants(uc.participantSid).fetch();
    expect(participant.lastReadMessageIndex).toBe(0);
    expect(participant.lastReadTimestamp).toBe('2024-01-02T03:04:05Z');
    expect(await twilioError(svc.users('bob').userConversations(convs[0]!.sid).update({ notificationLevel: 'loud' as never }))).toMatchObject({ status: 400, code: 20001 });
    expect(await twilioError(svc.users('bob').userConversations('no-such-conversation').fetch())).toMatchObject({ status: 404, code: 20404 });

    await svc.users('bob').userConversations(convs[1]!.sid).remove();
    expect(await twilioError(svc.conversations(convs[1]!.sid).participants('bob').fetch())).toMatchObject({ status: 404 });
    expect(await twilioError(svc.users('bob').userConversations(convs[1]!.sid).fetch())).toMatchObject({ status: 404 });
    expect((await svc.users('bob').userConversations.list()).length).toBe(3);

    // Deleting the user keeps its participants (and so its conversations).
    await svc.users('bob').remove();
    expect((await svc.conversations(convs[0]!.sid).participants('bob').fetch()).identity).toBe('bob');
    expect(await twilioError(svc.users('bob').userConversations.list())).toMatchObject({ status: 404 });
  });
});
