import type { Judgement, ReviewItem, Severity } from '@bagel/contracts';
import { create } from 'zustand';
import { type DraftVerdict, draftFromItem } from '../lib/draft-verdict';

/** The one overlay open at a time; each takes the keyboard while open. */
export type ReviewOverlay = 'shortcuts' | 'add-class' | 'problematic' | null;

export interface ImageView {
  scale: number;
  x: number;
  y: number;
  showOriginal: boolean;
}

export const MIN_SCALE = 1;
export const MAX_SCALE = 12;
const FIT_VIEW: ImageView = { scale: 1, x: 0, y: 0, showOriginal: false };

/**
 * UI state of the review screen only: the draft being edited, which candidate has the keyboard focus, the open
 * overlay and the image view. Items, verdicts and the vocabulary are server state and live in react-query.
 */
interface ReviewUiState {
  /** Identifies what the draft was started from: the item and the stored revision it revises. */
  draftSource: string | null;
  draft: DraftVerdict | null;
  focusedIndex: number;
  overlay: ReviewOverlay;
  image: ImageView;

  startDraft(item: ReviewItem): void;
  /** Forgets everything: the next screen (another user, another project) starts clean. */
  reset(): void;
  setFocus(index: number): void;
  judge(key: string, judgement: Judgement): void;
  addClass(key: string): void;
  removeAddedClass(key: string): void;
  setSeverity(model: string, severity: Severity): void;
  setCategory(model: string, category: string): void;
  setProblematic(on: boolean, reason?: string): void;
  setComment(comment: string): void;
  openOverlay(overlay: ReviewOverlay): void;
  closeOverlay(): void;
  zoomTo(scale: number, anchor?: { x: number; y: number }): void;
  panBy(dx: number, dy: number): void;
  resetView(): void;
  toggleOriginal(): void;
}

export const draftSourceOf = (item: ReviewItem) => `${item.id}:${item.myVerdict?.revision ?? 0}`;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

export const useReviewUiStore = create<ReviewUiState>()((set) => {
  const updateDraft = (update: (draft: DraftVerdict) => Partial<DraftVerdict>) =>
    set((state) => (state.draft ? { draft: { ...state.draft, ...update(state.draft) } } : {}));

  return {
    draftSource: null,
    draft: null,
    focusedIndex: 0,
    overlay: null,
    image: FIT_VIEW,

    reset: () => set({ draftSource: null, draft: null, focusedIndex: 0, overlay: null, image: FIT_VIEW }),
    startDraft: (item) =>
      set({ draftSource: draftSourceOf(item), draft: draftFromItem(item), focusedIndex: 0, overlay: null, image: FIT_VIEW }),
    setFocus: (index) => set({ focusedIndex: Math.max(0, index) }),
    judge: (key, judgement) => updateDraft((d) => ({ labels: { ...d.labels, [key]: judgement } })),
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
    openOverlay: (overlay) => set({ overlay }),
    closeOverlay: () => set({ overlay: null }),
    zoomTo: (scale, anchor = { x: 0, y: 0 }) =>
      set(({ image }) => {
        const next = clamp(scale, MIN_SCALE, MAX_SCALE);
        if (next === MIN_SCALE) return { image: { ...image, scale: MIN_SCALE, x: 0, y: 0 } };
        // Keep the image point under the anchor (relative to the panel's centre) where it is.
        const ratio = next / image.scale;
        return { image: { ...image, scale: next, x: anchor.x - (anchor.x - image.x) * ratio, y: anchor.y - (anchor.y - image.y) * ratio } };
      }),
    panBy: (dx, dy) => set(({ image }) => ({ image: { ...image, x: image.x + dx, y: image.y + dy } })),
    resetView: () => set(({ image }) => ({ image: { ...FIT_VIEW, showOriginal: image.showOriginal } })),
    toggleOriginal: () => set(({ image }) => ({ image: { ...image, showOriginal: !image.showOriginal } })),
  };
});
