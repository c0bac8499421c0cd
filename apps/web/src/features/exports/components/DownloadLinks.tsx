import type { ExportFormat, ProjectSummary } from '@bagel/contracts';
import { exportUrl } from '../lib/export-url';

const FORMATS: readonly { format: Exclude<ExportFormat, 'mistakes'>; onlyReviewed?: true; label: string; description: string }[] = [
  { format: 'human-accuracy-v3', label: 'human-accuracy-v3', description: 'Multi-label JSON of every image: labels, problematic images, the Major slice' },
  {
    format: 'human-accuracy-v3',
    onlyReviewed: true,
    label: 'human-accuracy-v3, reviewed only',
    description: 'The same, only the images judged or labelled before (not for evaluation: it scores a subset)',
  },
  { format: 'real', label: 'ReaL', description: 'ReaL-style labels: the correct classes of each image' },
  { format: 'csv', label: 'CSV', description: 'One row per image: labels, problematic, each model’s grade' },
  { format: 'bagel', label: 'Bagel archive', description: 'Everything, for audit: every verdict, revision and decision' },
  {
    format: 'expert-reliability',
    label: 'Expert reliability (CSV)',
    description: 'One row per expert and per expert × class: sensitivity, specificity, unclear rate, agreements, with 95% intervals',
  },
];

/**
 * The exports of the project as plain links: the browser downloads the file the server writes (lead and admin only;
 * the server refuses anyone else).
 */
export function DownloadLinks({ project }: { project: ProjectSummary }) {
  return (
    <section className="card downloads" aria-labelledby="downloads-title" data-testid="downloads">
      <div className="card-head">
        <h2 id="downloads-title">Downloads</h2>
        <span className="muted">current final labels</span>
      </div>
      <ul className="download-list">
        {FORMATS.map(({ format, onlyReviewed, label, description }) => (
          <li key={`${format}${onlyReviewed ? '-reviewed' : ''}`}>
            <a
              className="download-link"
              href={exportUrl(project.id, format, { onlyReviewed })}
              download
              data-testid={`download-${format}${onlyReviewed ? '-reviewed' : ''}`}
              aria-label={`Download ${label}: ${description}`}
            >
              <span className="download-name">{label}</span>
              <span className="download-description">{description}</span>
            </a>
          </li>
        ))}
        {project.models.map((model) => (
          <li key={model.name}>
            <a
              className="download-link"
              href={exportUrl(project.id, 'mistakes', { model: model.name })}
              download
              data-testid="download-mistakes"
              data-model={model.name}
              aria-label={`Download the mistakes of ${model.displayName}`}
            >
              <span className="download-name">Mistakes: {model.displayName}</span>
              <span className="download-description">imagenet-mistakes JSON of this model</span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
