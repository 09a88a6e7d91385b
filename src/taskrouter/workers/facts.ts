import type { Cipher } from '../../platform/crypto.js';
import { evaluate, parseExpression, targetWorkersScope, type Expression, type WorkerFacts } from '../expressions/index.js';
import type { ActivityRow } from '../activities/store.js';
import type { WorkerRow } from './store.js';

/** What expressions see of a worker: decrypted attributes plus the built-in fields. */
export function workerFacts(row: WorkerRow, activities: ReadonlyMap<string, ActivityRow>, cipher: Cipher): WorkerFacts {
  return {
    sid: row.sid,
    friendly_name: row.friendly_name,
    activity_sid: row.activity_sid,
    activity_name: activities.get(row.activity_sid)?.friendly_name ?? '',
    attributes: parseAttributes(cipher.decrypt(row.attributes)),
  };
}

export function parseAttributes(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return {};
  }
}

/**
 * A TaskQueue's TargetWorkers as a predicate. An empty expression matches nobody:
 * Twilio lets tasks wait in such a queue until they are moved or deleted.
 */
export function targetWorkersMatcher(targetWorkers: string): (worker: WorkerFacts) => boolean {
  if (targetWorkers.trim() === '') return () => false;
  let expression: Expression;
  try {
    expression = parseExpression(targetWorkers, 'target_workers');
  } catch {
    // Stored expressions were validated on write; one that no longer parses matches nobody.
    return () => false;
  }
  return (worker) => evaluate(expression, targetWorkersScope({ worker }));
}
