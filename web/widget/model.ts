import type { RealtimeEvent } from '../shared/realtime';
import type { ChatMessage, ChatParticipant, MediaRef, Snapshot } from './api';

/** A message the customer sent that the server has not shown back yet. */
export interface PendingMessage {
  clientId: string;
  body: string;
  media?: MediaRef;
  /** Set once acknowledged: the real message replaces it when its event arrives. */
  sid?: string;
  failed?: string;
}

/**
 * The chat as the widget knows it: messages by index (so a replayed or
 * doubly-delivered event changes nothing), participants with their read
 * horizons, and the customer's unsent messages. No DOM here.
 */
export class ChatModel {
  state = 'active';
  readonly messages = new Map<number, ChatMessage>();
  readonly participants = new Map<string, ChatParticipant>();
  pending: PendingMessage[] = [];

  constructor(readonly identity: string) {}

  load(s: Snapshot): void {
    this.state = s.state;
    this.messages.clear();
    for (const m of s.messages) this.messages.set(m.index, m);
    this.participants.clear();
    for (const p of s.participants) this.participants.set(p.sid, p);
    this.settlePending();
  }

  /** Applies one conversation event; returns what it changed, if anything. */
  apply(e: RealtimeEvent): 'messages' | 'participants' | 'state' | undefined {
    const d = e.data;
    const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : d[k] === undefined || d[k] === null ? undefined : String(d[k]));
    switch (str('EventType')) {
      case 'onMessageAdded':
      case 'onMessageUpdated': {
        const index = Number(str('Index'));
        if (!Number.isInteger(index)) return undefined;
        this.messages.set(index, { index, sid: str('MessageSid') ?? '', author: str('Author') ?? 'system', body: str('Body') ?? null, media: parseMedia(str('Media')), dateCreated: str('DateCreated') ?? new Date().toISOString() });
        this.settlePending();
        return 'messages';
      }
      case 'onMessageRemoved':
        this.messages.delete(Number(str('Index')));
        return 'messages';
      case 'onParticipantAdded':
      case 'onParticipantUpdated': {
        const sid = str('ParticipantSid');
        if (!sid) return undefined;
        const before = this.participants.get(sid);
        const read = str('LastReadMessageIndex');
        this.participants.set(sid, {
          sid,
          identity: str('Identity') ?? before?.identity ?? null,
          friendlyName: before?.friendlyName ?? nameFrom(str('Attributes')),
          lastReadMessageIndex: read === undefined || read === '' ? (before?.lastReadMessageIndex ?? null) : Number(read),
          self: (str('Identity') ?? before?.identity) === this.identity,
        });
        return 'participants';
      }
      case 'onParticipantRemoved':
        this.participants.delete(str('ParticipantSid') ?? '');
        return 'participants';
      case 'onConversationStateUpdated':
        this.state = str('StateTo') ?? this.state;
        return 'state';
      case 'onConversationRemoved':
        this.state = 'closed';
        return 'state';
    }
    return undefined;
  }

  sorted(): ChatMessage[] {
    return [...this.messages.values()].sort((a, b) => a.index - b.index);
  }

  /** Anyone in the chat but the customer: the agents (and bots) answering. */
  others(): ChatParticipant[] {
    return [...this.participants.values()].filter((p) => !p.self && p.identity !== this.identity);
  }

  nameOf(identity: string): string {
    if (identity === this.identity) return 'You';
    const p = [...this.participants.values()].find((x) => x.identity === identity);
    return p?.friendlyName || 'Agent';
  }

  /** How far the agents have read: the furthest horizon among them. */
  agentsRead(): number | null {
    let best: number | null = null;
    for (const p of this.others()) if (p.lastReadMessageIndex !== null && (best === null || p.lastReadMessageIndex > best)) best = p.lastReadMessageIndex;
    return best;
  }

  ownRead(): number | null {
    return [...this.participants.values()].find((p) => p.identity === this.identity)?.lastReadMessageIndex ?? null;
  }

  lastIndex(): number | null {
    let last: number | null = null;
    for (const i of this.messages.keys()) if (last === null || i > last) last = i;
    return last;
  }

  private settlePending(): void {
    const sids = new Set([...this.messages.values()].map((m) => m.sid));
    this.pending = this.pending.filter((p) => !(p.sid && sids.has(p.sid)));
  }

  acknowledged(clientId: string, sid: string): void {
    const p = this.pending.find((x) => x.clientId === clientId);
    if (p) p.sid = sid;
    this.settlePending();
  }
}

function parseMedia(json: string | undefined): MediaRef[] {
  if (!json) return [];
  try {
    const list = JSON.parse(json) as Array<{ Sid: string; ContentType: string; Filename: string | null; Size: number }>;
    return list.map((m) => ({ sid: m.Sid, contentType: m.ContentType, filename: m.Filename, size: Number(m.Size) }));
  } catch {
    return [];
  }
}

function nameFrom(attributes: string | undefined): string | null {
  try {
    const a = JSON.parse(attributes ?? '{}') as Record<string, unknown>;
    for (const k of ['friendlyName', 'friendly_name', 'full_name', 'name']) if (typeof a[k] === 'string' && a[k]) return a[k] as string;
  } catch {
    /* no name */
  }
  return null;
}
