import { describe, expect, it } from 'vitest';
import { mulberry32, pick, shuffle } from '../support/random.js';
import { MAX_ASSIGNMENT_COUNT, orderTasks, planRouting, type RoutingPlan } from '../../src/taskrouter/routing/matcher.js';
import { compileWorkflow } from '../../src/taskrouter/routing/snapshot.js';
import type { Placement, Snapshot, SnapshotQueue, SnapshotTask, SnapshotWorker, SnapshotWorkflow } from '../../src/taskrouter/routing/model.js';
import { targetWorkersMatcher } from '../../src/taskrouter/workers/facts.js';
import type { WorkflowRow } from '../../src/taskrouter/workflows/store.js';

/** Monday 2026-01-05 12:00 UTC; every test moves time by hand from here. */
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const CHAT = 'TC' + 'c'.repeat(32);
const SMS = 'TC' + 'd'.repeat(32);
const AVAILABLE = 'WA' + '1'.repeat(32);
const OFFLINE = 'WA' + '2'.repeat(32);

const sid = (prefix: string, n: number) => prefix + n.toString(16).padStart(32, '0');
const WK = (n: number) => sid('WK', n);
const WT = (n: number) => sid('WT', n);
const WQ = (n: number) => sid('WQ', n);
const WW = sid('WW', 1);

type ChannelSpec = { capacity: number; available?: boolean; load?: number };

function worker(n: number, o: { attributes?: object; available?: boolean; idleSince?: number; channels?: Record<string, ChannelSpec>; name?: string } = {}): SnapshotWorker {
  const available = o.available ?? true;
  const channels = new Map<string, { capacity: number; available: boolean; load: number }>();
  for (const [tc, c] of Object.entries(o.channels ?? { [CHAT]: { capacity: 1 }, [SMS]: { capacity: 1 } })) channels.set(tc, { capacity: c.capacity, available: c.available ?? true, load: c.load ?? 0 });
  const totalLoad = [...channels.values()].reduce((sum, c) => sum + c.load, 0);
  return {
    sid: WK(n),
    friendly_name: o.name ?? `agent-${n}`,
    activity_sid: available ? AVAILABLE : OFFLINE,
    activity_name: available ? 'Available' : 'Offline',
    attributes: o.attributes ?? {},
    available,
    idleSince: o.idleSince ?? T0 - 60_000,
    channels,
    totalLoad,
  };
}

function queue(n: number, targetWorkers = '1==1', maxReservedWorkers = 1, taskOrder: 'FIFO' | 'LIFO' = 'FIFO'): SnapshotQueue {
  return { sid: WQ(n), friendlyName: `Q${n}`, matches: targetWorkersMatcher(targetWorkers), maxReservedWorkers, taskOrder };
}

/** Compiles a workflow exactly as a stored row would be. */
function workflow(config: object): SnapshotWorkflow {
  const row: WorkflowRow = {
    seq: 1,
    sid: WW,
    account_sid: sid('AC', 1),
    workspace_sid: sid('WS', 1),
    friendly_name: 'WF',
    configuration: JSON.stringify(config),
    assignment_callback_url: null,
    fallback_assignment_callback_url: null,
    task_reservation_timeout: 120,
    date_created: T0,
    date_updated: T0,
  };
  return compileWorkflow(row);
}

function task(n: number, o: Partial<Omit<SnapshotTask, 'sid'>> = {}): SnapshotTask {
  return {
    sid: WT(n),
    attributes: {},
    priority: 0,
    virtualStartTime: T0 + n,
    createdAt: T0,
    timeout: 86_400,
    channelSid: CHAT,
    status: 'pending',
    workflowSid: WW,
    placement: null,
    reservedWorkers: new Set(),
    routingTarget: null,
    ignoreCapacity: false,
    assignmentCounter: 0,
    ...o,
  };
}

function snapshot(o: { now?: number; multiTaskEnabled?: boolean; prioritizeQueueOrder?: 'FIFO' | 'LIFO'; workers?: SnapshotWorker[]; queues?: SnapshotQueue[]; workflows?: SnapshotWorkflow[]; tasks?: SnapshotTask[] }): Snapshot {
  return {
    now: o.now ?? T0,
    workspaceSid: sid('WS', 1),
    multiTaskEnabled: o.multiTaskEnabled ?? true,
    prioritizeQueueOrder: o.prioritizeQueueOrder ?? 'FIFO',
    workers: o.workers ?? [],
    queues: new Map((o.queues ?? []).map((q) => [q.sid, q])),
    workflows: new Map((o.workflows ?? []).map((w) => [w.sid, w])),
    tasks: o.tasks ?? [],
    activities: new Map([
      [AVAILABLE, true],
      [OFFLINE, false],
    ]),
  };
}

const defaultOnly = (q: SnapshotQueue) => workflow({ task_routing: { filters: [], default_filter: { queue: q.sid } } });
const offered = (plan: RoutingPlan, taskSid?: string) => plan.reservations.filter((r) => taskSid === undefined || r.taskSid === taskSid).map((r) => r.workerSid);
const moveOf = (plan: RoutingPlan, taskSid: string) => plan.moves.find((m) => m.taskSid === taskSid);
const placed = (filterIndex: number, stepIndex: number, q: SnapshotQueue, enteredAt: number, checked: boolean): Placement => ({ filterIndex, stepIndex, queueSid: q.sid, enteredAt, checked });

