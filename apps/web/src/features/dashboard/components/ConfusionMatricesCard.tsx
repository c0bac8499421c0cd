import type { AggregationModel } from '@bagel/contracts';
import { errorMessage } from '../../../lib/api-client';
import { formatDateTime, formatPercent } from '../../../lib/format';
import { useAggregation } from '../api/get-aggregation';

type Row = AggregationModel['priorRows']['present'];

/** A row's three shares, in the order an expert's answer is right first: `first`, then unclear, then the other. */
function RowCells({ row, right, wrong }: { row: Row; right: keyof Row; wrong: keyof Row }) {
  return (
    <>
      <td className="num">{formatPercent(row[right])}</td>
      <td className="num">{formatPercent(row.unclear)}</td>
      <td className="num">{formatPercent(row[wrong])}</td>
    </>
  );
}

/** What an expert said, under "class present" (right answer first) then under "class absent" (right answer first). */
const SAID_COLUMNS = ['correct', 'unclear', 'wrong', 'wrong', 'unclear', 'correct'] as const;

/**
 * Under Dawid–Skene aggregation: each expert's confusion matrix in force, as the estimation read it (how often they
 * say correct, unclear or wrong when the class is present, and when it is absent), the rows gold holds fixed marked.
 * Read with the aggregation setting's model (GET …/aggregation), not with the dashboard's poll.
 */
export function ConfusionMatricesCard({ projectId }: { projectId: number }) {
  const query = useAggregation(projectId);
  const model = query.data;
  return (
    <section className="card" aria-labelledby="confusion-title" data-testid="confusion-matrices">
      <div className="card-head">
        <h2 id="confusion-title">Experts’ confusion matrices</h2>
        <span className="muted">Dawid–Skene aggregation</span>
      </div>
      {query.isError && !model ? (
        <p className="notice" role="status">
          The matrices cannot be shown: {errorMessage(query.error)}
        </p>
      ) : !model ? (
        <p className="loading">Reading the model in force…</p>
      ) : (
        <>
          <p className="muted" data-testid="confusion-summary">
            {model.estimated
              ? `Estimated ${formatDateTime(model.estimated.at)} from ${model.estimated.questions} judged classes (${model.estimated.passes} EM passes${model.estimated.converged ? '' : ', not converged'}). `
              : 'No estimate yet. '}
            An expert not listed counts at the prior rows: right {formatPercent(model.priorRows.present.correct)} of the time when the class is present,{' '}
            {formatPercent(model.priorRows.absent.wrong)} when it is absent.
          </p>
          {model.experts.length === 0 ? null : (
            <div className="table-scroll">
              <table className="data-table reliability-table">
                <thead>
                  <tr>
                    <th scope="col" rowSpan={2}>
                      Expert
                    </th>
                    <th scope="col" rowSpan={2} className="num">
                      Judgements
                    </th>
                    <th scope="colgroup" colSpan={3}>
                      Class present: said
                    </th>
                    <th scope="colgroup" colSpan={3}>
                      Class absent: said
                    </th>
                  </tr>
                  <tr>
                    {SAID_COLUMNS.map((said, i) => (
                      <th key={i} scope="col" className="num">
                        {said}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {model.experts.map((e) => (
                    <tr key={e.expert} data-testid="confusion-row" data-expert={e.expert}>
                      <th scope="row">
                        {e.expert}
                        {e.fixedByGold.present || e.fixedByGold.absent ? (
                          <span className="badge badge-gold" title="Rows held at the gold items' estimate">
                            gold: {[e.fixedByGold.present ? 'present' : null, e.fixedByGold.absent ? 'absent' : null].filter(Boolean).join(', ')}
                          </span>
                        ) : null}
                      </th>
                      <td className="num">{e.judgements}</td>
                      <RowCells row={e.present} right="correct" wrong="wrong" />
                      <RowCells row={e.absent} right="wrong" wrong="correct" />
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
