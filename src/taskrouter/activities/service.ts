import { Errors } from '../../platform/errors.js';
import { newSid } from '../../platform/sid.js';
import type { Executor } from '../../storage/db.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { Actor, TaskRouterDeps } from '../deps.js';
import { recordEvent } from '../events.js';
import type { WorkspaceRow } from '../workspaces/store.js';
import { friendlyNameParam, withUniqueError } from '../workspaces/scope.js';
import { activitiesStore, type ActivityFilter, type ActivityRow } from './store.js';

/**
 * The activities a new workspace starts with, as Twilio creates them. The first
 * is the default (new workers) and timeout (reservation timed out) activity.
 */
export const DEFAULT_ACTIVITIES = [
  { friendlyName: 'Offline', available: false },
  { friendlyName: 'Available', available: true },
  { friendlyName: 'Unavailable', available: false },
  { friendlyName: 'Break', available: false },
] as const;

export interface ActivityInput {
  friendlyName?: string;
  available?: boolean;
}

export class ActivitiesService {
  constructor(private readonly deps: TaskRouterDeps) {}

  async get(accountSid: string, workspaceSid: string, sid: string): Promise<ActivityRow> {
    const row = await activitiesStore.find(this.deps.storage.db, accountSid, workspaceSid, sid);
    if (!row) throw Errors.notFound(`/Workspaces/${workspaceSid}/Activities/${sid}`);
    return row;
  }

  list(accountSid: string, workspaceSid: string, f: ActivityFilter, w: KeysetWindow): Promise<ActivityRow[]> {
    return activitiesStore.list(this.deps.storage.db, accountSid, workspaceSid, f, w);
  }

  async create(actor: Actor, ws: WorkspaceRow, input: ActivityInput): Promise<ActivityRow> {
    const friendlyName = friendlyNameParam('FriendlyName', input.friendlyName, true)!;
    const row = await withUniqueError(() => nameTaken(ws, friendlyName), () =>
      this.deps.storage.transaction(async (tx) => {
        await this.assertNameFree(tx, ws, friendlyName);
        const row = await this.insert(tx, ws, friendlyName, input.available ?? false);
        await this.event(tx, actor, ws, row, 'activity.created', `Activity ${friendlyName} created`);
        return row;
      }),
    );
    this.deps.outbox.committed();
    return row;
  }

  async update(actor: Actor, ws: WorkspaceRow, sid: string, input: ActivityInput): Promise<ActivityRow> {
    const friendlyName = friendlyNameParam('FriendlyName', input.friendlyName, false);
    const row = await withUniqueError(() => nameTaken(ws, friendlyName ?? ''), () =>
      this.deps.storage.transaction(async (tx) => {
        const current = await this.getIn(tx, ws, sid);
        if (friendlyName === undefined || friendlyName === current.friendly_name) return current;
        await this.assertNameFree(tx, ws, friendlyName);
        await activitiesStore.rename(tx, ws.account_sid, sid, friendlyName, this.deps.clock.now());
        const row = await this.getIn(tx, ws, sid);
        await this.event(tx, actor, ws, row, 'activity.updated', `Activity ${current.friendly_name} renamed to ${friendlyName}`);
        return row;
      }),
    );
    this.deps.outbox.committed();
    return row;
  }

  async delete(actor: Actor, ws: WorkspaceRow, sid: string): Promise<void> {
    await this.deps.storage.transaction(async (tx) => {
      const row = await this.getIn(tx, ws, sid);
      const current = await tx.selectFrom('tr_workspaces').select(['default_activity_sid', 'timeout_activity_sid']).where('sid', '=', ws.sid).executeTakeFirstOrThrow();
      if (current.default_activity_sid === sid) throw Errors.invalidParameter(`Activity ${sid} is the workspace's DefaultActivitySid and cannot be deleted`);
      if (current.timeout_activity_sid === sid) throw Errors.invalidParameter(`Activity ${sid} is the workspace's TimeoutActivitySid and cannot be deleted`);
      const workers = await activitiesStore.workersIn(tx, ws.account_sid, sid);
      if (workers > 0) throw Errors.invalidParameter(`Activity ${sid} cannot be deleted while ${workers} worker(s) are in it`);
      const queues = await activitiesStore.queuesUsing(tx, ws.account_sid, sid);
      if (queues.length > 0) throw Errors.invalidParameter(`Activity ${sid} cannot be deleted while TaskQueue ${queues.join(', ')} uses it as reservation or assignment activity`);
      await activitiesStore.delete(tx, ws.account_sid, sid);
      await this.event(tx, actor, ws, row, 'activity.deleted', `Activity ${row.friendly_name} deleted`);
    });
    this.deps.outbox.committed();
  }

  /** Creates the default activities of a new workspace; returns the SID of the first (Offline). */
  async insertDefaults(tx: Executor, ws: WorkspaceRow): Promise<string> {
    const sids: string[] = [];
    for (const a of DEFAULT_ACTIVITIES) sids.push((await this.insert(tx, ws, a.friendlyName, a.available)).sid);
    return sids[0]!;
  }

  private async insert(tx: Executor, ws: WorkspaceRow, friendlyName: string, available: boolean): Promise<ActivityRow> {
    const now = this.deps.clock.now();
    const sid = newSid('WA');
    await activitiesStore.insert(tx, { sid, account_sid: ws.account_sid, workspace_sid: ws.sid, friendly_name: friendlyName, available: available ? 1 : 0, date_created: now, date_updated: now });
    return (await activitiesStore.find(tx, ws.account_sid, ws.sid, sid))!;
  }

  private async getIn(tx: Executor, ws: WorkspaceRow, sid: string): Promise<ActivityRow> {
    const row = await activitiesStore.find(tx, ws.account_sid, ws.sid, sid);
    if (!row) throw Errors.notFound(`/Workspaces/${ws.sid}/Activities/${sid}`);
    return row;
  }

  private async assertNameFree(tx: Executor, ws: WorkspaceRow, friendlyName: string): Promise<void> {
    if (await activitiesStore.byName(tx, ws.account_sid, ws.sid, friendlyName)) throw nameTaken(ws, friendlyName);
  }

  private async event(tx: Executor, actor: Actor, ws: WorkspaceRow, row: ActivityRow, type: 'activity.created' | 'activity.updated' | 'activity.deleted', description: string): Promise<void> {
    await recordEvent(this.deps, tx, {
      accountSid: ws.account_sid,
      workspaceSid: ws.sid,
      type,
      resourceType: 'activity',
      resourceSid: row.sid,
      actor,
      description,
      data: { ActivitySid: row.sid, ActivityName: row.friendly_name, ActivityAvailable: row.available === 1 },
    });
  }
}

/** Twilio answers a duplicate name with 400/20001 (as it does for TaskQueues). */
function nameTaken(ws: WorkspaceRow, friendlyName: string) {
  return Errors.invalidParameter(`Activity named ${friendlyName} already exists in workspace ${ws.sid}`);
}