/** What the engine persists of a plan: new placements, and pending offers on the task. */
function applyPlan(s: Snapshot, plan: RoutingPlan): void {
  for (const m of plan.moves) {
    const t = s.tasks.find((x) => x.sid === m.taskSid)!;
    t.placement = m.to;
  }
  s.tasks = s.tasks.filter((t) => !plan.cancels.some((c) => c.taskSid === t.sid));
}

describe('planRouting: placement', () => {
  const spanish = queue(1, "languages HAS 'es'");
  const billing = queue(2, "skills HAS 'billing'");
  const everyone = queue(3);
  const wf = workflow({
    task_routing: {
      filters: [
        { filter_friendly_name: 'Spanish', expression: "language == 'es'", targets: [{ queue: spanish.sid }] },
        { filter_friendly_name: 'Billing', expression: "type == 'billing'", targets: [{ queue: billing.sid }] },
      ],
      default_filter: { queue: everyone.sid },
    },
  });

  it('puts a task in the first filter that matches, top-down', () => {
    const both = task(1, { attributes: { language: 'es', type: 'billing' } });
    const onlySecond = task(2, { attributes: { language: 'en', type: 'billing' } });
    const plan = planRouting(snapshot({ queues: [spanish, billing, everyone], workflows: [wf], tasks: [both, onlySecond] }));
    // Nobody to offer to: skip_if (none here) was considered on this first pass.
    expect(moveOf(plan, both.sid)!.to).toEqual(placed(0, 0, spanish, T0, true));
    expect(moveOf(plan, onlySecond.sid)!.to).toEqual(placed(1, 0, billing, T0, true));
    expect(moveOf(plan, onlySecond.sid)!.events).toEqual([
      { type: 'workflow.entered' },
      { type: 'workflow.target-matched', filterName: 'Billing', stepIndex: 0 },
      { type: 'task-queue.entered', queueSid: billing.sid },
    ]);
  });

  it('sends a task that matches no filter to the default filter', () => {
    const other = task(1, { attributes: { type: 'other' } });
    const plan = planRouting(snapshot({ queues: [spanish, billing, everyone], workflows: [wf], tasks: [other] }));
    expect(moveOf(plan, other.sid)!.to).toEqual(placed(-1, 0, everyone, T0, true));
    expect(moveOf(plan, other.sid)!.events).toContainEqual({ type: 'workflow.target-matched', filterName: 'Default Filter', stepIndex: 0 });
  });

  it('leaves a task that matches nothing, without a default filter, unrouted and unmoved', () => {
    const noDefault = workflow({ task_routing: { filters: [{ expression: "type == 'billing'", targets: [{ queue: billing.sid }] }] } });
    const plan = planRouting(snapshot({ workers: [worker(1, { attributes: { skills: ['billing'] } })], queues: [billing], workflows: [noDefault], tasks: [task(1, { attributes: { type: 'sales' } })] }));
    expect(plan).toEqual({ moves: [], reservations: [], cancels: [] });
  });

  it('leaves a task whose workflow is gone alone', () => {
    const plan = planRouting(snapshot({ workers: [worker(1)], queues: [everyone], workflows: [], tasks: [task(1)] }));
    expect(plan).toEqual({ moves: [], reservations: [], cancels: [] });
  });
});

describe('planRouting: step and workflow timeouts', () => {
  const tier1 = queue(1, 'tier == 1');
  const tier2 = queue(2, 'tier == 2');
  const wf = workflow({ task_routing: { filters: [{ filter_friendly_name: 'Escalate', expression: '1==1', targets: [{ queue: tier1.sid, timeout: 30 }, { queue: tier2.sid, timeout: 60 }] }] } });
  const entered = T0 + 5_000;

  it('advances to the next step exactly at enteredAt + timeout, not a millisecond before', () => {
    const at = (now: number) => planRouting(snapshot({ now, queues: [tier1, tier2], workflows: [wf], tasks: [task(1, { placement: placed(0, 0, tier1, entered, true) })] }));
    expect(at(entered + 30_000 - 1)).toEqual({ moves: [], reservations: [], cancels: [] });
    const plan = at(entered + 30_000);
    expect(plan.cancels).toEqual([]);
    expect(moveOf(plan, WT(1))!.to).toEqual(placed(0, 1, tier2, entered + 30_000, true));
    expect(moveOf(plan, WT(1))!.events).toEqual([
      { type: 'task-queue.timeout', queueSid: tier1.sid },
      { type: 'workflow.target-matched', filterName: 'Escalate', stepIndex: 1 },
      { type: 'task-queue.moved', fromQueueSid: tier1.sid, toQueueSid: tier2.sid },
    ]);
  });

  it('offers the task in the step it escalated to in the same pass', () => {
    const senior = worker(2, { attributes: { tier: 2 } });
    const plan = planRouting(snapshot({ now: entered + 30_000, workers: [worker(1, { attributes: { tier: 1 } }), senior], queues: [tier1, tier2], workflows: [wf], tasks: [task(1, { placement: placed(0, 0, tier1, entered, true) })] }));
    expect(plan.reservations).toEqual([{ taskSid: WT(1), workerSid: senior.sid, channelSid: CHAT, queueSid: tier2.sid }]);
  });

  it('cancels with workflow.timeout when the last step times out, at the boundary only', () => {
    const at = (now: number) => planRouting(snapshot({ now, queues: [tier1, tier2], workflows: [wf], tasks: [task(1, { placement: placed(0, 1, tier2, entered, true) })] }));
    expect(at(entered + 60_000 - 1).cancels).toEqual([]);
    const plan = at(entered + 60_000);
    expect(plan.cancels).toEqual([{ taskSid: WT(1), reason: 'Workflow Timeout', event: 'workflow.timeout', events: [{ type: 'task-queue.timeout', queueSid: tier2.sid }] }]);
    expect(plan.moves).toEqual([]);
    expect(plan.reservations).toEqual([]);
  });

  it('never times out of the default filter', () => {
    const q = queue(3);
    const plan = planRouting(snapshot({ now: T0 + 10 * 86_400_000 - 1, queues: [q], workflows: [defaultOnly(q)], tasks: [task(1, { timeout: 10 * 86_400, placement: placed(-1, 0, q, T0, true) })] }));
    expect(plan).toEqual({ moves: [], reservations: [], cancels: [] });
  });
});

