import type { ProjectDashboard } from '@bagel/contracts';
import { expect } from 'vitest';

const closeTo = (value: number | null) => (value === null ? null : expect.closeTo(value, 12));

/**
 * A dashboard to compare with one whose figures were reached another way (totals kept verdict by verdict against
 * totals summed afresh by a full re-aggregation): the same, but for the time it was made, and with the agreement
 * figures matched to 12 decimals. Those are ratios of sums of reals (project_item_totals), whose last bits depend on
 * the order of the additions: kept or rebuilt, they agree to about 1e-16, not bit for bit. A share missing from the
 * totals, or counted twice, moves them by far more.
 */
export function comparableDashboard(dashboard: ProjectDashboard): unknown {
  return {
    ...dashboard,
    generatedAt: expect.any(String),
    agreement: {
      ...dashboard.agreement,
      fleissKappa: closeTo(dashboard.agreement.fleissKappa),
      krippendorffAlpha: closeTo(dashboard.agreement.krippendorffAlpha),
      gwetAC1: closeTo(dashboard.agreement.gwetAC1),
    },
  };
}
