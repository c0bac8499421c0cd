import type { ReviewItem } from '@bagel/contracts';
import { displayName } from '@bagel/core';
import { type ReactNode, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { IndexedVocabulary } from '../api/get-vocabulary';
import { useReviewKeyboard } from '../hooks/use-review-keyboard';
import { candidateLabels, focusedModelName, reviewCandidates, submitBlockers, verdictRequest } from '../lib/draft-verdict';
import { keepFocus } from '../../../lib/keep-focus';
import { useReviewUiStore } from '../stores/review-ui-store';
import { AddClassSearch } from './AddClassSearch';
import { CandidateList } from './CandidateList';
import { ImageViewer } from '../../../components/ImageViewer';
import { ModelPanel } from './ModelPanel';
import { ProblematicControl } from './ProblematicControl';
import type { SubmitDraft } from './ReviewScreen';

interface ReviewWorkspaceProps {
  item: ReviewItem;
  vocabulary: IndexedVocabulary | undefined;
  vocabularyError: string | null;
  busy: boolean;
  notice: string | null;
  error: string | null;
  onSubmit: SubmitDraft;
  onSkip(itemId: number): void;
  /** Shown under the models (e.g. the item's discussion). */
  aside?: ReactNode;
}

/** The review of one item: image, labels and candidates, models, and the verdict bar. Rendered once its draft exists. */
export function ReviewWorkspace({ item, vocabulary, vocabularyError, busy, notice, error, onSubmit, onSkip, aside }: ReviewWorkspaceProps) {
  const { draft, focusedIndex, overlay } = useReviewUiStore(
    useShallow((s) => ({ draft: s.draft, focusedIndex: s.focusedIndex, overlay: s.overlay })),
  );
  const { setComment, openOverlay } = useReviewUiStore(useShallow((s) => ({ setComment: s.setComment, openOverlay: s.openOverlay })));
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const [attempted, setAttempted] = useState(false);
  const addedKeys = draft?.addedKeys;
  const candidates = useMemo(() => reviewCandidates(item, addedKeys ?? [], vocabulary?.vocabulary), [item, addedKeys, vocabulary]);
  const labels = useMemo(() => candidateLabels(candidates), [candidates]);
  const focusedKey = candidates[Math.min(focusedIndex, candidates.length - 1)]?.key;
  const focusedModel = draft ? focusedModelName(item, draft, focusedKey) : null;
  const blockers = draft ? submitBlockers(item, draft) : [];
  const unjudged = draft ? candidates.filter((c) => !draft.labels[c.key]).length : 0;

  const submit = () => {
    const current = useReviewUiStore.getState().draft;
    if (!current || busy) return;
    if (submitBlockers(item, current).length > 0) {
      setAttempted(true);
      return;
    }
    onSubmit(item.id, verdictRequest(item, current));
  };
  const skip = () => {
    if (!busy) onSkip(item.id);
  };

  useReviewKeyboard({ item, candidates, focusedModel, submit, skip, focusComment: () => commentRef.current?.focus() });

  if (!draft) return null;
  const original = item.originalLabel;
  const acceptedOthers = item.acceptedLabels.filter((key) => key !== original.key);
  const nameOf = (key: string) => {
    const cls = candidates.find((c) => c.key === key) ?? vocabulary?.vocabulary.byKey(key);
    return cls ? displayName(cls) : key;
  };

  return (
    <>
      <main className="review-grid" data-testid="review-screen" data-item-id={item.id}>
        <section className="panel image-panel" aria-label="Image">
          <ImageViewer image={item.image} />
        </section>

        <section className="panel labels-panel" aria-label="Labels and candidates">
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

          <div className="candidates-area">
            {overlay === 'add-class' ? <AddClassSearch vocabulary={vocabulary} vocabularyError={vocabularyError} candidates={candidates} /> : null}
            <CandidateList item={item} candidates={candidates} labels={labels} />
            <button type="button" className="add-class-button" onMouseDown={keepFocus} onClick={() => openOverlay('add-class')}>
              + Add a class <kbd>a</kbd>
            </button>
          </div>
        </section>

        <section className="panel models-panel" aria-label="Models">
          <ModelPanel item={item} candidates={candidates} focusedModel={focusedModel} />
          {aside}
        </section>
      </main>

      <footer className="review-footer">
        <ProblematicControl />
        <label className="comment">
          <span className="eyebrow">
            Comment <kbd>m</kbd>
          </span>
          <textarea
            ref={commentRef}
            rows={2}
            value={draft.comment}
            placeholder="Optional: what you saw, a source you checked…"
            maxLength={5000}
            onChange={(event) => setComment(event.target.value)}
          />
        </label>
        <div className="submit-area">
          <div className="submit-messages">
            {notice ? (
              <p className="notice" role="status" data-testid="stale-notice">
                {notice}
              </p>
            ) : null}
            {error ? (
              <p className="error" role="alert" data-testid="submit-error">
                {error}
              </p>
            ) : null}
            {blockers.length > 0 ? (
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
            <button type="button" className="secondary" disabled={busy} onClick={skip}>
              Skip <kbd>s</kbd>
            </button>
            <button type="button" className="primary" disabled={busy || blockers.length > 0} onClick={submit} data-testid="submit">
              {busy ? 'Saving…' : item.myVerdict ? 'Submit revision' : 'Submit'} <kbd>Enter</kbd>
            </button>
          </div>
        </div>
      </footer>
    </>
  );
}
