import { useId } from 'react';
import { ModalDialog } from '../../../components/ModalDialog';
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
  const guide = useGuide(projectId);
  const titleId = useId();
  const bylineId = useId();

  const data = guide.data;
  const byline = data ? guideByline(data) : null;

  return (
    <ModalDialog
      className="guide-panel"
      aria-labelledby={titleId}
      aria-describedby={byline ? bylineId : undefined}
      onClose={onClose}
      closeOnBackdrop
      restoreFocus
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
    </ModalDialog>
  );
}
