import { Errors } from '../../platform/errors.js';
import { newSid } from '../../platform/sid.js';
import { parseJsonParam } from '../../platform/http/params.js';
import type { Executor } from '../../storage/db.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { Actor, RoutingTrigger, TaskRouterDeps } from '../deps.js';
import { recordEvent, type EventType } from '../events.js';
import type { WorkspaceRow } from '../workspaces/store.js';
import { expressionParam, friendlyNameParam, windowRows, withUniqueError } from '../workspaces/scope.js';
import { activitiesStore, type ActivityRow } from '../activities/store.js';
import { taskChannelsStore } from '../task-channels/store.js';
import { taskQueuesStore } from '../task-queues/store.js';
import { ASSIGNED_STATUSES, workersStore, type WorkerRow, type WorkerSqlFilter } from './store.js';
import { targetWorkersMatcher, workerFacts } from './facts.js';
import { lockWorkspace } from '../routing/lock.js';

/** Worker and Task attributes: at most 4096 characters, whitespace included (TaskRouter limits). */
export const MAX_ATTRIBUTES_LENGTH = 4096;

export interface WorkerView {
  row: WorkerRow;
  /** Decrypted attributes JSON, as given. */
  attributes: string;
  activityName: string;
}

export interface WorkerInput {
  friendlyName?: string;
  activitySid?: string;
  attributes?: string;
  rejectPendingReservations?: boolean;
}

export interface WorkerFilter {
  activityName?: string;
  activitySid?: string;
  available?: boolean;
  friendlyName?: string;
  targetWorkersExpression?: string;
  taskQueueName?: string;
  taskQueueSid?: string;
}

export class WorkersService {
  /** Rejects a worker's pending reservations (RejectPendingReservations); wired by the product. */
  rejectPending: ((tx: Executor, ws: WorkspaceRow, workerSid: string, actor: Actor) => Promise<void>) | undefined;

  constructor(
    private readonly deps: TaskRouterDeps,
    private readonly routing: RoutingTrigger,
  ) {}

  view(row: WorkerRow, activities: ReadonlyMap<string, ActivityRow>): WorkerView {
    return { row, attributes: this.deps.cipher.decrypt(row.attributes), activityName: activities.get(row.activity_sid)?.friendly_name ?? '' };
  }

  async get(accountSid: string, workspaceSid: string, sid: string): Promise<WorkerView> {
    const db = this.deps.storage.db;
    const row = await workersStore.find(db, accountSid, workspaceSid, sid);
    if (!row) throw Errors.notFound(`/Workspaces/${workspaceSid}/Workers/${sid}`);
    return this.view(row, await activitiesStore.all(db, accountSid, workspaceSid));
  }

  async list(accountSid: string, workspaceSid: string, f: WorkerFilter, w: KeysetWindow): Promise<Array<WorkerView & { seq: number }>> {
    const db = this.deps.storage.db;
    const activities = await activitiesStore.all(db, accountSid, workspaceSid);
    const sql: WorkerSqlFilter = {
      ...(f.available !== undefined ? { available: f.available } : {}),
      ...(f.friendlyName !== undefined ? { nameKey: f.friendlyName.toLowerCase() } : {}),
    };
    if (f.activityName !== undefined || f.activitySid !== undefined) {
      sql.activitySids = [...activities.values()]
        .filter((a) => (f.activityName === undefined || a.friendly_name === f.activityName) && (f.activitySid === undefined || a.sid === f.activitySid))
        .map((a) => a.sid);
    }
    const expressions: string[] = [];
    if (f.targetWorkersExpression !== undefined) expressions.push(expressionParam('TargetWorkersExpression', f.targetWorkersExpression, 'target_workers'));
    if (f.taskQueueSid !== undefined) {
      const queue = await taskQueuesStore.find(db, accountSid, workspaceSid, f.taskQueueSid);
      if (!queue) throw Errors.invalidParameter(`TaskQueueSid ${f.taskQueueSid} is not a TaskQueue of workspace ${workspaceSid}`);
      expressions.push(queue.target_workers);
    }
    if (f.taskQueueName !== undefined) {
      const queue = await taskQueuesStore.byName(db, accountSid, workspaceSid, f.taskQueueName);
      if (!queue) throw Errors.invalidParameter(`TaskQueueName ${f.taskQueueName} is not a TaskQueue of workspace ${workspaceSid}`);
      expressions.push(queue.target_workers);
    }
    let rows: WorkerRow[];
    if (expressions.length === 0) {
      rows = await workersStore.list(db, accountSid, workspaceSid, sql, w);
    } else {
      const matchers = expressions.map(targetWorkersMatcher);
      const all = await workersStore.all(db, accountSid, workspaceSid, sql);
      rows = windowRows(
        all.filter((row) => {
          const facts = workerFacts(row, activities, this.deps.cipher);
          return matchers.every((m) => m(facts));
        }),
        w,
      );
    }
    return rows.map((r) => ({ ...this.view(r, activities), seq: r.seq }));
  }

