import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { RealtimeClient, RealtimeEvent } from '../shared/realtime';
import { ErrorNotice, Loading, useAction } from '../shared/ui';
import { mediaUrl, monitor, sendWhisper, type MonitoredMessage, type MonitoredParticipant, type Whisper } from './api';
import { renderMarkdown } from '../shared/markdown';

interface Live {
  conversation: { sid: string; friendly_name: string | null; state: string } | undefined;
  messages: Map<string, MonitoredMessage>;
  removed: Set<string>;
  whispers: Map<string, Whisper>;
  participants: Map<string, MonitoredParticipant>;
}

const empty = (): Live => ({ conversation: undefined, messages: new Map(), removed: new Set(), whispers: new Map(), participants: new Map() });

function parseMedia(v: unknown): MonitoredMessage['media'] {
  if (typeof v !== 'string') return null;
  try {
    const list = JSON.parse(v) as Array<{ Sid: string; Filename: string | null; ContentType: string; Size: number }>;
    return list.map((m) => ({ sid: m.Sid, filename: m.Filename, content_type: m.ContentType, size: m.Size }));
  } catch {
    return null;
  }
}

/** One event of conversation:<CH> applied to what the panel shows (upserts by SID, so replays and the snapshot merge). */
function apply(live: Live, e: RealtimeEvent): Live {
  const d = e.data;
  const s = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  switch (e.type) {
    case 'conversations.onMessageAdded':
    case 'conversations.onMessageUpdated': {
      const sid = s('MessageSid');
      if (!sid || live.removed.has(sid)) return live;
      const before = live.messages.get(sid);
      const m: MonitoredMessage = {
        sid,
        index: Number(s('Index') ?? before?.index ?? 0),
        author: s('Author') ?? before?.author ?? '',
        participant_sid: s('ParticipantSid') ?? before?.participant_sid ?? null,
        body: s('Body') ?? before?.body ?? null,
        media: parseMedia(d.Media) ?? before?.media ?? null,
        date_created: s('DateCreated') ?? before?.date_created ?? e.date,
      };
      return { ...live, messages: new Map(live.messages).set(sid, m) };
    }
    case 'conversations.onMessageRemoved': {
      const sid = s('MessageSid');
      if (!sid) return live;
      const messages = new Map(live.messages);
      messages.delete(sid);
      return { ...live, messages, removed: new Set(live.removed).add(sid) };
    }
    case 'conversations.onParticipantAdded':
    case 'conversations.onParticipantUpdated': {
      const sid = s('ParticipantSid');
      if (!sid) return live;
      const p: MonitoredParticipant = { sid, identity: s('Identity') ?? null, channel: (s('MessagingBinding.Type') ?? 'CHAT').toLowerCase(), address: s('MessagingBinding.Address') ?? null };
      return { ...live, participants: new Map(live.participants).set(sid, p) };
    }
    case 'conversations.onParticipantRemoved': {
      const sid = s('ParticipantSid');
      if (!sid) return live;
      const participants = new Map(live.participants);
      participants.delete(sid);
      return { ...live, participants };
    }
    case 'conversations.onConversationStateUpdated':
      return live.conversation ? { ...live, conversation: { ...live.conversation, state: s('StateTo') ?? live.conversation.state } } : live;
    case 'supervision.whisper': {
      const sid = s('WhisperSid');
      if (!sid) return live;
      const w: Whisper = { sid, conversation_sid: s('ConversationSid') ?? '', author: s('Author') ?? '', author_role: s('AuthorRole') ?? '', body: s('Body') ?? '', date_created: s('DateCreated') ?? e.date };
      return { ...live, whispers: new Map(live.whispers).set(sid, w) };
    }
    default:
      return live;
  }
}

type Entry = { kind: 'message'; at: number; m: MonitoredMessage } | { kind: 'whisper'; at: number; w: Whisper };

function timeline(live: Live): Entry[] {
  const entries: Entry[] = [
    ...[...live.messages.values()].map((m): Entry => ({ kind: 'message', at: Date.parse(m.date_created), m })),
    ...[...live.whispers.values()].map((w): Entry => ({ kind: 'whisper', at: Date.parse(w.date_created), w })),
  ];
  return entries.sort((a, b) => a.at - b.at || (a.kind === 'message' && b.kind === 'message' ? a.m.index - b.m.index : 0));
}

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/**
 * Silent monitoring: the conversation as it happens, from the supervisor's
 * subscription to its stream — the supervisor joins nothing, so the customer
 * never sees them — and whispers, which only agents and supervisors see.
 */
