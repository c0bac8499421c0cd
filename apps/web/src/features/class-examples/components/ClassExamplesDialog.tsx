import type { ClassImage } from '@bagel/contracts';
import { displayName } from '@bagel/core';
import { type KeyboardEvent, type RefObject, useEffect, useId, useMemo, useRef, useState } from 'react';
import { ModalDialog } from '../../../components/ModalDialog';
import { errorMessage } from '../../../lib/api-client';
import { useClassImages } from '../api/get-class-images';
import { type OwnImage, columnsOf, examplesOf, examplesSummary, gridMove, otherImageCount } from '../lib/class-examples';
import '../class-examples.css';

/** The class whose examples are shown: its key, names (the first is its display name) and definition. */
export interface ExampleClass {
  key: string;
  names: string[];
  gloss: string;
}

interface ClassExamplesDialogProps {
  projectId: number;
  cls: ExampleClass;
  /** The image being judged beside the examples: left out of them. */
  ownImage?: OwnImage;
  /** Esc, the close button or a click beside the dialog: the screen behind takes over again. */
  onClose(): void;
}

/**
 * Other images of a class, to compare with while judging whether the class is in an image: the project's images whose
 * original label is the class (the image being judged left out), a page at a time, each enlargeable. A native modal
 * dialog: the screen behind is inert and none of its shortcuts sees the keys typed here; Esc closes it (from an
 * enlarged image, Esc first goes back to the grid) and the focus returns where it was.
 */
