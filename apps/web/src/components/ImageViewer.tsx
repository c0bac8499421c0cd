import type { ReviewItem } from '@bagel/contracts';
import { memo, useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { keepFocus } from '../lib/keep-focus';
import { MAX_SCALE, MIN_SCALE, useImageViewStore } from '../stores/image-view-store';

const WHEEL_ZOOM_PER_PIXEL = 0.0015;

interface ImageViewerProps {
  image: ReviewItem['image'];
  /** Says what the image is on that screen. */
  alt?: string;
  /** Called once the image is shown: loaded, failed to load, or missing (nothing to load). */
  onShown?(): void;
}

/**
 * An item's image, fitted to its panel; wheel, +/- and the buttons zoom, dragging pans, 0 or Fit resets (the keys are
 * the screen's: see its keyboard hook).
 */
export const ImageViewer = memo(function ImageViewer({ image, alt = `Image under review: ${image.file}`, onShown }: ImageViewerProps) {
  const view = useImageViewStore(useShallow((s) => s.view));
  const { zoomTo, panBy, resetView, toggleOriginal } = useImageViewStore(
    useShallow((s) => ({ zoomTo: s.zoomTo, panBy: s.panBy, resetView: s.resetView, toggleOriginal: s.toggleOriginal })),
  );
  const frameRef = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; y: number; pointerId: number } | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const src = view.showOriginal ? image.originalUrl : image.previewUrl;
  const missing = image.missing;
  useEffect(() => {
    if (missing) onShown?.();
  }, [missing, onShown]);

  // React's wheel listener is passive; zooming must stop the page from scrolling.
  useEffect(() => {
    const frame = frameRef.current;
    if (!frame) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const rect = frame.getBoundingClientRect();
      const anchor = { x: event.clientX - rect.left - rect.width / 2, y: event.clientY - rect.top - rect.height / 2 };
      const { scale } = useImageViewStore.getState().view;
      zoomTo(scale * Math.exp(-event.deltaY * WHEEL_ZOOM_PER_PIXEL), anchor);
    };
    frame.addEventListener('wheel', onWheel, { passive: false });
    return () => frame.removeEventListener('wheel', onWheel);
  }, [zoomTo]);

  const zoomed = view.scale > MIN_SCALE;
  return (
    <div className="image-viewer">
      <div className="image-toolbar" role="toolbar" aria-label="Image view">
        <span className="image-file" title={image.file}>
          {image.file}
          {view.showOriginal ? <span className="tag">original</span> : null}
        </span>
        <span className="image-zoom" aria-live="polite">
          {Math.round(view.scale * 100)}%
        </span>
        <button type="button" className="icon-button" aria-label="Zoom out (-)" title="Zoom out (-)" disabled={view.scale <= MIN_SCALE} onMouseDown={keepFocus} onClick={() => zoomTo(view.scale / 1.25)}>
          −
        </button>
        <button type="button" className="icon-button" aria-label="Zoom in (+)" title="Zoom in (+)" disabled={view.scale >= MAX_SCALE} onMouseDown={keepFocus} onClick={() => zoomTo(view.scale * 1.25)}>
          +
        </button>
        <button type="button" className="text-button" aria-label="Fit the image to the panel (0)" title="Fit (0)" disabled={!zoomed} onMouseDown={keepFocus} onClick={resetView}>
          Fit
        </button>
        <button type="button" className="text-button" disabled={image.missing} onMouseDown={keepFocus} onClick={toggleOriginal} title="o">
          {view.showOriginal ? 'View preview' : 'View original'}
        </button>
      </div>
      <div
        ref={frameRef}
        className={`image-frame${zoomed ? ' is-zoomed' : ''}`}
        onPointerDown={(event) => {
          if (event.button !== 0) return;
          event.currentTarget.setPointerCapture(event.pointerId);
          drag.current = { x: event.clientX, y: event.clientY, pointerId: event.pointerId };
        }}
        onPointerMove={(event) => {
          const start = drag.current;
          if (!start || start.pointerId !== event.pointerId) return;
          panBy(event.clientX - start.x, event.clientY - start.y);
          drag.current = { ...start, x: event.clientX, y: event.clientY };
        }}
        onPointerUp={() => {
          drag.current = null;
        }}
        onPointerCancel={() => {
          drag.current = null;
        }}
        onDoubleClick={resetView}
      >
        {image.missing ? (
          <div className="image-missing" data-testid="image-missing" role="img" aria-label={`Image file missing: ${image.file}`}>
            <strong>Image file missing</strong>
            <span>{image.file} was not found in the project's image folder. Judge from the labels, flag the item problematic, or skip it.</span>
          </div>
        ) : failed === src ? (
          <div className="image-missing" role="img" aria-label={`Image could not be loaded: ${image.file}`}>
            <strong>The image could not be loaded</strong>
            <span>{image.file}</span>
          </div>
        ) : (
          <img
            key={src}
            data-testid="review-image"
            src={src}
            alt={alt}
            draggable={false}
            fetchPriority="high"
            onLoad={onShown}
            onError={() => {
              setFailed(src);
              onShown?.();
            }}
            style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})` }}
          />
        )}
      </div>
    </div>
  );
});
