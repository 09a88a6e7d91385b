import type { WorkerFacts } from '../expressions/index.js';
import type { Expression, KeySegment, OrderByClause } from '../expressions/index.js';

/**
 * The routing engine's view of one workspace at one instant. The matcher is a
 * pure function of this snapshot and the clock: no I/O, no Date.now().
 */
export interface Snapshot {
  now: number;
  workspaceSid: string;
  multiTaskEnabled: boolean;
  /** Which kind of TaskQueue (FIFO or LIFO) goes first when a worker is eligible for both. */
  prioritizeQueueOrder: 'FIFO' | 'LIFO';
  workers: SnapshotWorker[];
  /**
   * Looks a worker up by SID. A loader that keeps a worker model between passes
   * supplies this and leaves `workers` empty, so a pass touches only the workers
   * of queues with work waiting; without it the matcher indexes `workers`.
   */
  worker?: (sid: string) => SnapshotWorker | undefined;
  /**
   * Optional quick refusal, cheaper than making a worker's view: true when the
   * worker certainly has no room on the channel (unavailable, channel off or at
   * capacity before this pass's offers). Never true for a worker with room.
   */
  busy?: (sid: string, channelSid: string) => boolean;
  /**
   * Optional: the position in the queue's default order before which every worker
   * is `busy` on the channel (0 when unknown).
   */
  firstMaybeFree?: (queueSid: string, channelSid: string) => number;
  queues: Map<string, SnapshotQueue>;
  workflows: Map<string, SnapshotWorkflow>;
  /** Tasks that routing may still move: pending or reserved. */
  tasks: SnapshotTask[];
  /** Activity SID → available. */
  activities: Map<string, boolean>;
}

export interface SnapshotWorker extends WorkerFacts {
  available: boolean;
  idleSince: number;
  /** Task channel SID → capacity state. */
  channels: Map<string, { capacity: number; available: boolean; load: number }>;
  /** Reservations counting against capacity (pending, accepted, wrapping) over all channels. */
  totalLoad: number;
}

export interface SnapshotQueue {
  sid: string;
  friendlyName: string;
  matches(worker: WorkerFacts): boolean;
  /**
   * The workers matching TargetWorkers, when the loader keeps membership
   * precomputed; the matcher then visits only these instead of every worker.
   */
  members?: ReadonlySet<string>;
  /**
   * The members in Twilio's default order (longest idle first, then SID), when
   * the loader keeps it; a single offer without order_by then takes the first
   * eligible worker in it instead of comparing every member.
   */
  ordered?: readonly string[];
  maxReservedWorkers: number;
  taskOrder: 'FIFO' | 'LIFO';
}

export interface CompiledTarget {
  /** Targets may omit the queue: they keep the previous target's. */
  queue: string;
  expression?: Expression;
  priority?: number;
  timeout?: number;
  orderBy: OrderByClause[];
  skipIf?: Expression;
  knownWorkerSid?: string[];
  knownWorkerFriendlyName?: string[];
}

export interface CompiledFilter {
  name: string;
  expression: Expression;
  targets: CompiledTarget[];
}

export interface SnapshotWorkflow {
  sid: string;
  friendlyName: string;
  filters: CompiledFilter[];
  defaultQueue?: string;
  /**
   * For filters of the shape `key == value` over a task attribute: the indexes of
   * such filters by attribute path and value, ascending, so placement finds the
   * first match without evaluating every filter above it. `general` lists the
   * other filters, which are still evaluated in order.
   */
  index?: { paths: Map<string, { path: KeySegment[]; byValue: Map<string, number[]> }>; general: number[] };
}

/** Where a task stands in its workflow. filterIndex -1 is the default filter. */
export interface Placement {
  filterIndex: number;
  stepIndex: number;
  queueSid: string;
  enteredAt: number;
  /** skip_if is evaluated once, on the first routing pass after entering a step. */
  checked: boolean;
}

export interface SnapshotTask {
  sid: string;
  attributes: unknown;
  priority: number;
  /** Ordering age: the virtual start time. */
  virtualStartTime: number;
  createdAt: number;
  /** TTL in seconds from creation. */
  timeout: number;
  channelSid: string;
  status: 'pending' | 'reserved';
  workflowSid: string | null;
  placement: Placement | null;
  /** Workers with a pending reservation for this task. */
  reservedWorkers: Set<string>;
  /** A worker SID or queue SID the task was sent to directly (RoutingTarget). */
  routingTarget: string | null;
  ignoreCapacity: boolean;
  assignmentCounter: number;
}
