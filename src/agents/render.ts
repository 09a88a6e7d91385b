import { isoDate } from '../platform/clock.js';
import type { AgentRow } from './store.js';

/** An agent account as the admin API and the session endpoint show it (never its password hash). */
export function renderAgent(a: AgentRow, parleyBase: string): Record<string, unknown> {
  return {
    sid: a.sid,
    account_sid: a.account_sid,
    username: a.username,
    friendly_name: a.friendly_name,
    role: a.role,
    workspace_sid: a.workspace_sid,
    worker_sid: a.worker_sid,
    date_created: isoDate(a.date_created),
    date_updated: isoDate(a.date_updated),
    url: `${parleyBase}/v1/Agents/${a.sid}`,
  };
}