describe('planRouting: skip_if', () => {
  const nobody = queue(1, "team == 'ghosts'");
  const team = queue(2, "team == 'a'");
  const fallback = queue(3);
  const member = () => worker(1, { attributes: { team: 'a' } });

  it('skips a step whose skip_if holds and offers in the next one', () => {
    const wf = workflow({ task_routing: { filters: [{ filter_friendly_name: 'F', expression: '1==1', targets: [{ queue: nobody.sid, skip_if: 'workers.available == 0', timeout: 300 }, { queue: team.sid }] }] } });
    const plan = planRouting(snapshot({ workers: [member()], queues: [nobody, team], workflows: [wf], tasks: [task(1)] }));
    expect(moveOf(plan, WT(1))!.to).toEqual(placed(0, 1, team, T0, true));
    expect(offered(plan)).toEqual([WK(1)]);
  });

  it('evaluates skip_if only on the first pass after entering a step (checked)', () => {
    const wf = workflow({ task_routing: { filters: [{ filter_friendly_name: 'F', expression: '1==1', targets: [{ queue: team.sid, skip_if: 'workers.available == 0', timeout: 300 }, { queue: fallback.sid }] }] } });
    const away = worker(1, { attributes: { team: 'a' }, available: false });
    const already = planRouting(snapshot({ workers: [away], queues: [team, fallback], workflows: [wf], tasks: [task(1, { placement: placed(0, 0, team, T0, true) })] }));
    expect(already).toEqual({ moves: [], reservations: [], cancels: [] });
    const first = planRouting(snapshot({ workers: [away], queues: [team, fallback], workflows: [wf], tasks: [task(1, { placement: placed(0, 0, team, T0, false) })] }));
    expect(moveOf(first, WT(1))!.to).toEqual(placed(0, 1, fallback, T0, true));
  });

  it('does not skip later once the first pass reserved a worker (Twilio: only when no reservation is created on entering)', () => {
    const wf = workflow({ task_routing: { filters: [{ filter_friendly_name: 'F', expression: '1==1', targets: [{ queue: team.sid, skip_if: 'workers.available == 0', timeout: 300 }, { queue: fallback.sid }] }] } });
    const a = member();
    const s = snapshot({ workers: [a], queues: [team, fallback], workflows: [wf], tasks: [task(1)] });
    const first = planRouting(s);
    expect(offered(first)).toEqual([a.sid]);
    applyPlan(s, first);
    // The worker rejects and goes offline: the task is pending again in the same step.
    const again = snapshot({ now: T0 + 1_000, workers: [worker(1, { attributes: { team: 'a' }, available: false })], queues: [team, fallback], workflows: [wf], tasks: s.tasks });
    again.tasks[0]!.reservedWorkers = new Set();
    const second = planRouting(again);
    expect(second.moves).toEqual([]);
    expect(second.cancels).toEqual([]);
  });

  it('skipping the last step falls through to later filters, then the default filter', () => {
    const skipAll = { filter_friendly_name: 'Ghosts', expression: '1==1', targets: [{ queue: nobody.sid, skip_if: '1==1' }] };
    const toLater = workflow({ task_routing: { filters: [skipAll, { filter_friendly_name: 'Team', expression: '1==1', targets: [{ queue: team.sid }] }], default_filter: { queue: fallback.sid } } });
    const plan = planRouting(snapshot({ workers: [member()], queues: [nobody, team, fallback], workflows: [toLater], tasks: [task(1)] }));
    expect(moveOf(plan, WT(1))!.to).toEqual(placed(1, 0, team, T0, true));
    expect(moveOf(plan, WT(1))!.events).toContainEqual({ type: 'workflow.skipped' });
    expect(offered(plan)).toEqual([WK(1)]);

    const toDefault = workflow({ task_routing: { filters: [skipAll, { expression: "never == 'true'", targets: [{ queue: team.sid }] }], default_filter: { queue: fallback.sid } } });
    const plan2 = planRouting(snapshot({ workers: [member()], queues: [nobody, team, fallback], workflows: [toDefault], tasks: [task(1)] }));
    expect(moveOf(plan2, WT(1))!.to).toEqual(placed(-1, 0, fallback, T0, true));
    expect(offered(plan2)).toEqual([WK(1)]);
  });

  it('cancels with workflow.skipped when nothing remains after the skip', () => {
    const wf = workflow({ task_routing: { filters: [{ filter_friendly_name: 'Ghosts', expression: '1==1', targets: [{ queue: nobody.sid, skip_if: 'workers.available == 0' }] }] } });
    const plan = planRouting(snapshot({ workers: [member()], queues: [nobody], workflows: [wf], tasks: [task(1)] }));
    expect(plan.cancels).toHaveLength(1);
    expect(plan.cancels[0]).toMatchObject({ taskSid: WT(1), reason: 'Workflow Skipped', event: 'workflow.skipped' });
    expect(plan.moves).toEqual([]);
    expect(plan.reservations).toEqual([]);
  });

  it('does not skip a step whose skip_if is false', () => {
    const wf = workflow({ task_routing: { filters: [{ filter_friendly_name: 'Ghosts', expression: '1==1', targets: [{ queue: nobody.sid, skip_if: 'workers.available > 5' }, { queue: team.sid }] }] } });
    const plan = planRouting(snapshot({ workers: [member()], queues: [nobody, team], workflows: [wf], tasks: [task(1)] }));
    expect(moveOf(plan, WT(1))!.to).toEqual(placed(0, 0, nobody, T0, true));
    expect(plan.reservations).toEqual([]);
  });
});

