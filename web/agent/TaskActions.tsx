import { useState } from 'react';
import { ErrorNotice, Field, Notice, useAction, useAsync } from '../shared/ui';
import { agentApi, type Task } from './api';

const DISPOSITIONS = ['Resolved', 'Follow-up needed', 'Escalated', 'No response from customer', 'Wrong number / spam'];

/** Wrap-up with a disposition and Complete; transfer and invite. */
export function TaskActions({ task, onChanged }: { task: Task; onChanged: () => Promise<void> }) {
  const [disposition, setDisposition] = useState(task.disposition ?? '');
  const [panel, setPanel] = useState<'none' | 'transfer' | 'invite'>('none');
  const [done, setDone] = useState('');
  const act = useAction(async (what: 'wrapup' | 'complete') => {
    if (what === 'wrapup') await agentApi.wrapup(task.sid, disposition);
    else await agentApi.complete(task.sid, disposition);
    setDone(what === 'wrapup' ? 'Conversation ended: complete the task when your notes are done.' : 'Task completed.');
    await onChanged();
  });
  const assigned = task.assignment_status === 'assigned';
  return (
    <section className="task-actions" aria-label="Task actions">
      <div className="toolbar">
        <label className="inline-field">
          <span>Disposition</span>
          <input list="dispositions" value={disposition} onChange={(e) => setDisposition(e.target.value)} maxLength={256} aria-label="Disposition" placeholder="Resolved, Escalated…" />
          <datalist id="dispositions">
            {DISPOSITIONS.map((d) => (
              <option key={d} value={d} />
            ))}
          </datalist>
        </label>
        {assigned ? (
          <button type="button" className="secondary" disabled={act.busy} onClick={() => void act.run('wrapup')}>
            Wrap up
          </button>
        ) : null}
        <button type="button" disabled={act.busy} onClick={() => void act.run('complete')}>
          Complete
        </button>
        <div className="spacer" />
        {assigned ? (
          <>
            <button type="button" className="secondary" aria-expanded={panel === 'transfer'} onClick={() => setPanel(panel === 'transfer' ? 'none' : 'transfer')}>
              Transfer
            </button>
            <button type="button" className="secondary" aria-expanded={panel === 'invite'} onClick={() => setPanel(panel === 'invite' ? 'none' : 'invite')}>
              Invite
            </button>
          </>
        ) : null}
      </div>
      <ErrorNotice error={act.error} />
      <Notice>{done}</Notice>
      {panel !== 'none' && assigned ? <Route task={task} kind={panel} onDone={async () => {
        setPanel('none');
        await onChanged();
      }} /> : null}
    </section>
  );
}

/** Choose a worker or a queue, then transfer (cold or warm) or invite. */
function Route({ task, kind, onDone }: { task: Task; kind: 'transfer' | 'invite'; onDone: () => Promise<void> }) {
  const dir = useAsync(() => agentApi.directory(), []);
  const [to, setTo] = useState('');
  const [type, setType] = useState<'cold' | 'warm'>('cold');
  const [sent, setSent] = useState('');
  const go = useAction(async () => {
    if (kind === 'transfer') await agentApi.transfer(task.sid, to, type);
    else await agentApi.invite(task.sid, to);
    setSent(kind === 'transfer' ? 'Transfer requested.' : 'Invitation sent.');
    await onDone();
  });
  return (
    <form
      className="route card stack"
      aria-label={kind === 'transfer' ? 'Transfer the conversation' : 'Invite another agent'}
      onSubmit={(e) => {
        e.preventDefault();
        void go.run();
      }}
    >
      <Field label={kind === 'transfer' ? 'Transfer to' : 'Invite'}>
        <select value={to} onChange={(e) => setTo(e.target.value)} required>
          <option value="">Choose…</option>
          <optgroup label="Agents">
            {(dir.data?.workers ?? []).map((w) => (
              <option key={w.sid} value={w.sid}>
                {w.friendly_name} — {w.activity_name}
              </option>
            ))}
          </optgroup>
          <optgroup label="Queues">
            {(dir.data?.queues ?? []).map((q) => (
              <option key={q.sid} value={q.sid}>
                {q.friendly_name}
              </option>
            ))}
          </optgroup>
        </select>
      </Field>
      {kind === 'transfer' ? (
        <fieldset>
          <legend>Type</legend>
          <label className="check">
            <input type="radio" name="transfer-type" checked={type === 'cold'} onChange={() => setType('cold')} /> Cold — you leave when they accept
          </label>
          <label className="check">
            <input type="radio" name="transfer-type" checked={type === 'warm'} onChange={() => setType('warm')} /> Warm — you stay until you wrap up
          </label>
        </fieldset>
      ) : null}
      <ErrorNotice error={dir.error ?? go.error} />
      <Notice>{sent}</Notice>
      <div className="toolbar">
        <button type="submit" disabled={go.busy || to === ''}>
          {kind === 'transfer' ? 'Transfer' : 'Invite'}
        </button>
      </div>
    </form>
  );
}
