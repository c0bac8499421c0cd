import {
  DEFAULT_SORT_ORDER,
  type DisputeKind,
  type FinalSeverity,
  ItemBrowserQuery,
  type ItemBrowserSort,
  type ItemStatus,
  type SortOrder,
} from '@bagel/contracts';

/** What the item browser shows: the filters (absent: any) and the sort. Kept in the address bar, so a view can be shared. */
export interface BrowserFilters {
  status?: ItemStatus;
  /** A class key. */
  class?: string;
  disputeKind?: DisputeKind;
  /** A model name. */
  wrongModel?: string;
  severity?: FinalSeverity;
  category?: string;
  /** A username. */
  expert?: string;
  sort: ItemBrowserSort;
  order: SortOrder;
}

/** The filter fields, in the order the filter bar shows them; each is also the name of its API and address-bar parameter. */
export const FILTER_FIELDS = ['status', 'class', 'disputeKind', 'wrongModel', 'severity', 'category', 'expert'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
const PARAMS = [...FILTER_FIELDS, 'sort', 'order'] as const;

export const DEFAULT_FILTERS: BrowserFilters = { sort: 'priority', order: DEFAULT_SORT_ORDER.priority };

/**
 * The browser's filters from an address-bar query. Each parameter is checked with the API's own schema; one that is
 * not valid (a hand-edited link) is dropped rather than failing the whole view. Names (class, model, expert) are
 * checked by the server.
 */
export function filtersFromSearch(search: string): BrowserFilters {
  const params = new URLSearchParams(search);
  const read = <T>(name: (typeof PARAMS)[number], schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }): T | undefined => {
    const parsed = schema.safeParse(params.get(name) ?? undefined);
    return parsed.success ? parsed.data : undefined;
  };
  const { shape } = ItemBrowserQuery;
  const sort = read('sort', shape.sort) ?? DEFAULT_FILTERS.sort;
  const filters: BrowserFilters = {
    status: read('status', shape.status),
    class: read('class', shape.class),
    disputeKind: read('disputeKind', shape.disputeKind),
    wrongModel: read('wrongModel', shape.wrongModel),
    severity: read('severity', shape.severity),
    category: read('category', shape.category),
    expert: read('expert', shape.expert),
    sort,
    order: read('order', shape.order) ?? DEFAULT_SORT_ORDER[sort],
  };
  for (const field of FILTER_FIELDS) if (filters[field] === undefined) delete filters[field];
  return filters;
}

/** Whether an address-bar query names any of the browser's parameters (a shared view), as opposed to a bare `?view=items`. */
export function searchHasFilters(search: string): boolean {
  const params = new URLSearchParams(search);
  return PARAMS.some((name) => params.has(name));
}

/** The query with the browser's parameters replaced by `filters` (defaults left out); other parameters are kept. */
export function searchWithFilters(search: string, filters: BrowserFilters): string {
  const params = new URLSearchParams(search);
  for (const name of PARAMS) params.delete(name);
  for (const [name, value] of Object.entries(apiParams(filters))) {
    if (name === 'sort' && value === DEFAULT_FILTERS.sort) continue;
    if (name === 'order' && value === DEFAULT_SORT_ORDER[filters.sort]) continue;
    params.set(name, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The API's query parameters for the filters (without paging). */
export function apiParams(filters: BrowserFilters): Record<string, string> {
  const params: Record<string, string> = {};
  for (const name of PARAMS) {
    const value = filters[name];
    if (value !== undefined && value !== '') params[name] = value;
  }
  return params;
}

/** How many filters are set (the sort is not a filter). */
export const activeFilterCount = (filters: BrowserFilters) => FILTER_FIELDS.filter((field) => filters[field] !== undefined).length;

/** A stable identity of the filters and sort, for query keys. */
export const filtersKey = (filters: BrowserFilters) => new URLSearchParams(apiParams(filters)).toString();
