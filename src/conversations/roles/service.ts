import { Errors } from '../../platform/errors.js';
import { newSid, SidPrefix } from '../../platform/sid.js';
import type { Executor } from '../../storage/db.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { ConversationsDeps } from '../deps.js';
import { ROLE_PERMISSIONS } from './defaults.js';
import { rolesStore, type RoleRow } from './store.js';

export const ROLE_TYPES = ['conversation', 'service'] as const;
export type RoleType = (typeof ROLE_TYPES)[number];

const FRIENDLY_NAME_MAX = 64;

export interface Role {
  row: RoleRow;
  permissions: string[];
}

export class RolesService {
  constructor(private readonly deps: ConversationsDeps) {}

  decode(row: RoleRow): Role {
    return { row, permissions: JSON.parse(row.permissions) as string[] };
  }

  async get(accountSid: string, serviceSid: string, sid: string): Promise<Role> {
    const row = await rolesStore.get(this.deps.storage.db, accountSid, serviceSid, sid);
    if (!row) throw Errors.notFound(`/Roles/${sid}`);
    return this.decode(row);
  }

  async list(accountSid: string, serviceSid: string, w: KeysetWindow): Promise<Array<Role & { seq: number }>> {
    const rows = await rolesStore.list(this.deps.storage.db, accountSid, serviceSid, w);
    return rows.map((r) => ({ ...this.decode(r), seq: r.seq }));
  }

  async create(accountSid: string, serviceSid: string, input: { friendlyName: string; type: RoleType; permissions: string[] }): Promise<Role> {
    const name = input.friendlyName;
    if (name.trim().length === 0 || name.length > FRIENDLY_NAME_MAX) throw Errors.invalidParameter(`FriendlyName must be 1 to ${FRIENDLY_NAME_MAX} characters`);
    const permissions = validPermissions(input.type, input.permissions);
    const now = this.deps.clock.now();
    const sid = newSid(SidPrefix.Role);
    const inserted = await this.deps.storage.transaction((tx) =>
      rolesStore.insertUnique(tx, { sid, account_sid: accountSid, service_sid: serviceSid, friendly_name: name, type: input.type, permissions: JSON.stringify(permissions), date_created: now, date_updated: now }),
    );
    if (!inserted) throw Errors.roleExists(name);
    return this.get(accountSid, serviceSid, sid);
  }

  /** Replaces the permission list (Twilio's update is not a merge). */
  async update(accountSid: string, serviceSid: string, sid: string, permissions: string[]): Promise<Role> {
    const current = await this.get(accountSid, serviceSid, sid);
    const next = validPermissions(current.row.type as RoleType, permissions);
    await this.deps.storage.transaction((tx) => rolesStore.updatePermissions(tx, accountSid, sid, JSON.stringify(next), this.deps.clock.now()));
    return this.get(accountSid, serviceSid, sid);
  }

  /** Twilio refuses to delete a role something still holds; so do we, rather than leave dangling role SIDs. */
  async delete(accountSid: string, serviceSid: string, sid: string): Promise<void> {
    await this.get(accountSid, serviceSid, sid);
    await this.deps.storage.transaction(async (tx) => {
      const usedBy = await rolesStore.usage(tx, accountSid, serviceSid, sid);
      if (usedBy) throw Errors.invalidParameter(`Role ${sid} cannot be deleted: it is in use by a ${usedBy}`);
      await rolesStore.delete(tx, accountSid, sid);
    });
  }

  /** A role of the given type in this service, or 20001 naming the parameter (for RoleSid inputs). */
  async require(db: Executor, accountSid: string, serviceSid: string, sid: string, type: RoleType, param = 'RoleSid'): Promise<RoleRow> {
    const row = await rolesStore.get(db, accountSid, serviceSid, sid);
    if (!row || row.type !== type) throw Errors.invalidParameter(`${param} ${sid} is not a ${type} role of service ${serviceSid}`);
    return row;
  }
}

function validPermissions(type: RoleType, permissions: string[]): string[] {
  if (permissions.length === 0) throw Errors.missingParameter('Permission');
  const allowed = ROLE_PERMISSIONS[type] as readonly string[];
  for (const p of permissions) {
    if (!allowed.includes(p)) throw Errors.invalidParameter(`Permission "${p}" is not valid for a ${type} role`);
  }
  return [...new Set(permissions)];
}
