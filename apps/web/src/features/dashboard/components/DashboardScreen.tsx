import type { PanelQuorum, ProjectDashboard, ProjectSummary } from '@bagel/contracts';
import type { ReactNode } from 'react';
import { AppHeader } from '../../../components/AppHeader';
import { errorMessage } from '../../../lib/api-client';
import { formatCoefficient, formatDateTime, formatPercent, panelText } from '../../../lib/format';
import { useDashboard } from '../api/get-dashboard';
import { ExpertReliabilityCard } from './ExpertReliabilityCard';
import { GoldFeedbackSetting } from './GoldFeedbackSetting';
import { GoldQualificationSetting } from './GoldQualificationSetting';
import { GoldRateSetting } from './GoldRateSetting';
import { MistakesChart } from './MistakesChart';
import { ModelEvidenceCard } from './ModelEvidenceCard';
import { AggregationSetting } from './AggregationSetting';
import { ConfusionMatricesCard } from './ConfusionMatricesCard';
import { PanelSetting } from './PanelSetting';
import { QuorumSetting } from './QuorumSetting';
import { Scoreboard } from './Scoreboard';

interface DashboardScreenProps {
  project: ProjectSummary;
  userMenu: ReactNode;
  navigation?: ReactNode;
  onChangeProject?: () => void;
  /** The export links, composed by the app. */
  downloads?: ReactNode;
  /** Opens the Major slice page. */
  onOpenMajorSlice?: () => void;
  /** An admin may change the quorum, the panel policy and the other settings here. */
  canChangeSettings?: boolean;
}

const STATUSES = [
  { key: 'open', label: 'open' },
  { key: 'inReview', label: 'in review' },
  { key: 'agreed', label: 'agreed' },
  { key: 'disputed', label: 'disputed' },
  { key: 'final', label: 'final' },
] as const;

/** The project's figures, live: progress, agreement, the mistakes chart and the scoreboard before and after review. */
export function DashboardScreen({ project, userMenu, navigation, onChangeProject, downloads, onOpenMajorSlice, canChangeSettings = false }: DashboardScreenProps) {
  const dashboard = useDashboard(project.id);
  const data = dashboard.data;

  return (
    <div className="page-app">
      <AppHeader projectName={project.name} onChangeProject={onChangeProject} navigation={navigation} userMenu={userMenu}>
        <div className="progress muted" aria-live="off">
          {data ? <span title="The dashboard refreshes every 5 seconds">live · updated {formatDateTime(data.generatedAt)}</span> : null}
        </div>
      </AppHeader>
      {project.models.some((m) => m.illustrative) ? (
        <div className="banner" role="note">
          Demo data: predictions are illustrative, no model was run on these images; the scores describe the demo, not the models.
        </div>
      ) : null}
      <main className="page dashboard" data-testid="dashboard">
        {dashboard.isError && !data ? (
          <div className="centered-message">
            <h2>The dashboard cannot be shown</h2>
            <p>{errorMessage(dashboard.error)}</p>
          </div>
        ) : !data ? (
          <p className="loading">Loading the figures…</p>
        ) : (
          <>
            {dashboard.isError ? (
              <p className="notice" role="status">
                The figures could not be refreshed ({errorMessage(dashboard.error)}); they show the last answer.
              </p>
            ) : null}
            <div className="dashboard-grid">
              <ProgressCard data={data} />
              <AgreementCard
                data={data}
                settings={
                  canChangeSettings ? (
                    <>
                      <QuorumSetting projectId={project.id} quorum={data.quorum} panelSize={data.panel.mode === 'fixed' ? data.progress.panelSize : data.panel.max} />
                      <PanelSetting projectId={project.id} panel={data.panel} panelSize={data.progress.panelSize} aggregation={data.aggregation} />
                      <AggregationSetting key={data.aggregation} projectId={project.id} aggregation={data.aggregation} />
                    </>
                  ) : null
                }
              />
              <section className="card" aria-labelledby="slice-title">
                <div className="card-head">
                  <h2 id="slice-title">Major slice</h2>
                  <span className="muted">{data.majorSlice.models.length} models</span>
                </div>
                <p className="big-figure" data-testid="major-slice-count">
                  {data.majorSlice.count} <span className="muted">image{data.majorSlice.count === 1 ? '' : 's'}</span>
                </p>
                <p className="muted">Images on which every model’s top-1 is a Major mistake under the final labels (how ImageNet-M is built).</p>
                {onOpenMajorSlice ? (
                  <button type="button" className="secondary" onClick={onOpenMajorSlice}>
                    Open the Major slice
                  </button>
                ) : null}
              </section>
            </div>
            <Scoreboard scoreboard={data.scoreboard} images={data.progress.images} project={project} />
            <MistakesChart mistakes={data.mistakes} project={project} />
            <ModelEvidenceCard project={project} canChangeSettings={canChangeSettings} />
            <div className="dashboard-grid two">
              <ExpertsCard data={data} />
              {downloads}
            </div>
            <ExpertReliabilityCard
              projectId={project.id}
              goldSetting={
                canChangeSettings ? (
                  <>
                    <GoldRateSetting project={project} />
                    <GoldQualificationSetting project={project} />
                    <GoldFeedbackSetting project={project} />
                  </>
                ) : null
              }
            />
            {data.aggregation === 'dawid-skene' ? <ConfusionMatricesCard projectId={project.id} /> : null}
          </>
        )}
      </main>
    </div>
  );
}

