import { useState } from 'react';
import { tr, type ConsoleApi, type TaskQueue, type Workflow, type Workspace } from '../api';
import { Field, JsonProblem, jsonProblem, prettyJson, useAction, useAsync } from '../../shared/ui';
import { EditorForm, ResourceSection, useEditor } from '../../shared/resource';
import { NameAndSid, RowActions } from '../../shared/table';

export function WorkflowsSection({ api, workspace }: { api: ConsoleApi; workspace: Workspace }) {
  const ws = workspace.sid;
  const workflows = useAsync(() => api.list<Workflow>(tr(ws, '/Workflows'), 'workflows'), [api, ws]);
  const queues = useAsync(() => api.list<TaskQueue>(tr(ws, '/TaskQueues'), 'task_queues'), [api, ws]);
  const editor = useEditor<Workflow>(workflows.reload);
  const remove = useAction(async (w: Workflow) => {
    await api.delete(tr(ws, `/Workflows/${w.sid}`));
    editor.changed(`Deleted workflow ${w.friendly_name}.`);
  });

  return (
    <ResourceSection
      label="Workflows"
      intro={`Workflows of ${workspace.friendly_name}: the filters that send each task to a queue.`}
      newLabel="New workflow"
      list={workflows}
      editor={editor}
      error={remove.error}
      form={(existing) => <WorkflowForm api={api} ws={ws} existing={existing} queues={queues.data ?? []} onDone={editor.done} />}
      columns={[
        { header: 'Workflow', cell: (w) => <NameAndSid name={w.friendly_name} sid={w.sid} /> },
        { header: 'Reservation timeout (s)', num: true, cell: (w) => w.task_reservation_timeout },
        { header: 'Assignment callback', cell: (w) => w.assignment_callback_url ?? '—' },
      ]}
      actions={(w) => (
        <RowActions
          edit={{ label: `Edit workflow ${w.friendly_name}`, onClick: () => editor.open(w) }}
          remove={{ label: `Delete workflow ${w.friendly_name}`, confirm: `Delete workflow ${w.friendly_name}?`, onConfirm: () => void remove.run(w) }}
        />
      )}
    />
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
  return (
    <EditorForm
      label={existing ? `Edit workflow ${existing.friendly_name}` : 'New workflow'}
      title={existing ? `Edit ${existing.friendly_name}` : 'New workflow'}
      submitLabel={existing ? 'Save' : 'Create workflow'}
      busy={save.busy}
      disabled={!!syntax}
      error={save.error}
      onSubmit={() => void save.run()}
      onCancel={() => props.onDone()}
    >
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
      <JsonProblem problem={syntax} />
    </EditorForm>
  );
}
