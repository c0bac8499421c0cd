import type { ProjectDashboard, Severity } from '@bagel/contracts';

export const SEVERITY_ORDER: readonly Severity[] = ['Major', 'Minor', 'Borderline'];

export interface CategoryBar {
  category: string;
  total: number;
  /** Counts per severity, in SEVERITY_ORDER. */
  segments: { severity: Severity; count: number }[];
}

export interface ModelChart {
  model: string;
  total: number;
  bars: CategoryBar[];
}

/**
 * The chart's rows: per model, one bar per category (the project's categories in order, then any other that occurs),
 * stacked by severity; `scale` is the longest bar, shared by every model so bars compare across models.
 */
export function mistakeChart(mistakes: ProjectDashboard['mistakes'], categories: readonly string[]): { models: ModelChart[]; scale: number } {
  const allCategories = [...categories];
  for (const m of mistakes) for (const c of m.counts) if (!allCategories.includes(c.category)) allCategories.push(c.category);
  let scale = 0;
  const models = mistakes.map(({ model, counts }) => {
    const bars = allCategories.map((category) => {
      const segments = SEVERITY_ORDER.map((severity) => ({
        severity,
        count: counts.filter((c) => c.category === category && c.severity === severity).reduce((sum, c) => sum + c.count, 0),
      }));
      const total = segments.reduce((sum, s) => sum + s.count, 0);
      scale = Math.max(scale, total);
      return { category, total, segments };
    });
    return { model, total: bars.reduce((sum, b) => sum + b.total, 0), bars };
  });
  return { models, scale };
}
