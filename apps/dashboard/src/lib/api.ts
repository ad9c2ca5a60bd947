import { session } from './session';

/** A refused call, with the api's message and, for validation errors, the fields it named. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Array<{ field: string; message: string }> = [],
  ) {
    super(message);
  }
}

export interface Pagination {
  per_page: number;
  has_next_page: boolean;
  has_prev_page: boolean;
  next_page_cursor: string;
  prev_page_cursor: string;
}

export interface Paged<T> {
  content: T[];
  pagination: Pagination;
}

type Query = Record<string, string | number | string[] | undefined | null>;

export function toSearch(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** One call to the api with the signed-in credential; resolves to the envelope's `data`. */
export async function call<T>(
  method: string,
  path: string,
  options: { query?: Query; body?: unknown; portal?: boolean } = {},
): Promise<T> {
  const credential = options.portal ? session.portalToken() : session.key();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (credential) headers['authorization'] = `Bearer ${credential}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${path}${toSearch(options.query)}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let parsed: { message?: string; data?: T; errors?: Array<{ field: string; message: string }> } = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { message: text.slice(0, 200) };
  }
  if (!response.ok) {
    throw new ApiError(response.status, parsed.message ?? response.statusText, parsed.errors ?? []);
  }
  return parsed.data as T;
}

export const projectPath = (projectId: string, rest = '') => `/api/v1/projects/${projectId}${rest}`;
