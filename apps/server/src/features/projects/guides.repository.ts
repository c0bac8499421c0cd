import type { ProjectGuide } from '@bagel/contracts';
import type { Db } from '../../db/open-database';

const NO_GUIDE: ProjectGuide = { text: '', revision: 0, updatedAt: null, updatedBy: null };

/** A project's guide, append-only: each edit is a new revision. */
export function createGuidesRepository(db: Db) {
  const current = db.prepare<[number], { text: string; revision: number; created_at: string; username: string }>(
    `SELECT g.text, g.revision, g.created_at, u.username FROM project_guides g JOIN users u ON u.id = g.user_id
     WHERE g.project_id = ? ORDER BY g.revision DESC LIMIT 1`,
  );
  const insert = db.prepare<[number, number, string, number, string]>(
    'INSERT INTO project_guides (project_id, revision, text, user_id, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const currentOf = (projectId: number): ProjectGuide => {
    const row = current.get(projectId);
    return row ? { text: row.text, revision: row.revision, updatedAt: row.created_at, updatedBy: row.username } : NO_GUIDE;
  };
  // Checked and written in one transaction: two leads saving from the same revision cannot both win.
  const append = db.transaction(
    (projectId: number, baseRevision: number, text: string, userId: number, createdAt: string): { stored: true; guide: ProjectGuide } | { stored: false; current: ProjectGuide } => {
      const existing = currentOf(projectId);
      if (existing.revision !== baseRevision) return { stored: false, current: existing };
      insert.run(projectId, baseRevision + 1, text, userId, createdAt);
      return { stored: true, guide: currentOf(projectId) };
    },
  );
  return {
    current: currentOf,
    /** Appends a revision unless `baseRevision` is not the current one. */
    append(projectId: number, baseRevision: number, text: string, userId: number, createdAt: string) {
      return append.immediate(projectId, baseRevision, text, userId, createdAt);
    },
  };
}