  async create(actor: Actor, ws: WorkspaceRow, input: WorkerInput): Promise<WorkerView> {
    const friendlyName = friendlyNameParam('FriendlyName', input.friendlyName, true)!;
    const attributes = attributesParam(input.attributes) ?? '{}';
    const view = await withUniqueError(() => nameTaken(friendlyName), () =>
      this.deps.storage.transaction(async (tx) => {
        if (await workersStore.byNameKey(tx, ws.account_sid, ws.sid, friendlyName.toLowerCase())) throw nameTaken(friendlyName);
        const activities = await activitiesStore.all(tx, ws.account_sid, ws.sid);
        const activitySid = input.activitySid ?? (await this.defaultActivitySid(tx, ws));
        const activity = activityParam(input.activitySid === undefined ? 'DefaultActivitySid' : 'ActivitySid', activitySid, activities);
        const now = this.deps.clock.now();
        const sid = newSid('WK');
        await workersStore.insert(tx, this.deps.storage.engine, {
          sid,
          account_sid: ws.account_sid,
          workspace_sid: ws.sid,
          friendly_name: friendlyName,
          name_key: friendlyName.toLowerCase(),
          attributes: this.deps.cipher.encrypt(attributes),
          activity_sid: activity.sid,
          available: activity.available,
          date_status_changed: now,
          idle_since: now,
          version: 0,
          date_created: now,
          date_updated: now,
        });
        const channels = await taskChannelsStore.all(tx, ws.account_sid, ws.sid);
        await workersStore.insertChannels(tx, this.deps.storage.engine, [...channels.keys()].map((tc) => ({ accountSid: ws.account_sid, workspaceSid: ws.sid, workerSid: sid, taskChannelSid: tc })), now);
        const view = this.view((await workersStore.find(tx, ws.account_sid, ws.sid, sid))!, activities);
        await this.event(tx, actor, ws, view, 'worker.created', `Worker ${friendlyName} created`);
        return view;
      }),
    );
    this.deps.outbox.committed();
    this.routing.changed(ws.account_sid, ws.sid);
    return view;
  }

