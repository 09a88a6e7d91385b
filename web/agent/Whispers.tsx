import { useState, type FormEvent } from 'react';
import type { RealtimeEvent } from '../shared/realtime';
import { ErrorNotice, useAction } from '../shared/ui';
import { agentApi, type Whisper } from './api';
import { formatTime } from './hooks';

export const WHISPER_EVENT = 'supervision.whisper';

/**
 * A `supervision.whisper` event of the conversation's stream as a whisper. The
 * gateway sends these to staff tokens only (the customer's widget never gets
 * one), so the desktop is free to show them beside the messages.
 */
export function whisperOf(e: RealtimeEvent): Whisper | undefined {
  const s = (k: string) => (typeof e.data[k] === 'string' ? (e.data[k] as string) : undefined);
  const sid = s('WhisperSid');
  if (e.type !== WHISPER_EVENT || !sid) return undefined;
  return { sid, conversation_sid: s('ConversationSid') ?? '', author: s('Author') ?? '', author_role: s('AuthorRole') ?? '', body: s('Body') ?? '', date_created: s('DateCreated') ?? e.date };
}

/** One whisper in the transcript: labelled and styled as a note, never as a message. */
export function WhisperNote({ whisper, identity }: { whisper: Whisper; identity: string }) {
  const from = whisper.author === identity ? 'you' : whisper.author;
  return (
    <li className="message whisper" data-testid="whisper" aria-label={`Whisper from ${from}`}>
      <div className="message-meta">
        <span className="whisper-label">Whisper from {from}</span>
        {whisper.author_role && whisper.author !== identity ? <span className="muted"> ({whisper.author_role})</span> : null} <time dateTime={whisper.date_created}>{formatTime(whisper.date_created)}</time>
      </div>
      <div className="message-body whisper-body">{whisper.body}</div>
    </li>
  );
}

/** The agent's whisper box: a note to the supervisors watching, which the customer never sees. */
export function WhisperBox({ conversationSid, disabled, onSent }: { conversationSid: string; disabled: boolean; onSent: (w: Whisper) => void }) {
  const [text, setText] = useState('');
  const send = useAction(async () => {
    const body = text.trim();
    if (!body) return;
    onSent(await agentApi.whisper(conversationSid, body));
    setText('');
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void send.run();
  };
  return (
    <form className="whisper-box" aria-label="Whisper" onSubmit={submit}>
      <ErrorNotice error={send.error} title="Whisper not sent" />
      <div className="toolbar">
        <label htmlFor="whisper-body" className="whisper-label">
          Whisper to your supervisor
        </label>
        <input id="whisper-body" value={text} onChange={(e) => setText(e.target.value)} disabled={disabled} maxLength={4096} placeholder="The customer never sees it" aria-describedby="whisper-hint" />
        {/* Not "Send …": the composer's Send stays the only button of that name. */}
        <button type="submit" className="secondary" disabled={disabled || send.busy || text.trim() === ''}>
          Whisper
        </button>
      </div>
      <span id="whisper-hint" className="sr-only">
        Only agents and supervisors see whispers.
      </span>
    </form>
  );
}
