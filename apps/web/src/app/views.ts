import type { ProjectSummary, Role, SessionUser } from '@bagel/contracts';
import type { ReactNode } from 'react';
import type { PageId, UrlState, ViewId } from './url-state';

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
  // The reviewer's own verdicts, to reopen any of them on the review screen (the server refuses an admin, who does not judge).
  { id: 'my-verdicts', label: 'My verdicts', roles: ['expert', 'lead'] },
  { id: 'desk', label: 'Lead desk', roles: ['lead', 'admin'] },
  { id: 'dashboard', label: 'Dashboard', roles: ['lead', 'admin'] },
  { id: 'major-slice', label: 'Major slice', roles: ['lead', 'admin'] },
  { id: 'items', label: 'Items', roles: ['lead', 'admin'] },
  // The project's labeling guide: everyone reads it; leads and admins write it (the server refuses an expert's PUT).
  { id: 'guide', label: 'Guide', roles: ['expert', 'lead', 'admin'] },
];

/** The views a role may open, in navigation order; `items` only when the item browser exists. */
export function viewsFor(role: Role, hasItemBrowser: boolean): ViewDefinition[] {
  return VIEWS.filter((view) => view.roles.includes(role) && (view.id !== 'items' || hasItemBrowser));
}

/** Where a user lands: the review for an expert, the desk for the lead (who settles the disputes), the dashboard for an admin. */
export function defaultView(role: Role): ViewId {
  return role === 'admin' ? 'dashboard' : role === 'lead' ? 'desk' : 'review';
}

/** The view to show for a requested one: a view the role may not open falls back to its default view. */
export function allowedView(requested: ViewId | undefined, role: Role, hasItemBrowser: boolean): ViewId {
  return requested && viewsFor(role, hasItemBrowser).some((view) => view.id === requested) ? requested : defaultView(role);
}

export interface PageDefinition {
  id: PageId;
  label: string;
  /** Who sees the entry (in the user menu) and may open the page; the server enforces the same roles on its API. */
  roles: readonly Role[];
}

/**
 * The pages of the whole app, outside any project (views belong to a project; these do not, and must open even when
 * there is no project yet). Their entries are in the user menu.
 */
export const PAGES: readonly PageDefinition[] = [{ id: 'users', label: 'Users', roles: ['admin'] }];

/** The pages a role may open. */
export function pagesFor(role: Role): PageDefinition[] {
  return PAGES.filter((page) => page.roles.includes(role));
}

/** The page to show for a requested one: none when the role may not open it (the user lands where they would have). */
export function allowedPage(requested: PageId | undefined, role: Role): PageId | undefined {
  return requested && pagesFor(role).some((page) => page.id === requested) ? requested : undefined;
}

/** The back button of a page: to the project it was opened from (or the only one), else to the project list. */
export function backLabelOf(returnTo: UrlState, projects: readonly Pick<ProjectSummary, 'id' | 'name'>[] | undefined): string {
  const project = projects?.find((p) => p.id === returnTo.projectId) ?? (projects?.length === 1 ? projects[0] : undefined);
  return project ? `Back to ${project.name}` : 'Back to the projects';
}