function ProgressCard({ data }: { data: ProjectDashboard }) {
  const p = data.progress;
  const needed = p.items * p.panelSize;
  return (
    <section className="card" aria-labelledby="progress-title" data-testid="progress-card">
      <div className="card-head">
        <h2 id="progress-title">Progress</h2>
        <span className="muted">
          {p.items} items of {p.images} images
        </span>
      </div>
      <div className="status-bar" role="img" aria-label={STATUSES.map((s) => `${p[s.key]} ${s.label}`).join(', ')}>
        {STATUSES.map((s) =>
          p[s.key] > 0 ? <span key={s.key} className={`status-segment seg-${s.key}`} style={{ flexGrow: p[s.key] }} title={`${p[s.key]} ${s.label}`} /> : null,
        )}
      </div>
      <dl className="status-counts">
        {STATUSES.map((s) => (
          <div key={s.key} data-testid={`count-${s.key}`}>
            <dt>
              <span className={`legend-swatch seg-${s.key}`} aria-hidden="true" />
              {s.label}
            </dt>
            <dd>{p[s.key]}</dd>
          </div>
        ))}
      </dl>
      {data.panel.mode === 'fixed' ? (
        <p className="muted">
          {p.verdicts} verdicts of the {needed} a panel of {p.panelSize} per item needs ({formatPercent(needed ? Math.min(1, p.verdicts / needed) : null)}).
        </p>
      ) : (
        <p className="muted" data-testid="adaptive-panel">
          {p.verdicts} verdicts; {panelText(data.panel, p.panelSize)}: each item gets {data.panel.min} verdicts, and more up to {data.panel.max} while they
          do not settle it.
        </p>
      )}
    </section>
  );
}

function quorumText(quorum: PanelQuorum, panelSize: number): string {
  switch (quorum.kind) {
    case 'majority':
      return `strict majority (${Math.floor(panelSize / 2) + 1} of ${panelSize})`;
    case 'unanimity':
      return `unanimity (${panelSize} of ${panelSize})`;
    case 'fraction':
      return `${Math.round(quorum.value * 100)}% of the panel`;
  }
}

