/**
 * The little state the address bar keeps: `?project=ID` (which project is open), `?view=NAME` (which view of it; the
 * review when absent) and `?item=ID` (the item that view opens: on the review, an item to judge or revise directly;
 * on the lead's desk, the item on the desk). There is no router: the app shows one screen at a time.
 */
export const VIEW_IDS = ['review', 'desk', 'dashboard', 'major-slice', 'items'] as const;
export type ViewId = (typeof VIEW_IDS)[number];

export interface UrlState {
  projectId?: number;
  view?: ViewId;
  itemId?: number;
}

const positiveInt = (value: string | null) => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

const viewId = (value: string | null): ViewId | undefined => VIEW_IDS.find((id) => id === value);

export function readUrlState(): UrlState {
  const params = new URLSearchParams(window.location.search);
  return { projectId: positiveInt(params.get('project')), view: viewId(params.get('view')), itemId: positiveInt(params.get('item')) };
}

/** The address of a state, relative to the app's page: for links that open a view in a new tab. */
export function urlOf(state: UrlState): string {
  const params = new URLSearchParams();
  if (state.projectId) params.set('project', String(state.projectId));
  if (state.view && state.view !== 'review') params.set('view', state.view);
  if (state.itemId) params.set('item', String(state.itemId));
  const search = params.toString();
  return `${window.location.pathname}${search ? `?${search}` : ''}`;
}

export function writeUrlState(state: UrlState): void {
  const url = urlOf(state);
  if (url !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(null, '', url);
}
