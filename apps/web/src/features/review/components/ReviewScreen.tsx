import type { Candidate, ProjectSummary, ReviewItem, VerdictRequest } from '@bagel/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useCallback, useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import { AppHeader } from '../../../components/AppHeader';
import { keepFocus } from '../../../lib/keep-focus';
import { StaleRevisionError, errorMessage } from '../../../lib/api-client';
import { isUnauthorized } from '../../../lib/query-client';
import { useVocabulary } from '../../../lib/vocabulary';
import { projectsKey } from '../../../lib/query-keys';
import { onSessionResumed } from '../../../stores/session-store';
import { takeClaimedAhead, useAdvance, useClaimAhead, useClaimNextItem } from '../api/claim-next-item';
import { itemKey, useItem } from '../api/get-item';
import { useSkipItem } from '../api/skip-item';
import { useReviewerSync } from '../hooks/use-reviewer-sync';
import { draftFromItem } from '../lib/draft-verdict';
import { chooseDraft, sameDraft } from '../lib/local-drafts';
import type { OutboxEntry } from '../lib/outbox';
import { useClaimRenewal } from '../hooks/use-claim-renewal';
import { isPanelClosedError, panelClosedNotice } from '../lib/panel-closed';
import { finalBanner, isFinalStatus, isItemFinalError, itemFinalNotice } from '../lib/read-only';
import { draftSourceOf, useReviewUiStore } from '../stores/review-ui-store';
import { GoldFeedbackNotice } from './GoldFeedbackNotice';
import { ReviewWorkspace } from './ReviewWorkspace';
import { DraftStatus, RefusedVerdictBanner, SaveState } from './SaveState';
import { ShortcutsOverlay } from './ShortcutsOverlay';

type Current = { kind: 'claiming' } | { kind: 'item'; itemId: number } | { kind: 'done' };

/**
 * How long Enter waits for the verdict's first answer before moving on anyway (the outbox keeps sending it): a request
 * that neither succeeds nor fails (a network gone quiet) does not hold the reviewer.
 */
export const FIRST_ANSWER_WAIT_MS = 3000;

/** The vocabulary is asked for once the first item's image is on screen, or after this long whatever happens. */
const VOCABULARY_AT_LATEST_MS = 3000;

/**
 * Other images of a class, shown beside the item (a modal dialog that owns the keyboard while open, and calls
 * `onClose` on Esc): composed by the app shell, so this feature does not depend on the one that shows them.
 */
export type ClassExamplesSlot = (request: { cls: Pick<Candidate, 'key' | 'names' | 'gloss'>; item: ReviewItem; onClose(): void }) => ReactNode;

/**
 * The project's labeling guide, read in a panel beside the item (the keys still act on the item; its close button
 * calls `onClose`, and so do `g` and Esc here): composed by the app shell.
 */
export type GuideSlot = (request: { onClose(): void }) => ReactNode;

/**
 * A message about the last submit that is not an error: the verdict changed elsewhere, the item became final, or its
 * panel had no place left for this expert (the draft then stays on screen until they go on).
 */
export interface ReviewNotice {
  kind: 'stale' | 'final' | 'panel-full';
  text: string;
}

interface ReviewScreenProps {
  project: ProjectSummary;
  /** The signed-in reviewer: their drafts and unsent verdicts in this browser are theirs only. */
  userId: number;
  /** The signed-in user's name and log-out control, from the app shell. */
  userMenu: ReactNode;
  /** The views the user may switch to, from the app shell. */
  navigation?: ReactNode;
  /**
   * What the app adds beside the models for an item (the discussion, once the expert has judged it): composed by the
   * app shell, so this feature does not depend on others.
   */
  itemAside?: (item: ReviewItem) => ReactNode;
  /** Shown when the expert has other projects to go back to. */
  onChangeProject?: () => void;
  /** An item to open directly (e.g. to revise one's own verdict); else the queue hands the next one. */
  initialItemId?: number;
  onItemShown?: (itemId: number | null) => void;
  /** A way to the items this reviewer has judged (the app shell's link to them), offered when nothing is left to review. */
  judgedItemsLink?: ReactNode;
  /** The examples of a candidate class (`e`, or the button of its row); without it, neither is offered. */
  classExamples?: ClassExamplesSlot;
  /** The project's labeling guide (`g`, or the header's button); without it, neither is offered. */
  guide?: GuideSlot;
  /**
   * Called once the first item's image is on screen (or a few seconds after the screen opened, whatever happened): the
   * app shell loads then what the screen may open next.
   */
  onFirstImageShown?(): void;
}

