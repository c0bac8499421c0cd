import type { ProjectSummary } from '@bagel/contracts';
import { type MouseEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { AppHeader } from '../../../components/AppHeader';
import { errorMessage } from '../../../lib/api-client';
import { isPlainClick } from '../../../lib/links';
import { useMyVerdicts } from '../api/get-my-verdicts';
import { countLine, mergePages } from '../lib/my-verdicts';
import '../my-verdicts.css';
import { VerdictTable } from './VerdictTable';

interface MyVerdictsScreenProps {
  project: ProjectSummary;
  userMenu: ReactNode;
  navigation?: ReactNode;
  onChangeProject?: () => void;
  /** The address of the review screen, on an item when given (`?project=P&item=ID`): from the app shell. */
  reviewHref(itemId?: number): string;
  /** Opens the review screen in place, on an item when given (to revise the verdict given on it, or read it once final). */
  onOpenReview(itemId?: number): void;
}

/**
 * My verdicts (experts and the lead): the items of the project the signed-in reviewer has judged, most recent verdict
 * first, each with what they judged and a link that opens it on the review screen to revise it (read-only once the
 * item is agreed or final). Only their own verdicts, never another expert's: it shows nothing blind review hides.
 */
export function MyVerdictsScreen({ project, userMenu, navigation, onChangeProject, reviewHref, onOpenReview }: MyVerdictsScreenProps) {
  const verdicts = useMyVerdicts(project.id);
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const id = useId();
  const pages = verdicts.data?.pages;
  const rows = pages ? mergePages(pages) : [];
  // The count of the latest page fetched: the freshest one.
  const total = pages?.at(-1)?.total;

  // After "Load more", the focus goes to the first row the page brought (the button may be gone: nothing more to load).
  const [focusRow, setFocusRow] = useState<number | null>(null);
  useEffect(() => {
    if (focusRow === null || rows.length <= focusRow) return;
    setFocusRow(null);
    bodyRef.current?.querySelector<HTMLElement>(`tr[data-index="${focusRow}"] th`)?.focus();
  }, [focusRow, rows.length]);

  // While a page is on its way, the button ignores another press (rather than be disabled, which would take the focus).
  const loadMore = () => {
    if (verdicts.isFetchingNextPage) return;
    const firstNew = rows.length;
    void verdicts.fetchNextPage().then((result) => {
      if (!result.isError) setFocusRow(firstNew);
    });
  };
  const openReview = (event: MouseEvent) => {
    if (!isPlainClick(event)) return;
    event.preventDefault();
    onOpenReview();
  };

  return (
    <div className="page-app">
      <AppHeader
        projectName={project.name}
        onChangeProject={onChangeProject}
        navigation={navigation}
        userMenu={userMenu}
        end={
          <button type="button" className="text-button" aria-busy={verdicts.isRefetching || undefined} onClick={() => void verdicts.refetch()}>
            Refresh
          </button>
        }
      />
      <main className="page my-verdicts" data-testid="my-verdicts">
        {verdicts.isError && !verdicts.data ? (
          <div className="centered-message" data-testid="my-verdicts-error">
            <p className="error" role="alert">
              {errorMessage(verdicts.error)}
            </p>
            <button type="button" className="primary" onClick={() => void verdicts.refetch()}>
              Try again
            </button>
          </div>
        ) : total === undefined ? (
          <p className="loading">Loading your verdicts…</p>
        ) : total === 0 && rows.length === 0 ? (
          <section className="centered-message" data-testid="my-verdicts-empty" aria-labelledby={`${id}-empty`}>
            <h2 id={`${id}-empty`}>You have not judged any item of this project yet</h2>
            <p className="muted">Every item you judge is listed here, most recent first, to revise until the panel agrees or the lead decides.</p>
            <a href={reviewHref()} className="primary mv-link-button" onClick={openReview} data-testid="my-verdicts-start">
              Go to the review
            </a>
          </section>
        ) : (
          <section className="card" aria-labelledby={`${id}-count`}>
            <div className="mv-head">
              <h2 id={`${id}-count`} className="mv-count" aria-live="polite" data-testid="my-verdicts-count">
                {countLine(total)}
              </h2>
              <span className="muted">Most recent first. A verdict can be revised until the panel agrees or the lead decides.</span>
            </div>
            {verdicts.isRefetchError ? (
              <p className="error" role="alert">
                The list could not be refreshed: {errorMessage(verdicts.error)}
              </p>
            ) : null}
            <VerdictTable rows={rows} bodyRef={bodyRef} reviewHref={reviewHref} onOpenReview={onOpenReview} />
            <div className="mv-more">
              <span className="muted" id={`${id}-shown`} data-testid="my-verdicts-shown">
                {rows.length < total ? `${rows.length} of ${total} shown` : `All ${total} shown`}
              </span>
              {verdicts.hasNextPage ? (
                <button
                  type="button"
                  className="secondary"
                  aria-describedby={`${id}-shown`}
                  aria-busy={verdicts.isFetchingNextPage || undefined}
                  onClick={loadMore}
                  data-testid="my-verdicts-more"
                >
                  {verdicts.isFetchingNextPage ? 'Loading…' : 'Load more'}
                </button>
              ) : null}
              {verdicts.isFetchNextPageError ? (
                <p className="error" role="alert">
                  {errorMessage(verdicts.error)}
                </p>
              ) : null}
            </div>
          </section>
        )}
      </main>
    </div>
  );
}
