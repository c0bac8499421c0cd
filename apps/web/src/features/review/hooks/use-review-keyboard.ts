import type { Judgement, ReviewItem } from '@bagel/contracts';
import { isKeyboardFocusedControl, isTextEntry, useWindowKeyboard } from '../../../lib/keyboard';
import { handleImageViewKey } from '../../../stores/image-view-store';
import type { ReviewCandidate } from '../lib/draft-verdict';
import { type LockedAction, lockedActionOfKey } from '../lib/read-only';
import { CATEGORY_KEYS, EXAMPLES_KEY, GUIDE_KEY, SEVERITY_KEYS } from '../lib/shortcuts';
import { useReviewUiStore } from '../stores/review-ui-store';

export interface ReviewKeyboardContext {
  item: ReviewItem;
  candidates: readonly ReviewCandidate[];
  /** The model that 1/2/3 and 4..7 grade, null when no mistake is left to grade. */
  focusedModel: string | null;
  submit(): void;
  skip(): void;
  focusComment(): void;
  /**
   * The item is agreed or final: the keys that would change, submit or skip the verdict only call `onLockedKey` (which
   * says why nothing happens), Enter calls `next`; the candidate focus, the image keys, `?` and Esc work as ever.
   */
  readOnly: boolean;
  next(): void;
  onLockedKey(action: LockedAction): void;
  /** `e` opens the examples of the focused class (false when the app gives the screen no way to show them). */
  canShowExamples: boolean;
  /** `g` opens the project's labeling guide (false when the app gives the screen no way to show it). */
  canShowGuide: boolean;
  /**
   * Esc, when no overlay, text box or guide takes it, dismisses the screen's message (the feedback after a gold item);
   * true when there was one.
   */
  dismissMessage?(): boolean;
}

const JUDGEMENT_KEYS: Record<string, Judgement> = { c: 'correct', w: 'wrong', u: 'unclear' };

/** Returns true when the key was a shortcut (and so must not reach the page). */
function handleKey(event: KeyboardEvent, ctx: ReviewKeyboardContext): boolean {
  const ui = useReviewUiStore.getState();
  const { draft } = ui;
  if (!draft) return false;
  // The examples are a modal dialog that owns every key, Esc included (it closes itself): nothing here may act
  // meanwhile. The guide is a panel beside the item: the keys still act on the item.
  if (ui.overlay === 'class-examples') return false;

  if (event.key === 'Escape') {
    if (ui.overlay) {
      ui.closeOverlay();
      return true;
    }
    if (isTextEntry(event.target)) {
      event.target.blur();
      return true;
    }
    if (ui.guideOpen) {
      ui.closeGuide();
      return true;
    }
    return ctx.dismissMessage?.() ?? false;
  }
  if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
    if (!event.repeat) {
      if (ctx.readOnly) ctx.onLockedKey('submit');
      else ctx.submit();
    }
    return true;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return false;
  // Typing goes to the box being typed in; the boxes handle their own Enter and arrows.
  if (isTextEntry(event.target)) return false;
  if (ui.overlay === 'shortcuts') {
    if (event.key === '?') ui.closeOverlay();
    return event.key === '?';
  }
  if (ui.overlay) return false;

  if (ctx.readOnly) {
    const locked = lockedActionOfKey(event.key);
    if (locked) {
      if (!event.repeat) ctx.onLockedKey(locked);
      return true;
    }
    if (event.key === 'Enter') {
      if (isKeyboardFocusedControl(event.target)) return false;
      if (!event.repeat) ctx.next();
      return true;
    }
  }

  const count = ctx.candidates.length;
  const index = Math.min(ui.focusedIndex, Math.max(0, count - 1));
  const focused = ctx.candidates[index];
  const judgement = JUDGEMENT_KEYS[event.key];
  if (judgement) {
    if (!focused) return false;
    ui.judge(focused.key, judgement);
    ui.setFocus(Math.min(index + 1, count - 1));
    return true;
  }
  const severity = SEVERITY_KEYS[event.key as keyof typeof SEVERITY_KEYS];
  if (severity) {
    if (ctx.focusedModel) ui.setSeverity(ctx.focusedModel, severity);
    return true;
  }
  const categoryPosition = CATEGORY_KEYS.indexOf(event.key as (typeof CATEGORY_KEYS)[number]);
  if (categoryPosition >= 0) {
    const category = ctx.item.mistakeCategories[categoryPosition];
    if (ctx.focusedModel && category) ui.setCategory(ctx.focusedModel, category);
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
      for (const candidate of ctx.candidates) if (!draft.labels[candidate.key]) ui.judge(candidate.key, 'wrong');
      return true;
    case 'a':
    case '/':
      ui.openOverlay('add-class');
      return true;
    case EXAMPLES_KEY:
      if (!ctx.canShowExamples || !focused) return false;
      ui.openExamples(focused.key);
      return true;
    case GUIDE_KEY:
      // Reading the guide is not an edit: the read-only screen opens it too.
      if (!ctx.canShowGuide) return false;
      ui.toggleGuide();
      return true;
    case 'x':
    case 'Backspace':
    case 'Delete':
      // The focused candidate's judgement taken back; a class added in the draft goes with it.
      if (focused?.addedInDraft) {
        ui.removeAddedClass(focused.key);
        ui.setFocus(Math.min(index, count - 2));
      } else if (focused) ui.clearJudgement(focused.key);
      return true;
    case 'p':
      if (draft.problematic) ui.setProblematic(false);
      else {
        ui.setProblematic(true);
        ui.openOverlay('problematic');
      }
      return true;
    case 'm':
      ctx.focusComment();
      return true;
    case 's':
      if (!event.repeat) ctx.skip();
      return true;
    case '?':
      ui.openOverlay('shortcuts');
      return true;
    case 'Enter':
      if (isKeyboardFocusedControl(event.target)) return false;
      if (!event.repeat) ctx.submit();
      return true;
    default:
      return handleImageViewKey(event.key);
  }
}

/** The review screen's keyboard: one listener on the window, reading the latest state at each key press. */
export function useReviewKeyboard(ctx: ReviewKeyboardContext): void {
  useWindowKeyboard(ctx, handleKey);
}
