import { create } from 'zustand';

export interface ImageView {
  scale: number;
  x: number;
  y: number;
  showOriginal: boolean;
}

export const MIN_SCALE = 1;
export const MAX_SCALE = 12;
export const FIT_VIEW: ImageView = { scale: 1, x: 0, y: 0, showOriginal: false };

/**
 * How the one image on screen is viewed (zoom, pan, preview or original): UI state shared by the screens that show an
 * item's image (the review screen, the lead's desk). Each screen resets it when it shows another item.
 */
interface ImageViewState {
  view: ImageView;
  /** Back to the fitted preview: for a new item. */
  reset(): void;
  zoomTo(scale: number, anchor?: { x: number; y: number }): void;
  panBy(dx: number, dy: number): void;
  /** Back to the fitted view, keeping the choice of preview or original. */
  resetView(): void;
  toggleOriginal(): void;
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

export const useImageViewStore = create<ImageViewState>()((set) => ({
  view: FIT_VIEW,
  reset: () => set({ view: FIT_VIEW }),
  zoomTo: (scale, anchor = { x: 0, y: 0 }) =>
    set(({ view }) => {
      const next = clamp(scale, MIN_SCALE, MAX_SCALE);
      if (next === MIN_SCALE) return { view: { ...view, scale: MIN_SCALE, x: 0, y: 0 } };
      // Keep the image point under the anchor (relative to the panel's centre) where it is.
      const ratio = next / view.scale;
      return { view: { ...view, scale: next, x: anchor.x - (anchor.x - view.x) * ratio, y: anchor.y - (anchor.y - view.y) * ratio } };
    }),
  panBy: (dx, dy) => set(({ view }) => ({ view: { ...view, x: view.x + dx, y: view.y + dy } })),
  resetView: () => set(({ view }) => ({ view: { ...FIT_VIEW, showOriginal: view.showOriginal } })),
  toggleOriginal: () => set(({ view }) => ({ view: { ...view, showOriginal: !view.showOriginal } })),
}));

const KEY_ZOOM_STEP = 1.25;

/**
 * The image keys every screen with the image viewer shares: + and - zoom, 0 fits, o toggles the original. Returns
 * whether the key was one of them.
 */
export function handleImageViewKey(key: string): boolean {
  const imageView = useImageViewStore.getState();
  switch (key) {
    case '+':
    case '=':
      imageView.zoomTo(imageView.view.scale * KEY_ZOOM_STEP);
      return true;
    case '-':
    case '_':
      imageView.zoomTo(imageView.view.scale / KEY_ZOOM_STEP);
      return true;
    case '0':
      imageView.resetView();
      return true;
    case 'o':
      imageView.toggleOriginal();
      return true;
    default:
      return false;
  }
}
