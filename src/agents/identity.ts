import { agentIdentity } from '../interactions/input.js';
import type { MintedToken } from '../realtime/tokens.js';
import type { AgentsDeps } from './deps.js';
import type { AgentRow } from './store.js';

export interface WorkerSummary {
  sid: string;
  friendly_name: string;
  activity_sid: string;
  activity_name: string;
  available: boolean;
  attributes: Record<string, unknown>;
}

/**
 * Who an agent is in the other products: the chat identity Flex's orchestration
 * gives its worker when it joins a conversation (`contact_uri` without
 * `client:`, see interactions/membership), and the realtime token for it.
 */
export class AgentIdentity {
  constructor(private readonly deps: Pick<AgentsDeps, 'taskrouter' | 'tokens' | 'clock'>) {}

  now(): number {
    return this.deps.clock.now();
  }

  async of(agent: AgentRow): Promise<{ identity: string; worker: WorkerSummary | null }> {
    if (agent.worker_sid === null) return { identity: agent.username, worker: null };
    const w = await this.deps.taskrouter.workers.get(agent.account_sid, agent.workspace_sid, agent.worker_sid).catch(() => undefined);
    if (!w) return { identity: agent.username, worker: null };
    let attributes: Record<string, unknown> = {};
    try {
      attributes = JSON.parse(w.attributes) as Record<string, unknown>;
    } catch {
      /* kept as {} */
    }
    return {
      identity: agentIdentity(w.attributes, w.row.friendly_name),
      worker: { sid: w.row.sid, friendly_name: w.row.friendly_name, activity_sid: w.row.activity_sid, activity_name: w.activityName, available: w.row.available === 1, attributes },
    };
  }

  /** A realtime token: the worker's stream (agents), the workspace's (supervisors, admins). */
  token(agent: AgentRow, who: { identity: string; worker: WorkerSummary | null }, ttlSeconds: number): Promise<MintedToken> {
    return this.deps.tokens.issue(agent.account_sid, {
      identity: who.identity,
      workspaceSid: agent.workspace_sid,
      ...(who.worker !== null ? { workerSid: who.worker.sid } : {}),
      role: agent.role,
      ttlSeconds,
    });
  }
}