export function ClassExamplesDialog({ projectId, cls, ownImage, onClose }: ClassExamplesDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const gridRef = useRef<HTMLUListElement>(null);
  const backRef = useRef<HTMLButtonElement>(null);
  const ownImageId = ownImage?.imageId;
  const ownLabel = ownImage?.originalLabel;
  // With the models hidden the image's original label is not known here, and the server leaves the image out.
  const query = useClassImages(projectId, cls.key, ownImageId !== undefined && !ownLabel ? ownImageId : null);
  const own = useMemo(() => (ownImageId === undefined ? undefined : { imageId: ownImageId, originalLabel: ownLabel ?? '' }), [ownImageId, ownLabel]);
  const examples = useMemo(() => examplesOf(query.data?.pages ?? [], own), [query.data, own]);
  const total = query.data?.pages[0]?.total;
  const others = total === undefined ? undefined : otherImageCount(total, cls.key, own);
  // The thumbnail that Tab reaches (one for the whole grid; the arrows move it), and the one enlarged.
  const [active, setActive] = useState(0);
  const [enlarged, setEnlarged] = useState<number | null>(null);
  // A thumbnail to focus once it is rendered (back from the enlarged image, after "Load more").
  const focusRequest = useRef<number | null>(null);
  const titleId = useId();
  const glossId = useId();
  const name = displayName(cls);
  const activeIndex = Math.min(active, Math.max(0, examples.length - 1));
  const shown = enlarged === null ? undefined : examples[enlarged];

  // The focus starts on the dialog (ModalDialog), then goes to the first thumbnail once the examples are there.
  const hasExamples = examples.length > 0;
  useEffect(() => {
    if (hasExamples && document.activeElement === dialogRef.current) thumbAt(gridRef, 0)?.focus();
  }, [hasExamples]);

  // Enlarging moves the focus to the way back (Esc does the same); moving between enlarged images leaves it where it is.
  const isEnlarged = enlarged !== null;
  useEffect(() => {
    if (isEnlarged) backRef.current?.focus();
  }, [isEnlarged]);

  useEffect(() => {
    if (focusRequest.current === null || enlarged !== null || examples.length === 0) return;
    const thumb = thumbAt(gridRef, Math.min(focusRequest.current, examples.length - 1));
    focusRequest.current = null;
    thumb?.focus();
    thumb?.scrollIntoView({ block: 'nearest' });
  });

  const focusThumb = (index: number) => {
    focusRequest.current = index;
    setActive(index);
  };
  const backToGrid = () => {
    if (enlarged === null) return;
    focusThumb(enlarged);
    setEnlarged(null);
  };
  const enlarge = (index: number) => {
    setActive(index);
    setEnlarged(index);
  };
  const loadMore = () => {
    if (!query.hasNextPage || query.isFetchingNextPage) return;
    const firstNew = examples.length;
    void query.fetchNextPage().then((result) => {
      if (!result.isError) focusThumb(firstNew);
    });
  };
  /** The enlarged image moves by `delta`; past the last one loaded, the next page is fetched first. */
  const step = (delta: number) => {
    if (enlarged === null) return;
    const target = enlarged + delta;
    if (target < 0) return;
    if (target < examples.length) {
      enlarge(target);
      return;
    }
    if (!query.hasNextPage || query.isFetchingNextPage) return;
    void query.fetchNextPage().then((result) => {
      if (target < examplesOf(result.data?.pages ?? [], own).length) enlarge(target);
    });
  };

  // ModalDialog keeps these keys from the screen behind; here, the arrows move in the grid or between enlarged images.
  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.nativeEvent.isComposing) return;
    if (enlarged !== null) {
      if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') step(event.key === 'ArrowLeft' ? -1 : 1);
      else if (event.key === 'Escape') backToGrid();
      else return;
      event.preventDefault();
      return;
    }
    const target = event.target;
    const onThumb = target instanceof HTMLElement && target.dataset.exampleIndex !== undefined;
    if (!(onThumb || target === dialogRef.current) || examples.length === 0) return;
    const from = onThumb ? Number(target.dataset.exampleIndex) : activeIndex;
    const to = gridMove(from, event.key, examples.length, columnsOf(thumbTops(gridRef)));
    if (to === null) return;
    event.preventDefault();
    const thumb = thumbAt(gridRef, onThumb ? to : activeIndex);
    setActive(onThumb ? to : activeIndex);
    thumb?.focus();
  };

  return (
    <ModalDialog
      ref={dialogRef}
      className={`class-examples${examples.length > 0 ? ' has-examples' : ''}`}
      aria-labelledby={titleId}
      aria-describedby={cls.gloss ? glossId : undefined}
      onClose={onClose}
      closeOnBackdrop
      restoreFocus
      onKeyDown={onKeyDown}
      data-testid="class-examples"
      data-class-key={cls.key}
    >
      <div className="class-examples-content">
        <header className="modal-head">
          <h2 id={titleId}>
            Examples of {name} <span className="candidate-key">{cls.key}</span>
          </h2>
          <button type="button" className="icon-button" aria-label="Close the examples (Esc)" title="Close (Esc)" onClick={onClose}>
            ×
          </button>
        </header>
        <div className="class-examples-class">
          {cls.names.length > 1 ? <p className="candidate-synonyms">{cls.names.slice(1).join(', ')}</p> : null}
          {cls.gloss ? (
            <p id={glossId} className="class-examples-gloss" data-testid="class-examples-gloss">
              {cls.gloss}
            </p>
          ) : null}
          <p className="muted class-examples-note">
            Images of this project whose original label is this class, the image you are judging left out. Their labels are
            the originals, not reviewed: some may be wrong too.
          </p>
        </div>

        {query.isPending ? (
          <p className="muted class-examples-message" role="status">
            Loading the examples…
          </p>
        ) : query.data === undefined ? (
          // The first page failed (a failed "Load more" keeps the examples already shown, and says so under them).
          <div className="class-examples-message" role="alert" data-testid="class-examples-error">
            <p className="error">The examples could not be loaded: {errorMessage(query.error)}</p>
            <button type="button" className="secondary" onClick={() => void query.refetch()}>
              Try again
            </button>
          </div>
        ) : others === 0 || (examples.length === 0 && !query.hasNextPage) ? (
          <p className="class-examples-message class-examples-empty" data-testid="class-examples-empty">
            No other image in this project has this original label.
          </p>
        ) : shown && enlarged !== null ? (
          // aria-disabled rather than disabled: a button that was just pressed keeps the focus (and the arrows work).
          <div className="class-example-enlarged">
            <LargeExample example={shown} alt={`Example of ${name}: ${shown.file}`} position={`${enlarged + 1} of ${others ?? examples.length}`} />
            <div className="class-example-nav">
              <button type="button" className="text-button" aria-label="Previous example (←)" aria-disabled={enlarged === 0} onClick={() => step(-1)}>
                ← Previous
              </button>
              <button ref={backRef} type="button" className="text-button" title="Back to the grid (Esc)" onClick={backToGrid} data-testid="class-example-back">
                All examples <kbd>Esc</kbd>
              </button>
              <button
                type="button"
                className="text-button"
                aria-label="Next example (→)"
                aria-disabled={(enlarged >= examples.length - 1 && !query.hasNextPage) || query.isFetchingNextPage}
                onClick={() => step(1)}
              >
                Next →
              </button>
            </div>
            {query.isFetchNextPageError ? (
              <p className="error" role="alert">
                More examples could not be loaded: {errorMessage(query.error)}
              </p>
            ) : null}
          </div>
        ) : (
          <>
            <ul className="class-examples-grid" ref={gridRef} aria-label={`Other images of ${name}`} data-testid="class-examples-grid">
              {examples.map((example, index) => (
                <li key={example.imageId}>
                  <Thumbnail example={example} index={index} tabbable={index === activeIndex} onOpen={() => enlarge(index)} onFocus={() => setActive(index)} />
                </li>
              ))}
            </ul>
            <div className="class-examples-foot">
              <p className="muted" role="status" data-testid="class-examples-summary">
                {examplesSummary(examples.length, others ?? examples.length)}
                {examples.length > 1 ? ' Arrows move, Enter enlarges.' : ' Enter enlarges.'}
              </p>
              {query.isFetchNextPageError ? (
                <p className="error" role="alert">
                  More examples could not be loaded: {errorMessage(query.error)}
                </p>
              ) : null}
              {query.hasNextPage ? (
                <button type="button" className="secondary" aria-disabled={query.isFetchingNextPage} onClick={loadMore} data-testid="class-examples-more">
                  {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
                </button>
              ) : null}
            </div>
          </>
        )}
      </div>
    </ModalDialog>
  );
}

