import type { ReliabilityProportion } from '@bagel/contracts';

const two = (value: number) => value.toFixed(2);

/** A rate with its 95% interval, as the card shows it: `0.91 (0.88–0.94)`; a dash when there was nothing to count. */
export function formatRateWithInterval(p: Pick<ReliabilityProportion, 'rate' | 'low' | 'high'>): string {
  if (p.rate === null || p.low === null || p.high === null) return '–';
  return `${two(p.rate)} (${two(p.low)}–${two(p.high)})`;
}

/** The count behind a rate: `412 / 450`. */
export function formatCount(p: Pick<ReliabilityProportion, 'successes' | 'trials'>): string {
  return `${p.successes.toLocaleString('en-US')} / ${p.trials.toLocaleString('en-US')}`;
}
