import type { ExportFormat } from '@bagel/contracts';

/** The download address of an export of the project (the server names the file). */
export function exportUrl(projectId: number, format: ExportFormat, model?: string): string {
  const base = `/api/projects/${projectId}/exports/${format}`;
  return model === undefined ? base : `${base}?${new URLSearchParams({ model })}`;
}
