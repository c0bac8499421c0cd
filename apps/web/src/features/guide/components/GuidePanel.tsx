import { useId } from 'react';
import { errorMessage } from '../../../lib/api-client';
import { keepFocus } from '../../../lib/keep-focus';
import { useGuide } from '../api/get-guide';
import { guideByline, hasGuide } from '../lib/guide';
import '../guide.css';
import { GuideText } from './GuideText';

interface GuidePanelProps {
  projectId: number;
  /** The close button (the screen's `g` and Esc close it too). */
  onClose(): void;
}

/**
 * The project's labeling guide beside the item being judged (the review screen, the desk): a panel along the right
 * edge, the screen narrowed to make room for it, so the item stays in sight and every key keeps acting on it (`g` or
 * Esc closes the panel). The focus stays where it was; the panel scrolls on its own. The guide is fetched when the
 * panel first opens, then read from the cache.
 */
export function GuidePanel({ projectId, onClose }: GuidePanelProps) {
  const guide = useGuide(projectId);
  const titleId = useId();
  const data = guide.data;
  const byline = data ? guideByline(data) : null;

  return (
    <aside className="guide-panel" aria-labelledby={titleId} data-testid="guide-panel">
      <header className="guide-panel-head">
        <div>
          <h2 id={titleId}>Labeling guide</h2>
          {byline ? (
            <p className="muted guide-byline" data-testid="guide-byline">
              {byline}
            </p>
          ) : null}
        </div>
        <button type="button" className="icon-button" aria-label="Close the guide (g)" title="Close (g or Esc)" onMouseDown={keepFocus} onClick={onClose}>
          ×
        </button>
      </header>
      <div className="guide-panel-body">
        {guide.isPending ? (
          <p className="muted" role="status">
            Loading the guide…
          </p>
        ) : data === undefined ? (
          <div className="guide-message" role="alert" data-testid="guide-error">
            <p className="error">The guide could not be loaded: {errorMessage(guide.error)}</p>
            <button type="button" className="secondary" onMouseDown={keepFocus} onClick={() => void guide.refetch()}>
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
    </aside>
  );
}
