import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, form, listQuery } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { PageLimits, pageRequest, readPage } from '../../platform/paging.js';
import { restActor, type WorkspaceRouter, type WorkspaceScope } from '../workspaces/scope.js';
import type { TaskChannelsService } from './service.js';
import type { TaskChannelRow } from './store.js';

export function renderTaskChannel(r: TaskChannelRow, scope: WorkspaceScope): Record<string, unknown> {
  return {
    account_sid: r.account_sid,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    friendly_name: r.friendly_name,
    sid: r.sid,
    unique_name: r.unique_name,
    workspace_sid: r.workspace_sid,
    channel_optimized_routing: r.channel_optimized_routing === null ? null : r.channel_optimized_routing === 1,
    url: `${scope.base}/TaskChannels/${r.sid}`,
    links: { workspace: scope.base },
  };
}

const sidParam = Type.Object({ Sid: P.sidOrName('TaskChannel SID or unique name') });

type Body = { FriendlyName?: string; UniqueName?: string; ChannelOptimizedRouting?: boolean };

export function registerTaskChannelRoutes(m: WorkspaceRouter, channels: TaskChannelsService): void {
  m.route(
    'POST',
    '/TaskChannels',
    { body: form({ FriendlyName: Type.Optional(P.str()), UniqueName: Type.Optional(P.str()), ChannelOptimizedRouting: Type.Optional(P.bool()) }), summary: 'Create a task channel' },
    async (req, scope) => {
      const b = (req.body ?? {}) as Body;
      const row = await channels.create(restActor(req), scope.workspace, { friendlyName: b.FriendlyName, uniqueName: b.UniqueName, channelOptimizedRouting: b.ChannelOptimizedRouting });
      return renderTaskChannel(row, scope);
    },
  );

  m.route('GET', '/TaskChannels', { querystring: listQuery({}), summary: 'List task channels' }, async (req, scope) => {
    const q = req.query as { PageSize?: number; Page?: number; PageToken?: string };
    const page = pageRequest(q, PageLimits.standard);
    const result = await readPage(page, (w) => channels.list(scope.accountSid, scope.workspaceSid, w));
    return listEnvelope({ req, key: 'channels', path: `/v1/Workspaces/${scope.workspaceSid}/TaskChannels`, page, result, render: (r) => renderTaskChannel(r, scope) });
  });

  m.route('GET', '/TaskChannels/:Sid', { params: sidParam, summary: 'Fetch a task channel' }, async (req, scope) => {
    return renderTaskChannel(await channels.get(scope.accountSid, scope.workspaceSid, (req.params as { Sid: string }).Sid), scope);
  });

  m.route(
    'POST',
    '/TaskChannels/:Sid',
    { params: sidParam, body: form({ FriendlyName: Type.Optional(P.str()), ChannelOptimizedRouting: Type.Optional(P.bool()) }), summary: 'Update a task channel' },
    async (req, scope) => {
      const b = (req.body ?? {}) as Body;
      const row = await channels.update(restActor(req), scope.workspace, (req.params as { Sid: string }).Sid, { friendlyName: b.FriendlyName, channelOptimizedRouting: b.ChannelOptimizedRouting });
      return renderTaskChannel(row, scope);
    },
  );

  m.route('DELETE', '/TaskChannels/:Sid', { params: sidParam, summary: 'Delete a task channel' }, async (req, scope) => {
    await channels.delete(restActor(req), scope.workspace, (req.params as { Sid: string }).Sid);
  });
}
