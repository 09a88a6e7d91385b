import { Errors } from '../../platform/errors.js';
import { newSid, SidPrefix } from '../../platform/sid.js';
import type { Executor } from '../../storage/db.js';
import type { KeysetWindow } from '../../storage/keyset.js';
import type { ProductDeps } from '../../events/product-deps.js';
import { validateDefinition, type DefinitionIssue } from '../definition/validate.js';
import { flowsStore, revisionsStore, type FlowRow, type RevisionRow } from './store.js';

export const FLOW_STATUSES = ['draft', 'published'] as const;
export type FlowStatus = (typeof FLOW_STATUSES)[number];
const FRIENDLY_NAME_MAX = 256;
const TEST_USERS_MAX = 100;

export interface FlowInput {
  friendlyName?: string;
  status?: string;
  definition?: string;
  commitMessage?: string;
}

/** A flow or revision with its definition decrypted and its reports parsed. */
export interface FlowView<R> {
  row: R;
  definition: unknown;
  errors: DefinitionIssue[];
  warnings: DefinitionIssue[];
}

interface Checked {
  friendlyName: string | undefined;
  status: FlowStatus;
  definition: unknown | undefined;
  errors: DefinitionIssue[];
  warnings: DefinitionIssue[];
}

/**
 * Flows and their revisions. Every write is a new revision; a published
 * revision must be valid, a draft may carry errors (valid=false) until fixed.
 * Executions run the latest valid published revision (test users: the latest).
 */
export class FlowsService {
  constructor(private readonly deps: ProductDeps) {}

  async get(accountSid: string, sid: string): Promise<FlowView<FlowRow>> {
    const row = await flowsStore.find(this.deps.storage.db, accountSid, sid);
    if (!row) throw Errors.notFound(`/Flows/${sid}`);
    return this.view(row);
  }

  async list(accountSid: string, w: KeysetWindow): Promise<Array<FlowView<FlowRow> & { seq: number }>> {
    const rows = await flowsStore.list(this.deps.storage.db, accountSid, w);
    return rows.map((r) => ({ ...this.view(r), seq: r.seq }));
  }

  /** POST /v2/Flows/Validate: the same checks as create, nothing stored. */
  validate(input: FlowInput): void {
    const checked = this.check(input, true);
    if (checked.errors.length > 0) throw Errors.flowValidationFailed(checked.errors);
  }

  async create(accountSid: string, input: FlowInput): Promise<FlowView<FlowRow>> {
    const c = this.check(input, true);
    if (c.status === 'published' && c.errors.length > 0) throw Errors.flowValidationFailed(c.errors);
    const sid = newSid(SidPrefix.StudioFlow);
    const now = this.deps.clock.now();
    const definition = this.deps.cipher.encrypt(JSON.stringify(c.definition));
    const valid = c.errors.length === 0;
    const row = await this.deps.storage.transaction(async (tx) => {
      await flowsStore.insert(tx, {
        sid,
        account_sid: accountSid,
        friendly_name: c.friendlyName!,
        status: c.status,
        revision: 1,
        published_revision: c.status === 'published' && valid ? 1 : null,
        definition,
        commit_message: input.commitMessage ?? null,
        valid: valid ? 1 : 0,
        errors: JSON.stringify(c.errors),
        warnings: JSON.stringify(c.warnings),
        test_users: this.deps.cipher.encrypt('[]'),
        date_created: now,
        date_updated: now,
      });
      await this.insertRevision(tx, accountSid, sid, 1, c.friendlyName!, c.status, definition, input.commitMessage ?? null, c, now);
      return (await flowsStore.find(tx, accountSid, sid))!;
    });
    return this.view(row);
  }

  async update(accountSid: string, sid: string, input: FlowInput): Promise<FlowView<FlowRow>> {
    const c = this.check(input, false);
    const now = this.deps.clock.now();
    const row = await this.deps.storage.transaction(async (tx) => {
      const current = await flowsStore.findForUpdate(tx, this.deps.storage.engine, accountSid, sid);
      if (!current) throw Errors.notFound(`/Flows/${sid}`);
      // Without a new Definition the revision repeats the current one, checked again for its status.
      const definitionValue = c.definition !== undefined ? c.definition : (JSON.parse(this.deps.cipher.decrypt(current.definition)) as unknown);
      const report = c.definition !== undefined ? c : { ...c, ...validateDefinition(definitionValue) };
      if (c.status === 'published' && report.errors.length > 0) throw Errors.flowValidationFailed(report.errors);
      const revision = current.revision + 1;
      const valid = report.errors.length === 0;
      const friendlyName = c.friendlyName ?? current.friendly_name;
      const definition = c.definition !== undefined ? this.deps.cipher.encrypt(JSON.stringify(definitionValue)) : current.definition;
      await flowsStore.update(tx, accountSid, sid, {
        friendly_name: friendlyName,
        status: c.status,
        revision,
        ...(c.status === 'published' && valid ? { published_revision: revision } : {}),
        definition,
        commit_message: input.commitMessage ?? null,
        valid: valid ? 1 : 0,
        errors: JSON.stringify(report.errors),
        warnings: JSON.stringify(report.warnings),
        date_updated: now,
      });
      await this.insertRevision(tx, accountSid, sid, revision, friendlyName, c.status, definition, input.commitMessage ?? null, report, now);
      return (await flowsStore.find(tx, accountSid, sid))!;
    });
    return this.view(row);
  }

