import type { EvidenceComparison, ModelEvidence, ModelEvidenceEffectReport, ProjectSummary } from '@bagel/contracts';
import { errorMessage } from '../../../lib/api-client';
import { formatPercent } from '../../../lib/format';
import { useModelEvidenceEffect } from '../api/get-model-evidence-effect';
import { useUpdateSettings } from '../api/update-settings';
import { type FormEvent, useState } from 'react';
import { SettingError } from './SettingError';

const SETTING_TEXT: Record<ModelEvidence, string> = {
  shown: 'Experts see the models’ predictions and the original label before judging.',
  'hidden-until-judged': 'Experts judge every candidate before the models and the original label appear.',
  experiment: 'Each item is shown or hidden at random, per expert: the table measures what showing the models does.',
};

/** "62.5% (40.6–80.0%) of 16": a share, its 95% interval and its n. */
function share({ rate, low, high, n }: EvidenceComparison['shown']): string {
  return n === 0 ? '– of 0' : `${formatPercent(rate)} (${formatPercent(low).replace('%', '')}–${formatPercent(high)}) of ${n}`;
}

function difference(comparison: EvidenceComparison): string {
  const d = comparison.difference;
  if (!d) return '–';
  const points = (value: number) => `${value < 0 ? '−' : value > 0 ? '+' : ''}${Math.abs(value * 100).toFixed(1)}`;
  return `${points(d.estimate)} (${points(d.low)} to ${points(d.high)}) points`;
}

function Rows({ report }: { report: ModelEvidenceEffectReport }) {
  return (
    <>
      {report.models.map((model) =>
        (
          [
            ['Top-1 judged correct', model.acceptTop1],
            ['Agrees with the final labels', model.agreeWithFinal],
          ] as const
        ).map(([measure, comparison], i) => (
          <tr key={`${model.model}-${measure}`} data-testid={`evidence-${model.model}-${i === 0 ? 'accept' : 'agree'}`}>
            {i === 0 ? <th rowSpan={2}>{model.displayName}</th> : null}
            <td>{measure}</td>
            <td className="num">{share(comparison.shown)}</td>
            <td className="num">{share(comparison.hidden)}</td>
            <td className="num" title={comparison.reading}>
              {difference(comparison)}
              {comparison.difference?.significant ? <strong> *</strong> : null}
            </td>
          </tr>
        )),
      )}
    </>
  );
}

/**
 * Anchoring control on the dashboard: the project's modelEvidence (an admin changes it here) and, from the experiment's
 * verdicts, what showing the models does to the panel, model by model, with the readings in words.
 */
