import { type DeskItem, type Judgement, Judgement as JudgementSchema, Severity } from '@bagel/contracts';
import { memo, useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { keepFocus } from '../../../lib/keep-focus';
import { type DeskClass, isGradeComplete, modelsToGrade } from '../lib/decision-draft';
import { useDeskUiStore } from '../stores/desk-ui-store';

type Verdict = DeskItem['verdicts'][number];
type ModelConsensus = DeskItem['consensus']['models'][number];

const JUDGEMENT_LETTER: Record<Judgement, string> = { correct: 'C', wrong: 'W', unclear: 'U' };
const JUDGEMENT_SIGN: Record<Judgement, string> = { correct: '✓', wrong: '✗', unclear: '?' };

interface PanelTableProps {
  desk: DeskItem;
  classes: readonly DeskClass[];
  /** Verdicts in column order. */
  verdicts: readonly Verdict[];
  /** Short tag per model name (A, B, C…), as on the review screen. */
  modelTags: ReadonlyMap<string, string>;
  readOnly: boolean;
  /** Each class row offers the examples of its class (other images of it), as `e` does for the focused one. */
  showExamples?: boolean;
}

/**
 * The panel side by side: one row per class, one column per expert, then the aggregate with its vote counts and the
 * lead's decision; then problematic, each model's severity and category, and the comments. Rows the panel disputes
 * are highlighted, with the reason.
 */
export const PanelTable = memo(function PanelTable({ desk, classes, verdicts, modelTags, readOnly, showExamples = false }: PanelTableProps) {
  const { draft, focusedIndex } = useDeskUiStore(useShallow((s) => ({ draft: s.draft, focusedIndex: s.focusedIndex })));
  const { decide, setFocus, openExamples } = useDeskUiStore(
    useShallow((s) => ({ decide: s.decide, setFocus: s.setFocus, openExamples: s.openExamples })),
  );
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const focused = Math.min(focusedIndex, classes.length - 1);

  useEffect(() => {
    // inline 'start': a table wider than its panel scrolls back to the class names, not to wherever the row ends.
    bodyRef.current?.querySelector<HTMLElement>('[data-focused="true"]')?.scrollIntoView({ block: 'nearest', inline: 'start' });
  }, [focused]);

  if (!draft) return null;
  const { consensus } = desk;
  const disputeOf = new Map(consensus.disputes.flatMap((d) => (d.kind === 'class' ? [[d.classKey, d.detail] as const] : [])));
  const problematicDispute = consensus.disputes.find((d) => d.kind === 'problematic');
  const toGrade = new Set(modelsToGrade(desk, draft).map((m) => m.model));
  const modelConsensus = new Map(consensus.models.map((m) => [m.model, m]));
  // Every model of the item gets its rows: the panel may have graded it, or the decision may make it a mistake.
  const models = desk.item.models;
  const columns = verdicts.length + 3;

  return (
    <table className="panel-table" data-testid="panel-table" aria-label="Verdicts of the panel, its aggregate and the decision">
      <thead>
        <tr>
          <th scope="col" className="col-class">
            Class
          </th>
          {verdicts.map((v) => (
            <th
              key={v.expert}
              scope="col"
              className="col-expert"
              title={`${v.expert}: revision ${v.revision}, ${v.createdAt}${v.afterSeeingPanel ? ', revised after seeing the panel’s verdicts' : ''}`}
              data-after-seeing-panel={v.afterSeeingPanel}
            >
              {v.expert}
              {v.afterSeeingPanel ? (
                <span className="tag" aria-label="revised after seeing the panel">
                  seen
                </span>
              ) : null}
            </th>
          ))}
          {consensus.classes.some((c) => c.posterior !== undefined) ? (
            <th scope="col" className="col-panel" title="Dawid–Skene: each class decided by its posterior P(present) (P), correct at 0.80 or above, wrong at 0.20 or below; the flag and grades need q matching votes">
              Panel <span className="muted">P(present), q={consensus.quorum}</span>
            </th>
          ) : (
            <th scope="col" className="col-panel" title={`q = ${consensus.quorum}: matching votes an answer needs`}>
              Panel <span className="muted">q={consensus.quorum}</span>
            </th>
          )}
          <th scope="col" className="col-decision">
            Decision
          </th>
        </tr>
      </thead>
      <tbody ref={bodyRef}>
        {classes.map((cls, index) => {
          const decided = draft.labels[cls.key];
          const isFocused = index === focused;
          const dispute = disputeOf.get(cls.key);
          return (
            <tr
              key={cls.key}
              className={`class-row${isFocused ? ' is-focused' : ''}${dispute ? ' is-disputed' : ''}`}
              data-testid="desk-class-row"
              data-key={cls.key}
              data-decision={decided ?? ''}
              data-disputed={dispute !== undefined}
              data-focused={isFocused}
              aria-current={isFocused ? 'true' : undefined}
              onMouseDown={(event) => {
                if (!(event.target instanceof HTMLElement && event.target.closest('button'))) setFocus(index);
              }}
            >
              <th scope="row" className="class-cell" title={cls.gloss || undefined}>
                <span className="class-name">{cls.names[0] ?? cls.key}</span>
                <span className="candidate-key">{cls.key}</span>
                <span className="class-badges">
                  {cls.isOriginal ? <span className="badge badge-original">original</span> : null}
                  {cls.top1Of.map((model) => (
                    <span key={model} className={`badge badge-model model-${modelTags.get(model) ?? 'A'}`} title={`Top-1 of ${model}`}>
                      {modelTags.get(model)}
                      <small>#1</small>
                    </span>
                  ))}
                </span>
                {showExamples ? (
                  <button
                    type="button"
                    className="link-button examples-button"
                    aria-label={`Examples of ${cls.label} (e)`}
                    title="Other images of this class (e)"
                    onMouseDown={keepFocus}
                    onClick={() => {
                      setFocus(index);
                      openExamples(cls.key);
                    }}
                    data-testid="desk-class-examples"
                  >
                    examples
                  </button>
                ) : null}
              </th>
              {verdicts.map((v) => (
                <JudgementCell key={v.expert} judgement={v.labels[cls.key]} expert={v.expert} />
              ))}
              <td className={`panel-cell${dispute ? ' is-disputed' : ''}`} title={dispute}>
                {cls.consensus ? (
                  <>
                    <span className={`panel-decision${cls.consensus.reached ? ` is-${cls.consensus.decision}` : ''}`}>
                      {cls.consensus.reached ? cls.consensus.decision : cls.consensus.posterior !== undefined ? 'uncertain' : 'no quorum'}
                    </span>
                    <span className="votes" aria-label={voteText(cls.consensus.votes)}>
                      {cls.consensus.votes.correct}C {cls.consensus.votes.wrong}W {cls.consensus.votes.unclear}U
                      {cls.consensus.votes.abstain > 0 ? ` ${cls.consensus.votes.abstain}–` : ''}
                    </span>
                    {cls.consensus.posterior !== undefined ? (
                      <span
                        className="posterior"
                        title="Dawid–Skene: the probability that the class is present, from these judgements and each expert's estimated confusion matrix (correct at 0.80 or above, wrong at 0.20 or below)"
                        aria-label={`posterior probability present ${cls.consensus.posterior.toFixed(2)}`}
                        data-testid="desk-posterior"
                      >
                        P {cls.consensus.posterior.toFixed(2)}
                      </span>
                    ) : null}
                  </>
                ) : (
                  <span className="muted">not judged</span>
                )}
              </td>
              <td className="decision-cell">
                {readOnly ? (
                  <JudgementText judgement={decided} none="undecided" />
                ) : (
                  <div className="judgement" role="group" aria-label={`Decision on ${cls.label}`}>
                    {JudgementSchema.options.map((option) => (
                      <button
                        key={option}
                        type="button"
                        className={`judge judge-${option}`}
                        aria-pressed={decided === option}
                        aria-label={`Decide ${cls.label} ${option}`}
                        title={`${option} (${option[0]})`}
                        onMouseDown={keepFocus}
                        onClick={() => {
                          decide(cls.key, option);
                          setFocus(index);
                        }}
                      >
                        {JUDGEMENT_LETTER[option]}
                      </button>
                    ))}
                  </div>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
      <tbody className="extra-rows">
        <tr className="section-row">
          <th scope="rowgroup" colSpan={columns}>
            Image
          </th>
        </tr>
        <tr className={problematicDispute ? 'is-disputed' : undefined} data-testid="desk-problematic-row" data-disputed={problematicDispute !== undefined}>
          <th scope="row">Problematic</th>
          {verdicts.map((v) => (
            <td key={v.expert} className={v.problematic ? 'cell-flagged' : 'cell-quiet'}>
              {v.problematic ? (
                <>
                  <strong>flagged</strong> <span className="cell-detail">{v.problematic.reason}</span>
                </>
              ) : (
                'no'
              )}
            </td>
          ))}
          <td className={`panel-cell${problematicDispute ? ' is-disputed' : ''}`} title={problematicDispute?.detail}>
            <span className="panel-decision">{consensus.problematic.decision ? 'problematic' : consensus.problematic.votes.flagged > 0 ? 'no quorum' : 'no'}</span>
            <span className="votes">
              {consensus.problematic.votes.flagged} of {consensus.problematic.votes.flagged + consensus.problematic.votes.notFlagged} flagged
            </span>
          </td>
          <td className="decision-cell">
            <ProblematicDecision readOnly={readOnly} reasons={consensus.problematic.reasons.map((r) => r.reason)} />
          </td>
        </tr>
        {models.map((model) => (
          <ModelRows
            key={model.model}
            model={model}
            tag={modelTags.get(model.model) ?? ''}
            consensus={modelConsensus.get(model.model)}
            verdicts={verdicts}
            disputes={desk.consensus.disputes}
            isMistake={toGrade.has(model.model)}
            categories={desk.item.mistakeCategories}
            readOnly={readOnly}
          />
        ))}
        <tr className="section-row">
          <th scope="rowgroup" colSpan={columns}>
            Comments
          </th>
        </tr>
        <tr>
          <th scope="row">Comment</th>
          {verdicts.map((v) => (
            <td key={v.expert} className="comment-cell" data-testid="desk-comment">
              {v.comment || <span className="muted">none</span>}
            </td>
          ))}
          <td colSpan={2} />
        </tr>
      </tbody>
    </table>
  );
});

function voteText(votes: { correct: number; wrong: number; unclear: number; abstain: number }): string {
  return `${votes.correct} correct, ${votes.wrong} wrong, ${votes.unclear} unclear, ${votes.abstain} did not judge`;
}

function JudgementCell({ judgement, expert }: { judgement: Judgement | undefined; expert: string }) {
  return (
    <td className={`judgement-cell${judgement ? ` is-${judgement}` : ' is-none'}`} data-expert={expert} data-judgement={judgement ?? ''}>
      <JudgementText judgement={judgement} none="not judged" />
    </td>
  );
}

function JudgementText({ judgement, none }: { judgement: Judgement | undefined; none: string }) {
  if (!judgement) return <span className="judgement-text is-none">{none}</span>;
  return (
    <span className={`judgement-text is-${judgement}`}>
      <span aria-hidden="true">{JUDGEMENT_SIGN[judgement]}</span> {judgement}
    </span>
  );
}

function ProblematicDecision({ readOnly, reasons }: { readOnly: boolean; reasons: readonly string[] }) {
  const { on, reason } = useDeskUiStore(useShallow((s) => ({ on: s.draft?.problematic ?? false, reason: s.draft?.problematicReason ?? '' })));
  const { setProblematic, setProblematicReason } = useDeskUiStore(
    useShallow((s) => ({ setProblematic: s.setProblematic, setProblematicReason: s.setProblematicReason })),
  );
  if (readOnly) return on ? <span>problematic: {reason}</span> : <span>no</span>;
  return (
    <div className="problematic-decision">
      <label className="check">
        <input type="checkbox" checked={on} onChange={(event) => setProblematic(event.target.checked)} aria-label="Decide the image problematic" />
        problematic
      </label>
      {on ? (
        <>
          <input
            type="text"
            className="reason-input"
            list="desk-problematic-reasons"
            aria-label="Reason the image is problematic"
            placeholder="Reason"
            maxLength={500}
            value={reason}
            onChange={(event) => setProblematicReason(event.target.value)}
          />
          <datalist id="desk-problematic-reasons">
            {reasons.map((r) => (
              <option key={r} value={r} />
            ))}
          </datalist>
        </>
      ) : null}
    </div>
  );
}

interface ModelRowsProps {
  model: DeskItem['item']['models'][number];
  tag: string;
  consensus: ModelConsensus | undefined;
  verdicts: readonly Verdict[];
  disputes: DeskItem['consensus']['disputes'];
  /** The model's top-1 is a mistake under the decided labels: its grade is part of the decision. */
  isMistake: boolean;
  categories: readonly string[];
  readOnly: boolean;
}

function ModelRows({ model, tag, consensus, verdicts, disputes, isMistake, categories, readOnly }: ModelRowsProps) {
  const grade = useDeskUiStore((s) => s.draft?.mistakes[model.model]);
  const { setSeverity, setCategory } = useDeskUiStore(useShallow((s) => ({ setSeverity: s.setSeverity, setCategory: s.setCategory })));
  const dispute = (field: 'severity' | 'category') => disputes.find((d) => d.kind === field && d.model === model.model);
  const severityDispute = dispute('severity');
  const categoryDispute = dispute('category');
  const top1 = model.predictions[0];
  const columns = verdicts.length + 3;
  const notAMistake = <span className="muted">no mistake</span>;
  const mistakeText =
    consensus?.mistake === 'yes' ? 'mistake' : consensus?.mistake === 'no' ? 'no mistake' : consensus ? 'undecided' : 'not graded';

  return (
    <>
      <tr className="section-row">
        <th scope="rowgroup" colSpan={columns}>
          <span className={`model-tag model-${tag}`} aria-hidden="true">
            {tag}
          </span>{' '}
          {model.displayName}
          {model.illustrative && !/illustrative/i.test(model.displayName) ? <span className="tag">illustrative</span> : null}
          <span className="muted"> · top-1 {top1?.name ?? '–'}</span>
          <span className={`status ${isMistake ? 'status-todo' : 'status-ok'}`}>{isMistake ? 'a mistake under the decision' : 'no mistake under the decision'}</span>
        </th>
      </tr>
      <tr className={severityDispute ? 'is-disputed' : undefined} data-testid="desk-severity-row" data-model={model.model} data-disputed={severityDispute !== undefined}>
        <th scope="row">Severity</th>
        {verdicts.map((v) => (
          <td key={v.expert} className={v.mistakes[model.model] ? `severity-cell severity-${v.mistakes[model.model]?.severity.toLowerCase()}` : 'cell-quiet'}>
            {v.mistakes[model.model]?.severity ?? notAMistake}
          </td>
        ))}
        <td className={`panel-cell${severityDispute ? ' is-disputed' : ''}`} title={severityDispute?.detail}>
          <span className="panel-decision">{consensus?.severity.decision ?? (consensus?.graders ? 'no majority' : mistakeText)}</span>
          {consensus && consensus.graders > 0 ? (
            <span className="votes">
              {Severity.options
                .filter((s) => consensus.severity.votes[s] > 0)
                .map((s) => `${consensus.severity.votes[s]} ${s}`)
                .join(', ')}
            </span>
          ) : null}
        </td>
        <td className="decision-cell">
          {!isMistake ? (
            <span className="muted">nothing to grade</span>
          ) : readOnly ? (
            <span>{grade?.severity ?? '–'}</span>
          ) : (
            <div className="chips" role="group" aria-label={`Severity of the mistake of ${model.displayName}`}>
              {Severity.options.map((severity) => (
                <button
                  key={severity}
                  type="button"
                  className={`chip severity-${severity.toLowerCase()}`}
                  aria-pressed={grade?.severity === severity}
                  aria-label={`${model.displayName}: severity ${severity}`}
                  onMouseDown={keepFocus}
                  onClick={() => setSeverity(model.model, severity)}
                >
                  {severity}
                </button>
              ))}
            </div>
          )}
        </td>
      </tr>
      <tr className={categoryDispute ? 'is-disputed' : undefined} data-testid="desk-category-row" data-model={model.model} data-disputed={categoryDispute !== undefined}>
        <th scope="row">Category</th>
        {verdicts.map((v) => (
          <td key={v.expert} className={v.mistakes[model.model] ? 'category-cell' : 'cell-quiet'}>
            {v.mistakes[model.model]?.category ?? notAMistake}
          </td>
        ))}
        <td className={`panel-cell${categoryDispute ? ' is-disputed' : ''}`} title={categoryDispute?.detail}>
          <span className="panel-decision">{consensus?.category.decision ?? (consensus?.graders ? 'no majority' : mistakeText)}</span>
          {consensus && consensus.category.votes.length > 0 ? (
            <span className="votes">{consensus.category.votes.map((c) => `${c.votes} ${c.category}`).join(', ')}</span>
          ) : null}
        </td>
        <td className="decision-cell">
          {!isMistake ? (
            <span className="muted">nothing to grade</span>
          ) : readOnly ? (
            <span>{grade?.category ?? '–'}</span>
          ) : (
            <select
              className={`category-select${isGradeComplete(grade) ? '' : grade?.category ? '' : ' is-empty'}`}
              aria-label={`Category of the mistake of ${model.displayName}`}
              value={grade?.category ?? ''}
              onChange={(event) => setCategory(model.model, event.target.value)}
            >
              <option value="" disabled>
                Pick a category…
              </option>
              {categories.map((category) => (
                <option key={category} value={category}>
                  {category}
                </option>
              ))}
            </select>
          )}
        </td>
      </tr>
    </>
  );
}