describe('planRouting: TTL and assignment count', () => {
  const q = queue(1);
  const wf = defaultOnly(q);

  it('cancels a task at createdAt + timeout exactly, not before', () => {
    const at = (now: number) => planRouting(snapshot({ now, workers: [worker(1)], queues: [q], workflows: [wf], tasks: [task(1, { timeout: 60, createdAt: T0, placement: placed(-1, 0, q, T0, true) })] }));
    const before = at(T0 + 60_000 - 1);
    expect(before.cancels).toEqual([]);
    expect(offered(before)).toEqual([WK(1)]);
    const plan = at(T0 + 60_000);
    expect(plan).toEqual({ moves: [], reservations: [], cancels: [{ taskSid: WT(1), reason: 'Task TTL Exceeded', events: [] }] });
  });

  it('cancels a task that reached the maximum assignment count', () => {
    const at = (assignmentCounter: number) => planRouting(snapshot({ workers: [worker(1)], queues: [q], workflows: [wf], tasks: [task(1, { assignmentCounter, placement: placed(-1, 0, q, T0, true) })] }));
    expect(at(MAX_ASSIGNMENT_COUNT - 1).cancels).toEqual([]);
    expect(at(MAX_ASSIGNMENT_COUNT)).toEqual({ moves: [], reservations: [], cancels: [{ taskSid: WT(1), reason: 'Max Assignment Count Exceeded', events: [] }] });
  });
});

describe('planRouting: capacity', () => {
  const q = queue(1, '1==1', 1);
  const wf = defaultOnly(q);
  const inQueue = (n: number, o: Partial<SnapshotTask> = {}) => task(n, { placement: placed(-1, 0, q, T0, true), ...o });

  it('offers up to the free capacity of the task channel, per channel, when multitasking', () => {
    const w = worker(1, { channels: { [CHAT]: { capacity: 3, load: 1 }, [SMS]: { capacity: 1 } } });
    const tasks = [inQueue(1), inQueue(2), inQueue(3), inQueue(4, { channelSid: SMS }), inQueue(5, { channelSid: SMS })];
    const plan = planRouting(snapshot({ workers: [w], queues: [q], workflows: [wf], tasks }));
    expect(plan.reservations.map((r) => r.taskSid)).toEqual([WT(1), WT(2), WT(4)]);
  });

  it('never offers on a channel that is unavailable, missing or at capacity 0', () => {
    const ws = [
      worker(1, { channels: { [CHAT]: { capacity: 2, available: false } } }),
      worker(2, { channels: { [SMS]: { capacity: 2 } } }),
      worker(3, { channels: { [CHAT]: { capacity: 0 } } }),
      worker(4, { channels: { [CHAT]: { capacity: 2, load: 2 } } }),
    ];
    expect(planRouting(snapshot({ workers: ws, queues: [q], workflows: [wf], tasks: [inQueue(1)] })).reservations).toEqual([]);
  });

  it('holds one task at a time, whatever the channel, without multitasking', () => {
    const busyOnSms = worker(1, { channels: { [CHAT]: { capacity: 5 }, [SMS]: { capacity: 5, load: 1 } } });
    expect(planRouting(snapshot({ multiTaskEnabled: false, workers: [busyOnSms], queues: [q], workflows: [wf], tasks: [inQueue(1)] })).reservations).toEqual([]);
    const idle = worker(2, { channels: { [CHAT]: { capacity: 5 }, [SMS]: { capacity: 5 } } });
    const plan = planRouting(snapshot({ multiTaskEnabled: false, workers: [idle], queues: [q], workflows: [wf], tasks: [inQueue(1), inQueue(2, { channelSid: SMS }), inQueue(3)] }));
    expect(plan.reservations.map((r) => r.taskSid)).toEqual([WT(1)]);
  });

  it('IgnoreCapacity (direct to a worker) skips only the load check', () => {
    const direct = (w: SnapshotWorker, ignoreCapacity: boolean) =>
      planRouting(snapshot({ workers: [w], queues: [q], workflows: [wf], tasks: [task(1, { workflowSid: null, routingTarget: w.sid, ignoreCapacity })] })).reservations.map((r) => r.workerSid);
    const full = () => worker(1, { channels: { [CHAT]: { capacity: 1, load: 1 } } });
    expect(direct(full(), false)).toEqual([]);
    expect(direct(full(), true)).toEqual([WK(1)]);
    expect(direct(worker(1, { channels: { [CHAT]: { capacity: 0 } } }), true)).toEqual([]);
    expect(direct(worker(1, { channels: { [CHAT]: { capacity: 1, load: 1, available: false } } }), true)).toEqual([]);
    expect(direct(worker(1, { available: false, channels: { [CHAT]: { capacity: 1 } } }), true)).toEqual([]);
    const busy = worker(1, { channels: { [CHAT]: { capacity: 1 }, [SMS]: { capacity: 1, load: 1 } } });
    expect(planRouting(snapshot({ multiTaskEnabled: false, workers: [busy], queues: [q], workflows: [wf], tasks: [task(1, { workflowSid: null, routingTarget: busy.sid, ignoreCapacity: true })] })).reservations).toHaveLength(1);
  });

  it('routes a direct task to its worker only, once, and only when the worker has room', () => {
    const target = worker(2, { channels: { [CHAT]: { capacity: 1, load: 1 } } });
    const s = () => snapshot({ workers: [worker(1), target], queues: [q], workflows: [wf], tasks: [task(1, { workflowSid: null, routingTarget: target.sid })] });
    expect(planRouting(s()).reservations).toEqual([]);
    target.channels.get(CHAT)!.load = 0;
    expect(offered(planRouting(s()))).toEqual([target.sid]);
    const withOffer = s();
    withOffer.tasks[0]!.reservedWorkers.add(target.sid);
    expect(planRouting(withOffer).reservations).toEqual([]);
  });
});

