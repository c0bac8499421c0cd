import type { ReviewItem } from '@bagel/contracts';
import { displayName } from '@bagel/core';
import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { errorMessage } from '../../../lib/api-client';
import { revealModels } from '../api/reveal-models';
import { useShallow } from 'zustand/react/shallow';
import type { IndexedVocabulary } from '../../../lib/vocabulary';
import { useReviewKeyboard } from '../hooks/use-review-keyboard';
import { type DraftVerdict, candidateLabels, focusedModelName, reviewCandidates, submitBlockers, verdictRequest } from '../lib/draft-verdict';
import { type LockedAction, isFinalStatus, lockedKeyMessage } from '../lib/read-only';
import { keepFocus } from '../../../lib/keep-focus';
import { useReviewUiStore } from '../stores/review-ui-store';
import { AddClassSearch } from './AddClassSearch';
import { CandidateList } from './CandidateList';
import { ImageViewer } from '../../../components/ImageViewer';
import { ModelPanel } from './ModelPanel';
import { PanelVerdicts } from './PanelVerdicts';
import { ProblematicControl } from './ProblematicControl';
import type { ClassExamplesSlot, ReviewNotice, SubmitDraft } from './ReviewScreen';

/** How long the message of a refused shortcut stays. */
const LOCKED_MESSAGE_MS = 4000;

interface ReviewWorkspaceProps {
  item: ReviewItem;
  vocabulary: IndexedVocabulary | undefined;
  vocabularyError: string | null;
  busy: boolean;
  notice: ReviewNotice | null;
  error: string | null;
  /** The item is agreed or final: the expert's own verdict as judged, nothing to change, and a way on to the next item. */
  readOnly: boolean;
  onSubmit: SubmitDraft;
  onSkip(itemId: number): void;
  /** Back to the queue, from a read-only item or one whose panel turned out full. */
  onNext(): void;
  /** Shown under the models (e.g. the item's discussion). */
  aside?: ReactNode;
  /** The examples of a candidate class, from the app shell; read-only too (looking is not an edit). */
  classExamples?: ClassExamplesSlot;
  /** `g` opens the labeling guide (the review screen shows it, from the app shell); read-only too. */
  canShowGuide?: boolean;
  /** Where the draft stands (kept in this browser, saved on the server), beside the buttons. */
  draftStatus?: ReactNode;
  /** The reviewer throws away the draft kept from an earlier revision. */
  onDiscardKeptDraft?(kept: DraftVerdict): void;
  /** The item's image is on screen (loaded, failed or missing). */
  onImageShown?(): void;
  /** Esc that nothing on the item takes dismisses the screen's message, if any (true when there was one). */
  dismissMessage?(): boolean;
}

