/**
 * The little state the address bar keeps: `?project=ID` (which project is open), `?view=NAME` (which view of it; the
 * review when absent) and `?item=ID` (the item that view opens: on the review, an item to judge or revise directly;
 * on the lead's desk, the item on the desk); or `?page=NAME`, a page of the whole app outside any project (the
 * admin's users). There is no router: the app shows one screen at a time.
 */
export const VIEW_IDS = ['review', 'my-verdicts', 'desk', 'dashboard', 'major-slice', 'items', 'guide'] as const;
export type ViewId = (typeof VIEW_IDS)[number];

export const PAGE_IDS = ['users'] as const;
export type PageId = (typeof PAGE_IDS)[number];

export interface UrlState {
  page?: PageId;
  projectId?: number;
  view?: ViewId;
  itemId?: number;
}

const positiveInt = (value: string | null) => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

const viewId = (value: string | null): ViewId | undefined => VIEW_IDS.find((id) => id === value);
const pageId = (value: string | null): PageId | undefined => PAGE_IDS.find((id) => id === value);

/** The state a query string names; unknown or malformed values are left out. */
export function parseUrlState(search: string): UrlState {
  const params = new URLSearchParams(search);
  const page = pageId(params.get('page'));
  if (page) return { page };
  return { projectId: positiveInt(params.get('project')), view: viewId(params.get('view')), itemId: positiveInt(params.get('item')) };
}

export function readUrlState(): UrlState {
  return parseUrlState(window.location.search);
}

/** The query string of a state ('' for the default screen); a page stands alone. */
export function searchOf(state: UrlState): string {
  const params = new URLSearchParams();
  if (state.page) {
    params.set('page', state.page);
    return `?${params.toString()}`;
  }
  if (state.projectId) params.set('project', String(state.projectId));
  if (state.view && state.view !== 'review') params.set('view', state.view);
  if (state.itemId) params.set('item', String(state.itemId));
  const search = params.toString();
  return search ? `?${search}` : '';
}

/** The address of a state, relative to the app's page: for links that open a view in a new tab. */
export function urlOf(state: UrlState): string {
  return `${window.location.pathname}${searchOf(state)}`;
}

export function writeUrlState(state: UrlState): void {
  const url = urlOf(state);
  if (url !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(null, '', url);
}
