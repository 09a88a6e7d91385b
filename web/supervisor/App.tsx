import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { RealtimeClient, type ConnectionState } from '../shared/realtime';
import { ErrorNotice, Field, Loading, useAction } from '../shared/ui';
import { currentSession, logIn, logOut, overview, type SessionInfo } from './api';
import { applyEvent, fromOverview, withStats, type Statistics, type TeamsState } from './model';
import { QueuesTable, StatCards, TasksTable, TeamsTable } from './Teams';
import { MonitorPanel } from './Monitor';

export function App() {
  // undefined: nobody logged in; null: still asking the server.
  const [session, setSession] = useState<SessionInfo | undefined | null>(null);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    currentSession().then(setSession, (err: unknown) => (setError(err), setSession(undefined)));
  }, []);
  const out = async () => {
    await logOut().catch(() => undefined);
    setSession(undefined);
  };
  if (session === null) return <Loading label="Checking your session…" />;
  if (!session) return <Login onLoggedIn={setSession} error={error} />;
  if (session.role !== 'supervisor' && session.role !== 'admin') {
    return (
      <main className="signin card" aria-labelledby="denied-title">
        <h1 id="denied-title">Supervisors only</h1>
        <p>
          You are signed in as <strong>{session.username}</strong> with the role <strong>{session.role}</strong>. The supervisor view needs the role supervisor or admin.
        </p>
        <p>
          <a href="/agent/">Open the agent desktop</a>
        </p>
        <button type="button" className="secondary" onClick={() => void out()}>
          Log out
        </button>
      </main>
    );
  }
  return <Supervisor session={session} onLogOut={() => void out()} />;
}

function Login({ onLoggedIn, error }: { onLoggedIn: (s: SessionInfo) => void; error: unknown }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const login = useAction(async () => onLoggedIn(await logIn(username.trim(), password)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void login.run();
  };
  return (
    <main className="signin card">
      <h1>Parley supervisor</h1>
      <p className="muted">Log in with your agent account (role supervisor or admin).</p>
      <form className="stack" onSubmit={submit}>
        <Field label="Username">
          <input autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        </Field>
        <Field label="Password">
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <ErrorNotice error={login.error ?? error} title="Login failed" />
        <button type="submit" disabled={login.busy}>
          {login.busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}

const CONNECTION_LABEL: Record<ConnectionState, string> = { open: 'Live', connecting: 'Connecting…', closed: 'Reconnecting…' };

function Supervisor({ session, onLogOut }: { session: SessionInfo; onLogOut: () => void }) {
  const [teams, setTeams] = useState<TeamsState>();
  const [loadError, setLoadError] = useState<unknown>();
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [monitoring, setMonitoring] = useState<string>();
  const [now, setNow] = useState(Date.now());
  const reconcile = useRef<ReturnType<typeof setTimeout>>(undefined);

  const client = useMemo(
    () =>
      new RealtimeClient({
        token: async () => {
          const s = await currentSession();
          if (!s) throw new Error('The session ended: log in again');
          return s.token;
        },
        onState: setConnection,
      }),
    [],
  );

  useEffect(() => {
    let stopped = false;
    let loading = false;
    let missed = false;
    const load = async () => {
      loading = true;
      missed = false;
      try {
        const o = await overview();
        if (stopped) return;
        setTeams(fromOverview(o));
        setLoadError(undefined);
      } catch (err) {
        if (!stopped) setLoadError(err);
      } finally {
        loading = false;
      }
      // Events that arrived while the snapshot was read may or may not be in it: read once more.
      if (missed && !stopped) void load();
    };
    // Events patch the screen at once; a quiet moment later the snapshot is read again, so drift never lasts.
    const settleLater = () => {
      clearTimeout(reconcile.current);
      reconcile.current = setTimeout(() => void load(), 3000);
    };
    client.start();
    const unsubscribe = client.subscribe(`workspace:${session.workspace_sid}`, {
      event: (e) => {
        if (loading) missed = true;
        setTeams((s) => (s ? applyEvent(s, e.data) : s));
        settleLater();
      },
      stats: (data) => setTeams((s) => (s ? withStats(s, data as Statistics) : s)),
      resync: () => void load(),
    });
    void load();
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      stopped = true;
      clearInterval(tick);
      clearTimeout(reconcile.current);
      unsubscribe();
      client.stop();
    };
  }, [client, session.workspace_sid]);

  useEffect(() => {
    document.title = 'Teams — Parley supervisor';
  }, []);

  return (
    <div className="sv-shell">
      <header className="shell-header">
        <h1>Parley supervisor</h1>
        <span className="muted">{teams?.workspace.friendly_name}</span>
        <span className="spacer" />
        <span role="status" className={`badge ${connection === 'open' ? 'badge-ok' : 'badge-warn'}`} aria-label={`Connection: ${CONNECTION_LABEL[connection]}`}>
          {CONNECTION_LABEL[connection]}
        </span>
        <span>{session.friendly_name || session.username}</span>
        <button type="button" className="secondary" onClick={onLogOut}>
          Log out
        </button>
      </header>
      <div className={monitoring ? 'sv-grid sv-grid-monitoring' : 'sv-grid'}>
        <main className="stack" id="main" aria-label="Teams">
          <ErrorNotice error={loadError} />
          {!teams ? (
            loadError ? null : <Loading />
          ) : (
            <>
              <StatCards s={teams} now={now} />
              <QueuesTable s={teams} now={now} />
              <TeamsTable s={teams} now={now} onMonitor={setMonitoring} monitoring={monitoring} />
              <TasksTable s={teams} now={now} onMonitor={setMonitoring} monitoring={monitoring} />
            </>
          )}
        </main>
        {monitoring ? (
          <aside aria-label="Live monitoring">
            <MonitorPanel key={monitoring} client={client} conversationSid={monitoring} onClose={() => setMonitoring(undefined)} />
          </aside>
        ) : null}
      </div>
    </div>
  );
}