/** The review of one item: image, labels and candidates, models, and the verdict bar. Rendered once its draft exists. */
export function ReviewWorkspace({
  item,
  vocabulary,
  vocabularyError,
  busy,
  notice,
  error,
  readOnly,
  onSubmit,
  onSkip,
  onNext,
  aside,
  classExamples,
  canShowGuide = false,
  draftStatus,
  onDiscardKeptDraft,
  onImageShown,
  dismissMessage,
}: ReviewWorkspaceProps) {
  const { draft, focusedIndex, overlay, examplesKey, restoredFrom, keptDraft } = useReviewUiStore(
    useShallow((s) => ({
      draft: s.draft,
      focusedIndex: s.focusedIndex,
      overlay: s.overlay,
      examplesKey: s.examplesKey,
      restoredFrom: s.restoredFrom,
      keptDraft: s.keptDraft,
    })),
  );
  const { setComment, openOverlay, closeOverlay } = useReviewUiStore(
    useShallow((s) => ({ setComment: s.setComment, openOverlay: s.openOverlay, closeOverlay: s.closeOverlay })),
  );
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const [attempted, setAttempted] = useState(false);
  // The message of the last shortcut the read-only screen refused (seq: a new press shows it again, for as long).
  const [locked, setLocked] = useState<{ text: string; seq: number } | null>(null);
  useEffect(() => {
    if (!locked) return;
    const timer = setTimeout(() => setLocked(null), LOCKED_MESSAGE_MS);
    return () => clearTimeout(timer);
  }, [locked]);
  const onLockedKey = (action: LockedAction) => {
    if (!isFinalStatus(item.status)) return;
    const text = lockedKeyMessage(item.status, action, item.myVerdict !== null);
    setLocked((previous) => ({ text, seq: (previous?.seq ?? 0) + 1 }));
  };
  const addedKeys = draft?.addedKeys;
  const candidates = useMemo(() => reviewCandidates(item, addedKeys ?? [], vocabulary?.vocabulary), [item, addedKeys, vocabulary]);
  const labels = useMemo(() => candidateLabels(candidates), [candidates]);
  const focusedKey = candidates[Math.min(focusedIndex, candidates.length - 1)]?.key;
  const focusedModel = draft ? focusedModelName(item, draft, focusedKey) : null;
  const blockers = draft ? submitBlockers(item, draft) : [];
  const unjudged = draft ? candidates.filter((c) => !draft.labels[c.key]).length : 0;

  // The models hidden (modelEvidence): once every candidate is judged, the judgements go to the server, which keeps
  // them and answers the item with its models (in the cache, so the screen shows them). Once per item; after a
  // failure, on the button only (no loop of retries).
  const queryClient = useQueryClient();
  const hidden = item.modelEvidence.hidden;
  const revealedFor = useRef<number | null>(null);
  const [revealError, setRevealError] = useState<string | null>(null);
  const reveal = () => {
    const current = useReviewUiStore.getState().draft;
    if (!current || readOnly) return;
    revealedFor.current = item.id;
    setRevealError(null);
    const labels = Object.fromEntries(candidates.flatMap((c) => (current.labels[c.key] ? [[c.key, current.labels[c.key]!]] : [])));
    revealModels(queryClient, item.id, labels).catch((e: unknown) => setRevealError(errorMessage(e)));
  };
  const everyJudged = draft !== null && candidates.length > 0 && unjudged === 0;
  useEffect(() => {
    if (hidden && everyJudged && !readOnly && revealedFor.current !== item.id) reveal();
    // reveal reads the current draft and candidates itself.
  }, [hidden, everyJudged, readOnly, item.id]);

  const submit = () => {
    const current = useReviewUiStore.getState().draft;
    if (!current || busy || readOnly) return;
    if (submitBlockers(item, current).length > 0) {
      setAttempted(true);
      return;
    }
    onSubmit(item.id, verdictRequest(item, current));
  };
  const skip = () => {
    if (!busy && !readOnly) onSkip(item.id);
  };

  useReviewKeyboard({
    item,
    candidates,
    focusedModel,
    submit,
    skip,
    focusComment: () => commentRef.current?.focus(),
    readOnly,
    next: onNext,
    onLockedKey,
    canShowExamples: classExamples !== undefined,
    canShowGuide,
    dismissMessage,
  });

  // The examples hold the keyboard while open: examples of a class no longer listed would hold it for good, so they close.
  const examplesOf = overlay === 'class-examples' && classExamples ? candidates.find((c) => c.key === examplesKey) : undefined;
  const examplesLost = overlay === 'class-examples' && examplesOf === undefined;
  useEffect(() => {
    if (examplesLost) closeOverlay();
  }, [examplesLost, closeOverlay]);

  if (!draft) return null;
  const original = item.originalLabel;
  const acceptedOthers = item.acceptedLabels.filter((key) => key !== original?.key);
  const nameOf = (key: string) => {
    const cls = candidates.find((c) => c.key === key) ?? vocabulary?.vocabulary.byKey(key);
    return cls ? displayName(cls) : key;
  };

  return (
    <>
      <main className="review-grid" data-testid="review-screen" data-item-id={item.id} data-read-only={readOnly}>
        <section className="panel image-panel" aria-label="Image">
          <ImageViewer image={item.image} onShown={onImageShown} />
        </section>

        <section className="panel labels-panel" aria-label="Labels and candidates">
          {original === null ? (
            <div className="original-label models-hidden" data-testid="models-hidden">
              <div className="eyebrow">Judge before seeing the models</div>
              <p>
                The candidates are in a random order, without the original label, the models or their scores. Judge every one; the models then appear,
                to grade their mistakes.
              </p>
            </div>
          ) : (
          <div className="original-label" data-testid="original-label">
            <div className="eyebrow">Original label</div>
            <div className="original-name">
              <strong>{displayName(original)}</strong>
              <span className="candidate-key">{original.key}</span>
            </div>
            {original.names.length > 1 ? <div className="candidate-synonyms">{original.names.slice(1).join(', ')}</div> : null}
            {original.gloss ? <p className="original-gloss">{original.gloss}</p> : null}
            <div className="accepted">
              <span className="eyebrow">Accepted labels</span>{' '}
              {acceptedOthers.length === 0 ? (
                <span className="muted">the original label only</span>
              ) : (
                item.acceptedLabels.map((key) => (
                  <span key={key} className="badge badge-accepted" title={key}>
                    {nameOf(key)}
                  </span>
                ))
              )}
            </div>
          </div>
          )}

          <div className="candidates-area">
            {overlay === 'add-class' && !readOnly ? <AddClassSearch vocabulary={vocabulary} vocabularyError={vocabularyError} candidates={candidates} /> : null}
            <CandidateList item={item} candidates={candidates} labels={labels} readOnly={readOnly} showExamples={classExamples !== undefined} />
            {readOnly ? null : (
              <button type="button" className="add-class-button" onMouseDown={keepFocus} onClick={() => openOverlay('add-class')}>
                + Add a class <kbd>a</kbd>
              </button>
            )}
          </div>
        </section>

        <section className="panel models-panel" aria-label="Models">
          {hidden ? (
            <div className="models-hidden-note" data-testid="models-hidden-note" role="status">
              {revealError ? (
                <>
                  <p className="error">{revealError}</p>
                  <button type="button" className="secondary" onMouseDown={keepFocus} onClick={reveal} data-testid="reveal-models">
                    Show the models
                  </button>
                </>
              ) : everyJudged ? (
                <p className="muted">Showing the models…</p>
              ) : (
                <p className="muted">
                  The models appear once every candidate is judged: {unjudged} left.
                </p>
              )}
            </div>
          ) : (
            <ModelPanel item={item} candidates={candidates} focusedModel={focusedModel} readOnly={readOnly} />
          )}
          {/* Blind review: the panel's verdicts only once this expert's own is in, beside the discussion. */}
          {item.myVerdict ? <PanelVerdicts item={item} nameOf={nameOf} /> : null}
          {aside}
        </section>
      </main>

      <footer className="review-footer">
        <ProblematicControl readOnly={readOnly} />
        <label className="comment">
          <span className="eyebrow">Comment {readOnly ? null : <kbd>m</kbd>}</span>
          <textarea
            ref={commentRef}
            rows={2}
            value={draft.comment}
            placeholder={readOnly ? 'No comment.' : 'Optional: what you saw, a source you checked…'}
            maxLength={5000}
            readOnly={readOnly}
            onChange={(event) => setComment(event.target.value)}
          />
        </label>
        <div className="submit-area">
          <div className="submit-messages">
            {restoredFrom && !readOnly ? (
              <p className="notice" role="status" data-testid="draft-restored" data-from={restoredFrom}>
                Your draft of this verdict is back{restoredFrom === 'server' ? ' (saved from another browser)' : ''}.
              </p>
            ) : null}
            {keptDraft && !readOnly ? (
              <p className="notice kept-draft" role="status" data-testid="kept-draft">
                Your unsaved draft of this verdict, made before revision {draft.baseRevision} was stored, is kept.{' '}
                <button type="button" className="link-button" onMouseDown={keepFocus} onClick={() => useReviewUiStore.getState().applyKeptDraft()} data-testid="apply-kept-draft">
                  Put it back
                </button>{' '}
                <button
                  type="button"
                  className="link-button"
                  onMouseDown={keepFocus}
                  onClick={() => {
                    useReviewUiStore.getState().dropKeptDraft();
                    onDiscardKeptDraft?.(keptDraft);
                  }}
                  data-testid="discard-kept-draft"
                >
                  Discard it
                </button>
              </p>
            ) : null}
            {notice ? (
              <p className="notice" role="status" data-testid={`${notice.kind}-notice`}>
                {notice.text}
                {notice.kind === 'panel-full' ? (
                  <>
                    {' '}
                    <button type="button" className="link-button" onMouseDown={keepFocus} onClick={onNext} data-testid="panel-full-next">
                      Go on to the next item
                    </button>
                  </>
                ) : null}
              </p>
            ) : null}
            {error ? (
              <p className="error" role="alert" data-testid="submit-error">
                {error}
              </p>
            ) : null}
            {readOnly ? (
              // Always there, so that a message put in it is announced (politely).
              <p className="locked-key-message" role="status" data-testid="locked-key-message">
                {/* A new node per refused key, so the same message is announced again. */}
                {locked ? <span key={locked.seq}>{locked.text}</span> : null}
              </p>
            ) : blockers.length > 0 ? (
              <ul className={`blockers${attempted ? ' is-attempted' : ''}`} data-testid="submit-blockers" role={attempted ? 'alert' : undefined}>
                {blockers.map((b) => (
                  <li key={b}>{b}</li>
                ))}
              </ul>
            ) : !error && !notice ? (
              <p className="muted" data-testid="ready-hint">
                {unjudged > 0 ? `${unjudged} candidate${unjudged === 1 ? '' : 's'} not judged (left out of the verdict).` : 'Every candidate is judged.'}
              </p>
            ) : null}
          </div>
          <div className="submit-buttons">
            {draftStatus}
            {readOnly ? (
              <button type="button" className="primary" onMouseDown={keepFocus} onClick={onNext} data-testid="next-item" title="Back to the review queue">
                Next item <kbd>Enter</kbd>
              </button>
            ) : (
              <>
                <button type="button" className="secondary" disabled={busy} onClick={skip}>
                  Skip <kbd>s</kbd>
                </button>
                <button type="button" className="primary" disabled={busy || blockers.length > 0} onClick={submit} data-testid="submit">
                  {busy ? 'Saving…' : item.myVerdict ? 'Submit revision' : 'Submit'} <kbd>Enter</kbd>
                </button>
              </>
            )}
          </div>
        </div>
      </footer>
      {examplesOf && classExamples ? classExamples({ cls: examplesOf, item, onClose: closeOverlay }) : null}
    </>
  );
}
