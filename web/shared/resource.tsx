/**
 * The skeleton of a console section that lists a resource: a toolbar with a
 * "New …" button, the saved message and errors, an inline create/edit form
 * (remounted per row), then the table. Each section brings its own columns,
 * form fields and API calls.
 */
import { Fragment, useState, type FormEvent, type ReactNode } from 'react';
import { ErrorNotice, Loading, Notice, type Async } from './ui';
import { DataTable, type Column } from './table';

export interface Editor<T> {
  /** The row being edited, 'new' while creating, undefined when no form is open. */
  editing: T | 'new' | undefined;
  saved: string;
  /** Opens the form (clearing the last saved message). */
  open(target: T | 'new'): void;
  /** The form's onDone: closes it; with a message, shows it and reloads the list. */
  done(message?: string): void;
  /** After a change made outside the form (delete, an inline select): show the message and reload. */
  changed(message: string): void;
  clearSaved(): void;
}

export function useEditor<T>(reload: () => void): Editor<T> {
  const [editing, setEditing] = useState<T | 'new' | undefined>();
  const [saved, setSaved] = useState('');
  return {
    editing,
    saved,
    open: (target) => {
      setSaved('');
      setEditing(target);
    },
    done: (message) => {
      setEditing(undefined);
      if (message) {
        setSaved(message);
        reload();
      }
    },
    changed: (message) => {
      setSaved(message);
      reload();
    },
    clearSaved: () => setSaved(''),
  };
}

export function ResourceSection<T extends { sid: string }>(props: {
  /** The section's accessible name. */
  label: string;
  intro: ReactNode;
  /** The toolbar button's text ("New queue"). */
  newLabel: string;
  list: Async<T[]>;
  editor: Editor<T>;
  /** Errors besides the list's own (a failed delete…). */
  error?: unknown;
  /** The form, given the row to edit (undefined: a new one); remounted per row. */
  form: (existing: T | undefined) => ReactNode;
  columns: readonly Column<T>[];
  actions?: (row: T) => ReactNode;
  empty?: ReactNode;
}) {
  const { list, editor } = props;
  const editing = editor.editing;
  return (
    <section className="stack" aria-label={props.label}>
      <p className="muted">{props.intro}</p>
      <div className="toolbar">
        <button type="button" onClick={() => editor.open('new')}>
          {props.newLabel}
        </button>
      </div>
      <Notice>{editor.saved}</Notice>
      <ErrorNotice error={list.error ?? props.error} />
      {editing ? <Fragment key={editing === 'new' ? 'new' : editing.sid}>{props.form(editing === 'new' ? undefined : editing)}</Fragment> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data ? <DataTable columns={props.columns} rows={list.data} rowKey={(r) => r.sid} actions={props.actions} empty={props.empty} /> : null}
    </section>
  );
}

/** The inline create/edit form: a card with a heading, the fields, the save error, then Submit and Cancel. */
export function EditorForm(props: {
  label: string;
  title?: string;
  submitLabel: string;
  busy: boolean;
  disabled?: boolean;
  error: unknown;
  onSubmit: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSubmit();
  };
  return (
    <form className="card stack" onSubmit={submit} aria-label={props.label}>
      <h3 style={{ margin: 0 }}>{props.title ?? props.label}</h3>
      {props.children}
      <ErrorNotice error={props.error} />
      <div className="toolbar">
        <button type="submit" disabled={props.busy || !!props.disabled}>
          {props.submitLabel}
        </button>
        <button type="button" className="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** A one-field create form in a toolbar ("New worker name" + "Create worker"). */
export function QuickCreate(props: { id: string; label: string; value: string; onChange: (value: string) => void; submitLabel: string; busy: boolean; onSubmit: () => void }) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSubmit();
  };
  return (
    <form className="toolbar" onSubmit={submit}>
      <label className="sr-only" htmlFor={props.id}>
        {props.label}
      </label>
      <input id={props.id} required placeholder={props.label} value={props.value} onChange={(e) => props.onChange(e.target.value)} />
      <button type="submit" disabled={props.busy}>
        {props.submitLabel}
      </button>
    </form>
  );
}
