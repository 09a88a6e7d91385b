import { useEffect, useState } from 'react';
import type { ConsoleApi, Flow } from '../api';
import { Badge, ErrorNotice, Field, JsonProblem, Loading, Notice, jsonProblem, prettyJson, useAction, useAsync } from '../../shared/ui';
import { QuickCreate } from '../../shared/resource';
import { DataTable } from '../../shared/table';

const PATH = '/studio/v2/Flows';

/** A new flow starts with a Trigger whose events go nowhere yet (valid, does nothing). */
const STARTER = {
  description: 'A new flow',
  initial_state: 'Trigger',
  flags: { allow_concurrent_calls: true },
  states: [
    {
      name: 'Trigger',
      type: 'trigger',
      properties: { offset: { x: 0, y: 0 } },
      transitions: [{ event: 'incomingMessage' }, { event: 'incomingCall' }, { event: 'incomingConversationMessage' }, { event: 'incomingRequest' }, { event: 'incomingParent' }],
    },
  ],
};

export function FlowsSection({ api, selected }: { api: ConsoleApi; selected: string | undefined }) {
  const flows = useAsync(() => api.list<Flow>(PATH, 'flows'), [api]);
  const [name, setName] = useState('');
  const create = useAction(async () => {
    const flow = await api.post<Flow>(PATH, { FriendlyName: name, Status: 'draft', Definition: JSON.stringify(STARTER), CommitMessage: 'Created in the console' });
    setName('');
    flows.reload();
    location.hash = `#/flows/${flow.sid}`;
  });
  return (
    <div className="split">
      <section className="stack" aria-label="Flows">
        <QuickCreate id="new-flow-name" label="New flow name" value={name} onChange={setName} submitLabel="Create flow" busy={create.busy} onSubmit={() => void create.run()} />
        <ErrorNotice error={create.error ?? flows.error} />
        {flows.loading && !flows.data ? <Loading /> : null}
        {flows.data ? (
          <DataTable
            wrap={false}
            rows={flows.data}
            rowKey={(f) => f.sid}
            rowProps={(f) => ({ className: f.sid === selected ? 'selected' : undefined })}
            empty={<p>No flows yet.</p>}
            columns={[
              {
                header: 'Flow',
                cell: (f) => (
                  <a href={`#/flows/${f.sid}`} aria-current={f.sid === selected ? 'true' : undefined}>
                    {f.friendly_name}
                  </a>
                ),
              },
              { header: 'Status', cell: (f) => <FlowStatus flow={f} /> },
              { header: 'Rev.', num: true, cell: (f) => f.revision },
            ]}
          />
        ) : null}
      </section>
      {selected ? <FlowEditor key={selected} api={api} sid={selected} onChanged={flows.reload} /> : <p className="muted">Choose a flow to view and edit its definition.</p>}
    </div>
  );
}

function FlowStatus({ flow }: { flow: Flow }) {
  return (
    <>
      <Badge tone={flow.status === 'published' ? 'ok' : 'muted'}>{flow.status}</Badge> {flow.valid ? null : <Badge tone="danger">invalid</Badge>}
    </>
  );
}

function FlowEditor({ api, sid, onChanged }: { api: ConsoleApi; sid: string; onChanged: () => void }) {
  const flow = useAsync(() => api.get<Flow>(`${PATH}/${sid}`), [api, sid]);
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [commit, setCommit] = useState('');
  const [saved, setSaved] = useState('');
  useEffect(() => {
    if (!flow.data) return;
    setText(prettyJson(flow.data.definition));
    setName(flow.data.friendly_name);
  }, [flow.data]);
  const syntax = text ? jsonProblem(text) : undefined;

  const write = useAction(async (status: 'draft' | 'published') => {
    setSaved('');
    const updated = await api.post<Flow>(`${PATH}/${sid}`, { FriendlyName: name, Status: status, Definition: text, CommitMessage: commit || undefined });
    setCommit('');
    setSaved(status === 'published' ? `Published revision ${updated.revision}.` : `Saved revision ${updated.revision} as a draft.`);
    flow.reload();
    onChanged();
  });
  const validate = useAction(async () => {
    setSaved('');
    await api.post(`${PATH}/Validate`, { FriendlyName: name, Status: 'draft', Definition: text });
    setSaved('The definition is valid.');
  });
  const busy = write.busy || validate.busy;
  const error = write.error ?? validate.error;

  if (flow.error && !flow.data) return <ErrorNotice error={flow.error} />;
  if (!flow.data) return <Loading />;
  const f = flow.data;
  return (
    <section className="card stack" aria-label={`Flow ${f.friendly_name}`}>
      <div className="toolbar">
        <h3 style={{ margin: 0 }}>{f.friendly_name}</h3>
        <FlowStatus flow={f} />
        <span className="muted">
          {f.sid} · revision {f.revision}
        </span>
      </div>
      {f.errors.length > 0 ? (
        <div className="notice notice-warn" role="note">
          <strong>This revision does not validate</strong> (it cannot be published until fixed):
          <ul className="problems">
            {f.errors.map((e, i) => (
              <li key={i}>
                {e.property_path ? <code>{e.property_path}</code> : null} {e.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="form-grid">
        <Field label="Friendly name">
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Commit message">
          <input value={commit} onChange={(e) => setCommit(e.target.value)} />
        </Field>
      </div>
      <Field label="Definition (JSON)" wide>
        <textarea className="code" spellCheck={false} value={text} aria-invalid={syntax ? true : undefined} aria-describedby={syntax ? 'flow-syntax' : undefined} onChange={(e) => setText(e.target.value)} />
      </Field>
      <JsonProblem problem={syntax} id="flow-syntax" />
      <ErrorNotice error={error} />
      <Notice>{saved}</Notice>
      <div className="toolbar">
        <button type="button" className="secondary" disabled={busy || !!syntax} onClick={() => void validate.run()}>
          Validate
        </button>
        <button type="button" className="secondary" disabled={busy || !!syntax} onClick={() => void write.run('draft')}>
          Save draft
        </button>
        <button type="button" disabled={busy || !!syntax} onClick={() => void write.run('published')}>
          Publish
        </button>
      </div>
    </section>
  );
}
