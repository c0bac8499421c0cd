import type { Judgement, ReviewItem, Verdict } from '@bagel/contracts';
import { useId, useState } from 'react';
import { errorMessage } from '../../../lib/api-client';
import { formatDateTime } from '../../../lib/format';
import { keepFocus } from '../../../lib/keep-focus';
import { usePanelVerdicts } from '../api/get-panel-verdicts';

const JUDGEMENTS: { judgement: Judgement; label: string }[] = [
  { judgement: 'correct', label: 'Correct' },
  { judgement: 'unclear', label: 'Unclear' },
  { judgement: 'wrong', label: 'Wrong' },
];

interface PanelVerdictsProps {
  /** The item, with this expert's own verdict in (the panel stays hidden before: blind review). */
  item: ReviewItem;
  /** A class's display name. */
  nameOf(key: string): string;
}

/**
 * The panel's verdicts of an item, read-only, beside its discussion: so that a dispute is discussed knowing what each
 * expert said. Shown only once the expert has given their own verdict, and only when they ask: from then on their
 * revisions of the item are marked as made after seeing the panel (agreement figures keep the verdict they gave
 * blind), so an expert who only wants to correct their own verdict can do so first.
 */
export function PanelVerdicts({ item, nameOf }: PanelVerdictsProps) {
  const [asked, setAsked] = useState(false);
  const open = asked || item.panelSeenAt !== null;
  const verdicts = usePanelVerdicts(item, open);
  const titleId = useId();
  const me = item.myVerdict?.expert;
  const others = verdicts.data?.verdicts.filter((v) => v.expert !== me).length ?? 0;
  const modelName = (model: string) => item.models.find((m) => m.model === model)?.displayName ?? model;

  return (
    <section className="panel-verdicts" aria-labelledby={titleId} data-testid="panel-verdicts" data-open={open}>
      <div className="section-head">
        <h2 id={titleId}>The panel’s verdicts</h2>
        {verdicts.isSuccess ? <span className="muted">{verdicts.data.verdicts.length} in</span> : null}
      </div>
      {!open ? (
        <div className="panel-verdicts-closed">
          <p className="muted">
            See what the other experts said. Revisions you make after looking are marked as made after seeing the panel; the agreement figures keep
            your verdict as you gave it blind.
          </p>
          <button type="button" className="secondary" onMouseDown={keepFocus} onClick={() => setAsked(true)} data-testid="show-panel-verdicts">
            Show the panel’s verdicts
          </button>
        </div>
      ) : verdicts.isError ? (
        <p className="error" role="alert">
          {errorMessage(verdicts.error)}
        </p>
      ) : verdicts.isPending ? (
        <p className="muted panel-verdicts-note">Loading the panel’s verdicts…</p>
      ) : (
        <>
          <p className="muted panel-verdicts-note" data-testid="panel-seen-note">
            {others === 0
              ? 'No other expert has judged this item yet.'
              : 'You have seen the panel: your revisions of this item from now on are marked as made after seeing it.'}
          </p>
          <ol className="panel-verdict-list" aria-label="Verdicts of the panel">
            {verdicts.data.verdicts.map((verdict) => (
              <PanelVerdict key={verdict.expert} verdict={verdict} isMine={verdict.expert === me} nameOf={nameOf} modelName={modelName} />
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

interface PanelVerdictProps {
  verdict: Verdict;
  isMine: boolean;
  nameOf(key: string): string;
  modelName(model: string): string;
}

function PanelVerdict({ verdict, isMine, nameOf, modelName }: PanelVerdictProps) {
  const byJudgement = (judgement: Judgement) =>
    Object.keys(verdict.labels)
      .filter((key) => verdict.labels[key] === judgement)
      .map(nameOf)
      .sort((a, b) => a.localeCompare(b));
  const grades = Object.entries(verdict.mistakes);
  return (
    <li className={`panel-verdict${isMine ? ' is-mine' : ''}`} data-testid="panel-verdict" data-expert={verdict.expert}>
      <div className="message-head">
        <strong>{isMine ? `${verdict.expert} (you)` : verdict.expert}</strong>
        <span className="muted">r{verdict.revision}</span>
        {verdict.afterSeeingPanel ? (
          <span className="tag" title="This revision was made after its expert had seen the panel’s verdicts">
            after seeing the panel
          </span>
        ) : null}
        <time dateTime={verdict.createdAt}>{formatDateTime(verdict.createdAt)}</time>
      </div>
      <dl className="panel-verdict-labels">
        {JUDGEMENTS.map(({ judgement, label }) => {
          const names = byJudgement(judgement);
          return names.length === 0 ? null : (
            <div key={judgement} data-judgement={judgement}>
              <dt>{label}</dt>
              <dd>{names.join(', ')}</dd>
            </div>
          );
        })}
        {verdict.problematic ? (
          <div data-judgement="problematic">
            <dt>Problematic</dt>
            <dd>{verdict.problematic.reason}</dd>
          </div>
        ) : null}
        {grades.length > 0 ? (
          <div data-judgement="mistakes">
            <dt>Mistakes</dt>
            <dd>{grades.map(([model, grade]) => `${modelName(model)}: ${grade.severity}, ${grade.category}`).join('; ')}</dd>
          </div>
        ) : null}
      </dl>
      {verdict.comment ? <p className="message-body panel-verdict-comment">{verdict.comment}</p> : null}
    </li>
  );
}
