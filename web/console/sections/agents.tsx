import { useState, type FormEvent } from 'react';
import { tr, type Agent, type ConsoleApi, type Worker, type Workspace } from '../api';
import { Badge, ErrorNotice, Field, Loading, Notice, useAction, useAsync } from '../../shared/ui';

const PATH = '/parley/v1/Agents';
const ROLES = ['agent', 'supervisor', 'admin'] as const;

export function AgentsSection({ api, workspaces }: { api: ConsoleApi; workspaces: Workspace[] }) {
  const agents = useAsync(() => api.list<Agent>(PATH, 'agents'), [api]);
  const [creating, setCreating] = useState(false);
  const [saved, setSaved] = useState('');
  const remove = useAction(async (a: Agent) => {
    await api.delete(`${PATH}/${a.sid}`);
    setSaved(`Deleted ${a.username}.`);
    agents.reload();
  });
  const changeRole = useAction(async (a: Agent, role: string) => {
    await api.post(`${PATH}/${a.sid}`, { Role: role });
    setSaved(`${a.username} is now ${role}.`);
    agents.reload();
  });
  const wsName = (sid: string | null) => workspaces.find((w) => w.sid === sid)?.friendly_name ?? sid ?? '—';

  return (
    <section className="stack" aria-label="Agent accounts">
      <p className="muted">Who can sign in to the agent desktop and the supervisor view. Each agent is a TaskRouter worker.</p>
      <div className="toolbar">
        <button type="button" onClick={() => (setSaved(''), setCreating(true))}>
          New agent
        </button>
      </div>
      <Notice>{saved}</Notice>
      <ErrorNotice error={agents.error ?? remove.error ?? changeRole.error} />
      {creating ? (
        <AgentForm
          api={api}
          workspaces={workspaces}
          onDone={(msg) => {
            setCreating(false);
            if (msg) {
              setSaved(msg);
              agents.reload();
            }
          }}
        />
      ) : null}
      {agents.loading && !agents.data ? <Loading /> : null}
      {agents.data ? (
        agents.data.length === 0 ? (
          <p>No agent accounts yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Workspace / worker</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {agents.data.map((a) => (
                  <tr key={a.sid}>
                    <td>{a.username}</td>
                    <td>{a.friendly_name}</td>
                    <td>
                      <select aria-label={`Role of ${a.username}`} value={a.role} disabled={changeRole.busy} onChange={(e) => void changeRole.run(a, e.target.value)}>
                        {ROLES.map((r) => (
                          <option key={r}>{r}</option>
                        ))}
                      </select>
                    </td>
                    <td>
                      {wsName(a.workspace_sid)}
                      {a.worker_sid ? (
                        <div className="muted">
                          <code>{a.worker_sid}</code>
                        </div>
                      ) : (
                        <Badge>no worker</Badge>
                      )}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="danger"
                        aria-label={`Delete ${a.username}`}
                        onClick={() => {
                          if (confirm(`Delete the account ${a.username}? Their worker stays.`)) void remove.run(a);
                        }}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
    </section>
  );
}

function AgentForm({ api, workspaces, onDone }: { api: ConsoleApi; workspaces: Workspace[]; onDone: (msg?: string) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [friendlyName, setFriendlyName] = useState('');
  const [role, setRole] = useState('agent');
  const [workspaceSid, setWorkspaceSid] = useState(workspaces[0]?.sid ?? '');
  const [workerSid, setWorkerSid] = useState('');
  const workers = useAsync(() => (workspaceSid ? api.list<Worker>(tr(workspaceSid, '/Workers'), 'workers') : Promise.resolve([])), [api, workspaceSid]);
  const save = useAction(async () => {
    await api.post(PATH, {
      Username: username,
      Password: password,
      FriendlyName: friendlyName || undefined,
      Role: role,
      WorkspaceSid: workspaceSid || undefined,
      ...(workerSid ? { WorkerSid: workerSid } : workspaceSid ? { CreateWorker: true } : {}),
    });
    onDone(`Created ${username}.`);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };
  return (
    <form className="card stack" onSubmit={submit} aria-label="New agent">
      <h3 style={{ margin: 0 }}>New agent</h3>
      <div className="form-grid">
        <Field label="Username">
          <input required autoComplete="off" value={username} onChange={(e) => setUsername(e.target.value)} />
        </Field>
        <Field label="Password">
          <input required type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <Field label="Display name">
          <input value={friendlyName} onChange={(e) => setFriendlyName(e.target.value)} />
        </Field>
        <Field label="Role">
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </Field>
        <Field label="Workspace">
          <select value={workspaceSid} onChange={(e) => (setWorkspaceSid(e.target.value), setWorkerSid(''))}>
            <option value="">None</option>
            {workspaces.map((w) => (
              <option key={w.sid} value={w.sid}>
                {w.friendly_name}
              </option>
            ))}
          </select>
        </Field>
        {workspaceSid ? (
          <Field label="Worker" hint="Empty: a new worker is created for this agent">
            <select value={workerSid} onChange={(e) => setWorkerSid(e.target.value)}>
              <option value="">Create a new worker</option>
              {(workers.data ?? []).map((w) => (
                <option key={w.sid} value={w.sid}>
                  {w.friendly_name}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
      </div>
      <ErrorNotice error={save.error ?? workers.error} />
      <div className="toolbar">
        <button type="submit" disabled={save.busy}>
          Create agent
        </button>
        <button type="button" className="secondary" onClick={() => onDone()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
