import { Errors, TwilioError } from '../platform/errors.js';
import { newSid } from '../platform/sid.js';
import { randomToken } from '../platform/crypto.js';
import type { KeysetWindow } from '../storage/keyset.js';
import { flexActor } from '../interactions/deps.js';
import type { AgentsDeps } from './deps.js';
import { hashPassword, verifyPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password.js';
import { LoginThrottle } from './throttle.js';
import { agentsStore, type AgentRow } from './store.js';

export const AGENT_ROLES = ['agent', 'supervisor', 'admin'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

export interface AgentCreateInput {
  username: string;
  password: string;
  friendlyName?: string;
  role?: string;
  workspaceSid?: string;
  workerSid?: string;
  createWorker?: boolean;
}

export interface AgentUpdateInput {
  friendlyName?: string;
  password?: string;
  role?: string;
  /** A WK SID, or '' to unbind (supervisors and admins only). */
  workerSid?: string;
}

function roleParam(value: string | undefined): AgentRole | undefined {
  if (value === undefined) return undefined;
  if (!(AGENT_ROLES as readonly string[]).includes(value)) throw Errors.invalidParameter(`Role must be one of ${AGENT_ROLES.join(', ')}`);
  return value as AgentRole;
}

function passwordParam(value: string): string {
  if (value.length < MIN_PASSWORD_LENGTH) throw Errors.invalidParameter(`Password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (value.length > MAX_PASSWORD_LENGTH) throw Errors.invalidParameter(`Password must be at most ${MAX_PASSWORD_LENGTH} characters`);
  return value;
}

function friendlyNameParam(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '' || value.length > 256) throw Errors.invalidParameter('FriendlyName must be 1 to 256 characters');
  return value;
}

/**
 * Agent accounts: a username and password (scrypt) bound to a TaskRouter
 * worker, which is what the agent acts as. Agents must have a worker;
 * supervisors and admins may (a supervisor who also takes conversations).
 */
export class AgentsService {
  readonly throttle: LoginThrottle;
  private decoy: Promise<string> | undefined;

  constructor(private readonly deps: AgentsDeps) {
    this.throttle = new LoginThrottle(deps.clock);
  }

  async get(accountSid: string, sid: string): Promise<AgentRow> {
    const row = await agentsStore.get(this.deps.storage.db, accountSid, sid);
    if (!row) throw Errors.notFound(`/Agents/${sid}`);
    return row;
  }

  list(accountSid: string, f: { role?: string; workspaceSid?: string }, w: KeysetWindow): Promise<AgentRow[]> {
    return agentsStore.list(this.deps.storage.db, accountSid, f, w);
  }

  byWorker(accountSid: string, workerSid: string): Promise<AgentRow | undefined> {
    return agentsStore.byWorker(this.deps.storage.db, accountSid, workerSid);
  }

  async create(accountSid: string, input: AgentCreateInput): Promise<AgentRow> {
    const db = this.deps.storage.db;
    if (!USERNAME.test(input.username)) throw Errors.invalidParameter('Username must be 1 to 64 letters, digits or . _ @ + - (starting with a letter or digit)');
    const password = passwordParam(input.password);
    const role = roleParam(input.role) ?? 'agent';
    const friendlyName = friendlyNameParam(input.friendlyName) ?? input.username;
    if (input.workerSid !== undefined && input.createWorker) throw Errors.invalidParameter('Give WorkerSid or CreateWorker=true, not both');
    if (role === 'agent' && input.workerSid === undefined && !input.createWorker) throw Errors.invalidParameter('An agent needs a worker: give WorkerSid or CreateWorker=true');
    const workspaceSid = input.workspaceSid ?? (await this.deps.flexDefaults(accountSid))?.workspaceSid;
    if (workspaceSid === undefined) throw Errors.missingParameter('WorkspaceSid');
    const ws = await this.workspace(accountSid, workspaceSid);
    if (await agentsStore.byUsername(db, accountSid, input.username)) throw Errors.agentUsernameExists(input.username);
    let workerSid = input.workerSid;
    if (workerSid !== undefined) await this.checkWorker(accountSid, ws.sid, workerSid);
    const passwordHash = await hashPassword(password);
    let created: string | undefined;
    if (input.createWorker) {
      const { workers } = this.deps.taskrouter;
      const attributes = JSON.stringify({ contact_uri: `client:${input.username}`, full_name: friendlyName, routing: { skills: [], levels: {} } });
      created = (await workers.create(flexActor(accountSid), ws, { friendlyName: input.username, attributes })).row.sid;
      workerSid = created;
    }
    const sid = newSid('UA');
    const now = this.deps.clock.now();
    try {
      await uniqueOr(
        () => Errors.agentUsernameExists(input.username),
        agentsStore.insert(db, {
            sid,
            account_sid: accountSid,
            username: input.username,
            username_key: input.username.toLowerCase(),
            friendly_name: friendlyName,
            role,
            workspace_sid: ws.sid,
            worker_sid: workerSid ?? null,
            password_hash: passwordHash,
            date_created: now,
          date_updated: now,
        }),
      );
    } catch (err) {
      // The worker made for this agent goes with the failed create.
      if (created) await this.deps.taskrouter.workers.delete(flexActor(accountSid), ws, created).catch(() => undefined);
      throw err;
    }
    return this.get(accountSid, sid);
  }

  /** A password change ends the agent's other sessions (`keepSession`: the token hash of the one that made it). */
  async update(accountSid: string, sid: string, input: AgentUpdateInput, keepSession?: string): Promise<AgentRow> {
    const row = await this.get(accountSid, sid);
    const db = this.deps.storage.db;
    const role = roleParam(input.role) ?? (row.role as AgentRole);
    const friendlyName = friendlyNameParam(input.friendlyName);
    let workerSid = row.worker_sid;
    if (input.workerSid !== undefined) {
      if (input.workerSid === '') workerSid = null;
      else {
        if (!/^WK[0-9a-fA-F]{32}$/.test(input.workerSid)) throw Errors.invalidParameter('WorkerSid must be a WK SID (or empty to unbind)');
        if (input.workerSid !== row.worker_sid) await this.checkWorker(accountSid, row.workspace_sid, input.workerSid);
        workerSid = input.workerSid;
      }
    }
    if (role === 'agent' && workerSid === null) throw Errors.invalidParameter('An agent needs a worker: give WorkerSid');
    const passwordHash = input.password !== undefined ? await hashPassword(passwordParam(input.password)) : undefined;
    await agentsStore.update(db, accountSid, sid, {
      role,
      worker_sid: workerSid,
      ...(friendlyName !== undefined ? { friendly_name: friendlyName } : {}),
      ...(passwordHash !== undefined ? { password_hash: passwordHash } : {}),
      date_updated: this.deps.clock.now(),
    });
    if (passwordHash !== undefined) await agentsStore.deleteSessionsOf(db, accountSid, sid, keepSession);
    return this.get(accountSid, sid);
  }

  /** The agent and its sessions go; its worker stays (it has a TaskRouter history). */
  async delete(accountSid: string, sid: string): Promise<void> {
    await this.get(accountSid, sid);
    await this.deps.storage.transaction(async (tx) => {
      await agentsStore.deleteSessionsOf(tx, accountSid, sid);
      await agentsStore.delete(tx, accountSid, sid);
    });
  }

  /**
   * Checks a username and password, with a per-username backoff after repeated
   * failures. An unknown username costs the same scrypt work as a wrong password.
   */
  async authenticate(accountSid: string, username: string, password: string): Promise<AgentRow> {
    const key = `${accountSid}:${username.toLowerCase()}`;
    const wait = this.throttle.retryAfter(key);
    if (wait > 0) throw Errors.agentLoginThrottled(wait);
    const row = username.length <= 64 && password.length <= MAX_PASSWORD_LENGTH ? await agentsStore.byUsername(this.deps.storage.db, accountSid, username) : undefined;
    this.decoy ??= hashPassword(randomToken(16));
    const ok = await verifyPassword(password, row?.password_hash ?? (await this.decoy));
    if (!row || !ok) {
      this.throttle.failed(key);
      throw Errors.agentLoginFailed();
    }
    this.throttle.succeeded(key);
    return row;
  }

  /** `npm start`'s accounts: created once, never overwritten (an admin may have changed their passwords). */
  async ensure(accountSid: string, input: AgentCreateInput): Promise<AgentRow> {
    return (await agentsStore.byUsername(this.deps.storage.db, accountSid, input.username)) ?? this.create(accountSid, input);
  }

  private async workspace(accountSid: string, workspaceSid: string) {
    try {
      return await this.deps.taskrouter.workspaces.get(accountSid, workspaceSid);
    } catch (err) {
      if (err instanceof TwilioError && err.code === 20404) throw Errors.invalidParameter(`WorkspaceSid ${workspaceSid} is not a workspace of this account`);
      throw err;
    }
  }

  private async checkWorker(accountSid: string, workspaceSid: string, workerSid: string): Promise<void> {
    try {
      await this.deps.taskrouter.workers.get(accountSid, workspaceSid, workerSid);
    } catch (err) {
      if (err instanceof TwilioError && err.code === 20404) throw Errors.invalidParameter(`WorkerSid ${workerSid} is not a worker of workspace ${workspaceSid}`);
      throw err;
    }
    const holder = await agentsStore.byWorker(this.deps.storage.db, accountSid, workerSid);
    if (holder) throw Errors.invalidParameter(`Worker ${workerSid} already belongs to agent ${holder.username}`);
  }
}

/** A unique-index violation (two creates racing for one username) becomes the conflict error. */
async function uniqueOr(conflict: () => TwilioError, write: Promise<void>): Promise<void> {
  try {
    await write;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE') throw conflict();
    throw err;
  }
}