  async update(actor: Actor, ws: WorkspaceRow, sid: string, input: WorkerInput, ifMatch?: string): Promise<WorkerView> {
    const friendlyName = friendlyNameParam('FriendlyName', input.friendlyName, false);
    const attributes = attributesParam(input.attributes);
    let routingChanged = false;
    const view = await withUniqueError(() => nameTaken(friendlyName ?? ''), () =>
      this.deps.storage.transaction(async (tx) => {
        await lockWorkspace(tx, this.deps.storage.engine, ws.sid);
        const current = await this.getIn(tx, ws, sid);
        checkIfMatch(current, ifMatch);
        const activities = await activitiesStore.all(tx, ws.account_sid, ws.sid);
        const activity = input.activitySid === undefined ? undefined : activityParam('ActivitySid', input.activitySid, activities);
        if (input.rejectPendingReservations === true && (activity === undefined || activity.available === 1)) {
          throw Errors.invalidParameter('RejectPendingReservations is only valid together with an ActivitySid whose Activity is unavailable');
        }
        const before = this.view(current, activities);
        const nameChanged = friendlyName !== undefined && friendlyName !== current.friendly_name;
        if (nameChanged && friendlyName.toLowerCase() !== current.name_key && (await workersStore.byNameKey(tx, ws.account_sid, ws.sid, friendlyName.toLowerCase()))) {
          throw nameTaken(friendlyName);
        }
        const activityChanged = activity !== undefined && activity.sid !== current.activity_sid;
        const attributesChanged = attributes !== undefined && attributes !== before.attributes;
        if (!nameChanged && !activityChanged && !attributesChanged) return before;

        const now = this.deps.clock.now();
        const becomesAvailable = activityChanged && activity.available === 1 && current.available === 0;
        const updated = await workersStore.update(tx, this.deps.storage.engine, ws.account_sid, sid, current.version, {
          ...(nameChanged ? { friendly_name: friendlyName, name_key: friendlyName.toLowerCase() } : {}),
          ...(attributesChanged ? { attributes: this.deps.cipher.encrypt(attributes) } : {}),
          ...(activityChanged ? { activity_sid: activity.sid, available: activity.available, date_status_changed: now } : {}),
          ...(becomesAvailable ? { idle_since: now } : {}),
          date_updated: now,
        });
        if (!updated) throw Errors.preconditionFailed();
        const view = this.view((await workersStore.find(tx, ws.account_sid, ws.sid, sid))!, activities);
        if (activityChanged) await this.activityEvent(tx, actor, ws, view, current, now);
        if (attributesChanged) await this.event(tx, actor, ws, view, 'worker.attributes.update', `Worker ${view.row.friendly_name} attributes updated`);
        if (input.rejectPendingReservations === true && this.rejectPending) await this.rejectPending(tx, ws, sid, actor);
        routingChanged = activityChanged || attributesChanged;
        return view;
      }),
    );
    this.deps.outbox.committed();
    if (routingChanged) this.routing.changed(ws.account_sid, ws.sid);
    return view;
  }

  async delete(actor: Actor, ws: WorkspaceRow, sid: string, ifMatch?: string): Promise<void> {
    await this.deps.storage.transaction(async (tx) => {
      await lockWorkspace(tx, this.deps.storage.engine, ws.sid);
      const current = await this.getIn(tx, ws, sid);
      checkIfMatch(current, ifMatch);
      // Offers still pending for the worker end before the worker does; their tasks re-route.
      if (this.rejectPending) await this.rejectPending(tx, ws, sid, actor);
      const assigned = await workersStore.reservationCount(tx, ws.account_sid, sid, ASSIGNED_STATUSES);
      if (assigned > 0) throw Errors.invalidParameter(`Worker ${current.friendly_name} cannot be deleted while it has ${assigned} accepted reservation(s)`);
      const view = this.view(current, await activitiesStore.all(tx, ws.account_sid, ws.sid));
      await workersStore.delete(tx, ws.account_sid, sid);
      await this.event(tx, actor, ws, view, 'worker.deleted', `Worker ${current.friendly_name} deleted`);
    });
    this.deps.outbox.committed();
    this.routing.changed(ws.account_sid, ws.sid);
  }

  /**
   * Moves a worker to another activity inside the caller's transaction (routing
   * side effects: reservation, assignment and timeout activities, reject with
   * WorkerActivitySid). A no-op when the worker is already there.
   */
  async setActivity(tx: Executor, actor: Actor, ws: WorkspaceRow, sid: string, activitySid: string): Promise<void> {
    const current = await this.getIn(tx, ws, sid);
    if (current.activity_sid === activitySid) return;
    const activities = await activitiesStore.all(tx, ws.account_sid, ws.sid);
    const activity = activityParam('ActivitySid', activitySid, activities);
    const now = this.deps.clock.now();
    await workersStore.update(tx, this.deps.storage.engine, ws.account_sid, sid, current.version, {
      activity_sid: activity.sid,
      available: activity.available,
      date_status_changed: now,
      ...(activity.available === 1 && current.available === 0 ? { idle_since: now } : {}),
      date_updated: now,
    });
    const view = this.view((await workersStore.find(tx, ws.account_sid, ws.sid, sid))!, activities);
    await this.activityEvent(tx, actor, ws, view, current, now);
  }

