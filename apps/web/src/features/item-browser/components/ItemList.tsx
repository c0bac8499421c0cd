import type { ItemBrowserPage, ItemBrowserRow } from '@bagel/contracts';
import { useQueries, useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { formatDateTime } from '../../../lib/format';
import { itemPageQueryOptions, PAGE_SIZE } from '../api/get-item-page';
import { useThrottledValue } from '../hooks/use-throttled-value';
import type { BrowserFilters } from '../lib/browser-filters';
import { modelTag, modelTagClass, SEVERITY_LABELS, STATUS_LABELS } from '../lib/labels';
import type { BrowserPlace } from '../stores/item-browser-store';

/** Every row has this height (px): the list never measures a row, which keeps scrolling smooth at any length. */
export const ROW_HEIGHT = 56;
/** Rows rendered beyond the visible ones, on each side. */
const OVERSCAN = 8;

interface ItemListProps {
  projectId: number;
  filters: BrowserFilters;
  /** Matching items (from the first page). */
  total: number;
  /** Per model name: its display name and position (its letter). */
  models: ReadonlyMap<string, { displayName: string; position: number }>;
  /** Where to start: the row with the focus and the scroll offset (back from an item). */
  initial: Pick<BrowserPlace, 'activeIndex' | 'scrollOffset'>;
  /** Hears where the list is, to come back to it. */
  onPlace(place: Pick<BrowserPlace, 'activeIndex' | 'scrollOffset'>): void;
  onOpen(itemId: number): void;
}

/**
 * The matching items as one long list of fixed-height rows, of which only the visible ones (and a few around them)
 * exist in the page. Rows are fetched by pages of PAGE_SIZE as they come into view; while the list flies past pages
 * (a dragged scrollbar), it asks for them at most every 150 ms and shows thumbnails only once it stops. A listbox:
 * ↑/↓ or j/k move the focus, Page Up/Down and Home/End jump, Enter or a click opens the item.
 */
export function ItemList({ projectId, filters, total, models, initial, onPlace, onOpen }: ItemListProps) {
  const listId = useId();
  const queryClient = useQueryClient();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(() => Math.min(initial.activeIndex, Math.max(0, total - 1)));
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
    initialOffset: initial.scrollOffset,
  });
  const virtualRows = virtualizer.getVirtualItems();

  // The pages the visible rows fall in, throttled; each is one query (keyed by filters and page) kept by react-query.
  const firstPage = Math.floor((virtualRows[0]?.index ?? 0) / PAGE_SIZE);
  const lastPage = Math.floor((virtualRows.at(-1)?.index ?? 0) / PAGE_SIZE);
  const wanted = useThrottledValue(`${firstPage}:${lastPage}`, 150);
  const [fromPage, toPage] = wanted.split(':').map(Number) as [number, number];
  const pageQueries = useQueries({
    queries: Array.from({ length: toPage - fromPage + 1 }, (_, i) => itemPageQueryOptions(projectId, filters, fromPage + i, queryClient)),
  });
  const failed = pageQueries.find((q) => q.isError);
  // Each wanted page's data, read here: react-query re-renders a component for the properties its render reads, so a
  // list that read only the cache would show a page that arrived after the scrolling stopped only at the next scroll.
  const wantedPages = new Map(pageQueries.map((q, i) => [fromPage + i, q.data] as const));
  /** A row from a wanted page, or from whatever page is in the cache, fetched for this view or earlier. */
  const rowAt = (index: number): ItemBrowserRow | undefined => {
    const page = Math.floor(index / PAGE_SIZE);
    const data = wantedPages.get(page) ?? queryClient.getQueryData<ItemBrowserPage>(itemPageQueryOptions(projectId, filters, page).queryKey);
    return data?.rows[index - page * PAGE_SIZE];
  };

  // Thumbnails already shown stay while scrolling; new ones wait for the list to stop.
  const shownThumbnails = useRef(new Set<number>());
  const { isScrolling } = virtualizer;

  const moveTo = (index: number) => {
    if (total === 0) return;
    const next = Math.max(0, Math.min(total - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };
  const openActive = () => {
    const row = rowAt(active);
    if (row) onOpen(row.itemId);
  };
  const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const moves: Record<string, () => void> = {
      ArrowDown: () => moveTo(active + 1),
      j: () => moveTo(active + 1),
      ArrowUp: () => moveTo(active - 1),
      k: () => moveTo(active - 1),
      PageDown: () => moveTo(active + pageRows),
      PageUp: () => moveTo(active - pageRows),
      Home: () => moveTo(0),
      End: () => moveTo(total - 1),
      Enter: openActive,
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    move();
  };

  // With the focus nowhere in particular (after a click on the page), j, k and Enter still drive the list and bring the
  // focus back to it; in a text box or on a control they keep their own meaning.
  useEffect(() => {
    const onWindowKey = (event: globalThis.KeyboardEvent) => {
      if (event.target !== document.body || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key !== 'j' && event.key !== 'k' && event.key !== 'Enter') return;
      event.preventDefault();
      scrollRef.current?.focus();
      if (event.key === 'Enter') openActive();
      else moveTo(active + (event.key === 'j' ? 1 : -1));
    };
    window.addEventListener('keydown', onWindowKey);
    return () => window.removeEventListener('keydown', onWindowKey);
  });

  // The focus and the scroll offset, for coming back to this place from an item.
  const { scrollOffset } = virtualizer;
  useEffect(() => {
    onPlace({ activeIndex: active, scrollOffset: scrollOffset ?? 0 });
  }, [active, scrollOffset, onPlace]);

  const activeRendered = virtualRows.some((v) => v.index === active);
  return (
    <div className="ib-list-wrap">
      <div className="ib-row ib-head" aria-hidden="true">
        <span />
        <span>Item</span>
        <span>File</span>
        <span>Original label</span>
        <span>Status</span>
        <span>Wrong models, final grade</span>
        <span>Disputed on</span>
        <span className="ib-num">Verdicts</span>
        <span className="ib-num" title="How divided the panel is: its disputes plus the mean entropy of its class votes">
          Divisiveness
        </span>
        <span>Last change</span>
      </div>
      {failed ? (
        <p className="error ib-list-error" role="alert">
          Some rows could not be loaded: {failed.error instanceof Error ? failed.error.message : String(failed.error)}
        </p>
      ) : null}
      <div
        ref={scrollRef}
        className="ib-scroll"
        role="listbox"
        aria-label="Items"
        aria-activedescendant={total > 0 && activeRendered ? `${listId}-${active}` : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-testid="item-list"
        data-scrolling={isScrolling ? 'true' : 'false'}
      >
        <div className="ib-spacer" style={{ height: virtualizer.getTotalSize() }}>
          {virtualRows.map((virtualRow) => {
            const row = rowAt(virtualRow.index);
            const isActive = virtualRow.index === active;
            const common = {
              id: `${listId}-${virtualRow.index}`,
              role: 'option',
              'aria-selected': isActive,
              'aria-setsize': total,
              'aria-posinset': virtualRow.index + 1,
              style: { transform: `translateY(${virtualRow.start}px)`, height: ROW_HEIGHT },
            } as const;
            if (!row) {
              return (
                <div key={virtualRow.key} {...common} className={`ib-row ib-row-pending${isActive ? ' is-active' : ''}`} aria-label={`Item ${virtualRow.index + 1} of ${total}, loading`}>
                  <span className="ib-thumb" />
                  <span className="muted">Loading…</span>
                </div>
              );
            }
            const showThumbnail = !isScrolling || shownThumbnails.current.has(row.itemId);
            if (showThumbnail) shownThumbnails.current.add(row.itemId);
            return (
              <div
                key={virtualRow.key}
                {...common}
                className={`ib-row${isActive ? ' is-active' : ''}`}
                aria-label={rowLabel(row, models)}
                onClick={() => {
                  setActive(virtualRow.index);
                  onOpen(row.itemId);
                }}
                data-testid="item-row"
                data-item-id={row.itemId}
                data-status={row.status}
              >
                <span className="ib-thumb">
                  {showThumbnail ? (
                    // A missing image file leaves the dark frame rather than a broken-image sign.
                    <img src={row.previewUrl} alt="" loading="lazy" decoding="async" onError={(event) => (event.currentTarget.style.visibility = 'hidden')} />
                  ) : null}
                </span>
                <span className="ib-id">{row.itemId}</span>
                <span className="ib-file" title={row.file}>
                  {row.file}
                </span>
                <span className="ib-label" title={row.originalLabel.key}>
                  {row.originalLabel.name}
                </span>
                <span>
                  <span className={`status-pill status-${row.status}`}>{STATUS_LABELS[row.status]}</span>
                </span>
                <span className="ib-models">
                  {row.wrongModels.map((model) => {
                    const grade = row.grades.find((g) => g.model === model);
                    const info = models.get(model);
                    const position = info?.position ?? 0;
                    const name = info?.displayName ?? model;
                    return (
                      <span
                        key={model}
                        className={`badge badge-model ${modelTagClass(position)}`}
                        title={grade ? `${name}: ${SEVERITY_LABELS[grade.severity]}${grade.category ? `, ${grade.category}` : ''}` : `${name}: top-1 outside the accepted labels`}
                      >
                        {modelTag(position)}
                        {grade ? <small className="ib-grade">{SEVERITY_LABELS[grade.severity]}</small> : null}
                      </span>
                    );
                  })}
                </span>
                <span className="ib-disputes">{row.disputeKinds.join(', ')}</span>
                <span className="ib-num">{row.verdictCount}</span>
                <span className="ib-num">{row.divisiveness === null ? '–' : row.divisiveness.toFixed(2)}</span>
                <span className="ib-updated">{row.updatedAt === null ? '–' : formatDateTime(row.updatedAt)}</span>
              </div>
            );
          })}
        </div>
        {total === 0 ? (
          <p className="centered-message muted ib-empty" data-testid="item-list-empty">
            No item matches these filters.
          </p>
        ) : null}
      </div>
    </div>
  );
}

/** What a screen reader says for a row: the item, its image, label, status, and which models are wrong. */
function rowLabel(row: ItemBrowserRow, models: ItemListProps['models']): string {
  const wrong = row.wrongModels.map((model) => {
    const grade = row.grades.find((g) => g.model === model);
    return `${models.get(model)?.displayName ?? model}${grade ? ` (${grade.severity}${grade.category ? `, ${grade.category}` : ''})` : ''}`;
  });
  const parts = [`Item ${row.itemId}: ${row.file}`, `original label ${row.originalLabel.name}`, STATUS_LABELS[row.status].toLowerCase()];
  parts.push(wrong.length > 0 ? `wrong: ${wrong.join(', ')}` : 'no model wrong');
  if (row.disputeKinds.length > 0) parts.push(`disputed on ${row.disputeKinds.join(', ')}`);
  parts.push(`${row.verdictCount} verdict${row.verdictCount === 1 ? '' : 's'}`);
  return parts.join(', ');
}
