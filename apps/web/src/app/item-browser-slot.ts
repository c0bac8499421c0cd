import { type ComponentType, createElement, lazy } from 'react';
import type { ProjectViewProps } from './views';

/**
 * SLOT for the item browser ("Items" view). Set this to its component and the app shell adds the "Items" entry to
 * the navigation (for the roles listed in views.ts) and renders it at `?view=items`. Until then there is no entry.
 * An item opened from the browser goes to the lead's desk. Loaded when first shown, like the other lead screens
 * (lazy-screens.ts).
 */
export const ItemBrowserView: ComponentType<ProjectViewProps> | null = lazy(async () => {
  const { ItemBrowser } = await import('../features/item-browser/components/ItemBrowser');
  return {
    default: (props: ProjectViewProps) => createElement(ItemBrowser, { ...props, onOpenItem: (itemId: number) => props.navigate('desk', itemId) }),
  };
});
