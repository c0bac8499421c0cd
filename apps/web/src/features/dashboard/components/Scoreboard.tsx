import type { ProjectDashboard, ProjectSummary } from '@bagel/contracts';
import { formatPercent } from '../../../lib/format';

type Scores = ProjectDashboard['scoreboard'][number]['before'];

const RATES: readonly { key: 'top1Accuracy' | 'multiLabelAccuracy' | 'realAccuracy'; label: string; title: string }[] = [
  { key: 'top1Accuracy', label: 'Top-1', title: 'Top-1 accuracy: the top-1 is the label (before) or a correct label (after)' },
  { key: 'multiLabelAccuracy', label: 'Multi-label', title: 'Multi-label accuracy: per original class, then averaged over classes; problematic images dropped' },
  { key: 'realAccuracy', label: 'ReaL-style', title: 'ReaL-style accuracy: images with no correct label dropped, averaged over images' },
];

const count = new Intl.NumberFormat('en');

/**
 * Per model, before (original labels) and after (final labels): the three accuracies and the mistakes by severity,
 * then its ImageNet-M score. Each model is scored on the images it ranks, and says how many of the project's those are.
 */
export function Scoreboard({ scoreboard, images, project }: { scoreboard: ProjectDashboard['scoreboard']; images: number; project: ProjectSummary }) {
  const illustrative = new Set(project.models.filter((m) => m.illustrative).map((m) => m.name));
  return (
    <section className="card scoreboard-card" aria-labelledby="scoreboard-title" data-testid="scoreboard">
      <div className="card-head">
        <h2 id="scoreboard-title">Scoreboard</h2>
        <span className="muted">
          before: original labels · after: final labels · each model on the images it ranks · mistakes: Major · Minor · Borderline · not graded
        </span>
      </div>
      <div className="table-scroll">
        <table className="data-table scoreboard">
          <thead>
            <tr>
              <th scope="col" rowSpan={2}>
                Model
              </th>
              {RATES.map((rate) => (
                <th key={rate.key} scope="colgroup" colSpan={2} title={rate.title} className="group">
                  {rate.label}
                </th>
              ))}
              <th scope="colgroup" colSpan={2} className="group" title="Mistakes by severity: Major · Minor · Borderline · not graded">
                Mistakes
              </th>
              <th
                scope="col"
                rowSpan={2}
                className="num"
                title="ImageNet-M: of the imagenet_m images (the Major slice, and prior entries not judged since) the model ranks, those whose top-1 is correct or unclear under the final labels"
              >
                ImageNet-M
              </th>
            </tr>
            <tr>
              {[...RATES.map((r) => r.key), 'mistakes'].flatMap((key) => [
                <th key={`${key}-before`} scope="col" className="num sub">
                  before
                </th>,
                <th key={`${key}-after`} scope="col" className="num sub">
                  after
                </th>,
              ])}
            </tr>
          </thead>
          <tbody>
            {scoreboard.map((row) => (
              <tr key={row.model} data-testid="scoreboard-row" data-model={row.model}>
                <th scope="row">
                  {row.displayName}
                  {illustrative.has(row.model) && !/illustrative/i.test(row.displayName) ? <span className="tag">illustrative</span> : null}
                  <span className="ranked-images muted" data-testid="ranked-images">
                    {count.format(row.rankedImages)} of {count.format(images)} images
                  </span>
                </th>
                {RATES.map((rate) => (
                  <RateCells key={rate.key} before={row.before[rate.key]} after={row.after[rate.key]} />
                ))}
                <td className="num">
                  <MistakeCounts scores={row.before} />
                </td>
                <td className="num">
                  <MistakeCounts scores={row.after} />
                </td>
                <td className="num" data-testid="imagenet-m">
                  {row.imagenetM.of === 0 ? '–' : `${row.imagenetM.correct} / ${row.imagenetM.of}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function RateCells({ before, after }: { before: number | null; after: number | null }) {
  const delta = before !== null && after !== null ? after - before : null;
  return (
    <>
      <td className="num muted-num">{formatPercent(before)}</td>
      <td className="num">
        <strong>{formatPercent(after)}</strong>
        {delta !== null && Math.abs(delta) >= 0.0005 ? (
          <span className={`delta ${delta > 0 ? 'is-up' : 'is-down'}`}>
            {delta > 0 ? '+' : '−'}
            {(Math.abs(delta) * 100).toFixed(1)}
          </span>
        ) : null}
      </td>
    </>
  );
}

function MistakeCounts({ scores }: { scores: Scores }) {
  const { Major, Minor, Borderline, ungraded } = scores.mistakes;
  return (
    <span className="mistake-counts" aria-label={`${Major} Major, ${Minor} Minor, ${Borderline} Borderline, ${ungraded} not graded`}>
      <span className="count-major">{Major}</span>·<span className="count-minor">{Minor}</span>·<span className="count-borderline">{Borderline}</span>·
      <span className="count-ungraded">{ungraded}</span>
    </span>
  );
}
