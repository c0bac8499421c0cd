import type { ItemModel, ReviewItem } from '@bagel/contracts';
import { Severity } from '@bagel/contracts';
import { memo, useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { type DraftGrade, isGradeComplete, isModelMistaken, modelTag, type ReviewCandidate } from '../lib/draft-verdict';
import { keepFocus } from '../../../lib/keep-focus';
import { CATEGORY_KEYS } from '../lib/shortcuts';
import { useReviewUiStore } from '../stores/review-ui-store';

const SEVERITY_KEY: Record<Severity, string> = { Major: '1', Minor: '2', Borderline: '3' };

interface ModelPanelProps {
  item: ReviewItem;
  candidates: readonly ReviewCandidate[];
  focusedModel: string | null;
  /** An agreed or final item: the grades show as given, and cannot change. */
  readOnly?: boolean;
}

/** Per model: its top-k with scores, and the mistake grader when its top-1 is a mistake under the draft. */
export const ModelPanel = memo(function ModelPanel({ item, candidates, focusedModel, readOnly = false }: ModelPanelProps) {
  return (
    <section className="models" aria-labelledby="models-title">
      <div className="section-head">
        <h2 id="models-title">Models</h2>
        <span className="muted">top-{Math.max(0, ...item.models.map((m) => m.predictions.length))}</span>
      </div>
      {item.models.map((model, position) => (
        <ModelCard
          key={model.model}
          item={item}
          model={model}
          tag={modelTag(position)}
          candidates={candidates}
          isFocused={model.model === focusedModel}
          readOnly={readOnly}
        />
      ))}
    </section>
  );
});

interface ModelCardProps {
  item: ReviewItem;
  model: ItemModel;
  tag: string;
  candidates: readonly ReviewCandidate[];
  isFocused: boolean;
  readOnly: boolean;
}

function ModelCard({ item, model, tag, candidates, isFocused, readOnly }: ModelCardProps) {
  const draft = useReviewUiStore((s) => s.draft);
  const { setFocus, setSeverity, setCategory } = useReviewUiStore(
    useShallow((s) => ({ setFocus: s.setFocus, setSeverity: s.setSeverity, setCategory: s.setCategory })),
  );
  const cardRef = useRef<HTMLElement>(null);
  // The keys 1-7 grade this model now: keep it in view in a scrolled column.
  useEffect(() => {
    if (isFocused) cardRef.current?.scrollIntoView({ block: 'nearest' });
  }, [isFocused]);
  if (!draft) return null;
  const top1 = model.predictions[0];
  const mistaken = isModelMistaken(model, draft);
  const grade = draft.mistakes[model.model];
  const top1Judgement = top1 ? draft.labels[top1.key] : undefined;
  // An unjudged top-1 already counts as a mistake, but its grader waits until the top-1 is judged wrong or a grade is
  // started (the keys' model too: nothing asks for a grade before anything is judged); a complete grade folds into its
  // summary, except on the keys' model. So the column stays short enough to see every model at once. Read-only, the
  // focused model's grade shows on its (disabled) chips, if it has one.
  const showGrader =
    mistaken &&
    (readOnly ? isFocused && grade !== undefined : (top1Judgement === 'wrong' || grade !== undefined) && (isFocused || !isGradeComplete(grade)));
  const top1Index = top1 ? candidates.findIndex((c) => c.key === top1.key) : -1;

  return (
    <article
      ref={cardRef}
      className={`model-card${isFocused ? ' is-focused' : ''}${mistaken ? ' is-mistaken' : ''}`}
      data-testid="model-card"
      data-model={model.model}
      data-focused={isFocused}
      data-top1={top1?.key ?? ''}
      data-graded={mistaken ? String(isGradeComplete(grade)) : ''}
      aria-label={model.displayName}
    >
      <header className="model-head">
        <span className={`model-tag model-${tag}`} aria-hidden="true">
          {tag}
        </span>
        <h3 className="model-name" title={model.displayName}>
          {model.displayName}
          {model.illustrative && !/illustrative/i.test(model.displayName) ? <span className="tag">illustrative</span> : null}
        </h3>
        <ModelStatus
          mistaken={mistaken}
          top1Judgement={top1Judgement}
          grade={grade}
          modelName={model.displayName}
          onChange={isFocused || top1Index < 0 || readOnly ? undefined : () => setFocus(top1Index)}
        />
      </header>
      <ol className="predictions">
        {model.predictions.map((p) => {
          const judgement = draft.labels[p.key];
          const candidateIndex = candidates.findIndex((c) => c.key === p.key);
          return (
            <li key={p.rank} className={`prediction${judgement ? ` is-${judgement}` : ''}`}>
              <span className="prediction-rank">{p.rank}</span>
              <button
                type="button"
                className="prediction-name"
                title={`${p.name} (${p.key})`}
                aria-label={`Show ${p.name} in the candidates`}
                onMouseDown={keepFocus}
                onClick={() => candidateIndex >= 0 && setFocus(candidateIndex)}
              >
                {p.name}
              </button>
              {p.score === null ? (
                <span className="score-none">rank only</span>
              ) : (
                <>
                  <span className="score-bar" aria-hidden="true">
                    <span style={{ width: `${Math.max(0, Math.min(1, p.score)) * 100}%` }} />
                  </span>
                  <span className="score">{formatScore(p.score)}</span>
                </>
              )}
              <span className={`judgement-dot${judgement ? ` is-${judgement}` : ''}`} title={judgement ?? 'not judged'} aria-label={judgement ? `judged ${judgement}` : 'not judged'} />
            </li>
          );
        })}
      </ol>
      {showGrader ? (
        <div className="grader" role="group" aria-label={`Mistake of ${model.displayName}`} data-testid="mistake-grader">
          <div className="grader-row">
            <span className="grader-label">Severity</span>
            {Severity.options.map((severity) => (
              <button
                key={severity}
                type="button"
                className={`chip severity-${severity.toLowerCase()}`}
                aria-pressed={grade?.severity === severity}
                aria-label={`${model.displayName}: severity ${severity}`}
                title={isFocused && !readOnly ? `key ${SEVERITY_KEY[severity]}` : undefined}
                disabled={readOnly}
                onMouseDown={keepFocus}
                onClick={() => setSeverity(model.model, severity)}
              >
                {isFocused && !readOnly ? <kbd>{SEVERITY_KEY[severity]}</kbd> : null}
                {severity}
              </button>
            ))}
          </div>
          <div className="grader-row grader-categories">
            <span className="grader-label">Category</span>
            {item.mistakeCategories.map((category, i) => (
              <button
                key={category}
                type="button"
                className="chip"
                aria-pressed={grade?.category === category}
                aria-label={`${model.displayName}: category ${category}`}
                disabled={readOnly}
                onMouseDown={keepFocus}
                onClick={() => setCategory(model.model, category)}
              >
                {isFocused && !readOnly && CATEGORY_KEYS[i] ? <kbd>{CATEGORY_KEYS[i]}</kbd> : null}
                {category}
              </button>
            ))}
          </div>
        </div>
      ) : null}
    </article>
  );
}

function ModelStatus({
  mistaken,
  top1Judgement,
  grade,
  modelName,
  onChange,
}: {
  mistaken: boolean;
  top1Judgement: string | undefined;
  grade: DraftGrade | undefined;
  modelName: string;
  /** Focuses the model's top-1 candidate, which opens its grader. */
  onChange: (() => void) | undefined;
}) {
  if (!mistaken) return <span className="status status-ok">top-1 {top1Judgement}: no mistake</span>;
  if (isGradeComplete(grade)) {
    const text = `${grade.severity} · ${grade.category}`;
    return onChange ? (
      <button type="button" className="status status-graded" aria-label={`${text}: change the grade of ${modelName}`} title="Change the grade" onMouseDown={keepFocus} onClick={onChange}>
        {text}
      </button>
    ) : (
      <span className="status status-graded">{text}</span>
    );
  }
  if (top1Judgement && onChange) {
    // On a small screen only the keys' model shows its grader: this opens another's.
    return (
      <button type="button" className="status status-todo" aria-label={`Grade the mistake of ${modelName}`} title="Grade it" onMouseDown={keepFocus} onClick={onChange}>
        mistake: grade it
      </button>
    );
  }
  return <span className="status status-todo">{top1Judgement ? 'mistake: grade it' : 'top-1 not judged yet'}</span>;
}

function formatScore(score: number): string {
  const percent = score * 100;
  return `${percent >= 10 || percent === 0 ? percent.toFixed(0) : percent.toFixed(1)}%`;
}
