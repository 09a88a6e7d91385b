import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../shared/http';
import { ErrorNotice, Field, Loading, useAction } from '../shared/ui';
import { agentApi, type Session } from './api';
import { Desktop } from './Desktop';

/** The session decides: a login form without one, the desktop with one. */
export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const load = () =>
    agentApi.session().then(setSession, (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) setSession(null);
      else setError(err);
    });
  useEffect(() => {
    void load();
  }, []);
  if (error) return <main className="signin"><ErrorNotice error={error} title="Parley is unreachable" /></main>;
  if (session === undefined) return <main className="signin"><Loading /></main>;
  if (session === null) return <Login onLoggedIn={() => void load()} />;
  return (
    <Desktop
      session={session}
      onLoggedOut={() => {
        setSession(null);
      }}
    />
  );
}

function Login({ onLoggedIn }: { onLoggedIn: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [accountSid, setAccountSid] = useState('');
  const login = useAction(async () => {
    await agentApi.login(username.trim(), password, accountSid.trim());
    onLoggedIn();
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void login.run();
  };
  return (
    <main className="signin card">
      <h1>Parley agent desktop</h1>
      <p className="muted">Sign in with your agent account.</p>
      <form className="stack" onSubmit={submit} aria-label="Sign in">
        <Field label="Username">
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
        </Field>
        <Field label="Password">
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </Field>
        <details>
          <summary>Another account</summary>
          <Field label="Account SID" hint="Only for agents of a subaccount; leave empty for the main account.">
            <input name="account" value={accountSid} onChange={(e) => setAccountSid(e.target.value)} pattern="AC[0-9a-fA-F]{32}" />
          </Field>
        </details>
        <ErrorNotice error={login.error} title="Sign-in failed" />
        <button type="submit" disabled={login.busy}>
          {login.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
