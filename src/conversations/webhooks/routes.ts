import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, form, listQuery } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { pageRequest, readPage, PageLimits } from '../../platform/paging.js';
import type { Mirror, Scope } from '../scope.js';
import type { ScopedWebhookRow } from './store.js';
import { SCOPED_TARGETS, type ScopedTarget, type ScopedWebhookInput, type ScopedWebhooksService } from './service.js';

export function renderScopedWebhook(r: ScopedWebhookRow, scope: Scope): Record<string, unknown> {
  const filters = JSON.parse(r.filters) as string[];
  const triggers = JSON.parse(r.triggers) as string[];
  // Twilio prints the method lower-case here, and lists a trigger webhook's
  // keywords under `filters`; `triggers` is kept as well for clients that read it.
  const method = r.method.toLowerCase();
  const configuration: Record<string, unknown> =
    r.target === 'studio'
      ? { flow_sid: r.flow_sid }
      : r.target === 'trigger'
        ? { url: r.url, method, filters: triggers, triggers }
        : { url: r.url, method, filters };
  if (r.replay_after !== null) configuration.replay_after = r.replay_after;
  return {
    sid: r.sid,
    account_sid: r.account_sid,
    chat_service_sid: r.service_sid,
    conversation_sid: r.conversation_sid,
    target: r.target,
    url: `${scope.base}/Conversations/${r.conversation_sid}/Webhooks/${r.sid}`,
    configuration,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
  };
}

const updateBody = {
  'Configuration.Url': Type.Optional(P.str()),
  'Configuration.Method': Type.Optional(P.str({ description: 'GET or POST' })),
  'Configuration.Filters': Type.Optional(P.list(P.str())),
  'Configuration.Triggers': Type.Optional(P.list(P.str())),
  'Configuration.FlowSid': Type.Optional(P.str()),
};
const createBody = { Target: P.enumOf(SCOPED_TARGETS), ...updateBody, 'Configuration.ReplayAfter': Type.Optional(P.int()) };

type Body = Record<string, unknown>;
function input(b: Body): ScopedWebhookInput {
  return {
    url: b['Configuration.Url'] as string | undefined,
    method: b['Configuration.Method'] as string | undefined,
    filters: b['Configuration.Filters'] as string[] | undefined,
    triggers: b['Configuration.Triggers'] as string[] | undefined,
    flowSid: b['Configuration.FlowSid'] as string | undefined,
    replayAfter: b['Configuration.ReplayAfter'] as number | undefined,
  };
}

const listParams = Type.Object({ ConversationSid: P.sidOrName('Conversation SID or unique name') });
const itemParams = Type.Object({ ConversationSid: P.sidOrName('Conversation SID or unique name'), Sid: P.str({ minLength: 1, description: 'WH SID' }) });
type ItemParams = { ConversationSid: string; Sid: string };

export function registerScopedWebhookRoutes(m: Mirror, webhooks: ScopedWebhooksService): void {
  m.route('POST', '/Conversations/:ConversationSid/Webhooks', { params: listParams, body: form(createBody), summary: 'Create a conversation-scoped webhook' }, async (req, scope) => {
    const b = req.body as Body & { Target: ScopedTarget };
    const row = await webhooks.create(scope.accountSid, scope.serviceSid, (req.params as { ConversationSid: string }).ConversationSid, b.Target, input(b));
    return renderScopedWebhook(row, scope);
  });

  m.route('GET', '/Conversations/:ConversationSid/Webhooks', { params: listParams, querystring: listQuery({}), summary: 'List conversation-scoped webhooks' }, async (req, scope) => {
    const conversation = (req.params as { ConversationSid: string }).ConversationSid;
    const page = pageRequest(req.query as object, PageLimits.scopedWebhooks);
    const result = await readPage(page, (w) => webhooks.list(scope.accountSid, scope.serviceSid, conversation, w));
    return listEnvelope({
      req,
      key: 'webhooks',
      path: `${scope.base.slice(req.productBase.length)}/Conversations/${conversation}/Webhooks`,
      page,
      result,
      render: (r) => renderScopedWebhook(r, scope),
    });
  });

  m.route('GET', '/Conversations/:ConversationSid/Webhooks/:Sid', { params: itemParams, summary: 'Fetch a conversation-scoped webhook' }, async (req, scope) => {
    const p = req.params as ItemParams;
    return renderScopedWebhook(await webhooks.get(scope.accountSid, scope.serviceSid, p.ConversationSid, p.Sid), scope);
  });

  m.route('POST', '/Conversations/:ConversationSid/Webhooks/:Sid', { params: itemParams, body: form(updateBody), summary: 'Update a conversation-scoped webhook' }, async (req, scope) => {
    const p = req.params as ItemParams;
    const { replayAfter: _replay, ...changes } = input(req.body as Body);
    return renderScopedWebhook(await webhooks.update(scope.accountSid, scope.serviceSid, p.ConversationSid, p.Sid, changes), scope);
  });

  m.route('DELETE', '/Conversations/:ConversationSid/Webhooks/:Sid', { params: itemParams, summary: 'Delete a conversation-scoped webhook' }, async (req, scope) => {
    const p = req.params as ItemParams;
    await webhooks.delete(scope.accountSid, scope.serviceSid, p.ConversationSid, p.Sid);
  });
}