function AgreementCard({ data, settings }: { data: ProjectDashboard; settings?: ReactNode }) {
  const { agreement } = data;
  return (
    <section className="card" aria-labelledby="agreement-title" data-testid="agreement-card">
      <div className="card-head">
        <h2 id="agreement-title">Agreement</h2>
        <span className="muted">over {agreement.units} item × class judgements</span>
      </div>
      <dl className="coefficients">
        <div>
          <dt>Fleiss’ κ</dt>
          <dd data-testid="fleiss-kappa">{formatCoefficient(agreement.fleissKappa)}</dd>
          <p className="muted">How much more the experts agree on each class than chance would: 1 is perfect, 0 is chance.</p>
        </div>
        <div>
          <dt>Krippendorff’s α</dt>
          <dd data-testid="krippendorff-alpha">{formatCoefficient(agreement.krippendorffAlpha)}</dd>
          <p className="muted">The same idea, allowing for judgements left out; 0.8 and above is usually taken as reliable.</p>
        </div>
        <div>
          <dt>Gwet’s AC1</dt>
          <dd data-testid="gwet-ac1">{formatCoefficient(agreement.gwetAC1)}</dd>
          <p className="muted">
            Most judgements are “wrong”: κ and α fall when one judgement dominates, even where the experts agree; AC1’s chance
            correction does not.
          </p>
        </div>
      </dl>
      <p className="muted" data-testid="blind-note">
        Over each expert’s blind verdict: their latest revision made before they saw the panel’s verdicts.{' '}
        <span data-testid="revisions-after-seeing-panel">
          <strong>{agreement.revisionsAfterSeeingPanel}</strong> revision{agreement.revisionsAfterSeeingPanel === 1 ? ' was' : 's were'} made after seeing the panel
        </span>{' '}
        (they count in the final labels, not here).
      </p>
      <p className="muted">
        A panel answer needs {quorumText(data.quorum, data.panel.mode === 'fixed' ? data.progress.panelSize : data.panel.max)}
        {data.panel.mode === 'fixed' ? '' : ' at the most verdicts; with fewer, one more dissenting expert must not be able to overturn it'}.
      </p>
      {data.reaggregation ? (
        <p className="notice" role="status" data-testid="reaggregation">
          Re-aggregating: {data.reaggregation.done.toLocaleString('en-US')} of {data.reaggregation.total.toLocaleString('en-US')} judged items
          recomputed (after a change of the quorum, the panel or the aggregation, or a new figure's parts); until then the others count as they were.
        </p>
      ) : null}
      {settings}
    </section>
  );
}

function ExpertsCard({ data }: { data: ProjectDashboard }) {
  const items = data.progress.items;
  return (
    <section className="card" aria-labelledby="experts-title" data-testid="experts-card">
      <div className="card-head">
        <h2 id="experts-title">Experts</h2>
        <span className="muted">agreement with final: share of their blind class judgements equal to the final one</span>
      </div>
      {data.experts.length === 0 ? (
        <p className="muted">No verdict yet.</p>
      ) : (
        <table className="data-table experts-table">
          <thead>
            <tr>
              <th scope="col">Expert</th>
              <th scope="col" className="num">
                Verdicts
              </th>
              <th scope="col">Progress</th>
              <th scope="col" className="num">
                Agreement with final
              </th>
              <th scope="col" className="num">
                Judgements compared
              </th>
              <th scope="col" className="num" title="Verdict revisions made after seeing the panel’s verdicts of the item">
                Revised after seeing the panel
              </th>
            </tr>
          </thead>
          <tbody>
            {data.experts.map((e) => (
              <tr key={e.expert} data-testid="expert-row" data-expert={e.expert}>
                <th scope="row">{e.expert}</th>
                <td className="num">{e.verdicts}</td>
                <td>
                  <span className="meter" role="img" aria-label={`${e.verdicts} of ${items} items`}>
                    <span style={{ width: `${items ? Math.min(100, (100 * e.verdicts) / items) : 0}%` }} />
                  </span>
                </td>
                <td className="num">
                  <strong>{formatPercent(e.agreementWithFinal)}</strong>
                </td>
                <td className="num">{e.comparedJudgements}</td>
                <td className="num" data-testid="expert-after-seeing-panel">
                  {e.revisionsAfterSeeingPanel}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
