import type { TaskView, TeamsState, WorkerView } from './model';
import { availableWorkers, waitingTasks } from './model';
import { Badge, formatAge } from '../shared/ui';

const since = (start: number | null, now: number) => (start === null ? '' : formatAge((now - start) / 1000));

function taskLabel(t: TaskView | undefined, sid: string): string {
  if (!t) return sid;
  return [t.customer ?? 'Task', t.channel_type ?? t.task_channel].filter(Boolean).join(' · ');
}

const STATUS_TONE: Record<string, 'ok' | 'warn' | 'accent' | 'muted'> = { pending: 'warn', reserved: 'warn', assigned: 'ok', wrapping: 'accent', accepted: 'ok' };

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
    <section aria-labelledby="queues-heading" className="stack">
      <h2 id="queues-heading" className="section-title">
        Queues
      </h2>
      {queues.length === 0 ? (
        <p className="muted">No queues.</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col" className="num">
                  Waiting
                </th>
                <th scope="col" className="num">
                  Longest wait
                </th>
                <th scope="col" className="num">
                  In progress
                </th>
                <th scope="col" className="num">
                  Available agents
                </th>
              </tr>
            </thead>
            <tbody>
              {queues.map((q) => {
                const waiting = (q.tasks_by_status.pending ?? 0) + (q.tasks_by_status.reserved ?? 0);
                return (
                  <tr key={q.task_queue_sid} data-queue={q.friendly_name}>
                    <th scope="row">{q.friendly_name}</th>
                    <td className="num" data-col="waiting">
                      {waiting}
                    </td>
                    <td className="num" data-col="longest">
                      {waiting > 0 && q.longest_task_waiting_sid ? formatAge(q.longest_task_waiting_age + (now - s.statsAt) / 1000) : '—'}
                    </td>
                    <td className="num">{(q.tasks_by_status.assigned ?? 0) + (q.tasks_by_status.wrapping ?? 0)}</td>
                    <td className="num" data-col="available">
                      {q.total_available_workers} / {q.total_eligible_workers}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
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
    <section aria-labelledby="teams-heading" className="stack">
      <h2 id="teams-heading" className="section-title">
        Agents
      </h2>
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Activity</th>
              <th scope="col">Current tasks</th>
            </tr>
          </thead>
          <tbody>
            {workers.map((w: WorkerView) => (
              <tr key={w.sid} data-worker={w.friendly_name}>
                <th scope="row">{w.friendly_name}</th>
                <td>
                  <Badge tone={w.available ? 'ok' : 'muted'}>{w.activity_name}</Badge> <span className="muted">{since(w.since, now)}</span>
                </td>
                <td>
                  {w.tasks.length === 0 ? (
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
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function TasksTable({ s, now, onMonitor, monitoring }: { s: TeamsState; now: number; onMonitor: (conversationSid: string) => void; monitoring: string | undefined }) {
  const workers = new Map(s.workers.map((w) => [w.sid, w.friendly_name]));
  return (
    <section aria-labelledby="tasks-heading" className="stack">
      <h2 id="tasks-heading" className="section-title">
        Live tasks
      </h2>
      {s.tasks.length === 0 ? (
        <p className="muted">No live tasks.</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Status</th>
                <th scope="col">Queue</th>
                <th scope="col">Agent</th>
                <th scope="col" className="num">
                  Age
                </th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {s.tasks.map((t) => {
                const label = taskLabel(t, t.sid);
                return (
                  <tr key={t.sid}>
                    <th scope="row">{label}</th>
                    <td>
                      <Badge tone={STATUS_TONE[t.assignment_status] ?? 'muted'}>{t.assignment_status}</Badge>
                    </td>
                    <td>{t.task_queue_name ?? '—'}</td>
                    <td>{t.worker_sid ? (workers.get(t.worker_sid) ?? t.worker_sid) : '—'}</td>
                    <td className="num">{formatAge((now - t.created) / 1000)}</td>
                    <td>
                      <MonitorButton task={t} label={label} onMonitor={onMonitor} active={monitoring} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
