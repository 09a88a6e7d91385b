import { describe, it, expect } from 'vitest';
import { applyEvent, fromOverview, withStats, type OverviewResponse, type Statistics } from '../../web/supervisor/model.js';

const NOW = 1_700_000_000_000;
const WK = `WK${'1'.repeat(32)}`;
const WT = `WT${'2'.repeat(32)}`;
const WR = `WR${'3'.repeat(32)}`;
const WQ = `WQ${'4'.repeat(32)}`;

function overview(): OverviewResponse {
  return {
    workspace: { sid: `WS${'0'.repeat(32)}`, friendly_name: 'Flex' },
    date: new Date(NOW).toISOString(),
    activities: [
      { sid: 'WA-available', friendly_name: 'Available', available: true },
      { sid: 'WA-offline', friendly_name: 'Offline', available: false },
    ],
    workers: [{ sid: WK, friendly_name: 'ann', activity_sid: 'WA-available', activity_name: 'Available', available: true, date_status_changed: new Date(NOW - 60_000).toISOString(), tasks: [] }],
    tasks: [],
    statistics: null,
  };
}

const task = (type: string, extra: Record<string, unknown> = {}) => ({ EventType: type, TaskSid: WT, TaskAge: 5, TaskQueueSid: WQ, TaskAttributes: JSON.stringify({ conversationSid: 'CHx', customerName: 'Carla' }), ...extra });

describe('supervisor Teams model', () => {
  it('takes the overview with local times', () => {
    const s = fromOverview(overview(), NOW + 2000);
    // The server said 60 s in Available as of its date; 2 s of client-side skew are not added.
    expect(s.workers[0]!.since).toBe(NOW - 60_000 + 2000);
  });

  it('follows a task from creation through reservation, acceptance and completion', () => {
    let s = fromOverview(overview(), NOW);
    s = applyEvent(s, task('task.created', { TaskAssignmentStatus: 'pending' }), NOW);
    expect(s.tasks).toEqual([expect.objectContaining({ sid: WT, assignment_status: 'pending', created: NOW - 5000, conversation_sid: 'CHx', customer: 'Carla', task_queue_sid: WQ, task_queue_name: null })]);
    s = withStats(s, { workspace: {} as Statistics['workspace'], task_queues: [{ task_queue_sid: WQ, friendly_name: 'Support' } as Statistics['task_queues'][number]] }, NOW);
    expect(s.tasks[0]!.task_queue_name).toBe('Support');

    const res = { ...task('reservation.created', { TaskAssignmentStatus: 'reserved' }), WorkerSid: WK, ReservationSid: WR };
    s = applyEvent(s, res, NOW);
    expect(s.workers[0]!.tasks).toEqual([{ task_sid: WT, reservation_sid: WR, reservation_status: 'pending' }]);
    expect(s.tasks[0]).toMatchObject({ assignment_status: 'reserved', worker_sid: WK, reservation_status: 'pending' });

    // TaskRouter's accept and wrap-up events carry the task's status from before the move.
    s = applyEvent(s, { ...res, EventType: 'reservation.accepted', TaskAssignmentStatus: 'reserved' }, NOW);
    expect(s.workers[0]!.tasks[0]!.reservation_status).toBe('accepted');
    expect(s.tasks[0]!.assignment_status).toBe('assigned');
    s = applyEvent(s, { ...res, EventType: 'reservation.wrapup', TaskAssignmentStatus: 'assigned' }, NOW);
    expect(s.workers[0]!.tasks[0]!.reservation_status).toBe('wrapping');
    expect(s.tasks[0]!.assignment_status).toBe('wrapping');

    s = applyEvent(s, task('task.completed', { TaskAssignmentStatus: 'completed' }), NOW);
    expect(s.tasks).toEqual([]);
    expect(s.workers[0]!.tasks).toEqual([]);
  });

  it('drops a rejected offer and moves workers between activities', () => {
    let s = fromOverview(overview(), NOW);
    s = applyEvent(s, task('task.created', { TaskAssignmentStatus: 'pending' }), NOW);
    const res = { ...task('reservation.created', { TaskAssignmentStatus: 'reserved' }), WorkerSid: WK, ReservationSid: WR };
    s = applyEvent(s, res, NOW);
    s = applyEvent(s, { ...res, EventType: 'reservation.rejected', TaskAssignmentStatus: 'pending' }, NOW);
    expect(s.workers[0]!.tasks).toEqual([]);
    expect(s.tasks[0]).toMatchObject({ assignment_status: 'pending', worker_sid: null, reservation_sid: null });

    s = applyEvent(s, { EventType: 'worker.activity.update', WorkerSid: WK, WorkerName: 'ann', WorkerActivitySid: 'WA-offline', WorkerActivityName: 'Offline', WorkerAvailable: false }, NOW + 10_000);
    expect(s.workers[0]).toMatchObject({ activity_name: 'Offline', available: false, since: NOW + 10_000 });
    s = applyEvent(s, { EventType: 'worker.created', WorkerSid: `WK${'9'.repeat(32)}`, WorkerName: 'bob', WorkerActivitySid: 'WA-offline', WorkerAvailable: false }, NOW);
    expect(s.workers.map((w) => [w.friendly_name, w.activity_name])).toEqual([['ann', 'Offline'], ['bob', 'Offline']]);
    s = applyEvent(s, { EventType: 'worker.deleted', WorkerSid: `WK${'9'.repeat(32)}` }, NOW);
    expect(s.workers).toHaveLength(1);
  });
});
