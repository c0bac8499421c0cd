import { type ComponentType, createElement } from 'react';
import { ItemBrowser } from '../features/item-browser/components/ItemBrowser';
import type { ProjectViewProps } from './views';

/**
 * SLOT for the item browser ("Items" view). Set this to its component and the app shell adds the "Items" entry to
 * the navigation (for the roles listed in views.ts) and renders it at `?view=items`. Until then there is no entry.
 * An item opened from the browser goes to the lead's desk.
 */
export const ItemBrowserView: ComponentType<ProjectViewProps> | null = (props: ProjectViewProps) =>
  createElement(ItemBrowser, { ...props, onOpenItem: (itemId: number) => props.navigate('desk', itemId) });
