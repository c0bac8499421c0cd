import type { Judgement } from '@bagel/contracts';
import { isKeyboardFocusedControl, isTextEntry, useWindowKeyboard } from '../../../lib/keyboard';
import { handleImageViewKey } from '../../../stores/image-view-store';
import type { DeskClass } from '../lib/decision-draft';
import { useDeskUiStore } from '../stores/desk-ui-store';

export interface DeskKeyboardContext {
  classes: readonly DeskClass[];
  /** False for a reader who may not decide (an admin): only the image keys and moving act then. */
  canEdit: boolean;
  /** The main action, Enter: finalize a disputed item (does nothing when there is none). */
  finalize(): void;
  focusNote(): void;
  /** `e` opens the examples of the focused class (false when the app gives the desk no way to show them). */
  canShowExamples: boolean;
  /** `g` opens the project's labeling guide (false when the app gives the desk no way to show it). */
  canShowGuide: boolean;
}

const JUDGEMENT_KEYS: Record<string, Judgement> = { c: 'correct', w: 'wrong', u: 'unclear' };

/** Returns true when the key was a shortcut (and so must not reach the page). Same rules as the review screen's keys. */
function handleKey(event: KeyboardEvent, ctx: DeskKeyboardContext): boolean {
  const ui = useDeskUiStore.getState();
  if (!ui.draft) return false;
  // The examples are a modal dialog that owns every key, Esc included (it closes itself): nothing here may act
  // meanwhile. The guide is a panel beside the item: the keys still act on the desk.
  if (ui.examplesKey !== null) return false;
  if (event.key === 'Escape') {
    if (isTextEntry(event.target)) {
      event.target.blur();
      return true;
    }
    if (ui.guideOpen) {
      ui.closeGuide();
      return true;
    }
    return false;
  }
  if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
    if (!event.repeat && ctx.canEdit) ctx.finalize();
    return true;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return false;
  // Typing goes to the box being typed in.
  if (isTextEntry(event.target)) return false;

  const count = ctx.classes.length;
  const index = Math.min(ui.focusedIndex, Math.max(0, count - 1));
  const focused = ctx.classes[index];
  const judgement = JUDGEMENT_KEYS[event.key];
  if (judgement) {
    if (!focused || !ctx.canEdit) return false;
    ui.decide(focused.key, judgement);
    ui.setFocus(Math.min(index + 1, count - 1));
    return true;
  }
  switch (event.key) {
    case 'j':
    case 'ArrowDown':
      ui.setFocus(Math.min(index + 1, count - 1));
      return true;
    case 'k':
    case 'ArrowUp':
      ui.setFocus(Math.max(index - 1, 0));
      return true;
    case 'W':
      if (!ctx.canEdit) return false;
      for (const cls of ctx.classes) if (!ui.draft.labels[cls.key]) ui.decide(cls.key, 'wrong');
      return true;
    case 'm':
      if (!ctx.canEdit) return false;
      ctx.focusNote();
      return true;
    case 'e':
      // Looking at other images of a class is not a decision: a reader (an admin) may too.
      if (!ctx.canShowExamples || !focused) return false;
      ui.openExamples(focused.key);
      return true;
    case 'g':
      // Reading the guide is not a decision: a reader (an admin) may too.
      if (!ctx.canShowGuide) return false;
      ui.toggleGuide();
      return true;
    case 'Enter':
      if (isKeyboardFocusedControl(event.target) || !ctx.canEdit) return false;
      if (!event.repeat) ctx.finalize();
      return true;
    default:
      return handleImageViewKey(event.key);
  }
}

/** The desk's keyboard: one listener on the window, reading the latest state at each key press. */
export function useDeskKeyboard(ctx: DeskKeyboardContext): void {
  useWindowKeyboard(ctx, handleKey);
}

/**
 * The keys of the desk, for the hint under the table; `e` when the desk can show the examples of a class, `g` when it
 * can show the labeling guide.
 */
export function deskShortcuts({ examples, guide = false }: { examples: boolean; guide?: boolean }): { keys: string[]; action: string }[] {
  return [
    { keys: ['j', 'k'], action: 'move between classes' },
    { keys: ['c', 'w', 'u'], action: 'decide correct / wrong / unclear' },
    { keys: ['Shift', 'W'], action: 'every undecided class wrong' },
    ...(examples ? [{ keys: ['e'], action: 'examples of the class' }] : []),
    { keys: ['m'], action: 'write the note' },
    { keys: ['Enter'], action: 'finalize' },
    ...(guide ? [{ keys: ['g'], action: 'the labeling guide, beside the item (again, or Esc, to close it)' }] : []),
  ];
}
