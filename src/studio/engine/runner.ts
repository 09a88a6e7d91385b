import { randomBytes } from 'node:crypto';
import { newSid } from '../../platform/sid.js';
import type { Executor } from '../../storage/db.js';
import type { Job } from '../../events/jobs.js';
import { revisionsStore } from '../flows/store.js';
import { executionsStore, stepsStore, type ExecutionRow } from '../executions/store.js';
import type { FlowDefinition, WidgetState } from '../definition/widgets.js';
import type { FlowContext } from './context.js';
import { runWidget, type EngineDeps, type WidgetOutcome } from './widgets.js';

export const RUN_JOB = 'studio.run';
export const TIMEOUT_JOB = 'studio.timeout';
/** An execution ends after this many steps: a flow looping on itself must not run forever. */
export const MAX_STEPS = 1000;
/** Where a step leads when the flow ends there. */
export const ENDED = 'Ended';
const DEFINITIONS_CACHED = 200;

/** A write lost to a concurrent one (REST end, a reply racing a timeout): the job retries on fresh state. */
export class ExecutionChanged extends Error {
  constructor(sid: string) {
    super(`execution ${sid} changed concurrently`);
  }
}

const waitKey = (sid: string) => `studio.wait:${sid}`;

/**
 * Runs executions: one widget at a time, each ending in a committed Step (or a
 * persisted wait), so an execution survives a restart at its last step. Widget
 * side effects happen before their commit: a crash in between runs that widget
 * again (at least once). Every commit checks the execution's version.
 */
export class Runner {
  /** Revisions never change, so their parsed definitions can be kept. */
  private definitions = new Map<string, FlowDefinition>();

  constructor(private readonly deps: EngineDeps) {
    deps.jobs.handle(RUN_JOB, (job) => this.run(job.accountSid, String(job.payload.executionSid)));
    deps.jobs.handle(TIMEOUT_JOB, (job) => this.onTimeout(job));
  }

  /** Queues the execution to run from its next widget (in the caller's transaction). */
  async schedule(tx: Executor, accountSid: string, executionSid: string): Promise<void> {
    await this.deps.jobs.schedule(tx, { accountSid, kind: RUN_JOB, payload: { executionSid }, runAt: this.deps.clock.now(), dedupeKey: `studio.run:${executionSid}`, maxAttempts: 5 });
  }

  /** Ends an execution's wait, if any (REST Status=ended, deletes). */
  cancelWait(tx: Executor, executionSid: string): Promise<void> {
    return this.deps.jobs.cancel(tx, waitKey(executionSid));
  }

  async run(accountSid: string, executionSid: string): Promise<void> {
    for (let i = 0; i <= MAX_STEPS; i++) {
      const ex = await executionsStore.find(this.deps.storage.db, accountSid, executionSid);
      if (!ex || ex.status !== 'active' || !ex.next_widget) return;
      const state = (await this.definition(ex)).states.find((s) => s.name === ex.next_widget);
      const context = this.context(ex);
      if (!state) {
        await this.finish(ex, context);
        return;
      }
      let outcome: WidgetOutcome;
      try {
        outcome = await runWidget({ execution: ex, state, context }, this.deps);
      } catch (err) {
        // A widget that cannot run (a template failing at render time) ends the execution; retrying would fail the same way.
        context.widgets[state.name] = { error: err instanceof Error ? err.message : String(err) };
        await this.finish(ex, context);
        return;
      }
      if (!(await this.advance(ex, state, context, outcome, false))) return;
    }
  }

  /**
   * Moves a waiting execution on: a reply (`incomingMessage`, with the inbound
   * message's variables) or its timeout. Returns false when it was not waiting.
   */
  async resume(ex: ExecutionRow, event: 'incomingMessage' | 'timeout', inbound?: Record<string, unknown>): Promise<boolean> {
    if (ex.status !== 'active' || !ex.waiting_widget) return false;
    const state = (await this.definition(ex)).states.find((s) => s.name === ex.waiting_widget);
    const context = this.context(ex);
    if (!state) {
      await this.finish(ex, context);
      return true;
    }
    if (inbound) context.widgets[state.name] = { ...(context.widgets[state.name] ?? {}), inbound };
    await this.advance(ex, state, context, { kind: 'transition', event }, true);
    return true;
  }