/** One item at a time from the project's review queue: judge, grade, submit, and the next item is there. */
export function ReviewScreen({
  project,
  userId,
  userMenu,
  navigation,
  itemAside,
  onChangeProject,
  initialItemId,
  onItemShown,
  judgedItemsLink,
  classExamples,
  guide,
  onFirstImageShown,
}: ReviewScreenProps) {
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState<Current>(() => {
    if (!initialItemId) return { kind: 'claiming' };
    // An item opened by its address (e.g. from My verdicts) is shown as it stands now, not as cached earlier in the
    // session: the panel may have agreed on it since (then it shows read-only).
    void queryClient.invalidateQueries({ queryKey: itemKey(initialItemId), exact: true, refetchType: 'none' });
    return { kind: 'item', itemId: initialItemId };
  });
  const [notice, setNotice] = useState<ReviewNotice | null>(null);
  const [submitError, setSubmitError] = useState<string | null>(null);
  // The item judged last, to go back to it (revise it, read its discussion) after Enter has moved on.
  const [previousItemId, setPreviousItemId] = useState<number | null>(null);
  // The submission the screen waits for before moving on: its first answer, or a sign-in when the session has ended.
  const [waiting, setWaiting] = useState<{ itemId: number; key: string } | null>(null);
  const stopWaiting = useRef<(() => void) | null>(null);
  const sync = useReviewerSync(userId);
  const outbox = useSyncExternalStore(sync.outbox.subscribe, sync.outbox.getSnapshot);
  const claim = useClaimNextItem(project.id);
  const advance = useAdvance(project.id);
  const skip = useSkipItem(project.id);
  const itemQuery = useItem(current.kind === 'item' ? current.itemId : null);
  const item = itemQuery.data;
  const overlay = useReviewUiStore((s) => s.overlay);
  // The vocabulary (about 4 MB of JSON with 21,841 classes, and a few hundred milliseconds of checking and indexing,
  // in slices) is needed only to add a class: it is asked for once the first item's image is painted, so that it never
  // delays it; at once when the expert opens the add-class search before that, and after VOCABULARY_AT_LATEST_MS anyway.
  const [vocabularyWanted, setVocabularyWanted] = useState(false);
  useEffect(() => {
    if (vocabularyWanted) return;
    const timer = setTimeout(() => setVocabularyWanted(true), VOCABULARY_AT_LATEST_MS);
    return () => clearTimeout(timer);
  }, [vocabularyWanted]);
  const onImageShown = useCallback(() => requestAnimationFrame(() => setTimeout(() => setVocabularyWanted(true), 0)), []);
  const vocabulary = useVocabulary(project.id, vocabularyWanted || overlay === 'add-class');
  const settled = useRef(onFirstImageShown);
  useEffect(() => {
    if (!vocabularyWanted) return;
    settled.current?.();
    settled.current = undefined;
  }, [vocabularyWanted]);
  const guideOpen = useReviewUiStore((s) => s.guideOpen) && guide !== undefined;
  const draftSource = useReviewUiStore((s) => s.draftSource);
  const startDraft = useReviewUiStore((s) => s.startDraft);
  const claiming = useRef(false);

  // A draft never outlives its screen: after a log-out, the next user of this browser must not find it (the copies
  // kept in this browser and on the server are the reviewer's own, found again only by them).
  useEffect(() => useReviewUiStore.getState().reset, []);
  useEffect(() => () => stopWaiting.current?.(), []);

  /** Starts an item's draft, with the reviewer's draft of it kept from before when there is one. */
  const begin = useCallback((shown: ReviewItem) => startDraft(shown, chooseDraft(shown, sync.local.read(shown.id))), [startDraft, sync]);

  // Every change to the draft is kept: in this browser at once, on the server shortly after (see draft-sync.ts).
  const shownItem = useRef<ReviewItem | undefined>(undefined);
  shownItem.current = item;
  useEffect(
    () =>
      useReviewUiStore.subscribe((state, previous) => {
        if (!state.draft || state.draft === previous.draft || state.draftSeq !== previous.draftSeq) return;
        const edited = shownItem.current;
        if (!edited || edited.id !== state.draft.itemId || isFinalStatus(edited.status)) return;
        sync.drafts.edited(state.draft, sameDraft(state.draft, draftFromItem(edited)), edited.myDraft !== null);
      }),
    [sync],
  );

  const moveTo = (next: ReviewItem | null | undefined) => {
    setSubmitError(null);
    advance.reset();
    skip.reset();
    setNotice(null);
    // Start the next draft in the same batch as the switch, so the new item is rendered once, complete.
    if (next) begin(next);
    setCurrent(next ? { kind: 'item', itemId: next.id } : next === null ? { kind: 'done' } : { kind: 'claiming' });
  };

  /** Opens an item judged before (the item shown now stays claimed, and comes back after it). */
  const goBackTo = (itemId: number) => {
    setSubmitError(null);
    advance.reset();
    skip.reset();
    setNotice(null);
    const cached = queryClient.getQueryData<ReviewItem>(itemKey(itemId));
    if (cached) begin(cached);
    setCurrent({ kind: 'item', itemId });
  };

  /** Opens the item of a verdict the server refused after the screen had moved on: it is fetched as it stands now. */
  const openRefused = (entry: OutboxEntry) => {
    sync.outbox.dismiss(entry.key);
    void queryClient.invalidateQueries({ queryKey: itemKey(entry.itemId), exact: true, refetchType: 'none' });
    goBackTo(entry.itemId);
  };

  // Ask the queue for an item whenever the screen has none (on arrival, after "Check again", or when the next item
  // could not be fetched right after a submit). The ref keeps React's double effects in development to one claim.
  const { mutate: claimNext, status: claimStatus, reset: resetClaim, error: claimError } = claim;
  useEffect(() => {
    if (current.kind !== 'claiming' || claimStatus === 'error' || claiming.current) return;
    claiming.current = true;
    claimNext(undefined, {
      onSuccess: (next) => {
        if (next) begin(next);
        setCurrent(next ? { kind: 'item', itemId: next.id } : { kind: 'done' });
      },
      onSettled: () => {
        claiming.current = false;
      },
    });
  }, [current.kind, claimStatus, claimNext, begin]);
  // A claim refused for want of a session is asked again once the reviewer has signed in again.
  useEffect(() => onSessionResumed(() => isUnauthorized(claimError) && resetClaim()), [claimError, resetClaim]);

  useEffect(() => {
    onItemShown?.(current.kind === 'item' ? current.itemId : null);
  }, [current, onItemShown]);

  // A new item, or a new stored revision of this one, starts a new draft before anything is painted. An item known to
  // be out of date (judged since it was fetched, or opened by its address) waits for its refetch: it may be final now,
  // and an editable screen must not show first.
  const refreshing = itemQuery.isStale && itemQuery.isFetching;
  const ready = item !== undefined && draftSource === draftSourceOf(item) && !refreshing;
  // An agreed or final item takes no verdict: it shows read-only, the expert's own verdict as judged.
  const readOnly = item !== undefined && isFinalStatus(item.status);
  // Once an item is on screen, reserve and load the one after it (revising a judged item, or reading a final one, needs none).
  useClaimAhead(project.id, ready && !item.myVerdict && !readOnly ? item.id : null);
  // While the expert judges the item for the first time, their claim on it is kept (or they are told it lapsed).
  const claimWarning = useClaimRenewal(ready && !item.myVerdict && !readOnly && current.kind === 'item' ? item : null);
  useLayoutEffect(() => {
    if (item && draftSource !== draftSourceOf(item)) begin(item);
  }, [item, draftSource, begin]);

  /** The server refused the verdict the screen waited for (a 4xx retrying cannot fix): say why, on the item. */
  const refusedHere = (itemId: number, baseRevision: number, error: unknown) => {
    if (error instanceof StaleRevisionError) {
      // Someone (this expert, in another tab) stored a newer revision: show it rather than overwrite it; the refused
      // draft is kept, and offered on the reloaded item.
      setNotice({
        kind: 'stale',
        text: `Your verdict on this item was changed elsewhere (revision ${error.currentRevision} is stored now). The item was reloaded with it: check it and submit again.`,
      });
      void queryClient.refetchQueries({ queryKey: itemKey(itemId), exact: true });
      void queryClient.invalidateQueries({ queryKey: projectsKey, exact: true });
    } else if (isPanelClosedError(error)) {
      // Nothing reloads: the refused draft stays on screen, said so, until the expert goes on (not silently lost).
      setNotice({ kind: 'panel-full', text: panelClosedNotice(error) });
      void queryClient.invalidateQueries({ queryKey: projectsKey, exact: true });
    } else if (isItemFinalError(error)) {
      // The panel agreed or the lead decided meanwhile: reload the item, which then shows read-only (the stored
      // verdict as judged, not the refused draft, which stays kept), and say why. Unlike a stale revision, the cached
      // item may not be shown while it reloads: it would still look editable.
      setNotice({ kind: 'final', text: itemFinalNotice(baseRevision > 0) });
      void queryClient.invalidateQueries({ queryKey: itemKey(itemId), exact: true });
      void queryClient.invalidateQueries({ queryKey: projectsKey, exact: true });
    } else {
      setSubmitError(errorMessage(error));
    }
  };

  /**
   * Enter: the verdict goes to the outbox (kept in this browser, sent with an Idempotency-Key, retried until the server
   * answers).
   *
   * A first verdict on an item the queue reserved for this expert (their claim current) moves on at once to the item
   * claimed ahead: the server has no reason to refuse it but a lead's decision or a lapse the screen did not see, and
   * should it refuse, the banner of refused verdicts says so and leads back to the item, the draft kept. Waiting for
   * the answer would put a round trip between every Enter and the next image.
   *
   * Otherwise (a revision, an item opened by its address, a claim that lapsed, nothing claimed ahead yet) the screen
   * waits for the first answer, since a refusal is likely enough to be shown on its item: stored, it moves on; refused,
   * it says why and stays; no answer (offline, a server error, none within FIRST_ANSWER_WAIT_MS), it moves on and the
   * outbox keeps trying; the session ended, it stays (the draft on screen) until the reviewer has signed in again, then
   * sends and moves on.
   */
  const submitDraft: SubmitDraft = (itemId, request) => {
    if (waiting || advance.isPending || skip.isPending) return;
    setNotice(null);
    setSubmitError(null);
    sync.drafts.supersede(itemId);
    const entry = sync.outbox.enqueue(itemId, project.id, request);
    const judged = shownItem.current;
    const reservedForMe = judged?.id === itemId && !judged.myVerdict && judged.claimExpiresAt !== null && claimWarning === null;
    if (reservedForMe && !sync.outbox.getSnapshot().paused) {
      const next = takeClaimedAhead(queryClient, project.id, itemId);
      if (next) {
        setPreviousItemId(itemId);
        moveTo(next);
        return;
      }
    }
    setWaiting({ itemId, key: entry.key });
    let done = false;
    const finish = () => {
      done = true;
      clearTimeout(timer);
      unwatch();
      stopWaiting.current = null;
      setWaiting(null);
    };
    const goOn = () => {
      finish();
      setPreviousItemId(itemId);
      // The item claimed ahead, when it is here, is shown in this same render; else it is asked for.
      const next = takeClaimedAhead(queryClient, project.id, itemId);
      if (next) moveTo(next);
      else advance.mutate(itemId, { onSuccess: (after) => moveTo(after) });
    };
    const timer = setTimeout(goOn, FIRST_ANSWER_WAIT_MS);
    const unwatch = sync.outbox.watch((event) => {
      if (done || event.entry.key !== entry.key) return;
      if (event.kind === 'stored' || event.kind === 'retrying') goOn();
      else if (event.kind === 'paused') clearTimeout(timer);
      else {
        finish();
        sync.outbox.dismiss(entry.key);
        refusedHere(itemId, event.entry.request.baseRevision, event.error);
      }
    });
    stopWaiting.current = () => {
      done = true;
      clearTimeout(timer);
      unwatch();
    };
    // Signed out meanwhile: wait for the sign-in. The same verdict already on its way (sent before a reload) that has
    // failed before: do not wait for it.
    if (sync.outbox.getSnapshot().paused) clearTimeout(timer);
    else if (entry.attempts > 0 && entry.error !== null) goOn();
  };
  const skipCurrent = (itemId: number) => {
    if (waiting || advance.isPending || skip.isPending) return;
    skip.mutate(itemId, { onSuccess: (next) => moveTo(next) });
  };

  // The 409s that reload the item are told by the notice, not as errors.
  const actionError = submitError ?? (skip.error ? errorMessage(skip.error) : null);
  const busy = waiting !== null || advance.isPending || skip.isPending;
  const previousPending = previousItemId !== null && outbox.pending.some((e) => e.itemId === previousItemId);
  const counts = project.counts;
  // The feedback after a gold item (where the project gives it) comes with the verdict's answer, while the next item is
  // already on screen: it stays above it until dismissed (its button, or Esc) or followed by another.
  const goldFeedback = outbox.goldFeedback;
  const dismissGoldFeedback = () => {
    if (!goldFeedback) return false;
    sync.outbox.dismissGoldFeedback(goldFeedback.key);
    return true;
  };
  const illustrative = (item?.models ?? project.models).some((m) => m.illustrative);

  return (
    <div className={`review-app${guideOpen ? ' has-guide-panel' : ''}`}>
      <AppHeader
        projectName={project.name}
        onChangeProject={onChangeProject}
        navigation={navigation}
        userMenu={userMenu}
        end={
          <>
            <SaveState outbox={outbox} />
            {previousItemId !== null && previousItemId !== item?.id ? (
              <button
                type="button"
                className="link-button"
                aria-label={`Back to item ${previousItemId}, the one you judged last (revise it, read its discussion)`}
                title={previousPending ? 'Its verdict is still being saved' : 'Revise it, read its discussion'}
                // Its verdict still on its way, a revision would be made from the wrong revision.
                disabled={previousPending}
                onMouseDown={keepFocus}
                onClick={() => goBackTo(previousItemId)}
                data-testid="previous-item"
              >
                ← item {previousItemId}
              </button>
            ) : null}
            {item ? (
              <span className="item-id" data-testid="item-id" data-item-id={item.id}>
                item {item.id}
                {item.myVerdict ? (
                  <span className="tag">
                    {readOnly ? 'your verdict' : 'revising'} r{item.myVerdict.revision}
                  </span>
                ) : null}
                {item.status !== 'open' && item.status !== 'in_review' ? (
                  <span className="tag" title="The panel's review of this item">
                    {item.status}
                  </span>
                ) : null}
              </span>
            ) : null}
            {guide ? (
              <button
                type="button"
                className="text-button guide-button"
                aria-label="Guide (g)"
                aria-expanded={guideOpen}
                title="The project’s labeling guide, beside the item (g)"
                onMouseDown={keepFocus}
                onClick={() => useReviewUiStore.getState().toggleGuide()}
                data-testid="open-guide"
              >
                Guide <kbd>g</kbd>
              </button>
            ) : null}
            <button
              type="button"
              className="icon-button help-button"
              aria-label="Keyboard shortcuts (?)"
              aria-pressed={overlay === 'shortcuts'}
              title="Keyboard shortcuts (?)"
              onClick={() => useReviewUiStore.getState().openOverlay(overlay === 'shortcuts' ? null : 'shortcuts')}
            >
              ?
            </button>
          </>
        }
      >
        <div className="progress" data-testid="progress" title="Items you have judged / items in the review queue; items still waiting for your verdict">
          <span className="progress-text">
            <strong>{counts.myVerdicts}</strong> / {counts.items}
            <span className="progress-words"> judged by you</span>
            {' '}
            <span className="progress-left" data-testid="progress-left">
              · {counts.leftForMe} left for you
            </span>
          </span>
          <span className="progress-bar" aria-hidden="true">
            <span style={{ width: `${counts.items ? (100 * counts.myVerdicts) / counts.items : 0}%` }} />
          </span>
        </div>
      </AppHeader>
      {/* One row of the screen's grid for every banner, even none: the workspace below keeps its row. */}
      <div className="review-banners">
        {illustrative ? (
          <div className="banner" role="note" data-testid="illustrative-banner">
            Demo data: predictions are illustrative, no model was run on these images.
          </div>
        ) : null}
        {ready && readOnly && current.kind === 'item' ? <FinalItemBanner item={item} /> : null}
        {outbox.refused.map((entry) => (
          <RefusedVerdictBanner key={entry.key} entry={entry} onOpen={() => openRefused(entry)} onDismiss={() => sync.outbox.dismiss(entry.key)} />
        ))}
        {claimWarning ? (
          <div className="banner" role="status" data-testid="claim-warning" data-kind={claimWarning.kind}>
            {claimWarning.text}
          </div>
        ) : null}
        {goldFeedback ? (
          <GoldFeedbackNotice itemId={goldFeedback.itemId} feedback={goldFeedback.feedback} onDismiss={() => sync.outbox.dismissGoldFeedback(goldFeedback.key)} />
        ) : null}
      </div>

      {current.kind === 'done' ? (
        <NothingLeft
          myVerdicts={counts.myVerdicts}
          items={counts.items}
          leftForMe={counts.leftForMe}
          onCheckAgain={() => setCurrent({ kind: 'claiming' })}
          judgedItemsLink={counts.myVerdicts > 0 ? judgedItemsLink : undefined}
        />
      ) : itemQuery.isError ? (
        <CenteredMessage title="This item cannot be shown" testId="item-error">
          <p>{errorMessage(itemQuery.error)}</p>
          <button type="button" className="primary" onClick={() => setCurrent({ kind: 'claiming' })}>
            Review the next item instead
          </button>
        </CenteredMessage>
      ) : claim.isError && current.kind === 'claiming' ? (
        <CenteredMessage title="No item could be fetched" testId="claim-error">
          <p>{errorMessage(claim.error)}</p>
          <button type="button" className="primary" onClick={() => claim.reset()}>
            Try again
          </button>
        </CenteredMessage>
      ) : ready ? (
        <ReviewWorkspace
          key={item.id}
          item={item}
          vocabulary={vocabulary.data}
          vocabularyError={vocabulary.isError ? errorMessage(vocabulary.error) : null}
          busy={busy}
          notice={notice}
          error={actionError}
          readOnly={readOnly}
          onSubmit={submitDraft}
          onSkip={skipCurrent}
          onNext={() => moveTo(undefined)}
          aside={itemAside?.(item)}
          classExamples={classExamples}
          canShowGuide={guide !== undefined}
          draftStatus={readOnly ? null : <DraftStatus sync={sync.drafts} itemId={item.id} waiting={waiting?.itemId === item.id} paused={outbox.paused} />}
          onDiscardKeptDraft={(kept) => sync.drafts.discardKept(item.id, kept.baseRevision)}
          onImageShown={onImageShown}
          dismissMessage={dismissGoldFeedback}
        />
      ) : (
        <div className="loading" aria-live="polite" data-testid="loading">
          {current.kind === 'item' ? 'Loading the item…' : 'Loading the next item…'}
        </div>
      )}
      {overlay === 'shortcuts' ? (
        <ShortcutsOverlay
          mistakeCategories={item?.mistakeCategories ?? project.mistakeCategories}
          readOnly={ready && readOnly}
          examples={classExamples !== undefined}
          guide={guide !== undefined}
        />
      ) : null}
      {guideOpen && guide ? guide({ onClose: () => useReviewUiStore.getState().closeGuide() }) : null}
    </div>
  );
}

