import { useEffect, useState, type FormEvent } from 'react';
import { tr, type Activity, type ConsoleApi, type Worker, type WorkerChannel, type Workspace } from '../api';
import { Badge, ErrorNotice, Field, JsonProblem, Loading, Notice, SidOptions, jsonProblem, prettyJson, useAction, useAsync } from '../../shared/ui';
import { QuickCreate } from '../../shared/resource';
import { DataTable, TableHead } from '../../shared/table';

export function WorkersSection({ api, workspace }: { api: ConsoleApi; workspace: Workspace }) {
  const ws = workspace.sid;
  const workers = useAsync(() => api.list<Worker>(tr(ws, '/Workers'), 'workers'), [api, ws]);
  const activities = useAsync(() => api.list<Activity>(tr(ws, '/Activities'), 'activities'), [api, ws]);
  const [selected, setSelected] = useState<string | undefined>();
  const [name, setName] = useState('');
  const [saved, setSaved] = useState('');
  const create = useAction(async () => {
    const w = await api.post<Worker>(tr(ws, '/Workers'), { FriendlyName: name, Attributes: JSON.stringify({ contact_uri: `client:${name}` }) });
    setName('');
    setSaved(`Created worker ${w.friendly_name}.`);
    workers.reload();
    setSelected(w.sid);
  });
  const current = workers.data?.find((w) => w.sid === selected);

  return (
    <div className="split">
      <section className="stack" aria-label="Workers">
        <QuickCreate
          id="new-worker-name"
          label="New worker name"
          value={name}
          onChange={setName}
          submitLabel="Create worker"
          busy={create.busy}
          onSubmit={() => {
            setSaved('');
            void create.run();
          }}
        />
        <Notice>{saved}</Notice>
        <ErrorNotice error={create.error ?? workers.error} />
        {workers.loading && !workers.data ? <Loading /> : null}
        {workers.data ? (
          <DataTable
            wrap={false}
            rows={workers.data}
            rowKey={(w) => w.sid}
            rowProps={(w) => ({ className: w.sid === selected ? 'selected' : undefined })}
            columns={[
              {
                header: 'Worker',
                cell: (w) => (
                  <button type="button" className="link-button" aria-pressed={w.sid === selected} onClick={() => (setSaved(''), setSelected(w.sid))}>
                    {w.friendly_name}
                  </button>
                ),
              },
              { header: 'Activity', cell: (w) => <Badge tone={w.available ? 'ok' : 'muted'}>{w.activity_name}</Badge> },
            ]}
          />
        ) : null}
      </section>
      {current ? (
        <WorkerPanel
          key={current.sid}
          api={api}
          ws={ws}
          worker={current}
          activities={activities.data ?? []}
          onChanged={(msg) => {
            setSaved(msg);
            workers.reload();
            if (msg.startsWith('Deleted')) setSelected(undefined);
          }}
        />
      ) : (
        <p className="muted">Choose a worker to edit their attributes, activity and channel capacities.</p>
      )}
    </div>
  );
}

