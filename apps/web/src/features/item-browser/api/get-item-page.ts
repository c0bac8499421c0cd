import { ItemBrowserPage } from '@bagel/contracts';
import { type QueryClient, queryOptions } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { apiParams, type BrowserFilters, filtersKey } from '../lib/browser-filters';

/** Rows per request: the list asks for the pages its visible rows fall in. */
export const PAGE_SIZE = 100;

export const itemPagesKey = (projectId: number) => ['projects', projectId, 'items'] as const;

const pageKey = (projectId: number, filters: BrowserFilters, page: number) => [...itemPagesKey(projectId), filtersKey(filters), page] as const;

/**
 * Page `page` (0-based) of the project's items under the filters; filtered and sorted by the server. The first page
 * comes with the number of matches. A page whose previous page is at hand is asked for after that page's cursor (the
 * server reads it from an index, however deep: scrolling); any other by its offset (a jump, which costs the server
 * what it skips).
 */
export function getItemPage(projectId: number, filters: BrowserFilters, page: number, previous: ItemBrowserPage | undefined, signal?: AbortSignal): Promise<ItemBrowserPage> {
  const params = new URLSearchParams({ ...apiParams(filters), limit: String(PAGE_SIZE) });
  if (page > 0 && previous?.next) params.set('after', previous.next);
  else params.set('offset', String(page * PAGE_SIZE));
  return apiJson(`/api/projects/${projectId}/items?${params}`, ItemBrowserPage, { signal });
}

/**
 * One query per page and filters. Items move as experts judge, so a page is fetched again when it comes back into
 * view after half a minute; within that, scrolling back and forth reads the cache. With the query client, a page
 * reads the cursor of the page before it from the cache.
 */
export const itemPageQueryOptions = (projectId: number, filters: BrowserFilters, page: number, queryClient?: QueryClient) =>
  queryOptions({
    queryKey: pageKey(projectId, filters, page),
    queryFn: async ({ signal }): Promise<ItemBrowserPage> => {
      const previousKey = pageKey(projectId, filters, page - 1);
      let previous = page > 0 ? queryClient?.getQueryData<ItemBrowserPage>(previousKey) : undefined;
      // The page before on its way (a scrolled list shows the end of one page and the start of the next): its cursor
      // is worth the wait, not a read by offset of everything before.
      if (page > 0 && previous === undefined && queryClient && queryClient.isFetching({ queryKey: previousKey, exact: true }) > 0) {
        previous = await queryClient.ensureQueryData(itemPageQueryOptions(projectId, filters, page - 1, queryClient)).catch(() => undefined);
      }
      return getItemPage(projectId, filters, page, previous, signal);
    },
    staleTime: 30_000,
  });


/**
 * The exact number of matches, asked for on its own when the first page came uncounted (a broad filter of a large
 * project: the count reads every item, the first page only a few).
 */
export const itemCountQueryOptions = (projectId: number, filters: BrowserFilters) =>
  queryOptions({
    queryKey: [...itemPagesKey(projectId), filtersKey(filters), 'count'] as const,
    queryFn: async ({ signal }) => {
      const params = new URLSearchParams({ ...apiParams(filters), limit: '1', count: 'exact' });
      return (await apiJson(`/api/projects/${projectId}/items?${params}`, ItemBrowserPage, { signal })).total!;
    },
    staleTime: 30_000,
  });
