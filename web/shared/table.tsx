/**
 * The data table shared by the console and the supervisor view: column
 * definitions in, a `table.data` out (headers with scope="col", an sr-only
 * "Actions" column when rows have actions, numeric columns right-aligned).
 */
import type { ReactNode } from 'react';

export interface Column<T> {
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Right-aligned figures (class `num` on the header and the cells). */
  num?: boolean;
  /** The row's header cell (`th scope="row"`) rather than a `td`. */
  rowHeader?: boolean;
  /** Sets `data-col` on the cells (tests and styles find a column by it). */
  dataCol?: string;
}

export type RowProps = { className?: string } & { [data: `data-${string}`]: string | undefined };

/** The header row: one `th scope="col"` per column, then the sr-only "Actions" header when `actions`. */
export function TableHead({ columns, actions }: { columns: readonly Pick<Column<never>, 'header' | 'num'>[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) => (
          <th key={i} scope="col" className={c.num ? 'num' : undefined}>
            {c.header}
          </th>
        ))}
        {actions ? (
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        ) : null}
      </tr>
    </thead>
  );
}

export function DataTable<T>(props: {
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** The last cell of each row (Edit/Delete, Monitor…); adds the sr-only "Actions" column. */
  actions?: (row: T) => ReactNode;
  rowProps?: (row: T) => RowProps;
  caption?: ReactNode;
  /** Shown instead of the table when there are no rows. */
  empty?: ReactNode;
  /** Wrap in a horizontally scrolling `table-wrap` (default true). */
  wrap?: boolean;
}) {
  const { columns, rows, actions } = props;
  if (rows.length === 0 && props.empty !== undefined) return <>{props.empty}</>;
  const table = (
    <table className="data">
      {props.caption !== undefined ? <caption>{props.caption}</caption> : null}
      <TableHead columns={columns} actions={!!actions} />
      <tbody>
        {rows.map((row) => (
          <tr key={props.rowKey(row)} {...props.rowProps?.(row)}>
            {columns.map((c, i) => {
              const className = c.num ? 'num' : undefined;
              return c.rowHeader ? (
                <th key={i} scope="row" className={className} data-col={c.dataCol}>
                  {c.cell(row)}
                </th>
              ) : (
                <td key={i} className={className} data-col={c.dataCol}>
                  {c.cell(row)}
                </td>
              );
            })}
            {actions ? <td>{actions(row)}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
  return props.wrap === false ? table : <div className="table-wrap">{table}</div>;
}

/**
 * A row's Edit and Delete buttons, named for the row ("Edit queue Support").
 * Delete asks `confirm` first. Both together sit in a toolbar.
 */
export function RowActions({ edit, remove }: { edit?: { label: string; onClick: () => void }; remove?: { label: string; confirm: string; onConfirm: () => void } }) {
  const editButton = edit ? (
    <button type="button" className="secondary" aria-label={edit.label} onClick={edit.onClick}>
      Edit
    </button>
  ) : null;
  const deleteButton = remove ? (
    <button
      type="button"
      className="danger"
      aria-label={remove.label}
      onClick={() => {
        if (confirm(remove.confirm)) remove.onConfirm();
      }}
    >
      Delete
    </button>
  ) : null;
  if (!editButton || !deleteButton) return editButton ?? deleteButton;
  return (
    <div className="toolbar">
      {editButton}
      {deleteButton}
    </div>
  );
}

/** A name with its SID underneath, muted (the first cell of a console row). */
export function NameAndSid({ name, sid }: { name: ReactNode; sid: string }) {
  return (
    <>
      {name}
      <div className="muted">
        <code>{sid}</code>
      </div>
    </>
  );
}
