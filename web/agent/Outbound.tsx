import { useState } from 'react';
import { ErrorNotice, Field, useAction } from '../shared/ui';
import { agentApi } from './api';

/** Start a conversation with a customer (SMS, WhatsApp, email); it is routed straight to this agent. */
export function Outbound({ onStarted }: { onStarted: (taskSid: string | undefined) => void }) {
  const [open, setOpen] = useState(false);
  const [channel, setChannel] = useState('sms');
  const [to, setTo] = useState('');
  const [from, setFrom] = useState('');
  const [body, setBody] = useState('');
  const [subject, setSubject] = useState('');
  const email = channel === 'email';
  const start = useAction(async () => {
    const res = await agentApi.outbound(channel, to.trim(), from.trim(), body, email ? subject.trim() : undefined);
    setTo('');
    setBody('');
    setSubject('');
    setOpen(false);
    onStarted(res.task?.sid);
  });
  return (
    <section className="outbound" aria-label="Outbound">
      <button type="button" className="secondary" aria-expanded={open} onClick={() => setOpen(!open)}>
        New outbound conversation
      </button>
      {open ? (
        <form
          className="stack card"
          aria-label="New outbound conversation"
          onSubmit={(e) => {
            e.preventDefault();
            void start.run();
          }}
        >
          <Field label="Channel">
            <select value={channel} onChange={(e) => setChannel(e.target.value)}>
              <option value="sms">SMS</option>
              <option value="whatsapp">WhatsApp</option>
              <option value="email">Email</option>
            </select>
          </Field>
          <Field label="To" hint={email ? 'Email address, e.g. ada@example.com' : 'Phone number, e.g. +15551234567'}>
            <input value={to} onChange={(e) => setTo(e.target.value)} required inputMode={email ? 'email' : 'tel'} type={email ? 'email' : 'text'} />
          </Field>
          <Field label="From" hint={email ? 'Optional: one of your email addresses' : 'Optional: one of your numbers'}>
            <input value={from} onChange={(e) => setFrom(e.target.value)} inputMode={email ? 'email' : 'tel'} />
          </Field>
          {email ? (
            <Field label="Subject" hint="Optional">
              <input value={subject} onChange={(e) => setSubject(e.target.value)} maxLength={256} />
            </Field>
          ) : null}
          <Field label="First message" hint="Optional">
            <textarea rows={2} value={body} onChange={(e) => setBody(e.target.value)} />
          </Field>
          <ErrorNotice error={start.error} title="Not started" />
          <button type="submit" disabled={start.busy}>
            Start
          </button>
        </form>
      ) : null}
    </section>
  );
}
