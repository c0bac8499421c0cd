import type { ExportFormat } from '@bagel/contracts';

/**
 * The download address of an export of the project (the server names the file): `model` for a mistakes export,
 * `onlyReviewed` for a human-accuracy-v3 file of the reviewed images only.
 */
export function exportUrl(projectId: number, format: ExportFormat, options: { model?: string; onlyReviewed?: boolean } = {}): string {
  const base = `/api/projects/${projectId}/exports/${format}`;
  const query = new URLSearchParams();
  if (options.model !== undefined) query.set('model', options.model);
  if (options.onlyReviewed) query.set('onlyReviewed', 'true');
  return query.size === 0 ? base : `${base}?${query}`;
}
