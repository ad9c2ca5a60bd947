import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { ApiError, type Pagination } from '../lib/api';
import { STATUS_COLOURS } from '../lib/delivery-actions';
import { nextPage, type PageCursor, previousPage } from '../lib/paging';
import { formatTime } from '../lib/time';

export function Time({ value }: { value: string | null | undefined }) {
  const { local, utc } = formatTime(value);
  return (
    <time dateTime={value ?? undefined} title={utc}>
      {local}
    </time>
  );
}

export function Status({ value }: { value: string }) {
  return (
    <span className="status" style={{ borderColor: STATUS_COLOURS[value] ?? '#888' }} data-status={value}>
      <span className="dot" style={{ background: STATUS_COLOURS[value] ?? '#888' }} aria-hidden="true" />
      {value}
    </span>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** An error from the api: 401 and 403 get their own explanation and a way back to sign in. */
export function ErrorState({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.status === 401) {
    return (
      <div className="error-page" role="alert">
        <h2>Not signed in (401)</h2>
        <p>The key or link was refused: it is wrong, expired or revoked.</p>
        <Link to="/login">Sign in again</Link>
      </div>
    );
  }
  if (error instanceof ApiError && error.status === 403) {
    return (
      <div className="error-page" role="alert">
        <h2>Not allowed (403)</h2>
        <p>{error.message}. A project key reaches only its own project; the admin key reaches all.</p>
        <Link to="/login">Sign in with another key</Link>
      </div>
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="error" role="alert">
      <strong>Something went wrong:</strong> {message}
      {error instanceof ApiError && error.fields.length > 0 && (
        <ul>
          {error.fields.map((field) => (
            <li key={field.field + field.message}>{field.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Renders the loading, error and empty states of a query, or its content. */
export function QueryState<T>({
  query,
  empty,
  isEmpty,
  children,
}: {
  query: { isPending: boolean; error: unknown; data: T | undefined };
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.error) return <ErrorState error={query.error} />;
  const data = query.data as T;
  if (empty && isEmpty?.(data)) return <Empty>{empty}</Empty>;
  return <>{children(data)}</>;
}

export function Pager({ pagination, onPage }: { pagination?: Pagination; onPage: (page: PageCursor) => void }) {
  const previous = previousPage(pagination);
  const next = nextPage(pagination);
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={!previous} onClick={() => previous && onPage(previous)}>
        ← Previous
      </button>
      <button type="button" disabled={!next} onClick={() => next && onPage(next)}>
        Next →
      </button>
    </nav>
  );
}

export function Json({ value, label }: { value: unknown; label: string }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (
    <pre className="json" aria-label={label} tabIndex={0}>
      {text}
    </pre>
  );
}

export function Copy({ text, label }: { text: string; label: string }) {
  return (
    <button
      type="button"
      className="small"
      onClick={() => void navigator.clipboard?.writeText(text)}
      aria-label={label}
    >
      Copy
    </button>
  );
}

/** A small action button of a table row; with `confirm`, it asks first (deletes, revokes). */
export function RowButton({
  children,
  onClick,
  confirm,
}: {
  children: ReactNode;
  onClick: () => void;
  confirm?: string;
}) {
  return (
    <button
      type="button"
      className={confirm ? 'small danger' : 'small'}
      onClick={() => (!confirm || window.confirm(confirm)) && onClick()}
    >
      {children}
    </button>
  );
}
