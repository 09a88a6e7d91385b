import { useState, type FormEvent } from 'react';
import { tr, type Activity, type ConsoleApi, type TaskQueue, type Workspace } from '../api';
import { ErrorNotice, Field, Loading, Notice, useAction, useAsync } from '../../shared/ui';

interface Draft {
  friendlyName: string;
  targetWorkers: string;
  maxReserved: string;
  taskOrder: string;
  reservationActivity: string;
  assignmentActivity: string;
}

const empty: Draft = { friendlyName: '', targetWorkers: '1==1', maxReserved: '1', taskOrder: 'FIFO', reservationActivity: '', assignmentActivity: '' };

export function QueuesSection({ api, workspace }: { api: ConsoleApi; workspace: Workspace }) {
  const ws = workspace.sid;
  const queues = useAsync(() => api.list<TaskQueue>(tr(ws, '/TaskQueues'), 'task_queues'), [api, ws]);
  const activities = useAsync(() => api.list<Activity>(tr(ws, '/Activities'), 'activities'), [api, ws]);
  const [editing, setEditing] = useState<TaskQueue | 'new' | undefined>();
  const [saved, setSaved] = useState('');
  const remove = useAction(async (q: TaskQueue) => {
    await api.delete(tr(ws, `/TaskQueues/${q.sid}`));
    setSaved(`Deleted queue ${q.friendly_name}.`);
    queues.reload();
  });
  const name = (sid: string | null) => activities.data?.find((a) => a.sid === sid)?.friendly_name ?? sid ?? '—';

  return (
    <section className="stack" aria-label="Task queues">
      <p className="muted">Queues of {workspace.friendly_name}: which workers (TargetWorkers expression) may take the tasks a workflow sends here.</p>
      <div className="toolbar">
        <button type="button" onClick={() => (setSaved(''), setEditing('new'))}>
          New queue
        </button>
      </div>
      <Notice>{saved}</Notice>
      <ErrorNotice error={queues.error ?? remove.error} />
      {editing ? (
        <QueueForm
          key={editing === 'new' ? 'new' : editing.sid}
          api={api}
          ws={ws}
          existing={editing === 'new' ? undefined : editing}
          activities={activities.data ?? []}
          onDone={(msg) => {
            setEditing(undefined);
            if (msg) {
              setSaved(msg);
              queues.reload();
            }
          }}
        />
      ) : null}
      {queues.loading && !queues.data ? <Loading /> : null}
      {queues.data ? (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col">Target workers</th>
                <th scope="col" className="num">
                  Max reserved
                </th>
                <th scope="col">Order</th>
                <th scope="col">Activities (reserved / assigned)</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {queues.data.map((q) => (
                <tr key={q.sid}>
                  <td>
                    {q.friendly_name}
                    <div className="muted">
                      <code>{q.sid}</code>
                    </div>
                  </td>
                  <td>
                    <code>{q.target_workers}</code>
                  </td>
                  <td className="num">{q.max_reserved_workers}</td>
                  <td>{q.task_order}</td>
                  <td>
                    {name(q.reservation_activity_sid)} / {name(q.assignment_activity_sid)}
                  </td>
                  <td>
                    <div className="toolbar">
                      <button type="button" className="secondary" aria-label={`Edit queue ${q.friendly_name}`} onClick={() => (setSaved(''), setEditing(q))}>
                        Edit
                      </button>
                      <button
                        type="button"
                        className="danger"
                        aria-label={`Delete queue ${q.friendly_name}`}
                        onClick={() => {
                          if (confirm(`Delete queue ${q.friendly_name}?`)) void remove.run(q);
                        }}
                      >
                        Delete
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function QueueForm(props: { api: ConsoleApi; ws: string; existing: TaskQueue | undefined; activities: Activity[]; onDone: (msg?: string) => void }) {
  const { api, ws, existing } = props;
  const [d, setD] = useState<Draft>(
    existing
      ? {
          friendlyName: existing.friendly_name,
          targetWorkers: existing.target_workers,
          maxReserved: String(existing.max_reserved_workers),
          taskOrder: existing.task_order,
          reservationActivity: existing.reservation_activity_sid ?? '',
          assignmentActivity: existing.assignment_activity_sid ?? '',
        }
      : empty,
  );
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((x) => ({ ...x, [k]: v }));
  const save = useAction(async () => {
    const params = {
      FriendlyName: d.friendlyName,
      TargetWorkers: d.targetWorkers,
      MaxReservedWorkers: d.maxReserved,
      TaskOrder: d.taskOrder,
      ReservationActivitySid: d.reservationActivity || undefined,
      AssignmentActivitySid: d.assignmentActivity || undefined,
    };
    if (existing) await api.post(tr(ws, `/TaskQueues/${existing.sid}`), params);
    else await api.post(tr(ws, '/TaskQueues'), params);
    props.onDone(existing ? `Saved queue ${d.friendlyName}.` : `Created queue ${d.friendlyName}.`);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };
  const activitySelect = (label: string, key: 'reservationActivity' | 'assignmentActivity') => (
    <Field label={label}>
      <select value={d[key]} onChange={(e) => set(key, e.target.value)}>
        <option value="">No change</option>
        {props.activities.map((a) => (
          <option key={a.sid} value={a.sid}>
            {a.friendly_name}
          </option>
        ))}
      </select>
    </Field>
  );
  return (
    <form className="card stack" onSubmit={submit} aria-label={existing ? `Edit queue ${existing.friendly_name}` : 'New queue'}>
      <h3 style={{ margin: 0 }}>{existing ? `Edit ${existing.friendly_name}` : 'New queue'}</h3>
      <div className="form-grid">
        <Field label="Queue name">
          <input required value={d.friendlyName} onChange={(e) => set('friendlyName', e.target.value)} />
        </Field>
        <Field label="Target workers" hint={'An expression over worker attributes, e.g. skills HAS "billing"'} wide>
          <input className="code" value={d.targetWorkers} onChange={(e) => set('targetWorkers', e.target.value)} />
        </Field>
        <Field label="Max reserved workers">
          <input type="number" min={1} max={50} value={d.maxReserved} onChange={(e) => set('maxReserved', e.target.value)} />
        </Field>
        <Field label="Task order">
          <select value={d.taskOrder} onChange={(e) => set('taskOrder', e.target.value)}>
            <option>FIFO</option>
            <option>LIFO</option>
          </select>
        </Field>
        {activitySelect('Activity while reserved', 'reservationActivity')}
        {activitySelect('Activity while assigned', 'assignmentActivity')}
      </div>
      <ErrorNotice error={save.error} />
      <div className="toolbar">
        <button type="submit" disabled={save.busy}>
          {existing ? 'Save' : 'Create queue'}
        </button>
        <button type="button" className="secondary" onClick={() => props.onDone()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