function WorkerPanel(props: { api: ConsoleApi; ws: string; worker: Worker; activities: Activity[]; onChanged: (msg: string) => void }) {
  const { api, ws, worker } = props;
  const path = tr(ws, `/Workers/${worker.sid}`);
  const [attributes, setAttributes] = useState(prettyJson(worker.attributes));
  const [activity, setActivity] = useState(worker.activity_sid);
  const [friendlyName, setFriendlyName] = useState(worker.friendly_name);
  useEffect(() => setActivity(worker.activity_sid), [worker.activity_sid]);
  const syntax = jsonProblem(attributes);
  const save = useAction(async () => {
    await api.post(path, { FriendlyName: friendlyName, Attributes: attributes, ActivitySid: activity !== worker.activity_sid ? activity : undefined });
    props.onChanged(`Saved worker ${friendlyName}.`);
  });
  const remove = useAction(async () => {
    await api.delete(path);
    props.onChanged(`Deleted worker ${worker.friendly_name}.`);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };
  return (
    <section className="card stack" aria-label={`Worker ${worker.friendly_name}`}>
      <div className="toolbar">
        <h3 style={{ margin: 0 }}>{worker.friendly_name}</h3>
        <span className="muted">{worker.sid}</span>
        <span className="spacer" />
        <button
          type="button"
          className="danger"
          onClick={() => {
            if (confirm(`Delete worker ${worker.friendly_name}?`)) void remove.run();
          }}
        >
          Delete worker
        </button>
      </div>
      <form className="stack" onSubmit={submit}>
        <div className="form-grid">
          <Field label="Friendly name">
            <input value={friendlyName} onChange={(e) => setFriendlyName(e.target.value)} />
          </Field>
          <Field label="Activity">
            <select value={activity} onChange={(e) => setActivity(e.target.value)}>
              <SidOptions items={props.activities} />
            </select>
          </Field>
        </div>
        <Field label="Attributes (JSON)" wide>
          <textarea className="code" style={{ minHeight: 160 }} spellCheck={false} value={attributes} aria-invalid={syntax ? true : undefined} onChange={(e) => setAttributes(e.target.value)} />
        </Field>
        <JsonProblem problem={syntax} />
        <ErrorNotice error={save.error ?? remove.error} />
        <div className="toolbar">
          <button type="submit" disabled={save.busy || !!syntax}>
            Save worker
          </button>
        </div>
      </form>
      <WorkerChannels api={api} path={path} />
    </section>
  );
}

function WorkerChannels({ api, path }: { api: ConsoleApi; path: string }) {
  const channels = useAsync(() => api.list<WorkerChannel>(`${path}/Channels`, 'channels'), [api, path]);
  const [saved, setSaved] = useState('');
  const update = useAction(async (c: WorkerChannel, capacity: number, available: boolean) => {
    await api.post(`${path}/Channels/${c.sid}`, { Capacity: capacity, Available: available });
    setSaved(`Saved ${c.task_channel_unique_name}.`);
    channels.reload();
  });
  if (!channels.data) return channels.error ? <ErrorNotice error={channels.error} /> : <Loading />;
  return (
    <div className="stack">
      <table className="data">
        <caption>Channel capacities</caption>
        <TableHead columns={CHANNEL_COLUMNS} actions />
        <tbody>
          {channels.data.map((c) => (
            <ChannelRow key={c.sid} channel={c} busy={update.busy} onSave={(cap, av) => void update.run(c, cap, av)} />
          ))}
        </tbody>
      </table>
      <ErrorNotice error={update.error} />
      <Notice>{saved}</Notice>
    </div>
  );
}

/** The table's headers; each row keeps its own draft (ChannelRow). */
const CHANNEL_COLUMNS = [{ header: 'Channel' }, { header: 'Capacity' }, { header: 'Available' }, { header: 'Assigned', num: true }];

function ChannelRow({ channel, busy, onSave }: { channel: WorkerChannel; busy: boolean; onSave: (capacity: number, available: boolean) => void }) {
  const [capacity, setCapacity] = useState(String(channel.configured_capacity));
  const [available, setAvailable] = useState(channel.available);
  const name = channel.task_channel_unique_name;
  return (
    <tr>
      <th scope="row">{name}</th>
      <td>
        <input type="number" min={0} max={50} style={{ width: 80 }} aria-label={`Capacity of ${name}`} value={capacity} onChange={(e) => setCapacity(e.target.value)} />
      </td>
      <td>
        <input type="checkbox" aria-label={`${name} available`} checked={available} onChange={(e) => setAvailable(e.target.checked)} />
      </td>
      <td className="num">{channel.assigned_tasks}</td>
      <td>
        <button type="button" className="secondary" disabled={busy} aria-label={`Save ${name}`} onClick={() => onSave(Number(capacity), available)}>
          Save
        </button>
      </td>
    </tr>
  );
}
