import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { RealtimeClient, type ConnectionState } from '../shared/realtime';
import { Badge, ErrorNotice, useAction } from '../shared/ui';
import { agentApi, type Activity, type Reservation, type Session, type Task, type WorkerSummary } from './api';
import { Offers } from './Offers';
import { TaskList } from './TaskList';
import { ConversationView } from './Conversation';
import { ContextPanel } from './ContextPanel';
import { Outbound } from './Outbound';
import { StreamRetries, useDebounced } from './hooks';

/** The activities an agent switches between, in this order when the workspace has them. */
const PREFERRED = ['Available', 'Unavailable', 'Break', 'Offline'];

/**
 * The agent desktop: activity, offers, tasks, the selected conversation and
 * its customer. Live through the realtime gateway: the worker's stream says
 * when offers and tasks change (they are then read again), each open
 * conversation's stream carries messages, typing and read horizons.
 */
export function Desktop({ session, onLoggedOut }: { session: Session; onLoggedOut: () => void }) {
  const [worker, setWorker] = useState<WorkerSummary | null>(session.worker);
  const [activities, setActivities] = useState<Activity[]>([]);
  const [offers, setOffers] = useState<Reservation[]>([]);
  const [tasks, setTasks] = useState<Task[]>([]);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [announcement, setAnnouncement] = useState('');
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const seenOffers = useRef(new Set<string>());
  const retries = useMemo(() => new StreamRetries(), []);
  const hasWorker = session.worker_sid !== null;

  const client = useMemo(
    () =>
      new RealtimeClient({
        token: async () => (await agentApi.session()).token,
        onState: setConnection,
        onError: (e) => {
          if (e.stream) retries.failed(e.stream);
        },
      }),
    [retries],
  );
  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);

  const refresh = useCallback(async () => {
    if (!hasWorker) return;
    try {
      const [w, r, t] = await Promise.all([agentApi.worker(), agentApi.reservations(), agentApi.tasks()]);
      setWorker(w.worker);
      setActivities(w.activities);
      setOffers(r);
      setTasks(t);
      setLoadError(undefined);
      const fresh = r.filter((x) => !seenOffers.current.has(x.sid));
      for (const x of fresh) seenOffers.current.add(x.sid);
      if (fresh[0]) setAnnouncement(`New ${fresh[0].task.channel_type ?? ''} conversation offered from ${fresh[0].task.customer_name ?? fresh[0].task.customer_address ?? 'a customer'}`);
    } catch (err) {
      setLoadError(err);
    }
  }, [hasWorker]);
  const refreshSoon = useDebounced(refresh, 120);

  useEffect(() => {
    void refresh();
    // A safety net under the stream (a missed event costs at most this long).
    const t = setInterval(() => void refresh(), 15_000);
    return () => clearInterval(t);
  }, [refresh]);

  useEffect(() => {
    if (!session.worker_sid) return;
    return client.subscribe(`worker:${session.worker_sid}`, { event: refreshSoon, resync: refreshSoon }, undefined);
  }, [client, session.worker_sid, refreshSoon]);

  // Keep a valid selection: the first task when nothing (or a finished task) is selected.
  useEffect(() => {
    if (selected && tasks.some((t) => t.sid === selected)) return;
    setSelected(tasks[0]?.sid);
  }, [tasks, selected]);

  const switchActivity = useAction(async (sid: string) => {
    const w = await agentApi.setActivity(sid);
    setWorker(w.worker);
  });
  const answer = useAction(async (r: Reservation, status: 'accepted' | 'rejected') => {
    await agentApi.answer(r.sid, status);
    await refresh();
    if (status === 'accepted') setSelected(r.task_sid);
  });
  const logout = useAction(async () => {
    await agentApi.logout();
    client.stop();
    onLoggedOut();
  });

  const ordered = [...activities].sort((a, b) => rank(a.friendly_name) - rank(b.friendly_name));
  const task = tasks.find((t) => t.sid === selected);

  return (
    <div className="desk">
      <header className="desk-header">
        <h1>Parley</h1>
        <span className="muted">{session.friendly_name}</span>
        <div className="spacer" />
        {hasWorker ? (
          <label className="activity">
            <span>Activity</span>
            <select aria-label="Activity" value={worker?.activity_sid ?? ''} onChange={(e) => void switchActivity.run(e.target.value)} disabled={switchActivity.busy}>
              {ordered.map((a) => (
                <option key={a.sid} value={a.sid}>
                  {a.friendly_name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <Badge tone={worker?.available ? 'ok' : 'muted'}>{worker?.available ? 'Taking conversations' : 'Not taking conversations'}</Badge>
        <Badge tone={connection === 'open' ? 'ok' : 'warn'}>{connection === 'open' ? 'Live' : connection === 'connecting' ? 'Connecting…' : 'Reconnecting…'}</Badge>
        <button type="button" className="secondary" onClick={() => void logout.run()}>
          Sign out
        </button>
      </header>
      <div className="sr-only" aria-live="assertive" role="status">
        {announcement}
      </div>
      {!hasWorker ? (
        <main className="desk-empty">
          <p>Your account ({session.role}) has no TaskRouter worker, so it takes no conversations. Supervisors use the supervisor view.</p>
        </main>
      ) : (
        <div className="desk-body">
          <nav className="desk-left" aria-label="Offers and tasks">
            <ErrorNotice error={switchActivity.error ?? answer.error ?? loadError} />
            <Offers offers={offers} busy={answer.busy} onAnswer={(r, s) => void answer.run(r, s)} />
            <TaskList tasks={tasks} selected={selected} onSelect={setSelected} />
            <Outbound onStarted={(taskSid) => void refresh().then(() => taskSid && setSelected(taskSid))} />
          </nav>
          <main className="desk-main" aria-label="Conversation">
            {task ? (
              <ConversationView key={task.sid} task={task} client={client} retries={retries} identity={session.identity} onChanged={refresh} />
            ) : (
              <div className="desk-empty">
                <p>{worker?.available ? 'Waiting for the next conversation…' : 'Set your activity to Available to receive conversations.'}</p>
              </div>
            )}
          </main>
          <aside className="desk-right" aria-label="Customer">
            {task ? <ContextPanel key={task.sid} task={task} /> : <p className="muted">The customer of the selected conversation appears here.</p>}
          </aside>
        </div>
      )}
    </div>
  );
}

function rank(name: string): number {
  const i = PREFERRED.indexOf(name);
  return i < 0 ? PREFERRED.length : i;
}
