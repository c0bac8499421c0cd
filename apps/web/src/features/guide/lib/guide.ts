import { GUIDE_MAX_LENGTH, type ProjectGuide, type Role } from '@bagel/contracts';
import { formatDateTime } from '../../../lib/format';

/** Who may write the guide (the server answers anyone else's PUT 403); everyone on the project reads it. */
export const canEditGuide = (role: Role): boolean => role === 'lead' || role === 'admin';

/**
 * There is a guide to read: some text (revision 0, the server's "no guide yet", has none; a revision saved empty has
 * none either).
 */
export const hasGuide = (guide: ProjectGuide): boolean => guide.text.trim() !== '';

/** "revision 3, by lea, today 18:34": which revision is shown, who wrote it and when; null before the first one. */
export function guideByline(guide: ProjectGuide, now: Date = new Date()): string | null {
  if (guide.revision === 0) return null;
  const parts = [`revision ${guide.revision}`];
  if (guide.updatedBy) parts.push(`by ${guide.updatedBy}`);
  if (guide.updatedAt) parts.push(formatDateTime(guide.updatedAt, now));
  return parts.join(', ');
}

const figure = new Intl.NumberFormat('en-GB');

export interface CharacterCount {
  /** Characters as the server counts them (UTF-16 code units, like the contract's `max`). */
  count: number;
  /** How many are too many (0 within the limit). */
  over: number;
  /** "1,234 / 50,000 characters", and how many too many. */
  label: string;
}

/** The draft's length against GUIDE_MAX_LENGTH, the most the server stores (a longer text is refused with 400). */
export function characterCount(text: string, max: number = GUIDE_MAX_LENGTH): CharacterCount {
  const count = text.length;
  const over = Math.max(0, count - max);
  const label = `${figure.format(count)} / ${figure.format(max)} characters${over > 0 ? `: ${figure.format(over)} too many` : ''}`;
  return { count, over, label };
}
