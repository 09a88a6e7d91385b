import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { RealtimeClient } from '../shared/realtime';
import { Badge, ErrorNotice, useAction } from '../shared/ui';
import { agentApi, type Message, type Participant, type Task, type Transcript, type Whisper } from './api';
import { renderMarkdown } from '../shared/markdown';
import { channelLabel, formatDate, formatTime, useDebounced, type StreamRetries } from './hooks';
import { TaskActions } from './TaskActions';
import { WhisperBox, WhisperNote, whisperOf } from './Whispers';

const TYPING_SHOWN_MS = 5000;
const TYPING_SENT_EVERY_MS = 3000;

/**
 * The conversation canvas: the customer's earlier conversations, then this
 * one, live; a composer with Markdown and attachments; the task's actions.
 */
export function ConversationView({ task, client, retries, identity, onChanged }: { task: Task; client: RealtimeClient; retries: StreamRetries; identity: string; onChanged: () => Promise<void> }) {
  const conversationSid = task.conversation_sid;
  const [transcript, setTranscript] = useState<Transcript | undefined>(undefined);
  const [history, setHistory] = useState<Transcript[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [typing, setTyping] = useState<Record<string, number>>({});
  const [whispers, setWhispers] = useState<ReadonlyMap<string, Whisper>>(new Map());
  const addWhispers = useCallback((list: Whisper[]) => setWhispers((cur) => new Map([...cur, ...list.map((w) => [w.sid, w] as const)])), []);

  const load = useCallback(async () => {
    if (!conversationSid) return;
    // Whispers are readable only while the agent is in the conversation: before the join and after leaving, keep what is shown.
    agentApi.whispers(conversationSid).then(addWhispers, () => undefined);
    try {
      setTranscript(await agentApi.transcript(conversationSid));
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, [conversationSid, addWhispers]);
  const loadSoon = useDebounced(load, 80);

  useEffect(() => {
    void load();
  }, [load, task.assignment_status]);
  useEffect(() => {
    agentApi.history(task.sid).then(setHistory, () => setHistory([]));
  }, [task.sid]);

  // The stream is refused until the agent is in the conversation (a moment after the accept): retry until then.
  useEffect(() => {
    if (!conversationSid) return;
    const stream = `conversation:${conversationSid}`;
    let unsubscribe = () => {};
    let attempts = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const subscribe = () => {
      unsubscribe = client.subscribe(stream, {
        event: (e) => {
          const whisper = whisperOf(e);
          if (whisper) return addWhispers([whisper]);
          loadSoon();
          if (e.type === 'conversations.onMessageAdded') {
            const author = String(e.data.Author ?? e.data.ClientIdentity ?? '');
            setTyping((t) => {
              const { [author]: _gone, ...rest } = t;
              return rest;
            });
          }
        },
        resync: loadSoon,
        // A live subscription starts after whatever happened before it was accepted (the agent joining, above all): read it all again.
        subscribed: loadSoon,
        typing: (t) => setTyping((prev) => ({ ...prev, [t.identity]: Date.now() + TYPING_SHOWN_MS })),
        ended: () => loadSoon(),
      });
    };
    const unregister = retries.register(stream, () => {
      unsubscribe();
      if (attempts++ < 30) timer = setTimeout(subscribe, 500);
    });
    subscribe();
    return () => {
      clearTimeout(timer);
      unregister();
      unsubscribe();
    };
  }, [client, retries, conversationSid, loadSoon, addWhispers]);

  // Typing indicators fade on their own.
  useEffect(() => {
    const t = setInterval(() => setTyping((prev) => Object.fromEntries(Object.entries(prev).filter(([, until]) => until > Date.now()))), 1000);
    return () => clearInterval(t);
  }, []);

  // Move the read horizon to the last message while the page is visible.
  const me = transcript?.participants.find((p) => p.identity === identity);
  const lastIndex = transcript?.messages[transcript.messages.length - 1]?.index;
  useEffect(() => {
    if (!conversationSid || !me || lastIndex === undefined) return;
    if ((me.last_read_message_index ?? -1) >= lastIndex || document.visibilityState !== 'visible') return;
    client.send('read', { conversationSid, index: lastIndex }).catch(() => undefined);
  }, [client, conversationSid, me, lastIndex]);

  const endRef = useRef<HTMLDivElement>(null);
  const count = transcript?.messages.length ?? 0;
  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [count]);

  const typists = Object.keys(typing).filter((who) => who !== identity);
  const closed = transcript?.conversation.state === 'closed';
  const canWrite = task.assignment_status === 'assigned' && !closed && me !== undefined;

  return (
    <div className="conversation">
      <div className="conversation-header">
        <h2>{task.customer_name ?? task.customer_address ?? 'Conversation'}</h2>
        <Badge tone="accent">{channelLabel(task.channel_type)}</Badge>
        {closed ? <Badge tone="muted">Closed</Badge> : null}
        {task.assignment_status === 'wrapping' ? <Badge tone="warn">Wrap-up</Badge> : null}
      </div>
      <ErrorNotice error={error} />
      <div className="transcript" role="log" aria-label="Messages" aria-live="polite">
        {history.length > 0 ? (
          <details className="history">
            <summary>
              Earlier conversations with this customer ({history.length})
            </summary>
            {[...history].reverse().map((h) => (
              <section key={h.conversation.sid} className="history-item" aria-label={`Conversation of ${formatDate(h.conversation.date_created)}`}>
                <h3 className="history-title">{formatDate(h.conversation.date_created)}</h3>
                <Messages transcript={h} identity={identity} nameOf={(who) => displayName(who, h.participants, task)} />
              </section>
            ))}
          </details>
        ) : null}
        {transcript ? <Messages transcript={transcript} identity={identity} nameOf={(who) => displayName(who, transcript.participants, task)} whispers={[...whispers.values()]} /> : <p className="muted">Loading messages…</p>}
        <div ref={endRef} />
      </div>
      <div className="typing" aria-live="polite">
        {typists.length > 0 ? `${typists.map((t) => displayName(t, transcript?.participants, task)).join(', ')} ${typists.length > 1 ? 'are' : 'is'} typing…` : '\u00a0'}
      </div>
      {conversationSid ? <Composer conversationSid={conversationSid} client={client} disabled={!canWrite} waiting={task.assignment_status === 'assigned' && !closed && !me} /> : null}
      {conversationSid ? <WhisperBox conversationSid={conversationSid} disabled={!canWrite} onSent={(w) => addWhispers([w])} /> : null}
      <TaskActions task={task} onChanged={onChanged} />
    </div>
  );
}

function displayName(who: string, participants: Participant[] | undefined, task: Task): string {
  if (who === task.customer_address) return task.customer_name ?? who;
  return participants?.find((p) => p.identity === who)?.identity ?? who;
}

type Entry = { at: number; message: Message; whisper?: undefined } | { at: number; whisper: Whisper; message?: undefined };

/** Messages in index order, whispers placed among them by time (after the messages of the same moment). */
function timeline(messages: Message[], whispers: Whisper[]): Entry[] {
  const entries: Entry[] = [...messages.map((message) => ({ at: Date.parse(message.date_created), message })), ...whispers.map((whisper) => ({ at: Date.parse(whisper.date_created), whisper }))];
  const rank = (e: Entry) => (e.message ? 0 : 1);
  return entries.sort((a, b) => a.at - b.at || rank(a) - rank(b) || (a.message && b.message ? a.message.index - b.message.index : 0));
}

/** `nameOf` shows the customer by name rather than by address or chat identity (a web chat guest's is a UUID). */
function Messages({ transcript, identity, nameOf, whispers = [] }: { transcript: Transcript; identity: string; nameOf: (who: string) => string; whispers?: Whisper[] }) {
  const others = transcript.participants.filter((p) => p.identity !== null && p.identity !== identity);
  if (transcript.messages.length === 0 && whispers.length === 0) return <p className="muted">No messages yet.</p>;
  return (
    <ol className="messages">
      {timeline(transcript.messages, whispers).map(({ message: m, whisper }) => {
        if (!m) return <WhisperNote key={whisper.sid} whisper={whisper} identity={identity} />;
        const mine = m.author === identity;
        return (
          <li key={m.sid} className={mine ? 'message mine' : 'message'} data-testid="message">
            <div className="message-meta">
              <span className="message-author">{mine ? 'You' : nameOf(m.author)}</span> <time dateTime={m.date_created}>{formatTime(m.date_created)}</time>
            </div>
            {m.body ? <div className="message-body" dangerouslySetInnerHTML={{ __html: renderMarkdown(m.body) }} /> : null}
            {m.media.length > 0 ? (
              <ul className="attachments">
                {m.media.map((x) => (
                  <li key={x.sid}>
                    {/^image\/(png|jpe?g|gif|webp)$/.test(x.content_type) ? (
                      <a href={x.url} target="_blank" rel="noreferrer">
                        <img src={x.url} alt={x.filename ?? 'image attachment'} className="attachment-image" />
                      </a>
                    ) : (
                      <a href={x.url} download={x.filename ?? undefined}>
                        {x.filename ?? x.sid} ({Math.ceil(x.size / 1024)} KB)
                      </a>
                    )}
                  </li>
                ))}
              </ul>
            ) : null}
            {mine ? <DeliveryStatus message={m} others={others} nameOf={nameOf} /> : null}
          </li>
        );
      })}
    </ol>
  );
}

/** Carrier receipts for SMS/WhatsApp; read horizons of chat participants otherwise. */
function DeliveryStatus({ message, others, nameOf }: { message: Message; others: Participant[]; nameOf: (who: string) => string }) {
  const d = message.delivery;
  let label: string;
  let tone: 'ok' | 'warn' | 'danger' | 'muted' = 'muted';
  if (d && d.total > 0) {
    if (d.failed !== 'none' || d.undelivered !== 'none') [label, tone] = ['Not delivered', 'danger'];
    else if (d.read === 'all') [label, tone] = ['Read', 'ok'];
    else if (d.delivered === 'all') [label, tone] = ['Delivered', 'ok'];
    else if (d.sent !== 'none') label = 'Sent';
    else label = 'Sending';
  } else {
    const seen = others.filter((p) => (p.last_read_message_index ?? -1) >= message.index);
    label = seen.length > 0 ? `Seen by ${seen.map((p) => nameOf(p.identity ?? p.address ?? '')).join(', ')}` : 'Sent';
    if (seen.length > 0) tone = 'ok';
  }
  return (
    <div className="delivery" data-testid="delivery">
      <Badge tone={tone}>{label}</Badge>
    </div>
  );
}

function Composer({ conversationSid, client, disabled, waiting }: { conversationSid: string; client: RealtimeClient; disabled: boolean; waiting: boolean }) {
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const lastTyping = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const send = useAction(async () => {
    const text = body.trim();
    if (text === '' && files.length === 0) return;
    // Uploads are checked against the conversation's channels before anything is sent.
    const media = [];
    for (const f of files) media.push(await agentApi.upload(conversationSid, f));
    const first = media.shift();
    await client.send('message.create', { conversationSid, ...(text ? { body: text } : {}), ...(first ? { mediaSid: first.sid } : {}) });
    for (const m of media) await client.send('message.create', { conversationSid, mediaSid: m.sid });
    setBody('');
    setFiles([]);
    if (fileInput.current) fileInput.current.value = '';
  });
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send.run();
    }
  };
  const onChange = (value: string) => {
    setBody(value);
    if (Date.now() - lastTyping.current > TYPING_SENT_EVERY_MS) {
      lastTyping.current = Date.now();
      client.typing(conversationSid);
    }
  };
  return (
    <form
      className="composer"
      aria-label="Reply"
      onSubmit={(e) => {
        e.preventDefault();
        void send.run();
      }}
    >
      <ErrorNotice error={send.error} title="Not sent" />
      {waiting ? <p className="muted">Joining the conversation…</p> : null}
      <label htmlFor="composer-body" className="sr-only">
        Message
      </label>
      <textarea id="composer-body" rows={3} value={body} onChange={(e) => onChange(e.target.value)} onKeyDown={onKeyDown} disabled={disabled} placeholder={disabled ? 'You cannot write in this conversation now' : 'Write a reply — Markdown works: **bold**, _italic_, `code`, lists. Enter sends, Shift+Enter starts a new line.'} aria-describedby="composer-hint" />
      <div className="toolbar">
        <label className="button secondary file-button">
          Attach files
          <input ref={fileInput} type="file" multiple disabled={disabled} className="sr-only" onChange={(e) => setFiles([...(e.target.files ?? [])])} aria-label="Attach files" />
        </label>
        {files.map((f) => (
          <span key={f.name} className="badge badge-accent">
            {f.name}
          </span>
        ))}
        <span id="composer-hint" className="muted small">
          Markdown is supported.
        </span>
        <div className="spacer" />
        <button type="submit" disabled={disabled || send.busy || (body.trim() === '' && files.length === 0)}>
          {send.busy ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}
