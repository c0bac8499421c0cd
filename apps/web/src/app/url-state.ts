/**
 * The little state the address bar keeps: `?project=ID` (which project is open) and `?item=ID` (open one item
 * directly, e.g. to revise one's own verdict). There is no router: the app shows one screen at a time.
 */
export interface UrlState {
  projectId?: number;
  itemId?: number;
}

const positiveInt = (value: string | null) => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

export function readUrlState(): UrlState {
  const params = new URLSearchParams(window.location.search);
  return { projectId: positiveInt(params.get('project')), itemId: positiveInt(params.get('item')) };
}

export function writeUrlState(state: UrlState): void {
  const params = new URLSearchParams();
  if (state.projectId) params.set('project', String(state.projectId));
  if (state.itemId) params.set('item', String(state.itemId));
  const search = params.toString();
  const url = `${window.location.pathname}${search ? `?${search}` : ''}`;
  if (url !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(null, '', url);
}
