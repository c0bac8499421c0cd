import type { MouseEvent } from 'react';
import { isPlainClick } from '../lib/links';
import { type ViewId, urlOf } from './url-state';
import type { ViewDefinition } from './views';

interface ViewNavigationProps {
  projectId: number;
  views: readonly ViewDefinition[];
  current: ViewId;
  onNavigate(view: ViewId): void;
}

/**
 * The project's views the user may open, as links (so a view opens in a new tab too); a plain click switches the
 * view in place. Nothing to show for a user with a single view.
 */
export function ViewNavigation({ projectId, views, current, onNavigate }: ViewNavigationProps) {
  if (views.length < 2) return null;
  const onClick = (event: MouseEvent, view: ViewId) => {
    if (!isPlainClick(event)) return;
    event.preventDefault();
    onNavigate(view);
  };
  return (
    <nav className="view-nav" aria-label="Views">
      {views.map((view) => (
        <a
          key={view.id}
          href={urlOf({ projectId, view: view.id })}
          className="view-link"
          aria-current={view.id === current ? 'page' : undefined}
          onClick={(event) => onClick(event, view.id)}
          data-testid={`nav-${view.id}`}
        >
          {view.label}
        </a>
      ))}
    </nav>
  );
}
