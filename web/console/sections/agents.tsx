import { useState } from 'react';
import { tr, type Agent, type ConsoleApi, type Worker, type Workspace } from '../api';
import { Badge, Field, SidOptions, useAction, useAsync } from '../../shared/ui';
import { EditorForm, ResourceSection, useEditor } from '../../shared/resource';
import { RowActions } from '../../shared/table';

const PATH = '/parley/v1/Agents';
const ROLES = ['agent', 'supervisor', 'admin'] as const;

export function AgentsSection({ api, workspaces }: { api: ConsoleApi; workspaces: Workspace[] }) {
  const agents = useAsync(() => api.list<Agent>(PATH, 'agents'), [api]);
  const editor = useEditor<Agent>(agents.reload);
  const remove = useAction(async (a: Agent) => {
    await api.delete(`${PATH}/${a.sid}`);
    editor.changed(`Deleted ${a.username}.`);
  });
  const changeRole = useAction(async (a: Agent, role: string) => {
    await api.post(`${PATH}/${a.sid}`, { Role: role });
    editor.changed(`${a.username} is now ${role}.`);
  });
  const wsName = (sid: string | null) => workspaces.find((w) => w.sid === sid)?.friendly_name ?? sid ?? '—';

  return (
    <ResourceSection
      label="Agent accounts"
      intro="Who can sign in to the agent desktop and the supervisor view. Each agent is a TaskRouter worker."
      newLabel="New agent"
      list={agents}
      editor={editor}
      error={remove.error ?? changeRole.error}
      form={() => <AgentForm api={api} workspaces={workspaces} onDone={editor.done} />}
      empty={<p>No agent accounts yet.</p>}
      columns={[
        { header: 'Username', cell: (a) => a.username },
        { header: 'Name', cell: (a) => a.friendly_name },
        {
          header: 'Role',
          cell: (a) => (
            <select aria-label={`Role of ${a.username}`} value={a.role} disabled={changeRole.busy} onChange={(e) => void changeRole.run(a, e.target.value)}>
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          ),
        },
        {
          header: 'Workspace / worker',
          cell: (a) => (
            <>
              {wsName(a.workspace_sid)}
              {a.worker_sid ? (
                <div className="muted">
                  <code>{a.worker_sid}</code>
                </div>
              ) : (
                <Badge>no worker</Badge>
              )}
            </>
          ),
        },
      ]}
      actions={(a) => <RowActions remove={{ label: `Delete ${a.username}`, confirm: `Delete the account ${a.username}? Their worker stays.`, onConfirm: () => void remove.run(a) }} />}
    />
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
  return (
    <EditorForm label="New agent" submitLabel="Create agent" busy={save.busy} error={save.error ?? workers.error} onSubmit={() => void save.run()} onCancel={() => onDone()}>
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
            <SidOptions items={workspaces} />
          </select>
        </Field>
        {workspaceSid ? (
          <Field label="Worker" hint="Empty: a new worker is created for this agent">
            <select value={workerSid} onChange={(e) => setWorkerSid(e.target.value)}>
              <option value="">Create a new worker</option>
              <SidOptions items={(workers.data ?? [])} />
            </select>
          </Field>
        ) : null}
      </div>
    </EditorForm>
  );
}
