import type { ProjectDashboard, ProjectSummary } from '@bagel/contracts';
import { useId, useMemo, useState } from 'react';
import { mistakeChart, SEVERITY_ORDER } from '../lib/mistake-chart';

/**
 * Mistakes by category × severity, per model: one horizontal bar per category stacked by severity, on a scale shared
 * by every model. The same numbers are in a table, read by screen readers and shown on request.
 */
export function MistakesChart({ mistakes, project }: { mistakes: ProjectDashboard['mistakes']; project: ProjectSummary }) {
  const [asTable, setAsTable] = useState(false);
  const tableId = useId();
  const chart = useMemo(() => mistakeChart(mistakes, project.mistakeCategories), [mistakes, project.mistakeCategories]);
  const displayNames = new Map(project.models.map((m) => [m.name, m.displayName]));
  const illustrative = new Set(project.models.filter((m) => m.illustrative && !/illustrative/i.test(m.displayName)).map((m) => m.name));
  const nameOf = (model: string) => displayNames.get(model) ?? model;

  return (
    <section className="card mistakes-card" aria-labelledby="mistakes-title" data-testid="mistakes-chart">
      <div className="card-head">
        <h2 id="mistakes-title">Mistakes by category and severity</h2>
        <button type="button" className="text-button" aria-expanded={asTable} aria-controls={tableId} onClick={() => setAsTable(!asTable)}>
          {asTable ? 'Show the chart' : 'Show as a table'}
        </button>
      </div>
      {chart.models.length === 0 ? <p className="muted">No model in this project.</p> : null}
      {!asTable && chart.models.length > 0 ? (
        <div className="chart" role="img" aria-label="Bar chart of the final mistakes of each model by category and severity; the numbers are in the table that follows.">
          <div className="chart-legend" aria-hidden="true">
            {SEVERITY_ORDER.map((severity) => (
              <span key={severity} className="legend-item">
                <span className={`legend-swatch bar-${severity.toLowerCase()}`} />
                {severity}
              </span>
            ))}
          </div>
          <div className="chart-models">
          {chart.models.map((model) => (
            <div key={model.model} className="chart-model">
              <div className="chart-model-name">
                {nameOf(model.model)}
                {illustrative.has(model.model) ? <span className="tag">illustrative</span> : null} <span className="muted">· {model.total} graded</span>
              </div>
              {model.bars.map((bar) => (
                <div key={bar.category} className="chart-row">
                  <span className="chart-label" title={bar.category}>
                    {bar.category}
                  </span>
                  <span className="chart-track">
                    {bar.segments
                      .filter((s) => s.count > 0)
                      .map((s) => (
                        <span
                          key={s.severity}
                          className={`chart-bar bar-${s.severity.toLowerCase()}`}
                          style={{ width: `${chart.scale ? (100 * s.count) / chart.scale : 0}%` }}
                          title={`${s.count} ${s.severity}`}
                        />
                      ))}
                  </span>
                  <span className="chart-value">{bar.total}</span>
                </div>
              ))}
            </div>
          ))}
          </div>
        </div>
      ) : null}
      <table id={tableId} className={`data-table${asTable ? '' : ' visually-hidden'}`} data-testid="mistakes-table">
        <caption className="visually-hidden">Final mistakes per model, category and severity</caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Category</th>
            {SEVERITY_ORDER.map((s) => (
              <th key={s} scope="col" className="num">
                {s}
              </th>
            ))}
            <th scope="col" className="num">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {chart.models.flatMap((model) =>
            model.bars.map((bar) => (
              <tr key={`${model.model}:${bar.category}`}>
                <th scope="row">{nameOf(model.model)}</th>
                <td>{bar.category}</td>
                {bar.segments.map((s) => (
                  <td key={s.severity} className="num">
                    {s.count}
                  </td>
                ))}
                <td className="num">{bar.total}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </section>
  );
}
