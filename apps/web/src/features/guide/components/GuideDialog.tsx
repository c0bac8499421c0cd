import { type KeyboardEvent, type MouseEvent, useEffect, useId, useRef } from 'react';
import { errorMessage } from '../../../lib/api-client';
import { useGuide } from '../api/get-guide';
import { guideByline, hasGuide } from '../lib/guide';
import '../guide.css';
import { GuideText } from './GuideText';

interface GuideDialogProps {
  projectId: number;
  /** Esc, the close button or a click beside the panel: the screen behind takes over again. */
  onClose(): void;
}

/**
 * The project's labeling guide beside the item being judged (the review screen, the desk): a panel along the right
 * edge, the item still in sight on the left. A native modal dialog: the screen behind is inert and none of its
 * shortcuts sees the keys typed here (the arrows and Page Up/Down scroll the guide); Esc closes it and the focus
 * returns where it was. The guide is fetched when the panel first opens, then read from the cache.
 */
export function GuideDialog({ projectId, onClose }: GuideDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const guide = useGuide(projectId);
  const titleId = useId();
  const bylineId = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    const previous = document.activeElement;
    if (dialog && !dialog.open) dialog.showModal();
    // The panel itself takes the focus (not its close button): the keys scroll the guide, Esc closes it.
    dialog?.focus();
    return () => {
      if (previous instanceof HTMLElement && previous !== document.body && previous.isConnected) previous.focus();
    };
  }, []);

  // The keys typed here are the panel's: they must not reach the shortcuts of the screen behind (Esc still closes).
  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => event.stopPropagation();
  // A click on the backdrop (the panel's own box is all content) closes it.
  const onClick = (event: MouseEvent<HTMLDialogElement>) => {
    if (event.target === event.currentTarget) onClose();
  };

  const data = guide.data;
  const byline = data ? guideByline(data) : null;

  return (
    <dialog
      ref={dialogRef}
      className="guide-panel"
      aria-labelledby={titleId}
      aria-describedby={byline ? bylineId : undefined}
      tabIndex={-1}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClose={onClose}
      onKeyDown={onKeyDown}
      onClick={onClick}
      data-testid="guide-panel"
    >
      <div className="guide-panel-content">
        <header className="modal-head guide-panel-head">
          <div>
            <h2 id={titleId}>Labeling guide</h2>
            {byline ? (
              <p id={bylineId} className="muted guide-byline" data-testid="guide-byline">
                {byline}
              </p>
            ) : null}
          </div>
          <button type="button" className="icon-button" aria-label="Close the guide (Esc)" title="Close (Esc)" onClick={onClose}>
            ×
          </button>
        </header>
        {guide.isPending ? (
          <p className="muted" role="status">
            Loading the guide…
          </p>
        ) : data === undefined ? (
          <div className="guide-message" role="alert" data-testid="guide-error">
            <p className="error">The guide could not be loaded: {errorMessage(guide.error)}</p>
            <button type="button" className="secondary" onClick={() => void guide.refetch()}>
              Try again
            </button>
          </div>
        ) : hasGuide(data) ? (
          <GuideText text={data.text} testId="guide-text" />
        ) : (
          <div className="guide-message" data-testid="guide-empty">
            <p>
              <strong>No guide yet</strong>
            </p>
            <p className="muted">The lead has not written a labeling guide for this project.</p>
          </div>
        )}
      </div>
    </dialog>
  );
}
