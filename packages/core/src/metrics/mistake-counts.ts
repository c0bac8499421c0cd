import type { Severity } from '@bagel/contracts';

/** Mistakes per severity; Borderline stays distinct so a reader can fold it into Minor (as the paper does) or not. */
export interface SeverityCounts {
  Major: number;
  Minor: number;
  Borderline: number;
  total: number;
}

/** Counts graded mistakes by severity. */
export function countMistakesBySeverity(grades: Iterable<{ severity: Severity }>): SeverityCounts {
  const counts: SeverityCounts = { Major: 0, Minor: 0, Borderline: 0, total: 0 };
  for (const grade of grades) {
    counts[grade.severity]++;
    counts.total++;
  }
  return counts;
}

/** Counts graded mistakes per category and severity (the dashboard's category × severity chart), by category name. */
export function countMistakesByCategory(
  grades: Iterable<{ severity: Severity; category: string }>,
): ({ category: string } & SeverityCounts)[] {
  const byCategory = new Map<string, SeverityCounts>();
  for (const grade of grades) {
    let counts = byCategory.get(grade.category);
    if (counts === undefined) {
      counts = { Major: 0, Minor: 0, Borderline: 0, total: 0 };
      byCategory.set(grade.category, counts);
    }
    counts[grade.severity]++;
    counts.total++;
  }
  return [...byCategory]
    .map(([category, counts]) => ({ category, ...counts }))
    .sort((a, b) => (a.category < b.category ? -1 : a.category > b.category ? 1 : 0));
}
