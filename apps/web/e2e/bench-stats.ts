/** The figures the browser benchmarks print: samples, median and p90 in milliseconds, to a tenth. */

const median = (sorted: number[]) => {
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2 : (sorted[Math.floor(mid)] ?? NaN);
};
/** Nearest-rank percentile. */
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;

export const round = (ms: number) => Math.round(ms * 10) / 10;

export function summary(samples: number[]) {
  const sorted = samples.toSorted((a, b) => a - b);
  return { samples: samples.map(round), median: round(median(sorted)), p90: round(percentile(sorted, 0.9)) };
}