interface ThumbnailProps {
  example: ClassImage;
  index: number;
  tabbable: boolean;
  onOpen(): void;
  onFocus(): void;
}

function Thumbnail({ example, index, tabbable, onOpen, onFocus }: ThumbnailProps) {
  const [failed, setFailed] = useState(false);
  return (
    <button
      type="button"
      className="class-example-thumb"
      aria-label={`Enlarge ${example.file}`}
      title={example.file}
      tabIndex={tabbable ? 0 : -1}
      onClick={onOpen}
      onFocus={onFocus}
      data-testid="class-example"
      data-image-id={example.imageId}
      data-example-index={index}
    >
      {failed ? (
        <span className="class-example-failed">{example.file}</span>
      ) : (
        <img src={example.thumbnailUrl} alt="" loading="lazy" decoding="async" draggable={false} onError={() => setFailed(true)} />
      )}
    </button>
  );
}

function LargeExample({ example, alt, position }: { example: ClassImage; alt: string; position: string }) {
  const [failed, setFailed] = useState<string | null>(null);
  return (
    <figure className="class-example-large" data-testid="class-example-large" data-image-id={example.imageId}>
      <div className="class-example-frame">
        {failed === example.previewUrl ? (
          <div className="image-missing" role="img" aria-label={`Image could not be loaded: ${example.file}`}>
            <strong>The image could not be loaded</strong>
            <span>{example.file}</span>
          </div>
        ) : (
          <img key={example.previewUrl} src={example.previewUrl} alt={alt} draggable={false} onError={() => setFailed(example.previewUrl)} />
        )}
      </div>
      <figcaption>
        <span className="image-file-name">{example.file}</span> <span className="muted">{position}</span>
      </figcaption>
    </figure>
  );
}

function thumbAt(grid: RefObject<HTMLUListElement | null>, index: number): HTMLElement | null {
  return grid.current?.querySelector<HTMLElement>(`[data-example-index="${index}"]`) ?? null;
}

function thumbTops(grid: RefObject<HTMLUListElement | null>): number[] {
  return Array.from(grid.current?.querySelectorAll<HTMLElement>('[data-example-index]') ?? [], (thumb) => thumb.getBoundingClientRect().top);
}
