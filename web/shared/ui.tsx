/**
 * Small building blocks shared by the console and the supervisor view: labelled
 * fields, the error notice (Twilio code + message), loading state, badges.
 * Styles in layout.css; colours from theme.css.
 */
import { cloneElement, useCallback, useEffect, useId, useRef, useState, type ReactElement, type ReactNode } from 'react';
import { ApiError, detailErrors } from './http';

/**
 * A labelled control. The label points at the control by id (so its accessible
 * name is the label alone, not the label plus a select's current option), and a
 * hint is tied to it with aria-describedby.
 */
export function Field(props: { label: string; hint?: string; children: ReactElement<{ id?: string; 'aria-describedby'?: string }>; wide?: boolean }) {
  const auto = useId();
  const child = props.children;
  const id = child.props.id ?? auto;
  const hintId = props.hint ? `${id}-hint` : undefined;
  const describedBy = [child.props['aria-describedby'], hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={props.wide ? 'field field-wide' : 'field'}>
      <label className="field-label" htmlFor={id}>
        {props.label}
      </label>
      {cloneElement(child, { id, 'aria-describedby': describedBy })}
      {props.hint ? (
        <span className="field-hint" id={hintId}>
          {props.hint}
        </span>
      ) : null}
    </div>
  );
}

/** An API failure as the API said it: Twilio code, message, a link to the code's page, and any listed problems. */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  if (error === undefined || error === null) return null;
  const api = error instanceof ApiError ? error : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const problems = api ? detailErrors(api.details) : [];
  return (
    <div className="notice notice-error" role="alert">
      <strong>{title ?? 'Error'}{api?.code !== undefined ? ` ${api.code}` : ''}:</strong> <span className="notice-message">{message}</span>
      {api?.moreInfo ? (
        <>
          {' '}
          <a href={api.moreInfo} target="_blank" rel="noreferrer">
            About {api.code}
          </a>
        </>
      ) : null}
      {problems.length > 0 ? (
        <ul className="problems">
          {problems.map((p, i) => (
            <li key={i}>
              {p.property_path ? <code>{p.property_path}</code> : null} {p.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** A polite confirmation ("Saved") read out by screen readers. */
export function Notice({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <div className="notice notice-ok" role="status">
      {children}
    </div>
  );
}

export function Badge({ tone, children }: { tone?: 'ok' | 'warn' | 'danger' | 'muted' | 'accent'; children: ReactNode }) {
  return <span className={`badge badge-${tone ?? 'muted'}`}>{children}</span>;
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      {label}
    </p>
  );
}

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** Loads on mount and when `deps` change; `reload()` loads again. Stale answers are dropped. */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const n = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => n === latest.current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => n === latest.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Runs an action, remembering its error and whether it is in flight (for a form's submit button). */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>): { run: (...args: A) => Promise<R | undefined>; busy: boolean; error: unknown; clear(): void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (...args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      return await action(...args);
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, clear: () => setError(undefined) };
}

/** Seconds as "1:05" / "1:02:03" (waiting times). */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`;
}

/** Pretty JSON for an editor, tolerating strings that hold JSON. */
export function prettyJson(value: unknown): string {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value ?? {}, null, 2);
}

/** A JSON text's parse error, located (line:column) when the engine says where. */
export function jsonProblem(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(msg);
    if (!at) return msg;
    const pos = Number(at[1]);
    const before = text.slice(0, pos).split('\n');
    return `${msg} (line ${before.length}, column ${(before[before.length - 1]?.length ?? 0) + 1})`;
  }
}

/** A JSON editor's parse error under it (nothing while the text parses). */
export function JsonProblem({ problem, id }: { problem: string | undefined; id?: string }) {
  if (!problem) return null;
  return (
    <p id={id} className="notice notice-error" role="alert">
      Not valid JSON: {problem}
    </p>
  );
}

/** A select's options for resources, by SID, named by friendly name. */
export function SidOptions({ items }: { items: readonly { sid: string; friendly_name: string }[] }) {
  return (
    <>
      {items.map((i) => (
        <option key={i.sid} value={i.sid}>
          {i.friendly_name}
        </option>
      ))}
    </>
  );
}
