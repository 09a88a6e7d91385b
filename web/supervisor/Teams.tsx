import type { ReactNode } from 'react';
import type { TaskView, TeamsState, WorkerView } from './model';
import { availableWorkers, waitingTasks } from './model';
import { Badge, formatAge } from '../shared/ui';
import { DataTable } from '../shared/table';

const since = (start: number | null, now: number) => (start === null ? '' : formatAge((now - start) / 1000));

function taskLabel(t: TaskView | undefined, sid: string): string {
  if (!t) return sid;
  return [t.customer ?? 'Task', t.channel_type ?? t.task_channel].filter(Boolean).join(' · ');
}

type QueueStats = NonNullable<TeamsState['statistics']>['task_queues'][number];
const waitingIn = (q: QueueStats) => (q.tasks_by_status.pending ?? 0) + (q.tasks_by_status.reserved ?? 0);

const STATUS_TONE: Record<string, 'ok' | 'warn' | 'accent' | 'muted'> = { pending: 'warn', reserved: 'warn', assigned: 'ok', wrapping: 'accent', accepted: 'ok' };

/** A titled section (its h2 names it) around one of the tables. */
function TableSection({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`} className="stack">
      <h2 id={`${id}-heading`} className="section-title">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** The headline figures: what a supervisor scans first. */
export function StatCards({ s, now }: { s: TeamsState; now: number }) {
  const ws = s.statistics?.workspace;
  const waiting = waitingTasks(s);
  // The statistics' oldest waiting task, aged since the frame; else the oldest waiting task we know of.
  const longest = ws && ws.longest_task_waiting_sid ? ws.longest_task_waiting_age + (now - s.statsAt) / 1000 : waiting.reduce((m, t) => Math.max(m, (now - t.created) / 1000), 0);
  const byStatus = ws?.tasks_by_status;
  const active = byStatus ? (byStatus.assigned ?? 0) + (byStatus.wrapping ?? 0) : s.tasks.filter((t) => t.assignment_status === 'assigned' || t.assignment_status === 'wrapping').length;
  const waitingCount = byStatus ? (byStatus.pending ?? 0) + (byStatus.reserved ?? 0) : waiting.length;
  const cards = [
    { id: 'waiting', label: 'Waiting tasks', value: String(waitingCount) },
    { id: 'longest', label: 'Longest wait', value: waitingCount > 0 ? formatAge(longest) : '—' },
    { id: 'available', label: 'Available agents', value: String(availableWorkers(s)) },
    { id: 'active', label: 'Tasks in progress', value: String(active) },
  ];
  return (
    <section aria-label="Workspace statistics" className="stat-grid">
      {cards.map((c) => (
        <div key={c.id} className="stat" data-stat={c.id}>
          <div className="stat-value">{c.value}</div>
          <div className="stat-label">{c.label}</div>
        </div>
      ))}
    </section>
  );
}

export function QueuesTable({ s, now }: { s: TeamsState; now: number }) {
  const queues = s.statistics?.task_queues ?? [];
  return (
    <TableSection id="queues" title="Queues">
      <DataTable
        rows={queues}
        rowKey={(q) => q.task_queue_sid}
        rowProps={(q) => ({ 'data-queue': q.friendly_name })}
        empty={<p className="muted">No queues.</p>}
        columns={[
          { header: 'Queue', rowHeader: true, cell: (q) => q.friendly_name },
          { header: 'Waiting', num: true, dataCol: 'waiting', cell: (q) => waitingIn(q) },
          {
            header: 'Longest wait',
            num: true,
            dataCol: 'longest',
            cell: (q) => (waitingIn(q) > 0 && q.longest_task_waiting_sid ? formatAge(q.longest_task_waiting_age + (now - s.statsAt) / 1000) : '—'),
          },
          { header: 'In progress', num: true, cell: (q) => (q.tasks_by_status.assigned ?? 0) + (q.tasks_by_status.wrapping ?? 0) },
          { header: 'Available agents', num: true, dataCol: 'available', cell: (q) => `${q.total_available_workers} / ${q.total_eligible_workers}` },
        ]}
      />
    </TableSection>
  );
}

function MonitorButton({ task, label, onMonitor, active }: { task: TaskView | undefined; label: string; onMonitor: (sid: string) => void; active: string | undefined }) {
  if (!task?.conversation_sid) return null;
  const sid = task.conversation_sid;
  return (
    <button type="button" className="secondary small" aria-pressed={active === sid} aria-label={`Monitor ${label}`} onClick={() => onMonitor(sid)}>
      Monitor
    </button>
  );
}

export function TeamsTable({ s, now, onMonitor, monitoring }: { s: TeamsState; now: number; onMonitor: (conversationSid: string) => void; monitoring: string | undefined }) {
  const tasks = new Map(s.tasks.map((t) => [t.sid, t]));
  const workers = [...s.workers].sort((a, b) => Number(b.available) - Number(a.available) || a.friendly_name.localeCompare(b.friendly_name));
  return (
    <TableSection id="teams" title="Agents">
      <DataTable
        rows={workers}
        rowKey={(w) => w.sid}
        rowProps={(w) => ({ 'data-worker': w.friendly_name })}
        columns={[
          { header: 'Agent', rowHeader: true, cell: (w) => w.friendly_name },
          {
            header: 'Activity',
            cell: (w) => (
              <>
                <Badge tone={w.available ? 'ok' : 'muted'}>{w.activity_name}</Badge> <span className="muted">{since(w.since, now)}</span>
              </>
            ),
          },
          {
            header: 'Current tasks',
            cell: (w) =>
              w.tasks.length === 0 ? (
                <span className="muted">None</span>
              ) : (
                <ul className="chips">
                  {w.tasks.map((r) => {
                    const t = tasks.get(r.task_sid);
                    const label = taskLabel(t, r.task_sid);
                    return (
                      <li key={r.reservation_sid} className="chip">
                        <span>{label}</span> <Badge tone={STATUS_TONE[r.reservation_status] ?? 'muted'}>{r.reservation_status === 'pending' ? 'offered' : r.reservation_status}</Badge>
                        {t ? <span className="muted"> {formatAge((now - t.created) / 1000)}</span> : null} <MonitorButton task={t} label={`${label} with ${w.friendly_name}`} onMonitor={onMonitor} active={monitoring} />
                      </li>
                    );
                  })}
                </ul>
              ),
          },
        ]}
      />
    </TableSection>
  );
}

export function TasksTable({ s, now, onMonitor, monitoring }: { s: TeamsState; now: number; onMonitor: (conversationSid: string) => void; monitoring: string | undefined }) {
  const workers = new Map(s.workers.map((w) => [w.sid, w.friendly_name]));
  return (
    <TableSection id="tasks" title="Live tasks">
      <DataTable
        rows={s.tasks}
        rowKey={(t) => t.sid}
        empty={<p className="muted">No live tasks.</p>}
        columns={[
          { header: 'Task', rowHeader: true, cell: (t) => taskLabel(t, t.sid) },
          { header: 'Status', cell: (t) => <Badge tone={STATUS_TONE[t.assignment_status] ?? 'muted'}>{t.assignment_status}</Badge> },
          { header: 'Queue', cell: (t) => t.task_queue_name ?? '—' },
          { header: 'Agent', cell: (t) => (t.worker_sid ? (workers.get(t.worker_sid) ?? t.worker_sid) : '—') },
          { header: 'Age', num: true, cell: (t) => formatAge((now - t.created) / 1000) },
        ]}
        actions={(t) => <MonitorButton task={t} label={taskLabel(t, t.sid)} onMonitor={onMonitor} active={monitoring} />}
      />
    </TableSection>
  );
}
