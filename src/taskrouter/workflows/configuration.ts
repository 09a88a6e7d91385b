/**
 * Workflow `Configuration` (https://www.twilio.com/docs/taskrouter/workflow-configuration):
 *
 *   {"task_routing": {
 *     "filters": [{"filter_friendly_name": "...", "expression": "<task expr>",
 *                  "targets": [{"queue": "WQ…", "expression": "<task./worker. expr>", "priority": 1,
 *                               "timeout": 30, "order_by": "worker.level DESC", "skip_if": "workers.available == 0",
 *                               "known_worker_sid" | "known_worker_friendly_name": "task.attr"}]}],
 *     "default_filter": {"queue": "WQ…"}}}
 *
 * Validation is pure: the caller passes the queue SIDs of the workspace. Every
 * error names the JSON path of what failed, and expression errors their position.
 */
import { Errors } from '../../platform/errors.js';
import { validateExpression, validateOrderBy, type ExpressionKind } from '../expressions/index.js';

/** Twilio's limit on a workflow configuration document. */
export const MAX_CONFIGURATION_BYTES = 1024 * 1024;

export interface WorkflowTarget {
  queue: string;
  expression?: string;
  priority?: number;
  timeout?: number;
  order_by?: string;
  skip_if?: string;
  known_worker_sid?: string;
  known_worker_friendly_name?: string;
}

export interface WorkflowFilter {
  filter_friendly_name?: string;
  expression: string;
  targets: WorkflowTarget[];
}

export interface WorkflowConfiguration {
  task_routing: {
    filters: WorkflowFilter[];
    default_filter?: { queue: string };
  };
}

export function parseWorkflowConfiguration(text: string, queueSids: ReadonlySet<string>): WorkflowConfiguration {
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIGURATION_BYTES) throw invalid('', `is larger than the limit of ${MAX_CONFIGURATION_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw invalid('', `is not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(doc)) throw invalid('', 'must be a JSON object');
  const routing = doc.task_routing;
  if (!isObject(routing)) throw invalid('task_routing', 'is required and must be an object');

  const filters = routing.filters ?? [];
  if (!Array.isArray(filters)) throw invalid('task_routing.filters', 'must be an array');
  const parsed: WorkflowFilter[] = filters.map((f: unknown, i: number) => parseFilter(f, `task_routing.filters[${i}]`, queueSids));

  let defaultFilter: { queue: string } | undefined;
  if (routing.default_filter !== undefined && routing.default_filter !== null) {
    if (!isObject(routing.default_filter)) throw invalid('task_routing.default_filter', 'must be an object');
    defaultFilter = { queue: queueParam(routing.default_filter.queue, 'task_routing.default_filter.queue', queueSids) };
  }
  return { task_routing: { filters: parsed, ...(defaultFilter ? { default_filter: defaultFilter } : {}) } };
}

function parseFilter(f: unknown, path: string, queueSids: ReadonlySet<string>): WorkflowFilter {
  if (!isObject(f)) throw invalid(path, 'must be an object');
  const name = f.filter_friendly_name ?? f.friendly_name;
  if (name !== undefined && typeof name !== 'string') throw invalid(`${path}.filter_friendly_name`, 'must be a string');
  const label = name === undefined ? path : `${path} ("${name}")`;
  const expression = expressionParam(f.expression, `${label}.expression`, 'filter', true)!;
  if (!Array.isArray(f.targets) || f.targets.length === 0) throw invalid(`${label}.targets`, 'must be a non-empty array');
  const targets = f.targets.map((t: unknown, j: number) => parseTarget(t, `${label}.targets[${j}]`, queueSids));
  return { ...(name !== undefined ? { filter_friendly_name: name } : {}), expression, targets };
}

function parseTarget(t: unknown, path: string, queueSids: ReadonlySet<string>): WorkflowTarget {
  if (!isObject(t)) throw invalid(path, 'must be an object');
  const target: WorkflowTarget = { queue: queueParam(t.queue, `${path}.queue`, queueSids) };
  const expression = expressionParam(t.expression, `${path}.expression`, 'target', false);
  if (expression !== undefined) target.expression = expression;
  const skipIf = expressionParam(t.skip_if, `${path}.skip_if`, 'skip_if', false);
  if (skipIf !== undefined) target.skip_if = skipIf;
  if (t.priority !== undefined) {
    if (!Number.isInteger(t.priority)) throw invalid(`${path}.priority`, 'must be an integer');
    target.priority = t.priority as number;
  }
  if (t.timeout !== undefined) {
    if (!Number.isInteger(t.timeout) || (t.timeout as number) <= 0) throw invalid(`${path}.timeout`, 'must be a positive integer (seconds)');
    target.timeout = t.timeout as number;
  }
  if (t.order_by !== undefined) {
    if (typeof t.order_by !== 'string') throw invalid(`${path}.order_by`, 'must be a string');
    const v = validateOrderBy(t.order_by);
    if (!v.ok) throw invalid(`${path}.order_by`, `is invalid: ${v.message}`);
    target.order_by = t.order_by;
  }
  if (t.known_worker_sid !== undefined && t.known_worker_friendly_name !== undefined) {
    throw invalid(path, 'may set known_worker_sid or known_worker_friendly_name, not both');
  }
  for (const key of ['known_worker_sid', 'known_worker_friendly_name'] as const) {
    const value = t[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.trim() === '') throw invalid(`${path}.${key}`, 'must be a non-empty string');
    target[key] = value;
  }
  return target;
}

function queueParam(value: unknown, path: string, queueSids: ReadonlySet<string>): string {
  if (typeof value !== 'string' || value === '') throw invalid(path, 'is required and must be a TaskQueue SID');
  if (!queueSids.has(value)) throw invalid(path, `${value} is not a TaskQueue of this workspace`);
  return value;
}

function expressionParam(value: unknown, path: string, kind: ExpressionKind, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw invalid(path, 'is required');
    return undefined;
  }
  if (typeof value !== 'string') throw invalid(path, 'must be a string');
  const v = validateExpression(value, kind);
  if (!v.ok) throw invalid(path, `${JSON.stringify(value)} is invalid: ${v.message}`);
  return value;
}

function invalid(path: string, problem: string) {
  return Errors.invalidParameter(`Invalid Configuration: ${path === '' ? 'the document' : path} ${problem}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
