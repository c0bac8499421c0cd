import type { DeskItem, Judgement, Severity } from '@bagel/contracts';
import { create } from 'zustand';
import { useImageViewStore } from '../../../stores/image-view-store';
import { type DecisionDraft, deskDraftSource, draftFromDesk } from '../lib/decision-draft';

/**
 * UI state of the lead's desk only: the decision being edited, which class row has the keyboard focus, the class
 * whose examples are open, and whether the labeling guide is. The queue, the item, its verdicts and decisions are
 * server state and live in react-query.
 */
interface DeskUiState {
  /** What the draft was started from (see deskDraftSource). */
  draftSource: string | null;
  draft: DecisionDraft | null;
  focusedIndex: number;
  /** The class whose examples (other images of it) are open, in a modal dialog that owns the keyboard; null for none. */
  examplesKey: string | null;
  /** The project's labeling guide is open in a panel beside the item (the keys still act on the desk). */
  guideOpen: boolean;

  startDraft(desk: DeskItem): void;
  /** Forgets the draft: the next desk (another user, another project) starts clean. */
  reset(): void;
  setFocus(index: number): void;
  decide(key: string, judgement: Judgement): void;
  setProblematic(on: boolean): void;
  setProblematicReason(reason: string): void;
  setSeverity(model: string, severity: Severity): void;
  setCategory(model: string, category: string): void;
  setNote(note: string): void;
  openExamples(key: string): void;
  closeExamples(): void;
  toggleGuide(): void;
  closeGuide(): void;
}

export const useDeskUiStore = create<DeskUiState>()((set) => {
  const updateDraft = (update: (draft: DecisionDraft) => Partial<DecisionDraft>) =>
    set((state) => (state.draft ? { draft: { ...state.draft, ...update(state.draft) } } : {}));
  return {
    draftSource: null,
    draft: null,
    focusedIndex: 0,
    examplesKey: null,
    guideOpen: false,

    startDraft: (desk) => {
      // Another item: its image starts fitted, and no examples are open. The same item reloaded (a decision came in)
      // keeps the view.
      if (useDeskUiStore.getState().draft?.itemId !== desk.item.id) {
        useImageViewStore.getState().reset();
        set({ examplesKey: null });
      }
      set({ draftSource: deskDraftSource(desk), draft: draftFromDesk(desk), focusedIndex: 0 });
    },
    reset: () => {
      useImageViewStore.getState().reset();
      set({ draftSource: null, draft: null, focusedIndex: 0, examplesKey: null, guideOpen: false });
    },
    setFocus: (index) => set({ focusedIndex: Math.max(0, index) }),
    decide: (key, judgement) => updateDraft((d) => ({ labels: { ...d.labels, [key]: judgement } })),
    setProblematic: (on) => updateDraft(() => ({ problematic: on })),
    setProblematicReason: (reason) => updateDraft(() => ({ problematicReason: reason })),
    setSeverity: (model, severity) => updateDraft((d) => ({ mistakes: { ...d.mistakes, [model]: { ...d.mistakes[model], severity } } })),
    setCategory: (model, category) => updateDraft((d) => ({ mistakes: { ...d.mistakes, [model]: { ...d.mistakes[model], category } } })),
    setNote: (note) => updateDraft(() => ({ note })),
    openExamples: (key) => set({ examplesKey: key }),
    closeExamples: () => set({ examplesKey: null }),
    toggleGuide: () => set((state) => ({ guideOpen: !state.guideOpen })),
    closeGuide: () => set({ guideOpen: false }),
  };
});
