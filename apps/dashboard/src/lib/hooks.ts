import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call, type Paged, projectPath } from './api';
import { FIRST_PAGE, type PageCursor, pageQuery } from './paging';

/** How often live lists refresh (an operator watching a retry sees it settle). */
export const LIVE_MS = 2_000;

/** A paged list of a project's resource, with its own page cursor; filters reset the page. */
export function usePagedList<T>(
  projectId: string,
  resource: string,
  filters: Record<string, string | string[] | undefined> = {},
  options: { live?: boolean; portal?: boolean } = {},
) {
  const [page, setPage] = useState<PageCursor>(FIRST_PAGE);
  const [appliedFilters, setAppliedFilters] = useState(filters);
  if (JSON.stringify(appliedFilters) !== JSON.stringify(filters)) {
    setAppliedFilters(filters);
    setPage(FIRST_PAGE);
  }
  const path = options.portal ? `/api/v1/portal/${resource}` : projectPath(projectId, `/${resource}`);
  const query = useQuery({
    queryKey: [projectId, resource, filters, page],
    queryFn: () => call<Paged<T>>('GET', path, { query: { ...filters, ...pageQuery(page) }, portal: options.portal }),
    refetchInterval: options.live ? LIVE_MS : false,
    placeholderData: (previous) => previous,
  });
  return { query, page, setPage };
}

/** A change through the api that refreshes everything of the project afterwards. */
export function useChange<I, O = unknown>(projectId: string, run: (input: I) => Promise<O>) {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: () => queries.invalidateQueries({ queryKey: [projectId] }),
  });
}
