import { ItemBrowserPage } from '@bagel/contracts';
import { queryOptions } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { apiParams, type BrowserFilters, filtersKey } from '../lib/browser-filters';

/** Rows per request: the list asks for the pages its visible rows fall in. */
export const PAGE_SIZE = 100;

export const itemPagesKey = (projectId: number) => ['projects', projectId, 'items'] as const;

/** Page `page` (0-based) of the project's items under the filters, with the number of matches; filtered and sorted by the server. */
export function getItemPage(projectId: number, filters: BrowserFilters, page: number, signal?: AbortSignal): Promise<ItemBrowserPage> {
  const params = new URLSearchParams({ ...apiParams(filters), offset: String(page * PAGE_SIZE), limit: String(PAGE_SIZE) });
  return apiJson(`/api/projects/${projectId}/items?${params}`, ItemBrowserPage, { signal });
}

/**
 * One query per page and filters. Items move as experts judge, so a page is fetched again when it comes back into
 * view after half a minute; within that, scrolling back and forth reads the cache.
 */
export const itemPageQueryOptions = (projectId: number, filters: BrowserFilters, page: number) =>
  queryOptions({
    queryKey: [...itemPagesKey(projectId), filtersKey(filters), page] as const,
    queryFn: ({ signal }) => getItemPage(projectId, filters, page, signal),
    staleTime: 30_000,
  });
