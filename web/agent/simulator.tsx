/**
 * The customer simulator: plays a customer's phone (SMS or WhatsApp) through
 * Parley's built-in carrier simulator (/parley/v1/Simulator, HTTP Basic with the
 * account's SID and auth token, kept in this tab's sessionStorage only). It
 * sends to one of the account's addresses and shows what the phone received,
 * as a phone would: bodies as plain text, attachments as files.
 */
import { createRoot } from 'react-dom/client';
import { useEffect, useState, type FormEvent } from 'react';
import '../shared/theme.css';
import '../shared/layout.css';
import './agent.css';
import { ApiError, request } from '../shared/http';
import { Badge, ErrorNotice, Field, useAction, useAsync } from '../shared/ui';

interface Credentials {
  accountSid: string;
  authToken: string;
}

interface SimMessage {
  sid: string;
  direction: 'inbound' | 'outbound-api';
  from: string;
  to: string;
  body: string | null;
  status: string;
  media: Array<{ sid: string | null; content_type: string | null; url: string | null }>;
  date_created: string;
}

const STORE = 'parley.simulator';

function loadCredentials(): Credentials | undefined {
  try {
    const c = JSON.parse(sessionStorage.getItem(STORE) ?? 'null') as Credentials | null;
    return c ?? undefined;
  } catch {
    return undefined;
  }
}

const basic = (c: Credentials) => ({ Authorization: `Basic ${btoa(`${c.accountSid}:${c.authToken}`)}` });

