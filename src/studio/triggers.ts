import type { Tx } from '../storage/db.js';
import type { CommittedEvent } from '../events/outbox.js';
import type { Job } from '../events/jobs.js';
import { CONVERSATION_EVENT_PREFIX, type ConversationEventData } from '../conversations/hooks.js';
import type { EngineDeps } from './engine/widgets.js';
import type { Runner } from './engine/runner.js';
import type { ExecutionsService } from './executions/service.js';
import { executionsStore, type ExecutionRow } from './executions/store.js';
import { flowsStore, type FlowRow } from './flows/store.js';
import { STUDIO_AUTHOR } from './conversations-bridge.js';

export const CONVERSATION_MESSAGE_JOB = 'studio.conversation-message';
export const INCOMING_MESSAGE_JOB = 'studio.incoming-message';
/**
 * A message that arrives while its execution is between widgets is retried
 * until the execution waits for it (or ends); after this many tries it is dropped.
 */
const MESSAGE_ATTEMPTS = 6;

/** Inbound carrier message parameters (Twilio's messaging webhook form). */
export interface IncomingMessageParams {
  From: string;
  To: string;
  Body: string;
  MessageSid: string;
  NumMedia?: string;
  [key: string]: string | undefined;
}

/**
 * The two ways a message reaches Studio: a conversation with a studio-target
 * scoped webhook (trigger incomingConversationMessage), and a carrier message
 * sent to a flow (trigger incomingMessage). Either starts an execution when
 * the contact has none, else resumes the one waiting for a reply.
 */
export class MessageTriggers {
  constructor(
    private readonly deps: EngineDeps,
    private readonly executions: ExecutionsService,
    private readonly runner: Runner,
  ) {
    deps.jobs.handle(CONVERSATION_MESSAGE_JOB, (job) => this.onConversationMessage(job));
    deps.jobs.handle(INCOMING_MESSAGE_JOB, (job) => this.onIncomingMessage(job));
  }

  /**
   * Durable dispatcher handler: a message added to a conversation that Studio
   * listens to becomes a job (the work happens outside the dispatch transaction).
   * Studio's own messages (author `system`) are not replies.
   */
  async onEvent(tx: Tx, event: CommittedEvent): Promise<void> {
    if (event.type !== `${CONVERSATION_EVENT_PREFIX}onMessageAdded`) return;
    const data = event.data as unknown as ConversationEventData;
    if (!data.conversationSid || data.params.Author === STUDIO_AUTHOR) return;
    const flowSid = await this.deps.conversations.studioFlowOf(tx, event.accountSid, data.conversationSid);
    if (!flowSid) return;
    await this.deps.jobs.schedule(tx, {
      accountSid: event.accountSid,
      kind: CONVERSATION_MESSAGE_JOB,
      payload: { flowSid, serviceSid: data.serviceSid, conversationSid: data.conversationSid, params: data.params },
      runAt: this.deps.clock.now(),
      maxAttempts: MESSAGE_ATTEMPTS,
    });
  }

  /** Starts or resumes an incomingMessage execution for a carrier message (the channels' entry point). */
  async handleIncomingMessage(accountSid: string, flowSid: string, params: IncomingMessageParams, tx?: Tx): Promise<void> {
    const spec = { accountSid, kind: INCOMING_MESSAGE_JOB, payload: { flowSid, params }, runAt: this.deps.clock.now(), maxAttempts: MESSAGE_ATTEMPTS };
    if (tx) {
      await this.deps.jobs.schedule(tx, spec);
      return;
    }
    await this.deps.storage.transaction((t) => this.deps.jobs.schedule(t, spec));
    this.deps.outbox.committed();
  }

  private async onConversationMessage(job: Job): Promise<void> {
    const { flowSid, serviceSid, conversationSid } = job.payload as { flowSid: string; serviceSid: string; conversationSid: string };
    const params = job.payload.params as Record<string, string | undefined>;
    const author = params.Author ?? '';
    const inbound = { ...params, From: author };
    const active = await executionsStore.activeForConversation(this.deps.storage.db, job.accountSid, conversationSid);
    if (active) return this.deliver(job, active, inbound);
    await this.startWith(job, flowSid, async (tx, flow) => {
      const channelAddress = params.ParticipantSid ? await this.deps.conversations.proxyAddressOf(tx, job.accountSid, params.ParticipantSid) : undefined;
      return this.executions.start(tx, {
        accountSid: job.accountSid,
        flow,
        event: 'incomingConversationMessage',
        initiatedBy: params.MessageSid ?? conversationSid,
        channelAddress: channelAddress ?? '',
        contactAddress: author,
        trigger: { ...inbound, AccountSid: job.accountSid, ChannelSid: conversationSid, ChatServiceSid: serviceSid },
        conversation: { serviceSid, conversationSid },
      });
    });
  }

  private async onIncomingMessage(job: Job): Promise<void> {
    const flowSid = String(job.payload.flowSid);
    const params = job.payload.params as IncomingMessageParams;
    const active = await executionsStore.activeForContact(this.deps.storage.db, job.accountSid, flowSid, params.From);
    if (active) return this.deliver(job, active, { ...params });
    await this.startWith(job, flowSid, (tx, flow) =>
      this.executions.start(tx, {
        accountSid: job.accountSid,
        flow,
        event: 'incomingMessage',
        initiatedBy: params.MessageSid,
        channelAddress: params.To,
        contactAddress: params.From,
        trigger: { ...params, AccountSid: job.accountSid },
      }),
    );
  }

  /** A reply for a live execution: resumes it if it waits, else tries again shortly (or drops it at last). */
  private async deliver(job: Job, active: ExecutionRow, inbound: Record<string, unknown>): Promise<void> {
    if (await this.runner.resume(active, 'incomingMessage', inbound)) return;
    if (job.attempts < job.maxAttempts) throw new Error(`execution ${active.sid} is not waiting for a reply yet`);
  }

  private async startWith(job: Job, flowSid: string, start: (tx: Tx, flow: FlowRow) => Promise<ExecutionRow | undefined>): Promise<void> {
    // A flow deleted (or never published) since the webhook was set up: nothing to run.
    const started = await this.deps.storage.transaction(async (tx) => {
      const flow = await flowsStore.find(tx, job.accountSid, flowSid);
      return flow ? start(tx, flow) : undefined;
    });
    if (started) this.deps.outbox.committed();
  }
}