describe('planRouting: MaxReservedWorkers and worker order', () => {
  it('offers one task to up to MaxReservedWorkers workers, counting offers it already has', () => {
    const q = queue(1, '1==1', 3);
    const ws = [1, 2, 3, 4, 5].map((n) => worker(n, { idleSince: T0 - n * 1000 }));
    const fresh = planRouting(snapshot({ workers: ws, queues: [q], workflows: [defaultOnly(q)], tasks: [task(1, { placement: placed(-1, 0, q, T0, true) })] }));
    expect(offered(fresh)).toEqual([WK(5), WK(4), WK(3)]);
    const ws2 = [1, 2, 3, 4, 5].map((n) => worker(n, { idleSince: T0 - n * 1000 }));
    const partly = planRouting(snapshot({ workers: ws2, queues: [q], workflows: [defaultOnly(q)], tasks: [task(1, { status: 'reserved', placement: placed(-1, 0, q, T0, true), reservedWorkers: new Set([WK(5)]) })] }));
    expect(offered(partly)).toEqual([WK(4), WK(3)]);
    const ws3 = [1, 2, 3, 4, 5].map((n) => worker(n));
    const full = planRouting(snapshot({ workers: ws3, queues: [q], workflows: [defaultOnly(q)], tasks: [task(1, { status: 'reserved', placement: placed(-1, 0, q, T0, true), reservedWorkers: new Set([WK(1), WK(2), WK(3)]) })] }));
    expect(full.reservations).toEqual([]);
  });

  it('orders workers by order_by; workers lacking the attribute come last, ASC or DESC', () => {
    const q = queue(1, '1==1', 4);
    const ws = () => [worker(1, { attributes: { level: 1 } }), worker(2, { attributes: {} }), worker(3, { attributes: { level: 5 } }), worker(4, { attributes: { level: 'high' } })];
    const run = (orderBy: string) => {
      const wf = workflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: q.sid, order_by: orderBy }] }] } });
      return offered(planRouting(snapshot({ workers: ws(), queues: [q], workflows: [wf], tasks: [task(1)] })));
    };
    const desc = run('worker.level DESC');
    expect(desc.slice(0, 2)).toEqual([WK(3), WK(1)]);
    expect(new Set(desc.slice(2))).toEqual(new Set([WK(2), WK(4)]));
    const asc = run('worker.level ASC');
    expect(asc.slice(0, 2)).toEqual([WK(1), WK(3)]);
    expect(new Set(asc.slice(2))).toEqual(new Set([WK(2), WK(4)]));
  });

  it('breaks order_by ties, and orders by default, longest idle first', () => {
    const q = queue(1, '1==1', 1);
    const ws = () => [worker(1, { idleSince: T0 - 5_000, attributes: { level: 2 } }), worker(2, { idleSince: T0 - 50_000, attributes: { level: 2 } }), worker(3, { idleSince: T0 - 500, attributes: { level: 1 } })];
    expect(offered(planRouting(snapshot({ workers: ws(), queues: [q], workflows: [defaultOnly(q)], tasks: [task(1)] })))).toEqual([WK(2)]);
    const wf = workflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: q.sid, order_by: 'worker.level ASC' }] }] } });
    expect(offered(planRouting(snapshot({ workers: ws(), queues: [q], workflows: [wf], tasks: [task(1)] })))).toEqual([WK(3)]);
    const wf2 = workflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: q.sid, order_by: 'worker.level DESC' }] }] } });
    expect(offered(planRouting(snapshot({ workers: ws(), queues: [q], workflows: [wf2], tasks: [task(1)] })))).toEqual([WK(2)]);
  });

  it('honours known_worker_sid and known_worker_friendly_name', () => {
    const q = queue(1, '1==1', 3);
    const ws = () => [worker(1, { name: 'alice' }), worker(2, { name: 'bob' }), worker(3, { name: 'carol' })];
    const bySid = workflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: q.sid, known_worker_sid: 'task.agent.sid' }] }] } });
    expect(offered(planRouting(snapshot({ workers: ws(), queues: [q], workflows: [bySid], tasks: [task(1, { attributes: { agent: { sid: WK(2) } } })] })))).toEqual([WK(2)]);
    expect(offered(planRouting(snapshot({ workers: ws(), queues: [q], workflows: [bySid], tasks: [task(1, { attributes: {} })] })))).toEqual([]);
    const byName = workflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: q.sid, known_worker_friendly_name: 'preferred' }] }] } });
    expect(offered(planRouting(snapshot({ workers: ws(), queues: [q], workflows: [byName], tasks: [task(1, { attributes: { preferred: 'carol' } })] })))).toEqual([WK(3)]);
    expect(offered(planRouting(snapshot({ workers: ws(), queues: [q], workflows: [byName], tasks: [task(1, { attributes: { preferred: 'dave' } })] })))).toEqual([]);
  });

  it('applies the target expression against worker and task', () => {
    const q = queue(1, '1==1', 3);
    const wf = workflow({ task_routing: { filters: [{ expression: '1==1', targets: [{ queue: q.sid, expression: 'worker.sid NOT IN task.rejected' }] }] } });
    const plan = planRouting(snapshot({ workers: [worker(1), worker(2), worker(3)], queues: [q], workflows: [wf], tasks: [task(1, { attributes: { rejected: [WK(1), WK(3)] } })] }));
    expect(offered(plan)).toEqual([WK(2)]);
  });
});

