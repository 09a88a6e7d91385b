import { useState, type FormEvent } from 'react';
import { tr, type ConsoleApi, type TaskQueue, type Workflow, type Workspace } from '../api';
import { ErrorNotice, Field, Loading, Notice, jsonProblem, prettyJson, useAction, useAsync } from '../../shared/ui';

export function WorkflowsSection({ api, workspace }: { api: ConsoleApi; workspace: Workspace }) {
  const ws = workspace.sid;
  const workflows = useAsync(() => api.list<Workflow>(tr(ws, '/Workflows'), 'workflows'), [api, ws]);
  const queues = useAsync(() => api.list<TaskQueue>(tr(ws, '/TaskQueues'), 'task_queues'), [api, ws]);
  const [editing, setEditing] = useState<Workflow | 'new' | undefined>();
  const [saved, setSaved] = useState('');
  const remove = useAction(async (w: Workflow) => {
    await api.delete(tr(ws, `/Workflows/${w.sid}`));
    setSaved(`Deleted workflow ${w.friendly_name}.`);
    workflows.reload();
  });

  return (
    <section className="stack" aria-label="Workflows">
      <p className="muted">Workflows of {workspace.friendly_name}: the filters that send each task to a queue.</p>
      <div className="toolbar">
        <button type="button" onClick={() => (setSaved(''), setEditing('new'))}>
          New workflow
        </button>
      </div>
      <Notice>{saved}</Notice>
      <ErrorNotice error={workflows.error ?? remove.error} />
      {editing ? (
        <WorkflowForm
          key={editing === 'new' ? 'new' : editing.sid}
          api={api}
          ws={ws}
          existing={editing === 'new' ? undefined : editing}
          queues={queues.data ?? []}
          onDone={(msg) => {
            setEditing(undefined);
            if (msg) {
              setSaved(msg);
              workflows.reload();
            }
          }}
        />
      ) : null}
      {workflows.loading && !workflows.data ? <Loading /> : null}
      {workflows.data ? (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Workflow</th>
                <th scope="col" className="num">
                  Reservation timeout (s)
                </th>
                <th scope="col">Assignment callback</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {workflows.data.map((w) => (
                <tr key={w.sid}>
                  <td>
                    {w.friendly_name}
                    <div className="muted">
                      <code>{w.sid}</code>
                    </div>
                  </td>
                  <td className="num">{w.task_reservation_timeout}</td>
                  <td>{w.assignment_callback_url ?? '—'}</td>
                  <td>
                    <div className="toolbar">
                      <button type="button" className="secondary" aria-label={`Edit workflow ${w.friendly_name}`} onClick={() => (setSaved(''), setEditing(w))}>
                        Edit
                      </button>
                      <button
                        type="button"
                        className="danger"
                        aria-label={`Delete workflow ${w.friendly_name}`}
                        onClick={() => {
                          if (confirm(`Delete workflow ${w.friendly_name}?`)) void remove.run(w);
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

function WorkflowForm(props: { api: ConsoleApi; ws: string; existing: Workflow | undefined; queues: TaskQueue[]; onDone: (msg?: string) => void }) {
  const { api, ws, existing } = props;
  const starter = { task_routing: { filters: [], default_filter: { queue: props.queues[0]?.sid ?? 'WQ…' } } };
  const [name, setName] = useState(existing?.friendly_name ?? '');
  const [config, setConfig] = useState(prettyJson(existing?.configuration ?? starter));
  const [timeout, setTimeoutValue] = useState(String(existing?.task_reservation_timeout ?? 120));
  const [callback, setCallback] = useState(existing?.assignment_callback_url ?? '');
  const [fallback, setFallback] = useState(existing?.fallback_assignment_callback_url ?? '');
  const syntax = jsonProblem(config);
  const save = useAction(async () => {
    const params = {
      FriendlyName: name,
      Configuration: config,
      TaskReservationTimeout: timeout,
      AssignmentCallbackUrl: callback || (existing?.assignment_callback_url ? '' : undefined),
      FallbackAssignmentCallbackUrl: fallback || (existing?.fallback_assignment_callback_url ? '' : undefined),
    };
    if (existing) await api.post(tr(ws, `/Workflows/${existing.sid}`), params);
    else await api.post(tr(ws, '/Workflows'), params);
    props.onDone(existing ? `Saved workflow ${name}.` : `Created workflow ${name}.`);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };
  return (
    <form className="card stack" onSubmit={submit} aria-label={existing ? `Edit workflow ${existing.friendly_name}` : 'New workflow'}>
      <h3 style={{ margin: 0 }}>{existing ? `Edit ${existing.friendly_name}` : 'New workflow'}</h3>
      <div className="form-grid">
        <Field label="Workflow name">
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Reservation timeout (seconds)">
          <input type="number" min={1} max={86400} value={timeout} onChange={(e) => setTimeoutValue(e.target.value)} />
        </Field>
        <Field label="Assignment callback URL">
          <input type="url" value={callback} onChange={(e) => setCallback(e.target.value)} />
        </Field>
        <Field label="Fallback assignment callback URL">
          <input type="url" value={fallback} onChange={(e) => setFallback(e.target.value)} />
        </Field>
      </div>
      <Field label="Configuration (JSON)" hint={`Queues: ${props.queues.map((q) => `${q.friendly_name} = ${q.sid}`).join(', ') || 'none'}`} wide>
        <textarea className="code" spellCheck={false} value={config} aria-invalid={syntax ? true : undefined} onChange={(e) => setConfig(e.target.value)} />
      </Field>
      {syntax ? (
        <p className="notice notice-error" role="alert">
          Not valid JSON: {syntax}
        </p>
      ) : null}
      <ErrorNotice error={save.error} />
      <div className="toolbar">
        <button type="submit" disabled={save.busy || !!syntax}>
          {existing ? 'Save' : 'Create workflow'}
        </button>
        <button type="button" className="secondary" onClick={() => props.onDone()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