export type SubmitDraft = (itemId: number, request: VerdictRequest) => void;

/** Why an agreed or final item shows read-only, above it. */
function FinalItemBanner({ item }: { item: ReviewItem }) {
  if (!isFinalStatus(item.status)) return null;
  const { label, text } = finalBanner(item.status, item.myVerdict !== null);
  return (
    <div className="banner final-banner" role="note" data-testid="final-banner" data-status={item.status}>
      <strong>{label}:</strong> {text}
    </div>
  );
}

interface NothingLeftProps {
  myVerdicts: number;
  items: number;
  /** Items not judged by this reviewer whose panel is not complete: other experts hold them right now. */
  leftForMe: number;
  onCheckAgain(): void;
  judgedItemsLink?: ReactNode;
}

function NothingLeft({ myVerdicts, items, leftForMe, onCheckAgain, judgedItemsLink }: NothingLeftProps) {
  return (
    <CenteredMessage title="Nothing left to review in this project" testId="nothing-left">
      <p>
        You have judged <strong>{myVerdicts}</strong> of the {items} items in the queue.{' '}
        {leftForMe === 0 ? (
          <span data-testid="nothing-left-why">Every other item has its full panel of verdicts: none is waiting for you.</span>
        ) : (
          <span data-testid="nothing-left-why">
            {leftForMe === 1 ? 'One more item still needs verdicts' : `${leftForMe} more items still need verdicts`}, but other experts are
            reviewing {leftForMe === 1 ? 'it' : 'them'} right now: check again in a while.
          </span>
        )}
      </p>
      <button type="button" className="primary" onClick={onCheckAgain}>
        Check again
      </button>
      {judgedItemsLink ? <p>{judgedItemsLink}</p> : null}
    </CenteredMessage>
  );
}

function CenteredMessage({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <main className="centered-message" data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </main>
  );
}
