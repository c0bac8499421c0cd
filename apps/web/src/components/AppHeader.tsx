import type { ReactNode } from 'react';

interface AppHeaderProps {
  /** The project's name; outside the projects, the page's title (Users). */
  projectName: string;
  /** Shown when the user has other projects to go back to. */
  onChangeProject?: () => void;
  /** The views of the project the user may open (from the app shell). */
  navigation?: ReactNode;
  /** What the view shows in the middle of the bar (e.g. the reviewer's progress). */
  children?: ReactNode;
  /** The view's controls at the end of the bar, before the user menu. */
  end?: ReactNode;
  userMenu: ReactNode;
}

/** The bar at the top of every project view (and page): brand, project, navigation, the view's own figures, the user. */
export function AppHeader({ projectName, onChangeProject, navigation, children, end, userMenu }: AppHeaderProps) {
  return (
    <header className="app-header">
      <div className="brand" aria-label="Bagel">
        <span className="brand-mark" aria-hidden="true" />
        Bagel
      </div>
      <div className="project-title">
        <h1 title={projectName}>{projectName}</h1>
        {onChangeProject ? (
          <button type="button" className="link-button" onClick={onChangeProject}>
            Change project
          </button>
        ) : null}
      </div>
      {navigation}
      {children}
      <div className="header-end">
        {end}
        {userMenu}
      </div>
    </header>
  );
}
