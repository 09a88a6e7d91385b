import { it, expect, beforeEach, afterEach } from 'vitest';
import twilio from 'twilio';
import { describeEngines, twilioError, type Server } from '../support/harness.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

const MG = 'MG' + 'a'.repeat(32);

async function rolesOf(server: Server, serviceSid: string): Promise<Record<string, { sid: string; type: string }>> {
  const rows = await server.parley.storage.db.selectFrom('conv_roles').select(['sid', 'type', 'friendly_name']).where('account_sid', '=', server.accountSid).where('service_sid', '=', serviceSid).execute();
  return Object.fromEntries(rows.map((r) => [r.friendly_name, { sid: r.sid, type: r.type }]));
}

describeEngines('Conversations configuration', (ctx) => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('fetches the account configuration with its links', async () => {
    const { client, origin } = ctx.server;
    const c = await client.conversations.v1.configuration().fetch();
    expect(c.accountSid).toBe(ctx.server.accountSid);
    expect(c.defaultChatServiceSid).toMatch(/^IS[0-9a-f]{32}$/);
    expect(c.defaultMessagingServiceSid).toBeNull();
    expect(c.defaultInactiveTimer).toBeNull();
    expect(c.defaultClosedTimer).toBeNull();
    expect(c.url).toBe(`${origin}/conversations/v1/Configuration`);
    expect(c.links).toEqual({
      service: `${origin}/conversations/v1/Services/${c.defaultChatServiceSid}/Configuration`,
      webhooks: `${origin}/conversations/v1/Configuration/Webhooks`,
    });
  });

  it('applies the default messaging service and timers to new conversations', async () => {
    const { client, parley, accountSid } = ctx.server;
    const updated = await client.conversations.v1.configuration().update({ defaultMessagingServiceSid: MG, defaultInactiveTimer: 'PT5M', defaultClosedTimer: 'PT20M' });
    expect(updated).toMatchObject({ defaultMessagingServiceSid: MG, defaultInactiveTimer: 'PT5M', defaultClosedTimer: 'PT20M' });
    try {
      const conv = await client.conversations.v1.conversations.create({ friendlyName: 'with defaults' });
      expect(conv.messagingServiceSid).toBe(MG);
      const created = conv.dateCreated.getTime();
      expect(Date.parse(conv.timers.date_inactive) - created).toBeGreaterThanOrEqual(5 * 60_000 - 1000);
      expect(Date.parse(conv.timers.date_inactive) - created).toBeLessThanOrEqual(5 * 60_000 + 1000);
      expect(Date.parse(conv.timers.date_closed) - created).toBeGreaterThanOrEqual(20 * 60_000 - 1000);
      expect(Date.parse(conv.timers.date_closed) - created).toBeLessThanOrEqual(20 * 60_000 + 1000);
      // Explicit values still win over the defaults.
      const own = await client.conversations.v1.conversations.create({ 'timers.inactive': 'PT2M' });
      expect(Date.parse(own.timers.date_inactive) - own.dateCreated.getTime()).toBeLessThanOrEqual(2 * 60_000 + 1000);
    } finally {
      await parley.storage.db.updateTable('conv_configuration').set({ default_messaging_service_sid: null, default_inactive_timer: null, default_closed_timer: null }).where('account_sid', '=', accountSid).execute();
    }
  });

  it('switches the default service used by un-prefixed routes', async () => {
    const { client } = ctx.server;
    const original = (await client.conversations.v1.configuration().fetch()).defaultChatServiceSid;
    const other = await client.conversations.v1.services.create({ friendlyName: 'new default' });
    const updated = await client.conversations.v1.configuration().update({ defaultChatServiceSid: other.sid });
    expect(updated.defaultChatServiceSid).toBe(other.sid);
    expect(updated.links.service).toContain(`/Services/${other.sid}/Configuration`);
    try {
      const conv = await client.conversations.v1.conversations.create({ uniqueName: 'lands-in-new-default' });
      expect(conv.chatServiceSid).toBe(other.sid);
      expect((await client.conversations.v1.services(other.sid).conversations('lands-in-new-default').fetch()).sid).toBe(conv.sid);
      // The old default service is no longer protected from deletion; the new one is.
      expect(await twilioError(client.conversations.v1.services(other.sid).remove())).toMatchObject({ status: 400, code: 20001 });
    } finally {
      await client.conversations.v1.configuration().update({ defaultChatServiceSid: original });
    }
    const back = await client.conversations.v1.conversations.create({});
    expect(back.chatServiceSid).toBe(original);
  });

  it('refuses invalid account configuration with 20001 and changes nothing', async () => {
    const { client, http } = ctx.server;
    const before = await client.conversations.v1.configuration().fetch();
    const cases: Array<Record<string, string>> = [
      { defaultChatServiceSid: 'IS' + 'f'.repeat(32) },
      { defaultChatServiceSid: 'nope' },
      { defaultMessagingServiceSid: 'MGshort' },
      { defaultInactiveTimer: 'PT30S' },
      { defaultClosedTimer: 'PT9M' },
      { defaultClosedTimer: 'ten minutes' },
    ];
    for (const params of cases) {
      expect(await twilioError(client.conversations.v1.configuration().update(params)), JSON.stringify(params)).toMatchObject({ status: 400, code: 20001 });
    }
    // A valid field alongside an invalid one is not applied either.
    expect(await twilioError(client.conversations.v1.configuration().update({ defaultMessagingServiceSid: MG, defaultInactiveTimer: 'PT1S' }))).toMatchObject({ code: 20001 });
    const unknown = await http('POST', '/conversations/v1/Configuration', { Bogus: '1' });
    expect(unknown).toMatchObject({ status: 400, body: { code: 20001 } });
    expect((await client.conversations.v1.configuration().fetch()).toJSON()).toEqual(before.toJSON());
  });

  it('reads and writes the account-level webhook configuration, which hooks then use', async () => {
    const { client, origin, authToken } = ctx.server;
    const initial = await client.conversations.v1.configuration.webhooks().fetch();
    expect(initial).toMatchObject({ accountSid: ctx.server.accountSid, method: 'POST', filters: [], preWebhookUrl: null, postWebhookUrl: null, target: 'webhook', url: `${origin}/conversations/v1/Configuration/Webhooks` });
    const updated = await client.conversations.v1.configuration.webhooks().update({
      method: 'get',
      filters: ['onConversationAdded', 'onMessageAdd'],
      preWebhookUrl: 'https://example.com/pre',
      postWebhookUrl: `${receiver.url}/post`,
      target: 'webhook',
    });
    expect(updated).toMatchObject({ method: 'GET', filters: ['onConversationAdded', 'onMessageAdd'], preWebhookUrl: 'https://example.com/pre', postWebhookUrl: `${receiver.url}/post`, target: 'webhook' });
    try {
      const conv = await client.conversations.v1.conversations.create({ friendlyName: 'hooked', xTwilioWebhookEnabled: 'true' });
      const [hit] = await receiver.waitFor(1);
      expect(hit!.method).toBe('GET');
      expect(hit!.params).toMatchObject({ EventType: 'onConversationAdded', ConversationSid: conv.sid });
      expect(twilio.validateRequest(authToken, hit!.headers['x-twilio-signature'] as string, hit!.fullUrl, {})).toBe(true);
      const flex = await client.conversations.v1.configuration.webhooks().update({ target: 'flex' });
      expect(flex).toMatchObject({ target: 'flex', method: 'GET', postWebhookUrl: `${receiver.url}/post` });
    } finally {
      const cleared = await ctx.server.http('POST', '/conversations/v1/Configuration/Webhooks', { PreWebhookUrl: '', PostWebhookUrl: '', Target: 'webhook', Method: 'POST' });
      expect(cleared.body).toMatchObject({ pre_webhook_url: null, post_webhook_url: null, target: 'webhook', method: 'POST' });
    }
  });

  it('refuses invalid webhook settings with 20001', async () => {
    const { client, http } = ctx.server;
    const hooks = client.conversations.v1.configuration.webhooks();
    const before = (await hooks.fetch()).toJSON();
    for (const params of [{ method: 'PUT' }, { filters: ['onSomething'] }, { preWebhookUrl: '/relative' }, { postWebhookUrl: 'ftp://example.com/x' }, { target: 'studio' as never }]) {
      expect(await twilioError(hooks.update(params)), JSON.stringify(params)).toMatchObject({ status: 400, code: 20001 });
    }
    expect(await http('POST', '/conversations/v1/Configuration/Webhooks', { Filters: ['onMessageAdded', 'nope'] })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect((await hooks.fetch()).toJSON()).toEqual(before);
  });

  it('reads and updates a service configuration; default roles must be roles of that service of the right type', async () => {
    const { client, origin } = ctx.server;
    const service = await client.conversations.v1.services.create({ friendlyName: 'configured' });
    const roles = await rolesOf(ctx.server, service.sid);
    const cfg = await client.conversations.v1.services(service.sid).configuration().fetch();
    const base = `${origin}/conversations/v1/Services/${service.sid}/Configuration`;
    expect(cfg).toMatchObject({
      chatServiceSid: service.sid,
      defaultConversationCreatorRoleSid: roles['channel admin']!.sid,
      defaultConversationRoleSid: roles['channel user']!.sid,
      defaultChatServiceRoleSid: roles['service user']!.sid,
      reachabilityEnabled: false,
      url: base,
      links: { notifications: `${base}/Notifications`, webhooks: `${base}/Webhooks` },
    });
    const updated = await client.conversations.v1.services(service.sid).configuration().update({
      defaultChatServiceRoleSid: roles['service admin']!.sid,
      defaultConversationRoleSid: roles['channel admin']!.sid,
      defaultConversationCreatorRoleSid: roles['channel user']!.sid,
      reachabilityEnabled: true,
    });
    expect(updated).toMatchObject({ defaultChatServiceRoleSid: roles['service admin']!.sid, defaultConversationRoleSid: roles['channel admin']!.sid, defaultConversationCreatorRoleSid: roles['channel user']!.sid, reachabilityEnabled: true });

    const other = await client.conversations.v1.services.create({ friendlyName: 'other' });
    const otherRoles = await rolesOf(ctx.server, other.sid);
    const conf = client.conversations.v1.services(service.sid).configuration();
    for (const params of [
      { defaultChatServiceRoleSid: roles['channel user']!.sid }, // conversation role where a service role is needed
      { defaultConversationRoleSid: roles['service user']!.sid },
      { defaultConversationCreatorRoleSid: roles['service admin']!.sid },
      { defaultConversationRoleSid: otherRoles['channel user']!.sid }, // another service's role
      { defaultConversationRoleSid: 'RL' + '0'.repeat(32) },
      { defaultConversationRoleSid: 'not-a-role' },
    ]) {
      expect(await twilioError(conf.update(params)), JSON.stringify(params)).toMatchObject({ status: 400, code: 20001 });
    }
    expect((await conf.fetch()).toJSON()).toEqual(updated.toJSON());
    expect(await twilioError(client.conversations.v1.services('IS' + '0'.repeat(32)).configuration().fetch())).toMatchObject({ status: 404, code: 20404 });
  });

  it('reads and updates service-level webhooks', async () => {
    const { client, origin, http } = ctx.server;
    const service = await client.conversations.v1.services.create({ friendlyName: 'service hooks' });
    const hooks = client.conversations.v1.services(service.sid).configuration.webhooks();
    expect(await hooks.fetch()).toMatchObject({ accountSid: ctx.server.accountSid, chatServiceSid: service.sid, preWebhookUrl: null, postWebhookUrl: null, filters: [], method: 'POST', url: `${origin}/conversations/v1/Services/${service.sid}/Configuration/Webhooks` });
    const updated = await hooks.update({ preWebhookUrl: 'https://example.com/pre', postWebhookUrl: `${receiver.url}/svc`, filters: ['onConversationAdded', 'onParticipantAdd'], method: 'POST' });
    expect(updated).toMatchObject({ preWebhookUrl: 'https://example.com/pre', postWebhookUrl: `${receiver.url}/svc`, filters: ['onConversationAdded', 'onParticipantAdd'], method: 'POST' });
    // Target is account-level only.
    expect(await http('POST', `/conversations/v1/Services/${service.sid}/Configuration/Webhooks`, { Target: 'flex' })).toMatchObject({ status: 400, body: { code: 20001 } });
    for (const params of [{ method: 'DELETE' }, { filters: ['onConversationAdded', 'bogus'] }, { postWebhookUrl: 'not a url' }]) {
      expect(await twilioError(hooks.update(params)), JSON.stringify(params)).toMatchObject({ status: 400, code: 20001 });
    }
    expect((await hooks.fetch()).toJSON()).toEqual(updated.toJSON());
    // The service's own settings drive its post-event webhooks.
    const conv = await client.conversations.v1.services(service.sid).conversations.create({ friendlyName: 'svc', xTwilioWebhookEnabled: 'true' });
    const [hit] = await receiver.waitFor(1);
    expect(hit!.url).toBe('/svc');
    expect(hit!.params).toMatchObject({ EventType: 'onConversationAdded', ConversationSid: conv.sid, ChatServiceSid: service.sid });
  });

  it('reads and updates push notification settings', async () => {
    const { client, origin, http } = ctx.server;
    const service = await client.conversations.v1.services.create({ friendlyName: 'push' });
    const notifications = client.conversations.v1.services(service.sid).configuration.notifications();
    const initial = await notifications.fetch();
    expect(initial.toJSON()).toMatchObject({
      accountSid: ctx.server.accountSid,
      chatServiceSid: service.sid,
      logEnabled: false,
      newMessage: { enabled: false, template: null, sound: null, badge_count_enabled: false, with_media: { enabled: false, template: null } },
      addedToConversation: { enabled: false, template: null, sound: null },
      removedFromConversation: { enabled: false, template: null, sound: null },
      url: `${origin}/conversations/v1/Services/${service.sid}/Configuration/Notifications`,
    });
    const updated = await notifications.update({
      logEnabled: true,
      'newMessage.enabled': true,
      'newMessage.template': 'New message in ${CONVERSATION}',
      'newMessage.sound': 'ring',
      'newMessage.badgeCountEnabled': true,
      'newMessage.withMedia.enabled': true,
      'newMessage.withMedia.template': '${MEDIA_COUNT} files',
      'addedToConversation.enabled': true,
      'addedToConversation.template': 'Added to ${CONVERSATION}',
      'addedToConversation.sound': 'chime',
      'removedFromConversation.enabled': true,
      'removedFromConversation.template': 'Removed from ${CONVERSATION}',
      'removedFromConversation.sound': 'bell',
    });
    expect(updated.logEnabled).toBe(true);
    expect(updated.newMessage).toEqual({ enabled: true, template: 'New message in ${CONVERSATION}', sound: 'ring', badge_count_enabled: true, with_media: { enabled: true, template: '${MEDIA_COUNT} files' } });
    expect(updated.addedToConversation).toEqual({ enabled: true, template: 'Added to ${CONVERSATION}', sound: 'chime' });
    expect(updated.removedFromConversation).toEqual({ enabled: true, template: 'Removed from ${CONVERSATION}', sound: 'bell' });
    // A partial update keeps everything else.
    const partial = await notifications.update({ 'newMessage.enabled': false });
    expect(partial.newMessage).toEqual({ ...updated.newMessage, enabled: false });
    expect(partial.addedToConversation).toEqual(updated.addedToConversation);
    expect((await notifications.fetch()).toJSON()).toEqual(partial.toJSON());
    const bad = await http('POST', `/conversations/v1/Services/${service.sid}/Configuration/Notifications`, { 'NewMessage.Enabled': 'maybe' });
    expect(bad).toMatchObject({ status: 400, body: { code: 20001 } });
    expect(await http('POST', `/conversations/v1/Services/${service.sid}/Configuration/Notifications`, { 'NewMessage.Colour': 'red' })).toMatchObject({ status: 400, body: { code: 20001 } });
    expect((await notifications.fetch()).toJSON()).toEqual(partial.toJSON());
  });
});
