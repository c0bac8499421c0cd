import type { ProjectSummary } from '@bagel/contracts';
import type { ReactNode } from 'react';
import { panelText } from '../../../lib/format';

/** The projects this user can review, with their progress; shown only when there is more than one. */
export function ProjectPicker({ projects, onPick, userMenu }: { projects: readonly ProjectSummary[]; onPick(projectId: number): void; userMenu: ReactNode }) {
  return (
    <div className="picker-page">
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Bagel
        </div>
        <div className="project-title">
          <h1>Projects</h1>
        </div>
        <div className="header-end">{userMenu}</div>
      </header>
      <main className="project-list">
        {projects.length === 0 ? (
          <p className="centered-message" data-testid="no-projects">
            No project yet. An admin imports one with <code>bagel import</code>.
          </p>
        ) : (
          <ul>
            {projects.map((project) => (
              <li key={project.id}>
                <button type="button" className="project-card" onClick={() => onPick(project.id)}>
                  <strong>{project.name}</strong>
                  {project.description ? <span className="muted">{project.description}</span> : null}
                  <span className="project-stats">
                    {project.counts.myVerdicts} / {project.counts.items} judged by you · {project.counts.itemsComplete} complete ·{' '}
                    {panelText(project.panel, project.panelSize)} · {project.models.length} models
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </main>
    </div>
  );
}
