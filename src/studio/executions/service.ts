import { Errors } from '../../platform/errors.js';
import { newSid } from '../../platform/sid.js';
import type { Executor } from '../../storage/db.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { ProductDeps } from '../../events/product-deps.js';
import { parseJsonParam } from '../../platform/http/params.js';
import { flowsStore, revisionsStore, type FlowRow } from '../flows/store.js';
import { contactSid, initialContext, type ContextSeed, type FlowContext } from '../engine/context.js';
import type { Runner } from '../engine/runner.js';
import type { FlowDefinition } from '../definition/widgets.js';
import { executionsStore, stepsStore, type ExecutionFilter, type ExecutionRow, type StepRow } from './store.js';

const ADDRESS_MAX = 256;

export interface ExecutionInput {
  to?: string;
  from?: string;
  parameters?: string;
}

/** Everything an execution starts from, whatever triggered it. */
export interface StartSpec extends Omit<ContextSeed, 'flowSid' | 'executionSid'> {
  accountSid: string;
  flow: FlowRow;
  initiatedBy: string;
  conversation?: { serviceSid: string; conversationSid: string };
}

export interface Decoded<R> {
  row: R;
  context: FlowContext;
}

export class ExecutionsService {
  constructor(
    private readonly deps: ProductDeps,
    private readonly runner: Runner,
  ) {}

  /** POST /v2/Flows/{FW}/Executions: answers at once (active); the flow runs in the background. */
  async create(accountSid: string, flowSid: string, input: ExecutionInput, initiatedBy: string): Promise<Decoded<ExecutionRow>> {
    const to = addressParam('To', input.to);
    const from = addressParam('From', input.from);
    let data: Record<string, unknown> = {};
    if (input.parameters !== undefined && input.parameters.trim() !== '') {
      const parsed = parseJsonParam('Parameters', input.parameters);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw Errors.invalidParameter('Parameters must be a JSON object');
      data = parsed as Record<string, unknown>;
    }
    const row = await this.deps.storage.transaction(async (tx) => {
      const flow = await flowsStore.find(tx, accountSid, flowSid);
      if (!flow) throw Errors.notFound(`/Flows/${flowSid}`);
      if (await executionsStore.activeForContact(tx, accountSid, flowSid, to)) throw Errors.executionActive(to);
      const started = await this.start(tx, {
        accountSid,
        flow,
        event: 'incomingRequest',
        initiatedBy,
        channelAddress: from,
        contactAddress: to,
        trigger: { from, to, parameters: data },
        data,
      });
      if (!started) throw Errors.invalidParameter(`Flow ${flowSid} has no valid published revision to execute`);
      return started;
    });
    this.deps.outbox.committed();
    return this.decode(row);
  }

  /**
   * Inserts an execution at its Trigger and queues its run, in the caller's
   * transaction. Test users run the latest revision, everyone else the latest
   * valid published one; undefined when there is nothing runnable.
   */
  async start(tx: Executor, spec: StartSpec): Promise<ExecutionRow | undefined> {
    const revision = this.runnableRevision(spec.flow, spec.contactAddress);
    if (revision === undefined) return undefined;
    const rev = await revisionsStore.find(tx, spec.accountSid, spec.flow.sid, revision);
    if (!rev) return undefined;
    const definition = JSON.parse(this.deps.cipher.decrypt(rev.definition)) as FlowDefinition;
    const sid = newSid('FN');
    const now = this.deps.clock.now();
    const context = initialContext({ ...spec, flowSid: spec.flow.sid, executionSid: sid });
    await executionsStore.insert(tx, {
      sid,
      account_sid: spec.accountSid,
      flow_sid: spec.flow.sid,
      flow_revision: revision,
      contact_sid: contactSid(spec.accountSid, spec.contactAddress),
      contact_address: spec.contactAddress,
      channel_address: spec.channelAddress,
      status: 'active',
      initiated_by: spec.initiatedBy,
      trigger: spec.event,
      conversation_sid: spec.conversation?.conversationSid ?? null,
      conversation_service_sid: spec.conversation?.serviceSid ?? null,
      next_widget: definition.initial_state,
      waiting_widget: null,
      wait_token: null,
      last_widget: null,
      step_count: 0,
      context: this.deps.cipher.encrypt(JSON.stringify(context)),
      version: 0,
      date_created: now,
      date_updated: now,
    });
    await this.runner.schedule(tx, spec.accountSid, sid);
    return (await executionsStore.find(tx, spec.accountSid, sid))!;
  }

