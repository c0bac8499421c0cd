import type { ProjectSummary, Role, SessionUser } from '@bagel/contracts';
import type { ReactNode } from 'react';
import type { ViewId } from './url-state';

/** What the app shell hands every view of a project. */
export interface ProjectViewProps {
  project: ProjectSummary;
  user: SessionUser;
  /** The signed-in user's name and log-out control. */
  userMenu: ReactNode;
  /** The navigation between views, for the view's header. */
  navigation: ReactNode;
  /** Back to the project list, when the user has several projects. */
  onChangeProject?: () => void;
  /** Opens another view (with an item, for the review or the desk). */
  navigate(view: ViewId, itemId?: number): void;
}

export interface ViewDefinition {
  id: ViewId;
  label: string;
  /** Who sees the entry and may open the view (the server enforces the same roles on its API). */
  roles: readonly Role[];
}

/** The views of a project in navigation order. The item browser's entry appears once its slot is filled. */
export const VIEWS: readonly ViewDefinition[] = [
  { id: 'review', label: 'Review', roles: ['expert', 'lead'] },
  { id: 'desk', label: 'Lead desk', roles: ['lead', 'admin'] },
  { id: 'dashboard', label: 'Dashboard', roles: ['lead', 'admin'] },
  { id: 'major-slice', label: 'Major slice', roles: ['lead', 'admin'] },
  { id: 'items', label: 'Items', roles: ['lead', 'admin'] },
];

/** The views a role may open, in navigation order; `items` only when the item browser exists. */
export function viewsFor(role: Role, hasItemBrowser: boolean): ViewDefinition[] {
  return VIEWS.filter((view) => view.roles.includes(role) && (view.id !== 'items' || hasItemBrowser));
}

/** Where a user lands: the review for those who judge, the dashboard for an admin (who does not). */
export function defaultView(role: Role): ViewId {
  return role === 'admin' ? 'dashboard' : 'review';
}

/** The view to show for a requested one: a view the role may not open falls back to its default view. */
export function allowedView(requested: ViewId | undefined, role: Role, hasItemBrowser: boolean): ViewId {
  return requested && viewsFor(role, hasItemBrowser).some((view) => view.id === requested) ? requested : defaultView(role);
}
