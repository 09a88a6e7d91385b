import { Type } from '@sinclair/typebox';
import { isoDate } from '../../platform/clock.js';
import { P, form, listQuery } from '../../platform/http/params.js';
import { listEnvelope } from '../../platform/http/lists.js';
import { pageRequest, readPage, PageLimits } from '../../platform/paging.js';
import type { Mirror, Scope } from '../scope.js';
import { ROLE_TYPES, type Role, type RoleType, type RolesService } from './service.js';

export function renderRole(r: Role, scope: Scope): Record<string, unknown> {
  return {
    sid: r.row.sid,
    account_sid: r.row.account_sid,
    chat_service_sid: r.row.service_sid,
    friendly_name: r.row.friendly_name,
    type: r.row.type,
    permissions: r.permissions,
    date_created: isoDate(r.row.date_created),
    date_updated: isoDate(r.row.date_updated),
    url: `${scope.base}/Roles/${r.row.sid}`,
  };
}

const sidParam = Type.Object({ Sid: P.str({ minLength: 1, description: 'Role SID' }) });
const permissionList = P.list(P.str({ minLength: 1 }), 'A permission (repeat the parameter for several)');

export function registerRoleRoutes(m: Mirror, roles: RolesService): void {
  m.route(
    'POST',
    '/Roles',
    {
      body: form({ FriendlyName: P.str(), Type: P.enumOf(ROLE_TYPES), Permission: permissionList }),
      summary: 'Create a role',
    },
    async (req, scope) => {
      const b = req.body as { FriendlyName: string; Type: RoleType; Permission: string[] };
      return renderRole(await roles.create(scope.accountSid, scope.serviceSid, { friendlyName: b.FriendlyName, type: b.Type, permissions: b.Permission }), scope);
    },
  );

  m.route('GET', '/Roles', { querystring: listQuery({}), summary: 'List roles' }, async (req, scope) => {
    const page = pageRequest(req.query as object, PageLimits.conversationsSmall);
    const result = await readPage(page, (w) => roles.list(scope.accountSid, scope.serviceSid, w));
    return listEnvelope({ req, key: 'roles', path: scope.base.slice(req.productBase.length) + '/Roles', page, result, render: (r) => renderRole(r, scope) });
  });

  m.route('GET', '/Roles/:Sid', { params: sidParam, summary: 'Fetch a role' }, async (req, scope) => {
    return renderRole(await roles.get(scope.accountSid, scope.serviceSid, (req.params as { Sid: string }).Sid), scope);
  });

  m.route('POST', '/Roles/:Sid', { params: sidParam, body: form({ Permission: permissionList }), summary: 'Update a role (replaces its permissions)' }, async (req, scope) => {
    const b = req.body as { Permission: string[] };
    return renderRole(await roles.update(scope.accountSid, scope.serviceSid, (req.params as { Sid: string }).Sid, b.Permission), scope);
  });

  m.route('DELETE', '/Roles/:Sid', { params: sidParam, summary: 'Delete a role' }, async (req, scope) => {
    await roles.delete(scope.accountSid, scope.serviceSid, (req.params as { Sid: string }).Sid);
  });
}
