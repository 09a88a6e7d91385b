import { Badge } from '../shared/ui';
import type { Task } from './api';
import { channelLabel } from './hooks';

/** The agent's tasks (assigned or wrapping up); choosing one opens its conversation. */
export function TaskList({ tasks, selected, onSelect }: { tasks: Task[]; selected: string | undefined; onSelect: (sid: string) => void }) {
  return (
    <section className="tasks" aria-labelledby="tasks-title">
      <h2 id="tasks-title">My conversations</h2>
      {tasks.length === 0 ? <p className="muted">None right now.</p> : null}
      <ul>
        {tasks.map((t) => (
          <li key={t.sid}>
            <button type="button" className={t.sid === selected ? 'task-item current' : 'task-item'} aria-current={t.sid === selected ? 'true' : undefined} onClick={() => onSelect(t.sid)}>
              <span className="task-who">{t.customer_name ?? t.customer_address ?? t.sid}</span>
              <span className="task-meta">
                {channelLabel(t.channel_type)} {t.direction === 'outbound' ? '· outbound' : ''}
                {t.assignment_status === 'wrapping' ? <Badge tone="warn">Wrap-up</Badge> : <Badge tone="ok">Active</Badge>}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
