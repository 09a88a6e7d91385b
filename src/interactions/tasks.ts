import { TwilioError } from '../platform/errors.js';
import { newSid } from '../platform/sid.js';
import type { TaskCreateInput, TaskView } from '../taskrouter/tasks/service.js';
import type { WorkspaceRow } from '../taskrouter/workspaces/store.js';
import { flexActor, type InteractionsDeps, type Products } from './deps.js';
import type { RoutingInput } from './input.js';
import { taskRouting } from './render.js';
import { interactionsStore, type ChannelRow, type InviteRow } from './store.js';

/** The task channel a Flex task uses when Routing names none. */
const DEFAULT_TASK_CHANNEL: Record<string, string> = { sms: 'sms', whatsapp: 'whatsapp', email: 'email', messenger: 'messenger', voice: 'voice' };

const LIVE = ['pending', 'reserved', 'assigned', 'wrapping'];

export interface RoutedInvite {
  invite: InviteRow;
  task: TaskView;
  routing: Record<string, unknown>;
}

/**
 * The tasks of interaction channels. Every task comes from an invite row
 * (the interaction's first routing, POST /Invites, a transfer), written before
 * the task so that an accept racing this request finds it.
 */
export class ChannelTasks {
  constructor(
    private readonly deps: InteractionsDeps,
    private readonly products: Products,
  ) {}

  workspace(accountSid: string, workspaceSid: string): Promise<WorkspaceRow> {
    return this.products.taskrouter.workspaces.get(accountSid, workspaceSid);
  }

  /**
   * Records an invite and creates its task. If TaskRouter refuses the task
   * (a bad workflow, channel or target), the invite is removed and the error
   * propagates: nothing of the request remains.
   */
  async route(channel: ChannelRow, inviteSid: string, routing: RoutingInput, attributes: Record<string, unknown>, transferSid?: string): Promise<RoutedInvite> {
    const { storage, clock, cipher } = this.deps;
    const ws = await this.workspace(channel.account_sid, routing.workspaceSid ?? channel.workspace_sid);
    const now = clock.now();
    await interactionsStore.insertInvite(storage.db, {
      sid: inviteSid,
      account_sid: channel.account_sid,
      interaction_sid: channel.interaction_sid,
      channel_sid: channel.sid,
      workspace_sid: ws.sid,
      task_sid: null,
      transfer_sid: transferSid ?? null,
      routing: cipher.encrypt('null'),
      date_created: now,
      date_updated: now,
    });
    let task: TaskView;
    try {
      task = await this.products.taskrouter.tasks.create(flexActor(channel.account_sid), ws, this.taskInput(channel, routing, attributes));
    } catch (err) {
      await interactionsStore.deleteInvite(storage.db, channel.account_sid, inviteSid);
      throw err;
    }
    const rendered = taskRouting(task, clock.now());
    await interactionsStore.updateInvite(storage.db, channel.account_sid, inviteSid, { task_sid: task.row.sid, routing: cipher.encrypt(JSON.stringify(rendered)), date_updated: clock.now() });
    const invite = (await interactionsStore.invite(storage.db, channel.account_sid, inviteSid))!;
    return { invite, task, routing: rendered };
  }

  private taskInput(channel: ChannelRow, routing: RoutingInput, attributes: Record<string, unknown>): TaskCreateInput {
    const input: TaskCreateInput = {
      attributes: JSON.stringify(attributes),
      taskChannel: routing.taskChannel ?? DEFAULT_TASK_CHANNEL[channel.type] ?? 'chat',
    };
    if (routing.priority !== undefined) input.priority = routing.priority;
    if (routing.timeout !== undefined) input.timeout = routing.timeout;
    if (routing.workflowSid !== undefined) input.workflowSid = routing.workflowSid;
    // A named worker is a known-agent route (outbound, invites to one agent); a
    // queue alone is a direct queue route; otherwise the workflow decides.
    if (routing.workerSid !== undefined) {
      input.routingTarget = routing.workerSid;
      if (routing.queueSid !== undefined) input.taskQueueSid = routing.queueSid;
    } else if (routing.queueSid !== undefined && routing.workflowSid === undefined) {
      input.routingTarget = routing.queueSid;
    }
    return input;
  }

  newInviteSid(): string {
    return newSid('KG');
  }

  async task(accountSid: string, workspaceSid: string, taskSid: string): Promise<TaskView | undefined> {
    try {
      return await this.products.taskrouter.tasks.get(await this.workspace(accountSid, workspaceSid), taskSid);
    } catch (err) {
      if (err instanceof TwilioError && err.code === 20404) return undefined;
      throw err;
    }
  }

  /** Tasks of the channel that are still pending, reserved, assigned or wrapping. */
  async liveTasks(channel: ChannelRow): Promise<TaskView[]> {
    const out: TaskView[] = [];
    for (const invite of await interactionsStore.allInvites(this.deps.storage.db, channel.account_sid, channel.sid)) {
      if (!invite.task_sid) continue;
      const t = await this.task(channel.account_sid, invite.workspace_sid, invite.task_sid);
      if (t && LIVE.includes(t.row.assignment_status)) out.push(t);
    }
    return out;
  }

  /**
   * Ends a task as far as its state allows: an assigned task wraps up (or
   * completes), a wrapping one completes, one not yet assigned is canceled.
   * A task that moved meanwhile (a concurrent accept or cancel) is left as it is.
   */
  async end(accountSid: string, task: TaskView, to: 'wrapping' | 'completed', reason: string): Promise<void> {
    const ws = await this.workspace(accountSid, task.row.workspace_sid);
    const status = task.row.assignment_status;
    const actor = flexActor(accountSid);
    try {
      if (status === 'pending' || status === 'reserved') await this.products.taskrouter.tasks.update(actor, ws, task.row.sid, { assignmentStatus: 'canceled', reason });
      else if (status === 'assigned' && to === 'wrapping') await this.products.taskrouter.tasks.update(actor, ws, task.row.sid, { assignmentStatus: 'wrapping' });
      else if ((status === 'assigned' || status === 'wrapping') && to === 'completed') await this.products.taskrouter.tasks.update(actor, ws, task.row.sid, { assignmentStatus: 'completed', reason });
    } catch (err) {
      if (!(err instanceof TwilioError && err.code === 20001)) throw err;
    }
  }
}
