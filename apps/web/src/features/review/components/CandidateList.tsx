import type { CandidateSource, Judgement, ReviewItem } from '@bagel/contracts';
import { Judgement as JudgementSchema } from '@bagel/contracts';
import { displayName } from '@bagel/core';
import { memo, useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { type ReviewCandidate, modelTag } from '../lib/draft-verdict';
import { keepFocus } from '../../../lib/keep-focus';
import { useReviewUiStore } from '../stores/review-ui-store';

const JUDGEMENT_LETTER: Record<Judgement, string> = { correct: 'C', wrong: 'W', unclear: 'U' };
const JUDGEMENT_TITLE: Record<Judgement, string> = { correct: 'Correct (c)', wrong: 'Wrong (w)', unclear: 'Unclear (u)' };

interface CandidateListProps {
  item: ReviewItem;
  candidates: readonly ReviewCandidate[];
  labels: ReadonlyMap<string, string>;
  /** An agreed or final item: the judgements show as given, and cannot change (the focus still moves). */
  readOnly?: boolean;
  /** Each row offers the examples of its class (other images of it), as `e` does for the focused one. */
  showExamples?: boolean;
}

/** Every candidate class with its sources and the three-way judgement; j/k move the focus, c/w/u judge, e shows examples. */
export const CandidateList = memo(function CandidateList({ item, candidates, labels, readOnly = false, showExamples = false }: CandidateListProps) {
  const { judgements, focusedIndex } = useReviewUiStore(
    useShallow((s) => ({ judgements: s.draft?.labels ?? {}, focusedIndex: s.focusedIndex })),
  );
  const { judge, clearJudgement, setFocus, removeAddedClass, openExamples } = useReviewUiStore(
    useShallow((s) => ({ judge: s.judge, clearJudgement: s.clearJudgement, setFocus: s.setFocus, removeAddedClass: s.removeAddedClass, openExamples: s.openExamples })),
  );
  const focused = Math.min(focusedIndex, candidates.length - 1);
  const listRef = useRef<HTMLOListElement>(null);
  const modelPosition = new Map(item.models.map((m, i) => [m.model, i]));
  const modelTitle = new Map(item.models.map((m) => [m.model, m.displayName]));
  const judgedCount = candidates.filter((c) => judgements[c.key]).length;

  useEffect(() => {
    listRef.current?.querySelector<HTMLElement>('[data-focused="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [focused]);

  return (
    <section className="candidates" aria-labelledby="candidates-title">
      <div className="section-head">
        <h2 id="candidates-title">Candidates</h2>
        <span className="muted" data-testid="judged-count">
          {judgedCount}/{candidates.length} judged
        </span>
      </div>
      <ol className="candidate-list" ref={listRef}>
        {candidates.map((candidate, index) => {
          const label = labels.get(candidate.key) ?? displayName(candidate);
          const judgement = judgements[candidate.key];
          const isFocused = index === focused;
          return (
            <li
              key={candidate.key}
              className={`candidate${isFocused ? ' is-focused' : ''}${judgement ? ` is-${judgement}` : ''}`}
              data-testid="candidate-row"
              data-key={candidate.key}
              data-judgement={judgement ?? ''}
              data-focused={isFocused}
              aria-current={isFocused ? 'true' : undefined}
              onMouseDown={(event) => {
                if (!(event.target instanceof HTMLElement && event.target.closest('button'))) setFocus(index);
              }}
            >
              <div className="candidate-main" title={candidate.gloss || undefined}>
                <div className="candidate-name-line">
                  <span className="candidate-name">{displayName(candidate)}</span>
                  <span className="candidate-key">{candidate.key}</span>
                </div>
                {candidate.names.length > 1 ? <div className="candidate-synonyms">{candidate.names.slice(1).join(', ')}</div> : null}
                {isFocused && candidate.gloss ? <div className="candidate-gloss">{candidate.gloss}</div> : null}
                <div className="candidate-sources">
                  {candidate.sources.map((source) => (
                    <SourceBadge key={sourceId(source)} source={source} tag={source.kind === 'model' ? modelTag(modelPosition.get(source.model) ?? 0) : ''} modelName={source.kind === 'model' ? (modelTitle.get(source.model) ?? source.model) : ''} />
                  ))}
                  {showExamples ? (
                    <button
                      type="button"
                      className="link-button examples-button"
                      aria-label={`Examples of ${label} (e)`}
                      title="Other images of this class (e)"
                      onMouseDown={keepFocus}
                      onClick={() => {
                        setFocus(index);
                        openExamples(candidate.key);
                      }}
                      data-testid="candidate-examples"
                    >
                      examples
                    </button>
                  ) : null}
                  {candidate.addedInDraft && !readOnly ? (
                    <button type="button" className="link-button" aria-label={`Remove ${label} (x)`} onMouseDown={keepFocus} onClick={() => removeAddedClass(candidate.key)}>
                      remove
                    </button>
                  ) : null}
                </div>
              </div>
              <div className="judgement" role="group" aria-label={readOnly ? `Judgement of ${label}: ${judgement ?? 'not judged'}` : `Judgement of ${label}`}>
                {JudgementSchema.options.map((option) => (
                  <button
                    key={option}
                    type="button"
                    className={`judge judge-${option}`}
                    aria-pressed={judgement === option}
                    aria-label={`Mark ${label} ${option}`}
                    title={readOnly ? undefined : JUDGEMENT_TITLE[option]}
                    disabled={readOnly}
                    onMouseDown={keepFocus}
                    onClick={() => {
                      // The pressed button again takes the judgement back (a class added in the draft stays, correct).
                      if (judgement === option && !candidate.addedInDraft) clearJudgement(candidate.key);
                      else judge(candidate.key, option);
                      setFocus(index);
                    }}
                  >
                    {JUDGEMENT_LETTER[option]}
                  </button>
                ))}
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
});

function sourceId(source: CandidateSource): string {
  return source.kind === 'model' ? `model:${source.model}` : source.kind;
}

function SourceBadge({ source, tag, modelName }: { source: CandidateSource; tag: string; modelName: string }) {
  switch (source.kind) {
    case 'original':
      return <span className="badge badge-original">original</span>;
    case 'accepted':
      return <span className="badge badge-accepted">accepted</span>;
    case 'added':
      return <span className="badge badge-added">added</span>;
    case 'prior':
      return (
        <span className="badge badge-accepted" title="Judged before this review, in the prior labels imported with the project">
          prior: {source.judgement}
        </span>
      );
    case 'crowd':
      return (
        <span className="badge badge-added" title="The crowd's answers left this class uncertain (Dawid–Skene posterior of being present)">
          crowd p={source.posterior.toFixed(2)}
        </span>
      );
    case 'model':
      return (
        <span className={`badge badge-model model-${tag}`} title={`${modelName}: rank ${source.rank}`}>
          {tag}
          <small>#{source.rank}</small>
        </span>
      );
  }
}