export function ModelEvidenceCard({ project, canChangeSettings }: { project: ProjectSummary; canChangeSettings: boolean }) {
  const effect = useModelEvidenceEffect(project.id);
  const report = effect.data;
  return (
    <section className="card model-evidence" aria-labelledby="evidence-title" data-testid="model-evidence-card">
      <div className="card-head">
        <h2 id="evidence-title">Showing the models</h2>
        <button type="button" className="text-button" onClick={() => void effect.refetch()} disabled={effect.isFetching}>
          {effect.isFetching ? 'Counting…' : 'Refresh'}
        </button>
      </div>
      <p className="muted" data-testid="model-evidence-setting">
        {SETTING_TEXT[project.modelEvidence]}
      </p>
      {canChangeSettings ? <ModelEvidenceSetting project={project} /> : null}
      {canChangeSettings && report ? <DecoySetting projectId={project.id} decoys={report.decoys} /> : null}
      {effect.isError ? (
        <p className="error" role="alert">
          {errorMessage(effect.error)}
        </p>
      ) : !report ? (
        <p className="loading">Counting the experiment’s verdicts…</p>
      ) : report.verdicts.shown + report.verdicts.hidden === 0 ? (
        <>
          <p className="muted" data-testid="model-evidence-empty">
            No verdict of the experiment yet. Set the models to be shown or hidden at random (experiment) to measure how showing them changes the experts’
            judgements.
          </p>
          <DecoyAccepts report={report} />
        </>
      ) : (
        <>
          <p className="muted">
            Each expert’s first verdict during the experiment: {report.verdicts.shown} judged with the models shown, {report.verdicts.hidden} with them hidden
            (judgements as they were before the models appeared). 95% intervals; * marks a difference significant at the 5% level.
          </p>
          <div className="table-scroll">
            <table className="data-table" data-testid="model-evidence-table">
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Share of verdicts</th>
                  <th scope="col">Shown</th>
                  <th scope="col">Hidden</th>
                  <th scope="col">Shown − hidden</th>
                </tr>
              </thead>
              <tbody>
                <Rows report={report} />
              </tbody>
            </table>
          </div>
          <DecoyAccepts report={report} />
          <ul className="evidence-readings" data-testid="model-evidence-readings">
            {report.models.flatMap((model) => [model.acceptTop1.reading, model.agreeWithFinal.reading]).map((reading) => (
              <li key={reading}>{reading}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** The admin's control of what experts see of the models; it re-aggregates nothing, so it applies without asking. */
function ModelEvidenceSetting({ project }: { project: ProjectSummary }) {
  const update = useUpdateSettings(project.id);
  const [choice, setChoice] = useState<ModelEvidence>(project.modelEvidence);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (choice !== project.modelEvidence) update.mutate({ modelEvidence: choice });
  };
  return (
    <form className="quorum-setting" onSubmit={onSubmit} aria-label="Model evidence setting" data-testid="model-evidence-form">
      <label className="field-inline">
        <span>Models</span>
        <select value={choice} onChange={(event) => setChoice(event.target.value as ModelEvidence)} aria-label="What experts see of the models">
          <option value="shown">Shown</option>
          <option value="hidden-until-judged">Hidden until every candidate is judged</option>
          <option value="experiment">Shown or hidden at random (experiment)</option>
        </select>
      </label>
      <button type="submit" className="text-button" disabled={update.isPending || choice === project.modelEvidence}>
        {update.isPending ? 'Applying…' : 'Apply'}
      </button>
      {update.isSuccess ? (
        <p className="muted" role="status">
          Applied: experts see the models this way on the items they open from now on.
        </p>
      ) : null}
      <SettingError error={update.error} />
    </form>
  );
}

/** How often each expert accepted a decoy: a class the image does not show, added while the models were hidden. */
function DecoyAccepts({ report }: { report: ModelEvidenceEffectReport }) {
  if (report.decoyAccepts.length === 0) {
    return report.decoys > 0 ? (
      <p className="muted" data-testid="decoy-accepts-empty">
        {report.decoys} decoy{report.decoys === 1 ? '' : 's'} per item while the models are hidden; none judged yet.
      </p>
    ) : null;
  }
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="decoy-accepts">
        <caption className="muted">
          Decoys accepted: classes the models confuse with the original label, added while the models were hidden, that the expert judged correct (never
          counted in the labels).
        </caption>
        <thead>
          <tr>
            <th scope="col">Expert</th>
            <th scope="col">Decoys accepted</th>
          </tr>
        </thead>
        <tbody>
          {report.decoyAccepts.map((row) => (
            <tr key={row.expert}>
              <th scope="row">{row.expert}</th>
              <td className="num">{share(row.accepted)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The admin's count of decoys per item while the models are hidden (0 to 5); it re-aggregates nothing. */
function DecoySetting({ projectId, decoys }: { projectId: number; decoys: number }) {
  const update = useUpdateSettings(projectId);
  const [choice, setChoice] = useState(decoys);
  return (
    <form
      className="quorum-setting"
      aria-label="Decoy setting"
      data-testid="decoy-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (choice !== decoys) update.mutate({ decoys: choice });
      }}
    >
      <label className="field-inline">
        <span>Decoys</span>
        <select value={choice} onChange={(event) => setChoice(Number(event.target.value))} aria-label="Decoys per item while the models are hidden">
          {[0, 1, 2, 3, 4, 5].map((n) => (
            <option key={n} value={n}>
              {n === 0 ? 'none' : `${n} per item`}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="text-button" disabled={update.isPending || choice === decoys}>
        {update.isPending ? 'Applying…' : 'Apply'}
      </button>
      <SettingError error={update.error} />
    </form>
  );
}
