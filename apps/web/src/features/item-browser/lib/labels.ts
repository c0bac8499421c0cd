import type { DisputeKind, FinalSeverity, ItemBrowserSort } from '@bagel/contracts';

/** How the browser names the values of its filters and columns. */

/** The letter of the model at a position (as on the review screen and the desk), and its colour class (five colours). */
export const modelTag = (position: number) => String.fromCharCode(65 + (position % 26));
export const modelTagClass = (position: number) => (position < 5 ? `model-${modelTag(position)}` : 'ib-model-other');
export { STATUS_LABELS } from '../../../lib/format';

export const DISPUTE_LABELS: Record<DisputeKind, string> = {
  class: 'A class',
  problematic: 'The problematic flag',
  severity: 'A severity',
  category: 'A category',
};

export const SEVERITY_LABELS: Record<FinalSeverity, string> = {
  Major: 'Major',
  Minor: 'Minor',
  Borderline: 'Borderline',
  ungraded: 'Ungraded',
};

export const SORT_LABELS: Record<ItemBrowserSort, string> = {
  priority: 'Priority',
  id: 'Item id',
  file: 'File',
  status: 'Status',
  divisiveness: 'Divisiveness',
  verdicts: 'Verdicts',
  updated: 'Last change',
};
