import { Errors } from '../platform/errors.js';
import type { KeysetWindow } from '../storage/keyset.js';
import type { InteractionsDeps } from './deps.js';
import { parseChannelRouting } from './input.js';
import type { Membership } from './membership.js';
import { interactionsStore, type ChannelRow } from './store.js';
import type { ChannelTasks } from './tasks.js';

export const CHANNEL_UPDATE_STATUSES = ['closed', 'inactive'] as const;

/**
 * Interaction channels. Closing one ends its work: every live task wraps up
 * (or completes, with Routing `{"status":"closed"}`), and the conversation is
 * closed. `inactive` (Flex's Leave) completes the tasks and takes the agents
 * out, but keeps the conversation open: the customer's next message routes a
 * new task in the same channel (see Orchestrator).
 */
export class ChannelsService {
  constructor(
    private readonly deps: InteractionsDeps,
    private readonly tasks: ChannelTasks,
    private readonly membership: Membership,
  ) {}

  async get(accountSid: string, interactionSid: string, sid: string): Promise<ChannelRow> {
    const row = await interactionsStore.channel(this.deps.storage.db, accountSid, interactionSid, sid);
    if (!row) throw Errors.notFound(`/Interactions/${interactionSid}/Channels/${sid}`);
    return row;
  }

  async list(accountSid: string, interactionSid: string, w: KeysetWindow): Promise<ChannelRow[]> {
    const db = this.deps.storage.db;
    if (!(await interactionsStore.interaction(db, accountSid, interactionSid))) throw Errors.notFound(`/Interactions/${interactionSid}`);
    return interactionsStore.channels(db, accountSid, interactionSid, w);
  }

  async update(accountSid: string, interactionSid: string, sid: string, input: { status: (typeof CHANNEL_UPDATE_STATUSES)[number]; routing?: string }): Promise<ChannelRow> {
    const taskStatus = input.routing !== undefined ? parseChannelRouting(input.routing) : undefined;
    if (input.status === 'inactive' && taskStatus !== 'closed') throw Errors.invalidParameter('Routing {"status":"closed"} is required when Status is inactive');
    const channel = await this.get(accountSid, interactionSid, sid);
    // Closing a closed channel again only finishes what the first close left undone
    // (clients retry); anything else on a closed channel is refused.
    if ((channel.status === 'closed' || channel.status === 'failed') && input.status !== 'closed') throw Errors.flexChannelNotOpen(channel.sid, channel.status);
    const db = this.deps.storage.db;
    const now = this.deps.clock.now();
    // The status moves first, so the task events that follow find the channel already closing.
    await interactionsStore.updateChannel(db, accountSid, sid, { status: input.status, date_updated: now });
    const to = taskStatus === 'closed' ? 'completed' : 'wrapping';
    for (const task of await this.tasks.liveTasks(channel)) await this.tasks.end(accountSid, task, to, input.status === 'closed' ? 'Interaction channel closed' : 'Interaction channel inactive');
    const participants = await interactionsStore.allParticipants(db, accountSid, sid);
    if (input.status === 'closed') {
      await this.membership.closeConversation(channel);
      for (const p of participants) if (p.status !== 'closed') await interactionsStore.updateParticipant(db, accountSid, p.sid, { status: 'closed', date_updated: now });
    } else {
      for (const p of participants) {
        if (p.type === 'customer' || p.status === 'closed') continue;
        await this.membership.leave(channel, p);
        await interactionsStore.updateParticipant(db, accountSid, p.sid, { status: 'closed', date_updated: now });
      }
    }
    return this.get(accountSid, interactionSid, sid);
  }
}
