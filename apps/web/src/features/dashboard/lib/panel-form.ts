import type { Aggregation, PanelPolicy } from '@bagel/contracts';

export type PanelMode = PanelPolicy['mode'];

/** The bounds an adaptive panel's min and max must keep, as the server's PanelPolicy does. */
export const PANEL_BOUNDS = { lowest: 2, highest: 50 } as const;

/** What the form starts with for an adaptive panel when the project has none (docs/AGGREGATION.md, "Adaptive panels"). */
export const DEFAULT_ADAPTIVE = { min: 2, max: 5 } as const;

/** The panel form's fields: the mode, and min and max as typed. */
export interface PanelForm {
  mode: PanelMode;
  min: string;
  max: string;
}

/** The form of a policy: its own min and max when adaptive, the defaults otherwise. */
export function panelForm(policy: PanelPolicy): PanelForm {
  const bounds = policy.mode === 'adaptive' ? policy : DEFAULT_ADAPTIVE;
  return { mode: policy.mode, min: String(bounds.min), max: String(bounds.max) };
}

/** A whole number as typed in a number input, or null for "", "2.5" or "abc" ("1e1" is 10). */
function wholeNumber(text: string): number | null {
  const value = Number(text);
  return text.trim() !== '' && Number.isInteger(value) ? value : null;
}

/**
 * The policy the form asks for, or why it cannot be applied: the checks of the server (2 <= min <= max <= 50, whole
 * numbers), each with a message that states the rule. `field` names the input the problem is about.
 */
export function panelPolicyFromForm(form: PanelForm): { policy: PanelPolicy } | { problem: string; field: 'min' | 'max' } {
  if (form.mode === 'fixed') return { policy: { mode: 'fixed' } };
  const { lowest, highest } = PANEL_BOUNDS;
  const min = wholeNumber(form.min);
  const max = wholeNumber(form.max);
  const rule = `(${lowest} ≤ min ≤ max ≤ ${highest})`;
  if (min === null) return { problem: `Min must be a whole number ${rule}.`, field: 'min' };
  if (max === null) return { problem: `Max must be a whole number ${rule}.`, field: 'max' };
  if (min < lowest) return { problem: `Min must be at least ${lowest} ${rule}.`, field: 'min' };
  if (min > highest) return { problem: `Min must be at most ${highest} ${rule}.`, field: 'min' };
  if (max > highest) return { problem: `Max must be at most ${highest} ${rule}.`, field: 'max' };
  if (min > max) return { problem: `Min (${min}) must be at most max (${max}) ${rule}.`, field: 'max' };
  return { policy: { mode: 'adaptive', min, max } };
}

export function samePanelPolicy(a: PanelPolicy, b: PanelPolicy): boolean {
  return a.mode === 'fixed' ? b.mode === 'fixed' : b.mode === 'adaptive' && a.min === b.min && a.max === b.max;
}

/** The policy in words, with P the project's panel size: "a fixed panel of 3", "an adaptive panel of 2–5". */
export function panelPolicyText(policy: PanelPolicy, panelSize: number): string {
  return policy.mode === 'fixed' ? `a fixed panel of ${panelSize}` : `an adaptive panel of ${policy.min}–${policy.max}`;
}

/**
 * What the panel simulation of docs/AGGREGATION.md ("Adaptive panels", "Simulation") measured, said as it was measured:
 * simulated experts, and the Dawid–Skene figure with the matrices estimated (before that, the adaptive panel loses
 * about 2 points).
 */
export function panelHint(aggregation: Aggregation): string {
  return (
    'In the simulation (simulated experts), adaptive 2–5 spent the fewest verdicts under Dawid–Skene aggregation: 2.29 per item, about as ' +
    'accurate per class as fixed 5 once the experts’ matrices were estimated; under the quorum' +
    (aggregation === 'quorum' ? ', this project’s aggregation,' : '') +
    ' it spent 3.67.'
  );
}
