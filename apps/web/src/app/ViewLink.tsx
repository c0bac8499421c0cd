import type { MouseEvent, ReactNode } from 'react';
import { isPlainClick } from '../lib/links';
import { type ViewId, urlOf } from './url-state';

interface ViewLinkProps {
  projectId: number;
  view: ViewId;
  /** The item the view opens (the review, the desk). */
  itemId?: number;
  onNavigate(view: ViewId, itemId?: number): void;
  className?: string;
  testId?: string;
  children: ReactNode;
}

/**
 * A link to a view of the project, for a view to show without knowing the others (the app shell composes it): a real
 * address, so it opens in a new tab too; a plain click switches the view in place.
 */
export function ViewLink({ projectId, view, itemId, onNavigate, className, testId, children }: ViewLinkProps) {
  const onClick = (event: MouseEvent) => {
    if (!isPlainClick(event)) return;
    event.preventDefault();
    onNavigate(view, itemId);
  };
  return (
    <a href={urlOf({ projectId, view, itemId })} className={className} onClick={onClick} data-testid={testId}>
      {children}
    </a>
  );
}
