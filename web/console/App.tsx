import { useEffect, useState, type FormEvent } from 'react';
import { ConsoleApi, clearCredentials, loadCredentials, saveCredentials, type Workspace } from './api';
import { ErrorNotice, Field, Loading, useAction, useAsync } from '../shared/ui';
import { AddressesSection } from './sections/addresses';
import { FlowsSection } from './sections/flows';
import { QueuesSection } from './sections/queues';
import { WorkflowsSection } from './sections/workflows';
import { WorkersSection } from './sections/workers';
import { AgentsSection } from './sections/agents';
import { CarrierSection } from './sections/carrier';

const SECTIONS = [
  { id: 'addresses', label: 'Addresses', group: 'Channels' },
  { id: 'carrier', label: 'Carrier', group: 'Channels' },
  { id: 'flows', label: 'Studio flows', group: 'Routing' },
  { id: 'queues', label: 'Queues', group: 'Routing' },
  { id: 'workflows', label: 'Workflows', group: 'Routing' },
  { id: 'workers', label: 'Workers', group: 'People' },
  { id: 'agents', label: 'Agent accounts', group: 'People' },
] as const;
type SectionId = (typeof SECTIONS)[number]['id'];

/** #/<section>[/<item>]: plain links, so the browser's back button and keyboard navigation just work. */
function useRoute(): { section: SectionId; item: string | undefined } {
  const read = () => {
    const [section, item] = location.hash.replace(/^#\/?/, '').split('/');
    const known = SECTIONS.find((s) => s.id === section)?.id ?? 'addresses';
    return { section: known, item: item || undefined };
  };
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function App() {
  const [api, setApi] = useState<ConsoleApi | undefined>(() => {
    const c = loadCredentials();
    return c ? new ConsoleApi(c) : undefined;
  });
  if (!api) return <SignIn onSignedIn={setApi} />;
  return (
    <Shell
      api={api}
      onSignOut={() => {
        clearCredentials();
        setApi(undefined);
      }}
    />
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (api: ConsoleApi) => void }) {
  const [accountSid, setAccountSid] = useState('');
  const [authToken, setAuthToken] = useState('');
  const signIn = useAction(async () => {
    const api = new ConsoleApi({ accountSid: accountSid.trim(), authToken: authToken.trim() });
    await api.verify();
    saveCredentials(api.credentials);
    onSignedIn(api);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void signIn.run();
  };
  return (
    <main className="signin card">
      <h1>Parley console</h1>
      <p className="muted">Sign in with the account's SID and auth token. They are kept in this tab only.</p>
      <form className="stack" onSubmit={submit}>
        <Field label="Account SID">
          <input name="accountSid" autoComplete="username" required pattern="AC[0-9a-fA-F]{32}" value={accountSid} onChange={(e) => setAccountSid(e.target.value)} />
        </Field>
        <Field label="Auth token">
          <input name="authToken" type="password" autoComplete="current-password" required value={authToken} onChange={(e) => setAuthToken(e.target.value)} />
        </Field>
        <ErrorNotice error={signIn.error} title="Sign-in failed" />
        <button type="submit" disabled={signIn.busy}>
          {signIn.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

const WS_KEY = 'parley.console.workspace';

function Shell({ api, onSignOut }: { api: ConsoleApi; onSignOut: () => void }) {
  const route = useRoute();
  const workspaces = useAsync(() => api.list<Workspace>('/taskrouter/v1/Workspaces', 'workspaces'), [api]);
  const [workspaceSid, setWorkspaceSid] = useState<string | undefined>(() => sessionStorage.getItem(WS_KEY) ?? undefined);
  const list = workspaces.data ?? [];
  const current = list.find((w) => w.sid === workspaceSid) ?? list[0];
  const choose = (sid: string) => {
    sessionStorage.setItem(WS_KEY, sid);
    setWorkspaceSid(sid);
  };
  const needsWorkspace = route.section === 'queues' || route.section === 'workflows' || route.section === 'workers';
  const title = SECTIONS.find((s) => s.id === route.section)!.label;
  useEffect(() => {
    document.title = `${title} — Parley console`;
  }, [title]);

  let groupShown = '';
  return (
    <div className="shell">
      <header className="shell-header">
        <h1>Parley console</h1>
        <span className="muted">{api.accountSid}</span>
        <span className="spacer" />
        {list.length > 0 ? (
          <label className="check">
            <span>Workspace</span>
            <select aria-label="Workspace" value={current?.sid ?? ''} onChange={(e) => choose(e.target.value)}>
              {list.map((w) => (
                <option key={w.sid} value={w.sid}>
                  {w.friendly_name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="button" className="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav className="shell-nav" aria-label="Sections">
        <ul>
          {SECTIONS.map((s) => {
            const group = s.group !== groupShown ? ((groupShown = s.group), s.group) : undefined;
            return (
              <li key={s.id}>
                {group ? <div className="nav-group" aria-hidden="true">{group}</div> : null}
                <a href={`#/${s.id}`} aria-current={route.section === s.id ? 'page' : undefined}>
                  {s.label}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
      <main className="shell-main" id="main">
        <h2>{title}</h2>
        {needsWorkspace ? (
          workspaces.error ? (
            <ErrorNotice error={workspaces.error} />
          ) : !current ? (
            workspaces.loading ? <Loading /> : <p>This account has no TaskRouter workspace.</p>
          ) : route.section === 'queues' ? (
            <QueuesSection key={current.sid} api={api} workspace={current} />
          ) : route.section === 'workflows' ? (
            <WorkflowsSection key={current.sid} api={api} workspace={current} />
          ) : (
            <WorkersSection key={current.sid} api={api} workspace={current} />
          )
        ) : route.section === 'addresses' ? (
          <AddressesSection api={api} />
        ) : route.section === 'flows' ? (
          <FlowsSection api={api} selected={route.item} />
        ) : route.section === 'agents' ? (
          <AgentsSection api={api} workspaces={list} />
        ) : (
          <CarrierSection api={api} />
        )}
      </main>
    </div>
  );
}
