import { tasksStore } from '../tasks/store.js';
import { Errors } from '../../platform/errors.js';
import { newSid } from '../../platform/sid.js';
import type { Executor } from '../../storage/db.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { Actor, TaskRouterDeps } from '../deps.js';
import { recordEvent } from '../events.js';
import type { WorkspaceRow } from '../workspaces/store.js';
import { friendlyNameParam, withUniqueError } from '../workspaces/scope.js';
import { workersStore } from '../workers/store.js';
import { taskChannelsStore, type TaskChannelRow } from './store.js';

/**
 * Channels a new workspace starts with. Twilio's own set is Default, Voice,
 * Programmable Chat, SMS and Video (later Email); Parley adds the messaging
 * channels its adapters route, so their tasks can carry capacity of their own.
 */
export const DEFAULT_TASK_CHANNELS = [
  { uniqueName: 'default', friendlyName: 'Default' },
  { uniqueName: 'voice', friendlyName: 'Voice' },
  { uniqueName: 'chat', friendlyName: 'Programmable Chat' },
  { uniqueName: 'sms', friendlyName: 'SMS' },
  { uniqueName: 'video', friendlyName: 'Video' },
  { uniqueName: 'email', friendlyName: 'Email' },
  { uniqueName: 'whatsapp', friendlyName: 'WhatsApp' },
  { uniqueName: 'messenger', friendlyName: 'Messenger' },
] as const;

export interface TaskChannelInput {
  friendlyName?: string;
  uniqueName?: string;
  channelOptimizedRouting?: boolean;
}

type ChannelEvent = 'task-channel.created' | 'task-channel.updated' | 'task-channel.deleted';

export class TaskChannelsService {
  constructor(private readonly deps: TaskRouterDeps) {}

  async get(accountSid: string, workspaceSid: string, sidOrUniqueName: string): Promise<TaskChannelRow> {
    const row = await taskChannelsStore.find(this.deps.storage.db, accountSid, workspaceSid, sidOrUniqueName);
    if (!row) throw Errors.notFound(`/Workspaces/${workspaceSid}/TaskChannels/${sidOrUniqueName}`);
    return row;
  }

  list(accountSid: string, workspaceSid: string, w: KeysetWindow): Promise<TaskChannelRow[]> {
    return taskChannelsStore.list(this.deps.storage.db, accountSid, workspaceSid, w);
  }

  async create(actor: Actor, ws: WorkspaceRow, input: TaskChannelInput): Promise<TaskChannelRow> {
    const friendlyName = friendlyNameParam('FriendlyName', input.friendlyName, true)!;
    const uniqueName = friendlyNameParam('UniqueName', input.uniqueName, true)!;
    const row = await withUniqueError(() => uniqueNameTaken(uniqueName), () =>
      this.deps.storage.transaction(async (tx) => {
        if (await taskChannelsStore.byUniqueName(tx, ws.account_sid, ws.sid, uniqueName)) throw uniqueNameTaken(uniqueName);
        const row = await this.insert(tx, ws, uniqueName, friendlyName, input.channelOptimizedRouting);
        // Every existing worker gets a channel for it, as on Twilio.
        const workers = await workersStore.all(tx, ws.account_sid, ws.sid);
        await workersStore.insertChannels(tx, this.deps.storage.engine, workers.map((w) => ({ accountSid: ws.account_sid, workspaceSid: ws.sid, workerSid: w.sid, taskChannelSid: row.sid })), this.deps.clock.now());
        await this.event(tx, actor, ws, row, 'task-channel.created', `TaskChannel ${uniqueName} created`);
        return row;
      }),
    );
    this.deps.outbox.committed();
    return row;
  }

  async update(actor: Actor, ws: WorkspaceRow, sidOrUniqueName: string, input: TaskChannelInput): Promise<TaskChannelRow> {
    const friendlyName = friendlyNameParam('FriendlyName', input.friendlyName, false);
    const row = await this.deps.storage.transaction(async (tx) => {
      const current = await this.getIn(tx, ws, sidOrUniqueName);
      const patch = {
        ...(friendlyName !== undefined ? { friendly_name: friendlyName } : {}),
        ...(input.channelOptimizedRouting !== undefined ? { channel_optimized_routing: input.channelOptimizedRouting ? 1 : 0 } : {}),
      };
      if (Object.keys(patch).length === 0) return current;
      await taskChannelsStore.update(tx, ws.account_sid, current.sid, { ...patch, date_updated: this.deps.clock.now() });
      const row = await this.getIn(tx, ws, current.sid);
      await this.event(tx, actor, ws, row, 'task-channel.updated', `TaskChannel ${row.unique_name} updated`);
      return row;
    });
    this.deps.outbox.committed();
    return row;
  }

  async delete(actor: Actor, ws: WorkspaceRow, sidOrUniqueName: string): Promise<void> {
    await this.deps.storage.transaction(async (tx) => {
      const row = await this.getIn(tx, ws, sidOrUniqueName);
      const live = await tasksStore.countLive(tx, ws.account_sid, 'task_channel_sid', row.sid);
      if (live > 0) throw Errors.invalidParameter(`TaskChannel ${row.unique_name} cannot be deleted while ${live} task(s) use it`);
      await taskChannelsStore.delete(tx, ws.account_sid, row.sid);
      await this.event(tx, actor, ws, row, 'task-channel.deleted', `TaskChannel ${row.unique_name} deleted`);
    });
    this.deps.outbox.committed();
  }

  async insertDefaults(tx: Executor, ws: WorkspaceRow): Promise<void> {
    for (const c of DEFAULT_TASK_CHANNELS) await this.insert(tx, ws, c.uniqueName, c.friendlyName, undefined);
  }

  private async insert(tx: Executor, ws: WorkspaceRow, uniqueName: string, friendlyName: string, optimized: boolean | undefined): Promise<TaskChannelRow> {
    const now = this.deps.clock.now();
    const sid = newSid('TC');
    await taskChannelsStore.insert(tx, {
      sid,
      account_sid: ws.account_sid,
      workspace_sid: ws.sid,
      friendly_name: friendlyName,
      unique_name: uniqueName,
      channel_optimized_routing: optimized === undefined ? null : optimized ? 1 : 0,
      date_created: now,
      date_updated: now,
    });
    return (await taskChannelsStore.find(tx, ws.account_sid, ws.sid, sid))!;
  }

  private async getIn(tx: Executor, ws: WorkspaceRow, sidOrUniqueName: string): Promise<TaskChannelRow> {
    const row = await taskChannelsStore.find(tx, ws.account_sid, ws.sid, sidOrUniqueName);
    if (!row) throw Errors.notFound(`/Workspaces/${ws.sid}/TaskChannels/${sidOrUniqueName}`);
    return row;
  }

  private async event(tx: Executor, actor: Actor, ws: WorkspaceRow, row: TaskChannelRow, type: ChannelEvent, description: string): Promise<void> {
    await recordEvent(this.deps, tx, {
      accountSid: ws.account_sid,
      workspaceSid: ws.sid,
      type,
      resourceType: 'task_channel',
      resourceSid: row.sid,
      actor,
      description,
      data: { TaskChannelSid: row.sid, TaskChannelUniqueName: row.unique_name, TaskChannelName: row.friendly_name },
      taskChannel: row.sid,
    });
  }
}

function uniqueNameTaken(uniqueName: string) {
  return Errors.taskRouterConflict(`TaskChannel with UniqueName ${uniqueName} already exists`);
}
