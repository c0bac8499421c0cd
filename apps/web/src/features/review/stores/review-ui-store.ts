import type { Judgement, ReviewItem, Severity } from '@bagel/contracts';
import { create } from 'zustand';
import { useImageViewStore } from '../../../stores/image-view-store';
import { type DraftVerdict, draftFromItem } from '../lib/draft-verdict';
import { isFinalStatus } from '../lib/read-only';

/** The one overlay open at a time; each takes the keyboard while open ('class-examples': of `examplesKey`). */
export type ReviewOverlay = 'shortcuts' | 'add-class' | 'problematic' | 'class-examples' | null;

/**
 * UI state of the review screen only: the draft being edited, which candidate has the keyboard focus, the open
 * overlay and whether the guide's panel is open beside the item (the image view is in the shared image-view store, reset with each draft). Items, verdicts and the
 * vocabulary are server state and live in react-query.
 */
interface ReviewUiState {
  /** Identifies what the draft was started from: the item, the stored revision it revises, and whether it is final. */
  draftSource: string | null;
  draft: DraftVerdict | null;
  focusedIndex: number;
  overlay: ReviewOverlay;
  /** The candidate class whose examples (other images of it) are open, with the overlay 'class-examples'. */
  examplesKey: string | null;
  /** The project's labeling guide is open beside the item (it stays open from item to item; the keys still act). */
  guideOpen: boolean;

  startDraft(item: ReviewItem): void;
  /** Forgets everything: the next screen (another user, another project) starts clean. */
  reset(): void;
  setFocus(index: number): void;
  judge(key: string, judgement: Judgement): void;
  /** Takes a candidate's judgement back: not judged (a class added in the draft is removed). */
  clearJudgement(key: string): void;
  addClass(key: string): void;
  removeAddedClass(key: string): void;
  setSeverity(model: string, severity: Severity): void;
  setCategory(model: string, category: string): void;
  setProblematic(on: boolean, reason?: string): void;
  setComment(comment: string): void;
  /** Opens an overlay (the examples need their class: openExamples). */
  openOverlay(overlay: Exclude<ReviewOverlay, 'class-examples'>): void;
  /** Opens the examples of a candidate class (the overlay 'class-examples'). */
  openExamples(key: string): void;
  closeOverlay(): void;
  toggleGuide(): void;
  closeGuide(): void;
}

/**
 * An item becoming final (a 409 ITEM_FINAL, then the item refetched) starts the draft again from the stored verdict:
 * the read-only screen shows the verdict as judged, never the edits the server refused.
 */
export const draftSourceOf = (item: ReviewItem) => `${item.id}:${item.myVerdict?.revision ?? 0}${isFinalStatus(item.status) ? ':final' : ''}`;

export const useReviewUiStore = create<ReviewUiState>()((set) => {
  const updateDraft = (update: (draft: DraftVerdict) => Partial<DraftVerdict>) =>
    set((state) => (state.draft ? { draft: { ...state.draft, ...update(state.draft) } } : {}));

  return {
    draftSource: null,
    draft: null,
    focusedIndex: 0,
    overlay: null,
    examplesKey: null,
    guideOpen: false,

    reset: () => {
      useImageViewStore.getState().reset();
      set({ draftSource: null, draft: null, focusedIndex: 0, overlay: null, examplesKey: null, guideOpen: false });
    },
    startDraft: (item) => {
      useImageViewStore.getState().reset();
      set({ draftSource: draftSourceOf(item), draft: draftFromItem(item), focusedIndex: 0, overlay: null, examplesKey: null });
    },
    setFocus: (index) => set({ focusedIndex: Math.max(0, index) }),
    judge: (key, judgement) => updateDraft((d) => ({ labels: { ...d.labels, [key]: judgement } })),
    clearJudgement: (key) =>
      updateDraft((d) => {
        const { [key]: _cleared, ...labels } = d.labels;
        return { addedKeys: d.addedKeys.filter((k) => k !== key), labels };
      }),
    addClass: (key) =>
      updateDraft((d) => ({
        addedKeys: d.addedKeys.includes(key) ? d.addedKeys : [...d.addedKeys, key],
        labels: { ...d.labels, [key]: 'correct' },
      })),
    removeAddedClass: (key) =>
      updateDraft((d) => {
        const { [key]: _removed, ...labels } = d.labels;
        return { addedKeys: d.addedKeys.filter((k) => k !== key), labels };
      }),
    setSeverity: (model, severity) => updateDraft((d) => ({ mistakes: { ...d.mistakes, [model]: { ...d.mistakes[model], severity } } })),
    setCategory: (model, category) => updateDraft((d) => ({ mistakes: { ...d.mistakes, [model]: { ...d.mistakes[model], category } } })),
    setProblematic: (on, reason) =>
      updateDraft((d) => ({ problematic: on, problematicReason: on ? (reason ?? d.problematicReason) : '' })),
    setComment: (comment) => updateDraft(() => ({ comment })),
    openOverlay: (overlay) => set({ overlay, examplesKey: null }),
    openExamples: (key) => set({ overlay: 'class-examples', examplesKey: key }),
    closeOverlay: () => set({ overlay: null, examplesKey: null }),
    toggleGuide: () => set((state) => ({ guideOpen: !state.guideOpen })),
    closeGuide: () => set({ guideOpen: false }),
  };
});
