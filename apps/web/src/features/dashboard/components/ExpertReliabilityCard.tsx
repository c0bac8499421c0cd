import type { ReliabilityProportion, ReliabilityReference } from '@bagel/contracts';
import { type ReactNode, useState } from 'react';
import { errorMessage } from '../../../lib/api-client';
import { formatDateTime } from '../../../lib/format';
import { useExpertReliability } from '../api/get-expert-reliability';
import { formatCount, formatRateWithInterval } from '../lib/reliability-format';

const REFERENCES: { value: ReliabilityReference; label: string }[] = [
  { value: 'final', label: 'final labels' },
  { value: 'gold', label: 'gold items' },
];

function RateCell({ p, testId }: { p: ReliabilityProportion; testId?: string }) {
  return (
    <td className="num" data-testid={testId}>
      <span className="reliability-rate">{formatRateWithInterval(p)}</span>
      <span className="muted reliability-count">{formatCount(p)}</span>
    </td>
  );
}

/**
 * Each expert's sensitivity, specificity, unclear rate, problematic and severity agreement against the final labels
 * (or gold items), with 95% intervals. Loaded when shown and on Refresh only: its answer reads every verdict of the
 * project's final items, which the dashboard's 5-second poll must not.
 */
export function ExpertReliabilityCard({ projectId, goldSetting }: { projectId: number; goldSetting?: ReactNode }) {
  const [reference, setReference] = useState<ReliabilityReference>('final');
  const query = useExpertReliability(projectId, reference);
  const report = query.data;
  return (
    <section className="card expert-reliability" aria-labelledby="reliability-title" data-testid="expert-reliability-card">
      <div className="card-head">
        <h2 id="reliability-title">Expert reliability</h2>
        <span className="reliability-controls">
          <label>
            against{' '}
            <select value={reference} onChange={(event) => setReference(event.target.value as ReliabilityReference)} data-testid="reliability-reference">
              {REFERENCES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>{' '}
          <button type="button" className="secondary" onClick={() => void query.refetch()} disabled={query.isFetching} data-testid="reliability-refresh">
            {query.isFetching ? 'Counting…' : 'Refresh'}
          </button>
        </span>
      </div>
      {goldSetting}
      {query.isError && !report ? (
        <p className="notice" role="status">
          The reliability cannot be shown: {errorMessage(query.error)}
        </p>
      ) : !report ? (
        <p className="loading">Counting every expert’s verdicts…</p>
      ) : (
        <>
          <p className="muted" data-testid="reliability-summary">
            {report.summary} Each rate is followed by its 95% interval (Wilson) and its count.{' '}
            <span className="muted">Counted {formatDateTime(report.generatedAt)}.</span>
          </p>
          {report.experts.length === 0 ? (
            <p className="muted" data-testid="reliability-empty">
              {report.referenceItems === 0 ? 'Nothing to measure against yet.' : 'No expert has a verdict on these items.'}
            </p>
          ) : (
            <div className="table-scroll">
              <table className="data-table reliability-table">
                <thead>
                  <tr>
                    <th scope="col">Expert</th>
                    <th scope="col" className="num">
                      Items
                    </th>
                    <th scope="col" className="num" title="Classes the reference has present that the expert judged correct (unclear answers apart)">
                      Sensitivity
                    </th>
                    <th scope="col" className="num" title="Classes the reference has absent that the expert judged wrong (unclear answers apart)">
                      Specificity
                    </th>
                    <th scope="col" className="num" title="Class judgements the expert gave as unclear">
                      Unclear
                    </th>
                    <th scope="col" className="num" title="Items where the expert's problematic flag equals the reference's">
                      Problematic agreement
                    </th>
                    <th scope="col" className="num" title="Mistakes graded by both with the same severity">
                      Severity agreement
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {report.experts.map((e) => (
                    <tr key={e.expert} data-testid="reliability-row" data-expert={e.expert}>
                      <th scope="row">{e.expert}</th>
                      <td className="num">{e.items.toLocaleString('en-US')}</td>
                      <RateCell p={e.sensitivity} testId="reliability-sensitivity" />
                      <RateCell p={e.specificity} testId="reliability-specificity" />
                      <RateCell p={e.unclearRate} />
                      <RateCell p={e.problematicAgreement} />
                      <RateCell p={e.severityAgreement} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {report.experts.length > 0 ? (
            <details className="reliability-classes" data-testid="reliability-classes">
              <summary>
                Per class: {report.classes.length} expert × class row{report.classes.length === 1 ? '' : 's'} (a class once an expert judged it present{' '}
                {report.minPresentPerClass} times)
              </summary>
              {report.classes.length === 0 ? (
                <p className="muted">No expert has judged a class present {report.minPresentPerClass} times yet.</p>
              ) : (
                <div className="table-scroll">
                  <table className="data-table reliability-table">
                    <thead>
                      <tr>
                        <th scope="col">Expert</th>
                        <th scope="col">Class</th>
                        <th scope="col" className="num">
                          Sensitivity
                        </th>
                        <th scope="col" className="num">
                          Specificity
                        </th>
                        <th scope="col" className="num">
                          Unclear
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {report.classes.map((c) => (
                        <tr key={`${c.expert}/${c.classKey}`}>
                          <th scope="row">{c.expert}</th>
                          <td title={c.classKey}>{c.className}</td>
                          <RateCell p={c.sensitivity} />
                          <RateCell p={c.specificity} />
                          <RateCell p={c.unclearRate} />
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </details>
          ) : null}
        </>
      )}
    </section>
  );
}