function randomPhone(): string {
  return `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}

function Simulator() {
  const [creds, setCreds] = useState<Credentials | undefined>(loadCredentials);
  if (!creds) return <SignIn onSignedIn={setCreds} />;
  return (
    <Phone
      creds={creds}
      onSignOut={() => {
        sessionStorage.removeItem(STORE);
        setCreds(undefined);
      }}
    />
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (c: Credentials) => void }) {
  const [accountSid, setAccountSid] = useState('');
  const [authToken, setAuthToken] = useState('');
  const check = useAction(async () => {
    const c = { accountSid: accountSid.trim(), authToken: authToken.trim() };
    await request('/parley/v1/Simulator/Messages?PageSize=1', { headers: basic(c) });
    sessionStorage.setItem(STORE, JSON.stringify(c));
    onSignedIn(c);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void check.run();
  };
  return (
    <main className="signin card">
      <h1>Customer simulator</h1>
      <p className="muted">Plays a customer writing by SMS or WhatsApp to your account's numbers. Use the account SID and auth token Parley printed when it started.</p>
      <form className="stack" onSubmit={submit} aria-label="Account credentials">
        <Field label="Account SID">
          <input value={accountSid} onChange={(e) => setAccountSid(e.target.value)} required pattern="AC[0-9a-fA-F]{32}" autoComplete="username" />
        </Field>
        <Field label="Auth token">
          <input type="password" value={authToken} onChange={(e) => setAuthToken(e.target.value)} required autoComplete="current-password" />
        </Field>
        <ErrorNotice error={check.error} title="Not signed in" />
        <button type="submit" disabled={check.busy}>
          Open the simulator
        </button>
      </form>
    </main>
  );
}

function Phone({ creds, onSignOut }: { creds: Credentials; onSignOut: () => void }) {
  const [me, setMe] = useState(() => sessionStorage.getItem(`${STORE}.phone`) ?? randomPhone());
  const [to, setTo] = useState('');
  const [body, setBody] = useState('');
  const [file, setFile] = useState<File | undefined>(undefined);
  const [messages, setMessages] = useState<SimMessage[]>([]);
  const [pollError, setPollError] = useState<unknown>(undefined);
  const addresses = useAsync(async () => {
    const page = await request<{ address_configurations: Array<{ type: string; address: string; friendly_name: string | null }> }>('/conversations/v1/Configuration/Addresses?PageSize=50', { headers: basic(creds) });
    return page.address_configurations.filter((a) => a.type === 'sms' || a.type === 'whatsapp');
  }, [creds]);
  useEffect(() => {
    if (!to && addresses.data?.[0]) setTo(addresses.data[0].address);
  }, [addresses.data, to]);
  useEffect(() => sessionStorage.setItem(`${STORE}.phone`, me), [me]);

  const whatsapp = to.startsWith('whatsapp:');
  const from = whatsapp ? `whatsapp:${me}` : me;

  // A phone sees new messages as they come: read the simulator's record every second.
  useEffect(() => {
    let stop = false;
    const poll = async () => {
      try {
        const page = await request<{ messages: SimMessage[] }>(`/parley/v1/Simulator/Messages?PageSize=200&Address=${encodeURIComponent(from)}`, { headers: basic(creds) });
        if (!stop) setMessages(page.messages.sort((a, b) => a.date_created.localeCompare(b.date_created) || a.sid.localeCompare(b.sid)));
        setPollError(undefined);
      } catch (err) {
        if (!stop) setPollError(err);
      }
    };
    void poll();
    const t = setInterval(() => void poll(), 1000);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [creds, from]);

  const send = useAction(async () => {
    const form = new FormData();
    form.append('From', from);
    form.append('To', to);
    if (body) form.append('Body', body);
    if (file) form.append('Media', file, file.name);
    const res = await fetch('/parley/v1/Simulator/Messages', { method: 'POST', body: form, headers: basic(creds) });
    const json = (await res.json().catch(() => ({}))) as { code?: number; message?: string; outcome?: string; outcome_reason?: string };
    if (!res.ok) throw new ApiError(res.status, json.code, json.message ?? res.statusText);
    if (json.outcome === 'ignored') throw new Error(`Parley ignored the message: ${json.outcome_reason ?? 'no conversation for it'}`);
    setBody('');
    setFile(undefined);
  });
  const markRead = useAction(async (sid: string) => {
    await request(`/parley/v1/Simulator/Messages/${sid}`, { method: 'POST', params: { Status: 'read' }, headers: basic(creds) });
  });

  return (
    <main className="sim">
      <div className="toolbar">
        <h1>Customer simulator</h1>
        <div className="spacer" />
        <a href="./">Agent desktop</a>
        <button type="button" className="secondary" onClick={onSignOut}>
          Forget credentials
        </button>
      </div>
      <div className="row">
        <Field label="Customer's number" hint="The phone this page plays">
          <input value={me} onChange={(e) => setMe(e.target.value)} inputMode="tel" />
        </Field>
        <Field label="Writes to" hint="One of the account's SMS/WhatsApp addresses">
          <select value={to} onChange={(e) => setTo(e.target.value)}>
            {(addresses.data ?? []).map((a) => (
              <option key={`${a.type}:${a.address}`} value={a.address}>
                {a.address} ({a.type === 'sms' ? 'SMS' : 'WhatsApp'})
              </option>
            ))}
          </select>
        </Field>
      </div>
      <ErrorNotice error={addresses.error ?? pollError ?? markRead.error} />
      {addresses.data && addresses.data.length === 0 ? <p className="notice notice-warn">This account has no SMS or WhatsApp address: add one in the console (npm start creates demo numbers).</p> : null}
      <section className="phone" aria-label="Phone">
        <ol className="messages" role="log" aria-label="Messages on the phone" aria-live="polite">
          {messages.map((m) => (
            <li key={m.sid} className={m.direction === 'inbound' ? 'message inbound' : 'message'} data-testid="sim-message" data-direction={m.direction}>
              <div className="message-meta">
                {m.direction === 'inbound' ? 'Sent' : 'Received'} · {new Date(m.date_created).toLocaleTimeString()} {m.direction !== 'inbound' ? <Badge tone={m.status === 'read' ? 'ok' : m.status === 'failed' || m.status === 'undelivered' ? 'danger' : 'muted'}>{m.status}</Badge> : null}
              </div>
              {m.body ? <div className="message-body sim-body">{m.body}</div> : null}
              {m.media.map((x, i) =>
                x.url ? (
                  <div key={i}>
                    <a href={x.url} target="_blank" rel="noreferrer" data-testid="sim-media">
                      {x.content_type ?? 'attachment'}
                    </a>
                  </div>
                ) : null,
              )}
              {m.direction !== 'inbound' && m.status !== 'read' ? (
                <button type="button" className="link-button" onClick={() => void markRead.run(m.sid)}>
                  Mark as read
                </button>
              ) : null}
            </li>
          ))}
        </ol>
        <form
          className="stack"
          aria-label="Send as the customer"
          onSubmit={(e) => {
            e.preventDefault();
            void send.run();
          }}
        >
          <label htmlFor="sim-body" className="sr-only">
            Message
          </label>
          <textarea id="sim-body" rows={2} value={body} onChange={(e) => setBody(e.target.value)} placeholder="Type as the customer…" />
          <div className="toolbar">
            <label className="file-button">
              Attach a file
              <input type="file" className="sr-only" aria-label="Attach a file" onChange={(e) => setFile(e.target.files?.[0])} />
            </label>
            {file ? <span className="badge badge-accent">{file.name}</span> : null}
            <div className="spacer" />
            <button type="submit" disabled={send.busy || !to || (!body && !file)}>
              Send
            </button>
          </div>
          <ErrorNotice error={send.error} title="Not sent" />
        </form>
      </section>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(<Simulator />);