export function MonitorPanel({ client, conversationSid, onClose }: { client: RealtimeClient; conversationSid: string; onClose: () => void }) {
  const [live, setLive] = useState<Live>(empty);
  const [error, setError] = useState<unknown>();
  const [loaded, setLoaded] = useState(false);
  const [text, setText] = useState('');
  const logRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    let stopped = false;
    setLive(empty());
    setLoaded(false);
    const load = () =>
      monitor(conversationSid).then(
        (snap) => {
          if (stopped) return;
          setLive((cur) => ({
            conversation: snap.conversation,
            // Whatever the stream already brought is newer than or equal to the snapshot: it wins.
            messages: new Map([...snap.messages.filter((m) => !cur.removed.has(m.sid)).map((m) => [m.sid, m] as const), ...cur.messages]),
            removed: cur.removed,
            whispers: new Map([...snap.whispers.map((w) => [w.sid, w] as const), ...cur.whispers]),
            participants: new Map(snap.participants.map((p) => [p.sid, p] as const)),
          }));
          setLoaded(true);
          setError(undefined);
        },
        (err: unknown) => !stopped && setError(err),
      );
    // Subscribed before the snapshot is read, so nothing said in between is missed.
    const unsubscribe = client.subscribe(`conversation:${conversationSid}`, {
      event: (e) => setLive((cur) => apply(cur, e)),
      resync: () => void load(),
      ended: (reason) => setError(new Error(`Monitoring ended (${reason})`)),
    });
    void load();
    return () => {
      stopped = true;
      unsubscribe();
    };
  }, [client, conversationSid]);

  const entries = timeline(live);
  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [entries.length]);

  const whisper = useAction(async (body: string) => {
    const w = await sendWhisper(conversationSid, body);
    setLive((cur) => ({ ...cur, whispers: new Map(cur.whispers).set(w.sid, w) }));
    setText('');
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) void whisper.run(text);
  };

  const title = live.conversation?.friendly_name ?? conversationSid;
  return (
    <section className="card stack monitor" aria-label={`Monitoring ${title}`}>
      <div className="toolbar">
        <h2 className="section-title" style={{ margin: 0 }}>
          Monitoring: {title}
        </h2>
        <span className="spacer" />
        <button type="button" className="secondary" onClick={onClose}>
          Stop monitoring
        </button>
      </div>
      <p className="muted" style={{ margin: 0 }}>
        You are watching silently: the customer cannot see you. {live.conversation ? `State: ${live.conversation.state}.` : ''}
      </p>
      {live.participants.size > 0 ? (
        <ul className="chips" aria-label="Participants">
          {[...live.participants.values()].map((p) => (
            <li key={p.sid} className="chip">
              {p.identity ?? p.address} <span className="muted">({p.channel})</span>
            </li>
          ))}
        </ul>
      ) : null}
      <ErrorNotice error={error} />
      {!loaded && !error ? <Loading /> : null}
      <ol className="timeline" ref={logRef} aria-label="Conversation" aria-live="polite" tabIndex={0}>
        {entries.map((e) =>
          e.kind === 'message' ? (
            <li key={e.m.sid} className="msg">
              <div className="msg-meta">
                <strong>{e.m.author}</strong> <span className="muted">{time(e.m.date_created)}</span>
              </div>
              {/* Sanitized Markdown, as the agent sees it (web/shared/markdown.ts). */}
              {e.m.body ? <div className="msg-body" dangerouslySetInnerHTML={{ __html: renderMarkdown(e.m.body) }} /> : null}
              {e.m.media?.map((m) =>
                m.content_type.startsWith('image/') ? (
                  <img key={m.sid} className="msg-image" src={mediaUrl(conversationSid, m.sid)} alt={m.filename ?? 'Image attachment'} />
                ) : (
                  <a key={m.sid} href={mediaUrl(conversationSid, m.sid)} download={m.filename ?? undefined}>
                    {m.filename ?? m.sid} ({m.content_type})
                  </a>
                ),
              )}
            </li>
          ) : (
            <li key={e.w.sid} className="msg whisper">
              <div className="msg-meta">
                <strong>{e.w.author}</strong> <span className="whisper-tag">whisper · {e.w.author_role}</span> <span className="muted">{time(e.w.date_created)}</span>
              </div>
              <div className="msg-body">{e.w.body}</div>
            </li>
          ),
        )}
        {loaded && entries.length === 0 ? <li className="muted">No messages yet.</li> : null}
      </ol>
      <form className="stack" onSubmit={submit}>
        <label htmlFor="whisper-text" className="field-label">
          Whisper to the agent
        </label>
        <textarea
          id="whisper-text"
          rows={2}
          value={text}
          aria-describedby="whisper-hint"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              if (text.trim()) void whisper.run(text);
            }
          }}
        />
        <span id="whisper-hint" className="field-hint">
          Only agents and supervisors see whispers; the customer never does. Enter sends, Shift+Enter adds a line.
        </span>
        <ErrorNotice error={whisper.error} />
        <div className="toolbar">
          <button type="submit" disabled={whisper.busy || !text.trim()}>
            Send whisper
          </button>
        </div>
      </form>
    </section>
  );
}
