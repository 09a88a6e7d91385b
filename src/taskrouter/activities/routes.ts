import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, form, listQuery } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { PageLimits, pageRequest, readPage } from '../../platform/paging.js';
import { restActor, truthy, type WorkspaceRouter, type WorkspaceScope } from '../workspaces/scope.js';
import type { ActivitiesService } from './service.js';
import type { ActivityRow } from './store.js';

export function renderActivity(r: ActivityRow, scope: WorkspaceScope): Record<string, unknown> {
  return {
    account_sid: r.account_sid,
    available: r.available === 1,
    date_created: isoDate(r.date_created),
    date_updated: isoDate(r.date_updated),
    friendly_name: r.friendly_name,
    sid: r.sid,
    workspace_sid: r.workspace_sid,
    url: `${scope.base}/Activities/${r.sid}`,
    links: { workspace: scope.base },
  };
}

const sidParam = Type.Object({ Sid: P.str() });

export function registerActivityRoutes(m: WorkspaceRouter, activities: ActivitiesService): void {
  m.route(
    'POST',
    '/Activities',
    // Available is read like Twilio does (`true`, `1`, `yes`), so it is taken as a string.
    { body: form({ FriendlyName: Type.Optional(P.str()), Available: Type.Optional(P.str()) }), summary: 'Create an activity' },
    async (req, scope) => {
      const b = (req.body ?? {}) as { FriendlyName?: string; Available?: string };
      const row = await activities.create(restActor(req), scope.workspace, { friendlyName: b.FriendlyName, ...(b.Available !== undefined ? { available: truthy(b.Available) } : {}) });
      return renderActivity(row, scope);
    },
  );

  m.route(
    'GET',
    '/Activities',
    { querystring: listQuery({ FriendlyName: Type.Optional(P.str()), Available: Type.Optional(P.str()) }), summary: 'List activities' },
    async (req, scope) => {
      const q = req.query as { FriendlyName?: string; Available?: string; PageSize?: number; Page?: number; PageToken?: string };
      const page = pageRequest(q, PageLimits.standard);
      const filter = { ...(q.FriendlyName !== undefined ? { friendlyName: q.FriendlyName } : {}), ...(q.Available !== undefined ? { available: truthy(q.Available) } : {}) };
      const result = await readPage(page, (w) => activities.list(scope.accountSid, scope.workspaceSid, filter, w));
      return listEnvelope({
        req,
        key: 'activities',
        path: `/v1/Workspaces/${scope.workspaceSid}/Activities`,
        page,
        result,
        filters: { FriendlyName: q.FriendlyName, Available: q.Available },
        render: (r) => renderActivity(r, scope),
      });
    },
  );

  m.route('GET', '/Activities/:Sid', { params: sidParam, summary: 'Fetch an activity' }, async (req, scope) => {
    return renderActivity(await activities.get(scope.accountSid, scope.workspaceSid, (req.params as { Sid: string }).Sid), scope);
  });

  m.route('POST', '/Activities/:Sid', { params: sidParam, body: form({ FriendlyName: Type.Optional(P.str()) }), summary: 'Update an activity' }, async (req, scope) => {
    const b = (req.body ?? {}) as { FriendlyName?: string };
    return renderActivity(await activities.update(restActor(req), scope.workspace, (req.params as { Sid: string }).Sid, { friendlyName: b.FriendlyName }), scope);
  });

  m.route('DELETE', '/Activities/:Sid', { params: sidParam, summary: 'Delete an activity' }, async (req, scope) => {
    await activities.delete(restActor(req), scope.workspace, (req.params as { Sid: string }).Sid);
  });
}
