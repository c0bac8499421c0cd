import type { Judgement, ReviewItem, Severity } from '@bagel/contracts';
import { create } from 'zustand';
import { useImageViewStore } from '../../../stores/image-view-store';
import { type DraftVerdict, draftFromItem } from '../lib/draft-verdict';
import type { DraftChoice, DraftOrigin } from '../lib/local-drafts';
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
  /** Counts the drafts started: a change of the draft under the same count is the reviewer's edit (saved as a draft). */
  draftSeq: number;
  /** The draft was brought back from before (this browser's copy, or the server's from another device). */
  restoredFrom: DraftOrigin | null;
  /** A draft of the item made on an earlier revision (refused as stale, or a verdict stored elsewhere since): offered. */
  keptDraft: DraftVerdict | null;
  focusedIndex: number;
  overlay: ReviewOverlay;
  /** The candidate class whose examples (other images of it) are open, with the overlay 'class-examples'. */
  examplesKey: string | null;
  /** The project's labeling guide is open beside the item (it stays open from item to item; the keys still act). */
  guideOpen: boolean;

  /** Starts the item's draft: `choice` (a draft kept from before) when given, else from the item. */
  startDraft(item: ReviewItem, choice?: DraftChoice): void;
  /** Puts the kept draft on screen, revising the item's current revision. */
  applyKeptDraft(): void;
  dropKeptDraft(): void;
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
    draftSeq: 0,
    restoredFrom: null,
    keptDraft: null,
    focusedIndex: 0,
    overlay: null,
    examplesKey: null,
    guideOpen: false,

    reset: () => {
      useImageViewStore.getState().reset();
      set((s) => ({ draftSource: null, draft: null, draftSeq: s.draftSeq + 1, restoredFrom: null, keptDraft: null, focusedIndex: 0, overlay: null, examplesKey: null, guideOpen: false }));
    },
    startDraft: (item, choice) => {
      useImageViewStore.getState().reset();
      set((s) => ({
        draftSource: draftSourceOf(item),
        draft: choice?.draft ?? draftFromItem(item),
        draftSeq: s.draftSeq + 1,
        restoredFrom: choice?.restoredFrom ?? null,
        keptDraft: choice?.kept ?? null,
        focusedIndex: 0,
        overlay: null,
        examplesKey: null,
      }));
    },
    applyKeptDraft: () =>
      set((state) =>
        state.draft && state.keptDraft
          ? { draft: { ...state.keptDraft, itemId: state.draft.itemId, baseRevision: state.draft.baseRevision }, keptDraft: null, restoredFrom: null }
          : {},
      ),
    dropKeptDraft: () => set({ keptDraft: null }),
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
