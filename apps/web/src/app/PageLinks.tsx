import type { MouseEvent } from 'react';
import { isPlainClick } from '../lib/links';
import { type PageId, urlOf } from './url-state';
import type { PageDefinition } from './views';

interface PageLinksProps {
  pages: readonly PageDefinition[];
  /** The page open now, if any. */
  current?: PageId;
  onOpen(page: PageId): void;
}

/**
 * The entries of the user menu for the pages of the app the user's role may open, as links (so a page opens in a new
 * tab too); a plain click opens the page in place.
 */
export function PageLinks({ pages, current, onOpen }: PageLinksProps) {
  const onClick = (event: MouseEvent, page: PageId) => {
    if (!isPlainClick(event)) return;
    event.preventDefault();
    onOpen(page);
  };
  return pages.map((page) => (
    <a
      key={page.id}
      href={urlOf({ page: page.id })}
      className="menu-entry"
      aria-current={page.id === current ? 'page' : undefined}
      onClick={(event) => onClick(event, page.id)}
      data-testid={`page-${page.id}`}
    >
      {page.label}
    </a>
  ));
}
