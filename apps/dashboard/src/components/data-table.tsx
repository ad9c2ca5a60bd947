import type { ReactNode } from 'react';
import type { Paged } from '../lib/api';
import type { PageCursor } from '../lib/paging';
import { Pager, QueryState } from './ui';

/** One column: its header (`srOnly` hides it visually, for action columns) and how a row fills it. */
export interface Column<T> {
  header: string;
  srOnly?: boolean;
  cell: (row: T) => ReactNode;
  className?: string;
}

/** A list as the api answers it: a plain array, or a Convoy page with its cursors. */
type Rows<T> = T[] | Paged<T>;

const rowsOf = <T,>(data: Rows<T>): T[] => (Array.isArray(data) ? data : data.content);

/**
 * Every table of the dashboard and the portal: the query's loading, error and empty states,
 * the rows, and the pager when the answer is a page. `select` keeps some rows (client-side).
 */
export function DataTable<T>({
  query,
  columns,
  rowKey,
  empty,
  onPage,
  select,
  rowAttributes,
  label,
}: {
  query: { isPending: boolean; error: unknown; data: Rows<T> | undefined };
  columns: Array<Column<T> | false>;
  rowKey: (row: T) => string;
  empty: ReactNode;
  onPage?: (page: PageCursor) => void;
  select?: (rows: T[]) => T[];
  /** data-* attributes of a row (tests and styles find rows by id). */
  rowAttributes?: (row: T) => Record<`data-${string}`, string>;
  label?: string;
}) {
  const shown = columns.filter((column): column is Column<T> => Boolean(column));
  const pick = (data: Rows<T>) => (select ? select(rowsOf(data)) : rowsOf(data));
  return (
    <QueryState query={query} isEmpty={(data) => pick(data).length === 0} empty={empty}>
      {(data) => (
        <>
          <div className="table-scroll">
            <table aria-label={label}>
              <thead>
                <tr>
                  {shown.map((column) => (
                    <th scope="col" key={column.header}>
                      {column.srOnly ? <span className="sr-only">{column.header}</span> : column.header}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {pick(data).map((row) => (
                  <tr key={rowKey(row)} {...rowAttributes?.(row)}>
                    {shown.map((column) => (
                      <td key={column.header} className={column.className}>
                        {column.cell(row)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {onPage && !Array.isArray(data) && <Pager pagination={data.pagination} onPage={onPage} />}
        </>
      )}
    </QueryState>
  );
}
