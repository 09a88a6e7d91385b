import { lockWorkspace } from '../routing/lock.js';
import { Errors } from '../../platform/errors.js';
import type { Executor } from '../../storage/db.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { Actor, RoutingTrigger, TaskRouterDeps } from '../deps.js';
import type { WorkspaceRow } from '../workspaces/store.js';
import { activitiesStore } from '../activities/store.js';
import { taskChannelsStore, type TaskChannelRow } from '../task-channels/store.js';
import { workersStore, type WorkerChannelRow } from './store.js';
import type { WorkersService } from './service.js';

/** Twilio's per-channel capacity ceiling (TaskRouter limits). */
export const MAX_CHANNEL_CAPACITY = 50;

export interface WorkerChannelView {
  row: WorkerChannelRow;
  taskChannelUniqueName: string | null;
  /** Reservations of this worker on this channel that are accepted or wrapping. */
  assignedTasks: number;
}

export interface WorkerChannelInput {
  capacity?: number;
  available?: boolean;
}

/** A worker's capacity per task channel (`/Workers/{WK}/Channels`). */
export class WorkerChannelsService {
  constructor(
    private readonly deps: TaskRouterDeps,
    private readonly workers: WorkersService,
    private readonly routing: RoutingTrigger,
  ) {}

  async list(accountSid: string, workspaceSid: string, workerSid: string, w: KeysetWindow): Promise<Array<WorkerChannelView & { seq: number }>> {
    const db = this.deps.storage.db;
    await this.workers.get(accountSid, workspaceSid, workerSid);
    const [rows, channels, assigned] = [
      await workersStore.channels(db, accountSid, workerSid, w),
      await taskChannelsStore.all(db, accountSid, workspaceSid),
      await workersStore.assignedByChannel(db, accountSid, workerSid),
    ];
    return rows.map((row) => ({ ...view(row, channels, assigned), seq: row.seq }));
  }

  async get(accountSid: string, workspaceSid: string, workerSid: string, ref: string): Promise<WorkerChannelView> {
    const db = this.deps.storage.db;
    await this.workers.get(accountSid, workspaceSid, workerSid);
    const row = await this.find(db, accountSid, workspaceSid, workerSid, ref);
    return view(row, await taskChannelsStore.all(db, accountSid, workspaceSid), await workersStore.assignedByChannel(db, accountSid, workerSid));
  }

  async update(actor: Actor, ws: WorkspaceRow, workerSid: string, ref: string, input: WorkerChannelInput): Promise<WorkerChannelView> {
    if (input.capacity !== undefined && (!Number.isInteger(input.capacity) || input.capacity < 0 || input.capacity > MAX_CHANNEL_CAPACITY)) {
      throw Errors.invalidParameter(`Capacity must be an integer between 0 and ${MAX_CHANNEL_CAPACITY}`);
    }
    let changed = false;
    const result = await this.deps.storage.transaction(async (tx) => {
      await lockWorkspace(tx, this.deps.storage.engine, ws.sid);
      const worker = await this.workers.getIn(tx, ws, workerSid);
      const current = await this.find(tx, ws.account_sid, ws.sid, workerSid, ref);
      const channels = await taskChannelsStore.all(tx, ws.account_sid, ws.sid);
      const capacityChanged = input.capacity !== undefined && input.capacity !== current.capacity;
      const availableChanged = input.available !== undefined && (input.available ? 1 : 0) !== current.available;
      if (!capacityChanged && !availableChanged) return view(current, channels, await workersStore.assignedByChannel(tx, ws.account_sid, workerSid));
      changed = true;
      const now = this.deps.clock.now();
      await workersStore.updateChannel(tx, ws.account_sid, current.sid, {
        ...(capacityChanged ? { capacity: input.capacity } : {}),
        ...(availableChanged ? { available: input.available ? 1 : 0 } : {}),
        date_updated: now,
      });
      // A channel change is a change of the worker: its version (ETag) moves too.
      if (!(await workersStore.update(tx, this.deps.storage.engine, ws.account_sid, workerSid, worker.version, { date_updated: now }))) throw Errors.preconditionFailed();
      const row = (await workersStore.channel(tx, ws.account_sid, workerSid, current.sid))!;
      const result = view(row, channels, await workersStore.assignedByChannel(tx, ws.account_sid, workerSid));
      const workerView = this.workers.view((await workersStore.find(tx, ws.account_sid, ws.sid, workerSid))!, await activitiesStore.all(tx, ws.account_sid, ws.sid));
      const data = channelData(result, current);
      const name = result.taskChannelUniqueName ?? row.task_channel_sid;
      if (capacityChanged) {
        await this.workers.event(tx, actor, ws, workerView, 'worker.capacity.update', `Worker ${worker.friendly_name} capacity on ${name} updated to ${row.capacity}`, data);
      }
      if (availableChanged) {
        await this.workers.event(tx, actor, ws, workerView, 'worker.channel.availability.update', `Worker ${worker.friendly_name} ${name} channel availability updated to ${row.available === 1}`, data);
      }
      return result;
    });
    this.deps.outbox.committed();
    if (changed) this.routing.changed(ws.account_sid, ws.sid);
    return result;
  }

  /** By WC SID, TC SID or the task channel's unique name. */
  private async find(db: Executor, accountSid: string, workspaceSid: string, workerSid: string, ref: string): Promise<WorkerChannelRow> {
    let row = await workersStore.channel(db, accountSid, workerSid, ref);
    if (!row) {
      const channel = await taskChannelsStore.find(db, accountSid, workspaceSid, ref);
      if (channel) row = await workersStore.channel(db, accountSid, workerSid, channel.sid);
    }
    if (!row) throw Errors.notFound(`/Workspaces/${workspaceSid}/Workers/${workerSid}/Channels/${ref}`);
    return row;
  }
}

export function availableCapacityPercentage(v: WorkerChannelView): number {
  if (v.row.capacity <= 0) return 0;
  return Math.max(0, Math.round(((v.row.capacity - v.assignedTasks) / v.row.capacity) * 100));
}

function view(row: WorkerChannelRow, channels: ReadonlyMap<string, TaskChannelRow>, assigned: ReadonlyMap<string, number>): WorkerChannelView {
  return { row, taskChannelUniqueName: channels.get(row.task_channel_sid)?.unique_name ?? null, assignedTasks: assigned.get(row.task_channel_sid) ?? 0 };
}

function channelData(v: WorkerChannelView, previous: WorkerChannelRow): Record<string, string | number | boolean | null> {
  return {
    TaskChannelSid: v.row.task_channel_sid,
    TaskChannelUniqueName: v.taskChannelUniqueName,
    WorkerChannelCapacity: v.row.capacity,
    WorkerChannelPreviousCapacity: previous.capacity,
    WorkerChannelAvailable: v.row.available === 1,
    WorkerChannelAvailableCapacityPercentage: availableCapacityPercentage(v),
    WorkerChannelTaskCount: v.assignedTasks,
  };
}
