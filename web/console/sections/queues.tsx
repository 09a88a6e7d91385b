import { useState } from 'react';
import { tr, type Activity, type ConsoleApi, type TaskQueue, type Workspace } from '../api';
import { Field, SidOptions, useAction, useAsync } from '../../shared/ui';
import { EditorForm, ResourceSection, useEditor } from '../../shared/resource';
import { NameAndSid, RowActions } from '../../shared/table';

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
  const editor = useEditor<TaskQueue>(queues.reload);
  const remove = useAction(async (q: TaskQueue) => {
    await api.delete(tr(ws, `/TaskQueues/${q.sid}`));
    editor.changed(`Deleted queue ${q.friendly_name}.`);
  });
  const name = (sid: string | null) => activities.data?.find((a) => a.sid === sid)?.friendly_name ?? sid ?? '—';

  return (
    <ResourceSection
      label="Task queues"
      intro={`Queues of ${workspace.friendly_name}: which workers (TargetWorkers expression) may take the tasks a workflow sends here.`}
      newLabel="New queue"
      list={queues}
      editor={editor}
      error={remove.error}
      form={(existing) => <QueueForm api={api} ws={ws} existing={existing} activities={activities.data ?? []} onDone={editor.done} />}
      columns={[
        { header: 'Queue', cell: (q) => <NameAndSid name={q.friendly_name} sid={q.sid} /> },
        { header: 'Target workers', cell: (q) => <code>{q.target_workers}</code> },
        { header: 'Max reserved', num: true, cell: (q) => q.max_reserved_workers },
        { header: 'Order', cell: (q) => q.task_order },
        { header: 'Activities (reserved / assigned)', cell: (q) => `${name(q.reservation_activity_sid)} / ${name(q.assignment_activity_sid)}` },
      ]}
      actions={(q) => (
        <RowActions
          edit={{ label: `Edit queue ${q.friendly_name}`, onClick: () => editor.open(q) }}
          remove={{ label: `Delete queue ${q.friendly_name}`, confirm: `Delete queue ${q.friendly_name}?`, onConfirm: () => void remove.run(q) }}
        />
      )}
    />
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
  const activitySelect = (label: string, key: 'reservationActivity' | 'assignmentActivity') => (
    <Field label={label}>
      <select value={d[key]} onChange={(e) => set(key, e.target.value)}>
        <option value="">No change</option>
        <SidOptions items={props.activities} />
      </select>
    </Field>
  );
  return (
    <EditorForm
      label={existing ? `Edit queue ${existing.friendly_name}` : 'New queue'}
      title={existing ? `Edit ${existing.friendly_name}` : 'New queue'}
      submitLabel={existing ? 'Save' : 'Create queue'}
      busy={save.busy}
      error={save.error}
      onSubmit={() => void save.run()}
      onCancel={() => props.onDone()}
    >
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
    </EditorForm>
  );
}