  async delete(accountSid: string, sid: string): Promise<void> {
    await this.deps.storage.transaction(async (tx) => {
      if (!(await flowsStore.find(tx, accountSid, sid))) throw Errors.notFound(`/Flows/${sid}`);
      await flowsStore.delete(tx, accountSid, sid);
    });
  }

  /** A revision by number, `LatestPublished` or `LatestRevision`. */
  async revision(accountSid: string, flowSid: string, which: string): Promise<FlowView<RevisionRow>> {
    await this.get(accountSid, flowSid);
    const db = this.deps.storage.db;
    let row: RevisionRow | undefined;
    if (which === 'LatestPublished') row = await revisionsStore.latest(db, accountSid, flowSid, true);
    else if (which === 'LatestRevision') row = await revisionsStore.latest(db, accountSid, flowSid, false);
    else if (/^[1-9]\d{0,8}$/.test(which)) row = await revisionsStore.find(db, accountSid, flowSid, Number(which));
    if (!row) throw Errors.notFound(`/Flows/${flowSid}/Revisions/${which}`);
    return this.view(row);
  }

  async revisions(accountSid: string, flowSid: string, w: KeysetWindow): Promise<Array<FlowView<RevisionRow> & { seq: number }>> {
    await this.get(accountSid, flowSid);
    const rows = await revisionsStore.list(this.deps.storage.db, accountSid, flowSid, w);
    return rows.map((r) => ({ ...this.view(r), seq: r.seq }));
  }

  async testUsers(accountSid: string, flowSid: string): Promise<string[]> {
    const { row } = await this.get(accountSid, flowSid);
    return JSON.parse(this.deps.cipher.decrypt(row.test_users)) as string[];
  }

  async setTestUsers(accountSid: string, flowSid: string, users: string[] | undefined): Promise<string[]> {
    if (users === undefined) throw Errors.missingParameter('TestUsers');
    const cleaned = [...new Set(users.map((u) => u.trim()).filter((u) => u.length > 0))];
    if (cleaned.length > TEST_USERS_MAX) throw Errors.invalidParameter(`TestUsers may list at most ${TEST_USERS_MAX} users`);
    if (cleaned.some((u) => u.length > 256)) throw Errors.invalidParameter('Each test user must be at most 256 characters');
    await this.deps.storage.transaction(async (tx) => {
      if (!(await flowsStore.find(tx, accountSid, flowSid))) throw Errors.notFound(`/Flows/${flowSid}`);
      await flowsStore.update(tx, accountSid, flowSid, { test_users: this.deps.cipher.encrypt(JSON.stringify(cleaned)) });
    });
    return cleaned;
  }

  private async insertRevision(
    tx: Executor,
    accountSid: string,
    flowSid: string,
    revision: number,
    friendlyName: string,
    status: FlowStatus,
    definition: string,
    commitMessage: string | null,
    report: { errors: DefinitionIssue[]; warnings: DefinitionIssue[] },
    now: number,
  ): Promise<void> {
    await revisionsStore.insert(tx, {
      account_sid: accountSid,
      flow_sid: flowSid,
      revision,
      friendly_name: friendlyName,
      status,
      definition,
      commit_message: commitMessage,
      valid: report.errors.length === 0 ? 1 : 0,
      errors: JSON.stringify(report.errors),
      warnings: JSON.stringify(report.warnings),
      date_created: now,
      date_updated: now,
    });
  }

  /** Decodes the parameters shared by create, update and Validate. */
  private check(input: FlowInput, creating: boolean): Checked {
    if (input.status === undefined) throw Errors.missingParameter('Status');
    if (!(FLOW_STATUSES as readonly string[]).includes(input.status)) throw Errors.invalidParameter(`Status must be one of ${FLOW_STATUSES.join(', ')}`);
    const status = input.status as FlowStatus;
    if (creating && input.friendlyName === undefined) throw Errors.missingParameter('FriendlyName');
    if (input.friendlyName !== undefined && (input.friendlyName.trim() === '' || input.friendlyName.length > FRIENDLY_NAME_MAX)) {
      throw Errors.invalidParameter(`FriendlyName must be 1 to ${FRIENDLY_NAME_MAX} characters`);
    }
    if (creating && input.definition === undefined) throw Errors.missingParameter('Definition');
    if (input.definition === undefined) return { friendlyName: input.friendlyName, status, definition: undefined, errors: [], warnings: [] };
    let definition: unknown;
    try {
      definition = JSON.parse(input.definition);
    } catch {
      throw Errors.invalidParameter('Definition must be a valid JSON string');
    }
    return { friendlyName: input.friendlyName, status, definition, ...validateDefinition(definition) };
  }

  private view<R extends { definition: string; errors: string; warnings: string }>(row: R): FlowView<R> {
    return {
      row,
      definition: JSON.parse(this.deps.cipher.decrypt(row.definition)) as unknown,
      errors: JSON.parse(row.errors) as DefinitionIssue[],
      warnings: JSON.parse(row.warnings) as DefinitionIssue[],
    };
  }
}