  private async onTimeout(job: Job): Promise<void> {
    const ex = await executionsStore.find(this.deps.storage.db, job.accountSid, String(job.payload.executionSid));
    if (!ex || ex.wait_token === null || ex.wait_token !== job.payload.token) return;
    await this.resume(ex, 'timeout');
  }

  /**
   * Commits a widget's outcome; true when the run loop should go on to the next
   * widget. Leaving a wait instead queues a run job in the same transaction, so
   * the rest of the flow runs durably, whoever delivered the reply.
   */
  private async advance(ex: ExecutionRow, state: WidgetState, context: FlowContext, outcome: WidgetOutcome, endsWait: boolean): Promise<boolean> {
    const { storage, cipher, clock, jobs } = this.deps;
    const now = clock.now();
    const encrypted = cipher.encrypt(JSON.stringify(context));
    if (outcome.kind === 'wait') {
      const token = randomBytes(12).toString('hex');
      await storage.transaction(async (tx) => {
        const ok = await executionsStore.updateIfVersion(tx, ex.account_sid, ex.sid, ex.version, {
          context: encrypted,
          next_widget: null,
          waiting_widget: state.name,
          wait_token: token,
          last_widget: state.name,
          date_updated: now,
        });
        if (!ok) throw new ExecutionChanged(ex.sid);
        await jobs.schedule(tx, { accountSid: ex.account_sid, kind: TIMEOUT_JOB, payload: { executionSid: ex.sid, token }, runAt: now + outcome.timeoutMs, dedupeKey: waitKey(ex.sid) });
      });
      return false;
    }
    const declared = state.transitions.find((t) => t.event === outcome.event)?.next;
    let next = outcome.end ? null : (outcome.next !== undefined ? outcome.next : declared) || null;
    if (ex.step_count + 1 >= MAX_STEPS) next = null;
    await storage.transaction(async (tx) => {
      const ok = await executionsStore.updateIfVersion(tx, ex.account_sid, ex.sid, ex.version, {
        context: encrypted,
        next_widget: next,
        waiting_widget: null,
        wait_token: null,
        last_widget: state.name,
        step_count: ex.step_count + 1,
        status: next ? 'active' : 'ended',
        date_updated: now,
      });
      if (!ok) throw new ExecutionChanged(ex.sid);
      await stepsStore.insert(tx, {
        sid: newSid('FT'),
        account_sid: ex.account_sid,
        flow_sid: ex.flow_sid,
        execution_sid: ex.sid,
        parent_step_sid: null,
        name: outcome.event,
        type: state.type,
        transitioned_from: state.name,
        transitioned_to: next ?? ENDED,
        context: encrypted,
        date_created: now,
        date_updated: now,
      });
      if (endsWait) {
        await jobs.cancel(tx, waitKey(ex.sid));
        if (next) await this.schedule(tx, ex.account_sid, ex.sid);
      }
    });
    if (endsWait && next) this.deps.outbox.committed();
    return !endsWait && next !== null;
  }

  /** Ends an execution that cannot go on (a widget that cannot run, or a next widget that vanished). */
  private async finish(ex: ExecutionRow, context: FlowContext): Promise<void> {
    await this.deps.storage.transaction(async (tx) => {
      const ok = await executionsStore.updateIfVersion(tx, ex.account_sid, ex.sid, ex.version, {
        context: this.deps.cipher.encrypt(JSON.stringify(context)),
        status: 'ended',
        next_widget: null,
        waiting_widget: null,
        wait_token: null,
        date_updated: this.deps.clock.now(),
      });
      if (!ok) throw new ExecutionChanged(ex.sid);
      await this.cancelWait(tx, ex.sid);
    });
  }

  private context(ex: ExecutionRow): FlowContext {
    return JSON.parse(this.deps.cipher.decrypt(ex.context)) as FlowContext;
  }

  private async definition(ex: ExecutionRow): Promise<FlowDefinition> {
    const key = `${ex.flow_sid}:${ex.flow_revision}`;
    const cached = this.definitions.get(key);
    if (cached) return cached;
    const row = await revisionsStore.find(this.deps.storage.db, ex.account_sid, ex.flow_sid, ex.flow_revision);
    const definition = row ? (JSON.parse(this.deps.cipher.decrypt(row.definition)) as FlowDefinition) : { initial_state: '', states: [] };
    if (this.definitions.size >= DEFINITIONS_CACHED) this.definitions.delete(this.definitions.keys().next().value!);
    if (row) this.definitions.set(key, definition);
    return definition;
  }
}
