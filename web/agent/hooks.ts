import { useEffect, useRef, useState } from 'react';

/** The current time, ticking every `ms` (countdowns, ages). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** A stable function that runs `fn` once, `ms` after the last of a burst of calls. */
export function useDebounced(fn: () => unknown, ms: number): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const debounced = useRef(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void latest.current(), ms);
  });
  useEffect(() => () => clearTimeout(timer.current), []);
  return debounced.current;
}

/**
 * Subscriptions the gateway refused, by stream. A conversation's stream is
 * refused until the orchestrator has added the agent to it (a moment after the
 * accept), so its owner retries when told.
 */
export class StreamRetries {
  private readonly handlers = new Map<string, () => void>();

  register(stream: string, retry: () => void): () => void {
    this.handlers.set(stream, retry);
    return () => {
      if (this.handlers.get(stream) === retry) this.handlers.delete(stream);
    };
  }

  failed(stream: string): void {
    this.handlers.get(stream)?.();
  }
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

export function channelLabel(type: string | null | undefined): string {
  switch (type) {
    case 'sms':
      return 'SMS';
    case 'whatsapp':
      return 'WhatsApp';
    case 'web':
    case 'chat':
      return 'Web chat';
    case 'email':
      return 'Email';
    case 'messenger':
      return 'Messenger';
    default:
      return type ?? 'Conversation';
  }
}
