import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ProjectSummary } from '@bagel/contracts';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { AppHeader } from '../../../components/AppHeader';
import { errorMessage } from '../../../lib/api-client';
import { itemCountQueryOptions, itemPageQueryOptions, itemPagesKey } from '../api/get-item-page';
import { type BrowserFilters, DEFAULT_FILTERS, filtersFromSearch, filtersKey, searchHasFilters, searchWithFilters } from '../lib/browser-filters';
import { modelTag, modelTagClass } from '../lib/labels';
import { type BrowserPlace, useItemBrowserStore } from '../stores/item-browser-store';
import '../item-browser.css';
import { FilterBar } from './FilterBar';
import { ItemList } from './ItemList';

const START: Pick<BrowserPlace, 'activeIndex' | 'scrollOffset'> = { activeIndex: 0, scrollOffset: 0 };

/** Where the browser starts: a shared link's filters, else the place this tab left the project's list at, else everything. */
function initialPlace(projectId: number): BrowserPlace {
  const search = window.location.search;
  if (searchHasFilters(search)) return { filters: filtersFromSearch(search), ...START };
  return useItemBrowserStore.getState().places[projectId] ?? { filters: DEFAULT_FILTERS, ...START };
}

interface ItemBrowserProps {
  project: ProjectSummary;
  userMenu: ReactNode;
  navigation?: ReactNode;
  onChangeProject?: () => void;
  /** Opens an item (the app shell puts it on the lead's desk). */
  onOpenItem(itemId: number): void;
}

/**
 * The item browser (leads and admins): every item of the project, filtered, sorted and counted by the server, in a
 * virtualized list that opens any item. The filters live in the address bar.
 */
export function ItemBrowser({ project, userMenu, navigation, onChangeProject, onOpenItem }: ItemBrowserProps) {
  const [start] = useState(() => initialPlace(project.id));
  const [filters, setFilters] = useState<BrowserFilters>(start.filters);
  // The place left in this tab is restored once, for the list it was left in.
  const [restoring, setRestoring] = useState(true);
  const queryClient = useQueryClient();
  const first = useQuery(itemPageQueryOptions(project.id, filters, 0));
  // A broad filter's first page comes uncounted: the count is asked for on its own, and the first rows show meanwhile.
  const counted = useQuery({ ...itemCountQueryOptions(project.id, filters), enabled: first.data !== undefined && first.data.total === null });
  const total = first.data?.total ?? counted.data;
  const models = new Map(project.models.map((m, position) => [m.name, { displayName: m.displayName, position }]));

  useEffect(() => {
    const url = `${window.location.pathname}${searchWithFilters(window.location.search, filters)}`;
    if (url !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(null, '', url);
  }, [filters]);

  // The list reports where it is; the place is kept when the browser closes (an item opened, another view).
  const place = useRef<Pick<BrowserPlace, 'activeIndex' | 'scrollOffset'>>(START);
  const onPlace = useCallback((next: Pick<BrowserPlace, 'activeIndex' | 'scrollOffset'>) => {
    place.current = next;
  }, []);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  useEffect(() => () => useItemBrowserStore.getState().remember(project.id, { filters: filtersRef.current, ...place.current }), [project.id]);

  const changeFilters = (next: BrowserFilters) => {
    place.current = START;
    setRestoring(false);
    setFilters(next);
  };

  return (
    <div className="ib-app" data-testid="item-browser">
      <AppHeader
        projectName={project.name}
        onChangeProject={onChangeProject}
        navigation={navigation}
        userMenu={userMenu}
        end={
          <button type="button" className="text-button" onClick={() => void queryClient.invalidateQueries({ queryKey: itemPagesKey(project.id) })}>
            Refresh
          </button>
        }
      />
      {project.models.some((m) => m.illustrative) ? (
        <div className="banner" role="note">
          Demo data: predictions are illustrative, no model was run on these images.
        </div>
      ) : null}
      <FilterBar project={project} filters={filters} onChange={changeFilters} />
      <div className="ib-summary">
        <h2 className="ib-count" aria-live="polite" data-testid="item-count">
          {total === undefined ? (first.isError ? 'Items' : 'Counting the items…') : `${total.toLocaleString('en-GB')} item${total === 1 ? '' : 's'}`}
        </h2>
        <ul className="ib-legend" aria-label="Models">
          {project.models.map((model, position) => (
            <li key={model.name}>
              <span className={`badge badge-model ${modelTagClass(position)}`} aria-hidden="true">
                {modelTag(position)}
              </span>{' '}
              {model.displayName}
            </li>
          ))}
        </ul>
        <span className="muted ib-keys">
          <kbd>j</kbd> <kbd>k</kbd> move · <kbd>Enter</kbd> or a click opens the item on the lead’s desk
        </span>
      </div>
      {first.isError ? (
        <p className="error ib-list-error" role="alert">
          {errorMessage(first.error)}
        </p>
      ) : first.data === undefined ? (
        <div className="loading">Loading the items…</div>
      ) : (
        <ItemList
          // A new set of filters is a new list: it starts at the top, with the focus on the first row.
          key={filtersKey(filters)}
          projectId={project.id}
          filters={filters}
          total={total ?? first.data.rows.length}
          models={models}
          initial={restoring ? start : START}
          onPlace={onPlace}
          onOpen={onOpenItem}
        />
      )}
    </div>
  );
}
