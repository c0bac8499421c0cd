/** How figures, times and item statuses read everywhere in the app. */

import type { ItemStatus, PanelPolicy } from '@bagel/contracts';

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat('en-GB', { timeStyle: 'short' });

/** A stored ISO time, in the reader's time zone: the time alone when it is today. */
export function formatDateTime(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toDateString() === now.toDateString() ? `today ${time.format(date)}` : dateTime.format(date);
}

/** A rate in [0, 1] as a percentage with one decimal; a dash when there was nothing to compute it over. */
export function formatPercent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '–' : `${(rate * 100).toFixed(1)}%`;
}

/** An agreement coefficient (kappa, alpha, AC1: at most 1, may be negative) with three decimals. */
export function formatCoefficient(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : value.toFixed(3);
}

export const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** The item statuses as lists name them (the item browser, a reviewer's verdicts). */
export const STATUS_LABELS: Record<ItemStatus, string> = {
  open: 'Open',
  in_review: 'In review',
  disputed: 'Disputed',
  agreed: 'Agreed',
  final: 'Final',
};

/** How many experts an item gets, as the projects list and the dashboard say it: "panel of 3", "panel adaptive, 2–5". */
export function panelText(panel: PanelPolicy, panelSize: number): string {
  return panel.mode === 'fixed' ? `panel of ${panelSize}` : `panel adaptive, ${panel.min}–${panel.max}`;
}