  private runnableRevision(flow: FlowRow, contact: string): number | undefined {
    const testUsers = JSON.parse(this.deps.cipher.decrypt(flow.test_users)) as string[];
    if (flow.valid === 1 && testUsers.includes(contact)) return flow.revision;
    return flow.published_revision ?? undefined;
  }

  async get(accountSid: string, flowSid: string, sid: string): Promise<Decoded<ExecutionRow>> {
    const row = await executionsStore.find(this.deps.storage.db, accountSid, sid);
    if (!row || row.flow_sid !== flowSid) throw Errors.notFound(`/Flows/${flowSid}/Executions/${sid}`);
    return this.decode(row);
  }

  async list(accountSid: string, flowSid: string, f: ExecutionFilter, w: KeysetWindow): Promise<Array<Decoded<ExecutionRow> & { seq: number }>> {
    if (!(await flowsStore.find(this.deps.storage.db, accountSid, flowSid))) throw Errors.notFound(`/Flows/${flowSid}`);
    const rows = await executionsStore.list(this.deps.storage.db, accountSid, flowSid, f, w);
    return rows.map((r) => ({ ...this.decode(r), seq: r.seq }));
  }

  /** POST Status=ended: stops the execution wherever it is (an ended one stays ended). */
  async update(accountSid: string, flowSid: string, sid: string, status: string | undefined): Promise<Decoded<ExecutionRow>> {
    if (status === undefined) throw Errors.missingParameter('Status');
    if (status !== 'ended') throw Errors.invalidParameter('Status can only be set to ended');
    for (let attempt = 0; ; attempt++) {
      const current = (await this.get(accountSid, flowSid, sid)).row;
      if (current.status === 'ended') return this.decode(current);
      const done = await this.deps.storage.transaction(async (tx) => {
        const ok = await executionsStore.updateIfVersion(tx, accountSid, sid, current.version, {
          status: 'ended',
          next_widget: null,
          waiting_widget: null,
          wait_token: null,
          date_updated: this.deps.clock.now(),
        });
        if (ok) await this.runner.cancelWait(tx, sid);
        return ok;
      });
      // A step committed meanwhile: read again and end it from there.
      if (done) return this.get(accountSid, flowSid, sid);
      if (attempt >= 20) throw Errors.internal();
    }
  }

  async delete(accountSid: string, flowSid: string, sid: string): Promise<void> {
    await this.deps.storage.transaction(async (tx) => {
      const row = await executionsStore.find(tx, accountSid, sid);
      if (!row || row.flow_sid !== flowSid) throw Errors.notFound(`/Flows/${flowSid}/Executions/${sid}`);
      await this.runner.cancelWait(tx, sid);
      await executionsStore.delete(tx, accountSid, sid);
    });
  }

  async steps(accountSid: string, flowSid: string, executionSid: string, w: KeysetWindow): Promise<Array<Decoded<StepRow> & { seq: number }>> {
    await this.get(accountSid, flowSid, executionSid);
    const rows = await stepsStore.list(this.deps.storage.db, accountSid, executionSid, w);
    return rows.map((r) => ({ ...this.decode(r), seq: r.seq }));
  }

  async step(accountSid: string, flowSid: string, executionSid: string, sid: string): Promise<Decoded<StepRow>> {
    await this.get(accountSid, flowSid, executionSid);
    const row = await stepsStore.find(this.deps.storage.db, accountSid, executionSid, sid);
    if (!row) throw Errors.notFound(`/Flows/${flowSid}/Executions/${executionSid}/Steps/${sid}`);
    return this.decode(row);
  }

  private decode<R extends { context: string }>(row: R): Decoded<R> {
    return { row, context: JSON.parse(this.deps.cipher.decrypt(row.context)) as FlowContext };
  }
}

function addressParam(name: string, value: string | undefined): string {
  if (value === undefined) throw Errors.missingParameter(name);
  const v = value.trim();
  if (v === '' || v.length > ADDRESS_MAX) throw Errors.invalidParameter(`${name} must be 1 to ${ADDRESS_MAX} characters`);
  return v;
}
