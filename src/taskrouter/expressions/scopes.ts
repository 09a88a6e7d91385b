/**
 * Scopes for each place an expression appears (see EXPRESSION_KINDS). The clock
 * is passed in as epoch milliseconds; nothing here reads the system time.
 */
import type { KeySegment } from './lexer.js';
import { lookupPath, type Resolver, type Scope } from './evaluator.js';
import { EXPRESSION_KINDS, type ExpressionKind, type Namespace } from './parser.js';

/** What a worker exposes to expressions: its attributes plus the documented built-in fields. */
export interface WorkerFacts {
  readonly sid: string;
  readonly friendly_name: string;
  readonly activity_sid: string;
  readonly activity_name: string;
  /** Parsed worker attributes JSON. */
  readonly attributes: unknown;
}

/** Counts for skip_if, scoped to the workers of the routing step's TaskQueue. */
export interface WorkerCounts {
  readonly available: number;
  readonly unavailable: number;
  /** ActivitySid → number of queue workers in that activity. */
  readonly byActivity: Readonly<Record<string, number>>;
}

/** `taskrouter.*` values at one instant, all in UTC. */
export interface TimeFacts {
  /** HHMM as an integer: 08:05 → 805. */
  readonly currentTime: number;
  readonly currentHour: number;
  readonly currentMin: number;
  readonly dayOfWeek: 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun';
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** The documented worker fields (expression-syntax page). They win over same-named attributes. */
const WORKER_BUILT_INS = ['sid', 'friendly_name', 'activity_sid', 'activity_name'] as const;

const ACTIVITY_SID = /^WA[0-9a-fA-F]{32}$/;

export function timeFacts(nowMs: number): TimeFacts {
  const at = new Date(nowMs);
  const hour = at.getUTCHours();
  const minute = at.getUTCMinutes();
  return { currentTime: hour * 100 + minute, currentHour: hour, currentMin: minute, dayOfWeek: DAYS[at.getUTCDay()] ?? 'Sun' };
}

export function attributesResolver(attributes: unknown): Resolver {
  return (path) => lookupPath(attributes, path);
}

export function workerResolver(worker: WorkerFacts): Resolver {
  return (path) => {
    const [head, ...rest] = path;
    const builtIn = WORKER_BUILT_INS.find((name) => name === head);
    return builtIn === undefined ? lookupPath(worker.attributes, path) : lookupPath(worker[builtIn], rest);
  };
}

export function timeResolver(nowMs: number): Resolver {
  const facts = timeFacts(nowMs);
  return (path) => lookupPath(facts, path);
}

export function workerCountsResolver(counts: WorkerCounts): Resolver {
  return (path: readonly KeySegment[]) => {
    const [name, ...rest] = path;
    if (typeof name !== 'string' || rest.length > 0) return null;
    if (name === 'available') return counts.available;
    if (name === 'unavailable') return counts.unavailable;
    if (Object.hasOwn(counts.byActivity, name)) return counts.byActivity[name] ?? 0;
    // An activity nobody in the queue is in has a count of zero, not NULL: `workers.WAxx < 2` must hold.
    return ACTIVITY_SID.test(name) ? 0 : null;
  };
}

function scope(kind: ExpressionKind, resolvers: Partial<Record<Namespace, Resolver>>): Scope {
  const { bare, prefixes } = EXPRESSION_KINDS[kind];
  const namespaces: Partial<Record<string, Resolver>> = {};
  for (const prefix of prefixes) namespaces[prefix] = resolvers[prefix];
  return { namespaces, bare };
}

/** Workflow filter `expression`: bare keys and `task.` are task attributes; `taskrouter.` is the clock. */
export function filterScope(input: { taskAttributes: unknown; now: number }): Scope {
  return scope('filter', { task: attributesResolver(input.taskAttributes), taskrouter: timeResolver(input.now) });
}

/** TaskQueue `TargetWorkers`: bare keys and `worker.` are the worker (attributes + built-ins). */
export function targetWorkersScope(input: { worker: WorkerFacts }): Scope {
  return scope('target_workers', { worker: workerResolver(input.worker) });
}

/** Workflow target `expression`: `task.`, `worker.` and `taskrouter.` prefixes, nothing bare. */
export function targetScope(input: { taskAttributes: unknown; worker: WorkerFacts; now: number }): Scope {
  return scope('target', {
    task: attributesResolver(input.taskAttributes),
    worker: workerResolver(input.worker),
    taskrouter: timeResolver(input.now),
  });
}

/** Workflow target `skip_if`: `workers.available`, `workers.unavailable`, `workers.<ActivitySid>`. */
export function skipIfScope(input: { counts: WorkerCounts; taskAttributes: unknown; now: number }): Scope {
  return scope('skip_if', {
    workers: workerCountsResolver(input.counts),
    task: attributesResolver(input.taskAttributes),
    taskrouter: timeResolver(input.now),
  });
}