describe('orderTasks and who gets a scarce worker', () => {
  it("uses a workflow target's priority in place of the task's while the task is in that step", () => {
    const q = queue(1);
    const wf = workflow({ task_routing: { filters: [{ expression: 'vip == true', targets: [{ queue: q.sid, priority: 50 }] }], default_filter: { queue: q.sid } } });
    const plain = task(1, { priority: 10, placement: placed(-1, 0, q, T0, true) });
    const vip = task(2, { priority: 1, attributes: { vip: true }, placement: placed(0, 0, q, T0, true) });
    const s = snapshot({ workers: [worker(1)], queues: [q], workflows: [wf], tasks: [plain, vip] });
    expect(orderTasks(s).map((t) => t.sid)).toEqual([vip.sid, plain.sid]);
    expect(offered(planRouting(s), vip.sid)).toEqual([WK(1)]);
  });

  const fifo = queue(1);
  const lifo = queue(2, '1==1', 1, 'LIFO');
  const sids = (ts: SnapshotTask[]) => ts.map((t) => t.sid);

  it('orders by priority first, then oldest first in a FIFO queue', () => {
    const ts = [task(1, { virtualStartTime: T0 + 1 }), task(2, { virtualStartTime: T0 + 3, priority: 5 }), task(3, { virtualStartTime: T0 + 2 }), task(4, { virtualStartTime: T0 })].map((t) => ({ ...t, placement: placed(-1, 0, fifo, T0, true) }));
    expect(sids(orderTasks(snapshot({ queues: [fifo], tasks: ts })))).toEqual([WT(2), WT(4), WT(1), WT(3)]);
  });

  it('orders newest first in a LIFO queue', () => {
    const ts = [task(1, { virtualStartTime: T0 + 1 }), task(2, { virtualStartTime: T0 + 3 }), task(3, { virtualStartTime: T0 + 2 }), task(4, { virtualStartTime: T0 })].map((t) => ({ ...t, placement: placed(-1, 0, lifo, T0, true) }));
    expect(sids(orderTasks(snapshot({ queues: [lifo], tasks: ts })))).toEqual([WT(2), WT(3), WT(1), WT(4)]);
  });

  it('puts tasks of the PrioritizeQueueOrder kind of queue first, each kind in its own order', () => {
    const other = queue(3);
    const ts = [
      task(1, { virtualStartTime: T0 + 1, placement: placed(-1, 0, lifo, T0, true) }),
      task(2, { virtualStartTime: T0 + 3, placement: placed(-1, 0, lifo, T0, true) }),
      task(3, { virtualStartTime: T0 + 2, placement: placed(0, 0, other, T0, true) }),
      task(4, { virtualStartTime: T0, placement: placed(-1, 0, fifo, T0, true) }),
    ];
    expect(sids(orderTasks(snapshot({ prioritizeQueueOrder: 'FIFO', queues: [fifo, lifo, other], tasks: ts })))).toEqual([WT(4), WT(3), WT(2), WT(1)]);
    expect(sids(orderTasks(snapshot({ prioritizeQueueOrder: 'LIFO', queues: [fifo, lifo, other], tasks: ts })))).toEqual([WT(2), WT(1), WT(4), WT(3)]);
  });

  it('settles equal priority and age by SID, so the order never depends on read order', () => {
    const ts = [task(3, { virtualStartTime: T0 }), task(1, { virtualStartTime: T0 }), task(2, { virtualStartTime: T0 })];
    expect(sids(orderTasks(snapshot({ tasks: ts })))).toEqual([WT(1), WT(2), WT(3)]);
  });

  it('uses the workspace order for tasks not yet placed', () => {
    const ts = [task(1, { virtualStartTime: T0 + 1 }), task(2, { virtualStartTime: T0 + 2 })];
    expect(sids(orderTasks(snapshot({ prioritizeQueueOrder: 'FIFO', tasks: ts })))).toEqual([WT(1), WT(2)]);
    expect(sids(orderTasks(snapshot({ prioritizeQueueOrder: 'LIFO', tasks: ts })))).toEqual([WT(2), WT(1)]);
  });

  it('is a consistent order: any permutation of the same tasks sorts the same', () => {
    const rand = mulberry32(7);
    for (let c = 0; c < 200; c++) {
      const qs = [fifo, lifo, queue(3)];
      const ts = Array.from({ length: 2 + Math.floor(rand() * 6) }, (_, i) =>
        task(i + 1, { priority: Math.floor(rand() * 2), virtualStartTime: T0 + Math.floor(rand() * 4), placement: rand() < 0.2 ? null : placed(-1, 0, pick(rand, qs), T0, true) }),
      );
      const order = rand() < 0.5 ? 'FIFO' : 'LIFO';
      const expected = sids(orderTasks(snapshot({ prioritizeQueueOrder: order, queues: qs, tasks: ts })));
      for (let p = 0; p < 5; p++) {
        const shuffled = shuffle(rand, ts);
        expect(sids(orderTasks(snapshot({ prioritizeQueueOrder: order, queues: qs, tasks: shuffled }))), `case ${c}`).toEqual(expected);
      }
    }
  });

  it('gives the only free worker to the highest-priority, then oldest, task', () => {
    const q = fifo;
    const ts = [task(1, { virtualStartTime: T0 }), task(2, { virtualStartTime: T0 + 5, priority: 2 }), task(3, { virtualStartTime: T0 - 5 })].map((t) => ({ ...t, placement: placed(-1, 0, q, T0, true) }));
    const plan = planRouting(snapshot({ workers: [worker(1)], queues: [q], workflows: [defaultOnly(q)], tasks: ts }));
    expect(plan.reservations.map((r) => r.taskSid)).toEqual([WT(2)]);
    const plan2 = planRouting(snapshot({ workers: [worker(1)], queues: [q], workflows: [defaultOnly(q)], tasks: ts.map((t) => ({ ...t, priority: 0, reservedWorkers: new Set<string>() })) }));
    expect(plan2.reservations.map((r) => r.taskSid)).toEqual([WT(3)]);
  });
});


