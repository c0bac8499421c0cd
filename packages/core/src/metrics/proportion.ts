/** A share k/n with its 95% confidence interval. `rate`, `low` and `high` are null when n is 0. */
export interface Proportion {
  k: number;
  n: number;
  rate: number | null;
  low: number | null;
  high: number | null;
}

/** A difference of two shares, p1 − p2, with its 95% confidence interval. */
export interface ProportionDifference {
  estimate: number;
  low: number;
  high: number;
  /** The interval leaves out 0: the difference is significant at the 5% level. */
  significant: boolean;
}

/** The standard normal quantile of 97.5%: two-sided 95% intervals. */
export const Z_95 = 1.959963984540054;

/**
 * The Wilson score interval of k successes in n trials (Wilson 1927; Newcombe 1998, method 3). Unlike the Wald
 * interval p ± z·sqrt(p(1−p)/n) it stays inside [0, 1] and keeps its coverage for shares near 0 or 1 and small n,
 * which is where an expert's error rates live.
 */
export function wilsonInterval(k: number, n: number, z = Z_95): Proportion {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n) throw new RangeError(`wilsonInterval: need integers 0 <= k <= n, got k=${k}, n=${n}`);
  if (n === 0) return { k, n, rate: null, low: null, high: null };
  const p = k / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At k = 0 or k = n the bound is exactly 0 or 1; rounding must not put it a hair outside.
  return { k, n, rate: p, low: k === 0 ? 0 : Math.max(0, centre - half), high: k === n ? 1 : Math.min(1, centre + half) };
}

/**
 * The difference of two independent shares, k1/n1 − k2/n2, with Newcombe's hybrid score interval (Newcombe 1998,
 * "Interval estimation for the difference between independent proportions", method 10): built from each share's
 * Wilson interval, it keeps its coverage where the simple Wald interval fails (small n, shares near 0 or 1). Null
 * when either n is 0.
 */
export function newcombeDifference(k1: number, n1: number, k2: number, n2: number, z = Z_95): ProportionDifference | null {
  const a = wilsonInterval(k1, n1, z);
  const b = wilsonInterval(k2, n2, z);
  if (a.rate === null || b.rate === null) return null;
  const [p1, l1, u1] = [a.rate, a.low!, a.high!];
  const [p2, l2, u2] = [b.rate, b.low!, b.high!];
  const estimate = p1 - p2;
  const low = estimate - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2);
  const high = estimate + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2);
  return { estimate, low, high, significant: low > 0 || high < 0 };
}
