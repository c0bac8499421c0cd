import type { DeskItem } from '@bagel/contracts';
import { formatDateTime } from '../../../lib/format';
import type { DeskClass } from '../lib/decision-draft';

const KIND_TEXT = { finalize: 'finalized', override: 'overrode', reopen: 'reopened' } as const;
const JUDGEMENT_ORDER = ['correct', 'unclear', 'wrong'] as const;

/**
 * Every decision on the item, newest first: who, when, what kind, the classes decided correct, unclear and wrong, the
 * flag, the grades and the note.
 */
export function DecisionHistory({ decisions, classes }: { decisions: DeskItem['decisions']; classes: readonly DeskClass[] }) {
  const nameOf = new Map(classes.map((c) => [c.key, c.names[0] ?? c.key]));
  return (
    <section className="decision-history" aria-labelledby="history-title" data-testid="decision-history">
      <div className="section-head">
        <h2 id="history-title">Decision history</h2>
        <span className="muted">{decisions.length === 0 ? 'no decision yet' : `${decisions.length}`}</span>
      </div>
      {decisions.length === 0 ? (
        <p className="history-empty muted">Nobody has decided on this item yet.</p>
      ) : (
        <ol className="history-list">
          {decisions.toReversed().map((d) => (
            <li key={d.sequence} className={`history-entry kind-${d.kind}`} data-testid="history-entry" data-kind={d.kind}>
              <div className="history-head">
                <span className="history-seq">#{d.sequence}</span>
                <strong>{d.lead}</strong> {KIND_TEXT[d.kind]}
                <time dateTime={d.createdAt}>{formatDateTime(d.createdAt)}</time>
              </div>
              {d.final ? (
                <div className="history-labels">
                  {JUDGEMENT_ORDER.map((judgement, i) => {
                    const names = Object.entries(d.final?.labels ?? {})
                      .filter(([, j]) => j === judgement)
                      .map(([key]) => nameOf.get(key) ?? key);
                    // Correct is always said (even when none is); unclear and wrong only when some class is.
                    if (names.length === 0 && judgement !== 'correct') return null;
                    return (
                      <span key={judgement} className="history-judgement" data-testid="history-judgement" data-judgement={judgement}>
                        {i > 0 ? ' · ' : null}
                        {judgement}: {names.length > 0 ? names.join(', ') : <em>none</em>}
                      </span>
                    );
                  })}
                  {d.final.problematic ? <> · problematic ({d.final.problematic.reason})</> : null}
                  {Object.keys(d.final.mistakes).length > 0 ? (
                    <>
                      {' '}
                      · {Object.entries(d.final.mistakes)
                        .map(([model, g]) => `${model}: ${g.severity}, ${g.category}`)
                        .join('; ')}
                    </>
                  ) : null}
                </div>
              ) : null}
              {d.note ? <p className="history-note">“{d.note}”</p> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