describe('planRouting: never beyond free capacity (random snapshots)', () => {
  const CHANNELS = [CHAT, SMS];
  const TARGETS = ['1==1', "team == 'a'", 'level > 2', "team == 'b' OR level < 2"];

  function randomSnapshot(rand: () => number): Snapshot {
    const now = T0 + Math.floor(rand() * 100_000);
    const queues = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, i) => queue(i + 1, pick(rand, TARGETS), 1 + Math.floor(rand() * 3), rand() < 0.3 ? 'LIFO' : 'FIFO'));
    const workers = Array.from({ length: 1 + Math.floor(rand() * 7) }, (_, i) => {
      const channels: Record<string, ChannelSpec> = {};
      for (const tc of CHANNELS) {
        if (rand() < 0.1) continue;
        const capacity = Math.floor(rand() * 4);
        // Existing load may exceed capacity: capacity can be lowered under live work.
        channels[tc] = { capacity, available: rand() < 0.9, load: Math.floor(rand() * (capacity + 2)) };
      }
      return worker(i + 1, { available: rand() < 0.8, idleSince: T0 - Math.floor(rand() * 10_000), attributes: { team: pick(rand, ['a', 'b']), ...(rand() < 0.8 ? { level: Math.floor(rand() * 5) } : {}) }, channels });
    });
    const filters = queues.slice(1).map((q, i) => ({ filter_friendly_name: `F${i}`, expression: `kind == ${i}`, targets: [{ queue: q.sid, ...(rand() < 0.3 ? { order_by: 'worker.level DESC' } : {}), ...(rand() < 0.3 ? { timeout: 10 } : {}) }, { queue: queues[0]!.sid }] }));
    const wf = workflow({ task_routing: { filters, default_filter: { queue: queues[0]!.sid } } });
    const tasks = Array.from({ length: 1 + Math.floor(rand() * 15) }, (_, i) => {
      const direct = rand() < 0.15 ? pick(rand, workers) : undefined;
      const q = pick(rand, queues);
      const reservedWorkers = new Set<string>();
      const channelSid = pick(rand, CHANNELS);
      for (const w of workers) if (rand() < 0.15 && reservedWorkers.size < (direct ? 1 : q.maxReservedWorkers)) reservedWorkers.add(w.sid);
      const placement = direct || rand() < 0.3 ? null : placed(q === queues[0] ? -1 : queues.indexOf(q) - 1, 0, q, T0, rand() < 0.5);
      return task(i + 1, {
        attributes: { kind: Math.floor(rand() * queues.length) },
        priority: Math.floor(rand() * 3),
        virtualStartTime: T0 - Math.floor(rand() * 1_000),
        channelSid,
        status: reservedWorkers.size > 0 ? 'reserved' : 'pending',
        placement,
        reservedWorkers,
        routingTarget: direct?.sid ?? null,
        ignoreCapacity: direct !== undefined && rand() < 0.5,
        timeout: rand() < 0.05 ? 1 : 86_400,
      });
    });
    return snapshot({ now, multiTaskEnabled: rand() < 0.7, prioritizeQueueOrder: rand() < 0.5 ? 'FIFO' : 'LIFO', workers, queues, workflows: [wf], tasks });
  }

  it('respects capacity, MaxReservedWorkers and uniqueness in 600 random snapshots', () => {
    const rand = mulberry32(20260105);
    let offers = 0;
    for (let c = 0; c < 600; c++) {
      const s = randomSnapshot(rand);
      // planRouting updates the snapshot as it plans: keep what was there before.
      const load = new Map<string, { capacity: number; available: boolean; load: number }>(s.workers.flatMap((w) => [...w.channels].map(([tc, ch]) => [`${w.sid}|${tc}`, { ...ch }] as const)));
      const totalLoad = new Map(s.workers.map((w) => [w.sid, w.totalLoad]));
      const existing = new Map(s.tasks.map((t) => [t.sid, new Set(t.reservedWorkers)]));
      const tasks = new Map(s.tasks.map((t) => [t.sid, { ...t }]));
      const workers = new Map(s.workers.map((w) => [w.sid, w]));
      const plan = planRouting(s);
      offers += plan.reservations.length;
      const where = `case ${c}: ${JSON.stringify(plan.reservations)}`;

      const pairs = new Set<string>();
      const perChannel = new Map<string, number>();
      const perWorker = new Map<string, number>();
      const perTask = new Map<string, number>();
      for (const r of plan.reservations) {
        const t = tasks.get(r.taskSid)!;
        const w = workers.get(r.workerSid)!;
        expect(pairs.has(`${r.taskSid}|${r.workerSid}`), `${where}: planned twice`).toBe(false);
        pairs.add(`${r.taskSid}|${r.workerSid}`);
        expect(existing.get(r.taskSid)!.has(r.workerSid), `${where}: worker already holds an offer for this task`).toBe(false);
        expect(r.channelSid).toBe(t.channelSid);
        expect(w.available, `${where}: offered to an unavailable worker`).toBe(true);
        const ch = load.get(`${r.workerSid}|${r.channelSid}`);
        expect(ch !== undefined && ch.available && ch.capacity > 0, `${where}: channel missing, unavailable or capacity 0`).toBe(true);
        perTask.set(r.taskSid, (perTask.get(r.taskSid) ?? 0) + 1);
        if (t.routingTarget) expect(r.workerSid).toBe(t.routingTarget);
        if (t.ignoreCapacity) continue;
        perChannel.set(`${r.workerSid}|${r.channelSid}`, (perChannel.get(`${r.workerSid}|${r.channelSid}`) ?? 0) + 1);
        perWorker.set(r.workerSid, (perWorker.get(r.workerSid) ?? 0) + 1);
      }
      for (const [key, planned] of perChannel) {
        const ch = load.get(key)!;
        expect(ch.load + planned, `${where}: ${key} over capacity ${ch.capacity} (had ${ch.load})`).toBeLessThanOrEqual(ch.capacity);
      }
      if (!s.multiTaskEnabled) {
        for (const [w, planned] of perWorker) {
          expect(totalLoad.get(w), `${where}: ${w} already busy without multitasking`).toBe(0);
          expect(planned, `${where}: ${w} got several tasks without multitasking`).toBe(1);
        }
      }
      for (const [taskSid, planned] of perTask) {
        const t = tasks.get(taskSid)!;
        const had = existing.get(taskSid)!.size;
        if (t.routingTarget) {
          expect(had + planned, `${where}: direct task offered twice`).toBe(1);
          continue;
        }
        const move = plan.moves.find((m) => m.taskSid === taskSid);
        const queueSid = (move ? move.to : t.placement)!.queueSid;
        expect(had + planned, `${where}: ${taskSid} beyond MaxReservedWorkers`).toBeLessThanOrEqual(s.queues.get(queueSid)!.maxReservedWorkers);
        expect(plan.reservations.filter((r) => r.taskSid === taskSid).every((r) => r.queueSid === queueSid)).toBe(true);
      }
      const canceled = plan.cancels.map((x) => x.taskSid);
      expect(new Set(canceled).size).toBe(canceled.length);
      for (const taskSid of canceled) {
        expect(perTask.has(taskSid), `${where}: canceled task offered`).toBe(false);
        expect(plan.moves.some((m) => m.taskSid === taskSid)).toBe(false);
      }
      const moved = plan.moves.map((m) => m.taskSid);
      expect(new Set(moved).size).toBe(moved.length);
    }
    // The generator must actually exercise offering, not just refusals.
    expect(offers).toBeGreaterThan(600);
  });
});
