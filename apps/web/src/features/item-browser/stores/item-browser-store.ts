import { create } from 'zustand';
import type { BrowserFilters } from '../lib/browser-filters';

/** Where the lead was in a project's item list, so coming back from an item finds the list as it was left. */
export interface BrowserPlace {
  filters: BrowserFilters;
  /** Index of the row with the keyboard focus. */
  activeIndex: number;
  scrollOffset: number;
}

interface ItemBrowserUiState {
  places: Record<number, BrowserPlace>;
  remember(projectId: number, place: BrowserPlace): void;
}

/** UI state only: the last place per project, for this tab's session (the rows themselves live in react-query). */
export const useItemBrowserStore = create<ItemBrowserUiState>((set) => ({
  places: {},
  remember: (projectId, place) => set((state) => ({ places: { ...state.places, [projectId]: place } })),
}));