  private async activityEvent(tx: Executor, actor: Actor, ws: WorkspaceRow, view: WorkerView, previous: WorkerRow, now: number): Promise<void> {
    const elapsed = now - previous.date_status_changed;
    await this.event(tx, actor, ws, view, 'worker.activity.update', `Worker ${view.row.friendly_name} updated to ${view.activityName} Activity`, {
      WorkerPreviousActivitySid: previous.activity_sid,
      WorkerTimeInPreviousActivity: Math.floor(elapsed / 1000),
      WorkerTimeInPreviousActivityMs: elapsed,
    });
  }

  /** Records a worker event with the callback's Worker* parameters. */
  async event(tx: Executor, actor: Actor, ws: WorkspaceRow, v: WorkerView, type: EventType, description: string, extra: Record<string, string | number | boolean | null> = {}): Promise<void> {
    await recordEvent(this.deps, tx, {
      accountSid: ws.account_sid,
      workspaceSid: ws.sid,
      type,
      resourceType: 'worker',
      resourceSid: v.row.sid,
      actor,
      description,
      data: {
        WorkerSid: v.row.sid,
        WorkerName: v.row.friendly_name,
        WorkerAttributes: v.attributes,
        WorkerActivitySid: v.row.activity_sid,
        WorkerActivityName: v.activityName,
        WorkerAvailable: v.row.available === 1,
        WorkerVersion: String(v.row.version),
        ...extra,
      },
      workerSid: v.row.sid,
    });
  }

  async getIn(tx: Executor, ws: WorkspaceRow, sid: string): Promise<WorkerRow> {
    const row = await workersStore.find(tx, ws.account_sid, ws.sid, sid);
    if (!row) throw Errors.notFound(`/Workspaces/${ws.sid}/Workers/${sid}`);
    return row;
  }

  private async defaultActivitySid(tx: Executor, ws: WorkspaceRow): Promise<string> {
    const row = await tx.selectFrom('tr_workspaces').select('default_activity_sid').where('sid', '=', ws.sid).executeTakeFirst();
    if (!row?.default_activity_sid) throw Errors.invalidParameter(`Workspace ${ws.sid} has no DefaultActivitySid; pass ActivitySid`);
    return row.default_activity_sid;
  }
}

/**
 * If-Match carries the version the client last saw (`ETag`); `*` matches any.
 * Quotes and a weak `W/` prefix are tolerated.
 */
export function checkIfMatch(row: { version: number }, ifMatch: string | undefined): void {
  if (ifMatch === undefined) return;
  const tags = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'));
  if (!tags.some((t) => t === '*' || t === String(row.version))) throw Errors.preconditionFailed();
}

function nameTaken(friendlyName: string) {
  return Errors.taskRouterConflict(`Worker with FriendlyName ${friendlyName} already exists`);
}

/** Worker and Task Attributes: a JSON object of at most 4096 characters. */
export function attributesParam(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = parseJsonParam('Attributes', value);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw Errors.invalidParameter('Attributes must be a JSON object');
  if (value.length > MAX_ATTRIBUTES_LENGTH) throw Errors.invalidParameter(`Attributes must be at most ${MAX_ATTRIBUTES_LENGTH} characters`);
  return value;
}

function activityParam(name: string, sid: string, activities: ReadonlyMap<string, ActivityRow>): ActivityRow {
  const activity = activities.get(sid);
  if (!activity) throw Errors.invalidParameter(`${name} ${sid} is not an activity of this workspace`);
  return activity;
}
