import { useState, type FormEvent } from 'react';
import type { CarrierSettings, ConsoleApi } from '../api';
import { Badge, ErrorNotice, Field, Loading, Notice, useAction, useAsync } from '../../shared/ui';

const PATH = '/parley/v1/Channels/TwilioMessaging';

/** The account's SMS/WhatsApp carrier: a Twilio Programmable Messaging account, or the built-in simulator. */
export function CarrierSection({ api }: { api: ConsoleApi }) {
  const carrier = useAsync(() => api.get<CarrierSettings>(PATH), [api]);
  const [accountSid, setAccountSid] = useState('');
  const [authToken, setAuthToken] = useState('');
  const [apiUrl, setApiUrl] = useState('');
  const [saved, setSaved] = useState('');
  const save = useAction(async () => {
    await api.post(PATH, { AccountSid: accountSid.trim(), AuthToken: authToken.trim(), ApiUrl: apiUrl.trim() || undefined });
    setAuthToken('');
    setSaved('Carrier connected.');
    carrier.reload();
  });
  const disconnect = useAction(async () => {
    await api.delete(PATH);
    setSaved('Carrier disconnected.');
    carrier.reload();
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved('');
    void save.run();
  };
  const c = carrier.data;
  return (
    <section className="stack" aria-label="Carrier settings">
      <ErrorNotice error={carrier.error ?? disconnect.error} />
      <Notice>{saved}</Notice>
      {!c ? (
        carrier.error ? null : <Loading />
      ) : (
        <div className="card stack">
          <div className="toolbar">
            <strong>Provider</strong>
            <Badge tone={c.provider === 'twilio' ? 'ok' : 'accent'}>{c.provider === 'twilio' ? 'Twilio Programmable Messaging' : 'Simulator'}</Badge>
            {c.source ? <span className="muted">from {c.source === 'environment' ? 'the environment' : 'this console'}</span> : null}
          </div>
          <dl className="form-grid" style={{ margin: 0 }}>
            <div>
              <dt className="field-label">Carrier account</dt>
              <dd style={{ margin: 0 }}>{c.carrier_account_sid ?? '—'}</dd>
            </div>
            <div>
              <dt className="field-label">API URL</dt>
              <dd style={{ margin: 0 }}>{c.api_url ?? '—'}</dd>
            </div>
            <div className="field-wide">
              <dt className="field-label">Inbound webhook (set it as the number's “A message comes in” URL)</dt>
              <dd style={{ margin: 0 }}>
                <code>{c.inbound_webhook_url}</code>
              </dd>
            </div>
            <div className="field-wide">
              <dt className="field-label">Status callback</dt>
              <dd style={{ margin: 0 }}>{c.status_callback_url ? <code>{c.status_callback_url}</code> : '—'}</dd>
            </div>
          </dl>
          {c.provider === 'twilio' && c.source === 'api' ? (
            <div className="toolbar">
              <button
                type="button"
                className="danger"
                disabled={disconnect.busy}
                onClick={() => {
                  if (confirm('Disconnect this carrier account?')) void disconnect.run();
                }}
              >
                Disconnect
              </button>
            </div>
          ) : null}
        </div>
      )}
      <form className="card stack" onSubmit={submit} aria-label="Connect a Twilio account">
        <h3 style={{ margin: 0 }}>Connect a Twilio account</h3>
        <p className="muted" style={{ margin: 0 }}>
          Messages to and from your SMS, WhatsApp and Messenger addresses then go through this Twilio account. The token is stored encrypted and never shown again.
        </p>
        <div className="form-grid">
          <Field label="Twilio Account SID">
            <input required pattern="AC[0-9a-fA-F]{32}" value={accountSid} onChange={(e) => setAccountSid(e.target.value)} />
          </Field>
          <Field label="Twilio Auth Token">
            <input required type="password" autoComplete="off" value={authToken} onChange={(e) => setAuthToken(e.target.value)} />
          </Field>
          <Field label="API URL" hint="Optional; default https://api.twilio.com">
            <input type="url" value={apiUrl} onChange={(e) => setApiUrl(e.target.value)} />
          </Field>
        </div>
        <ErrorNotice error={save.error} />
        <div className="toolbar">
          <button type="submit" disabled={save.busy}>
            Connect
          </button>
        </div>
      </form>
    </section>
  );
}
