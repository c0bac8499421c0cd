import type { ProjectGuide } from '@bagel/contracts';
import type { Queries } from '../../db/database';
import { lockRows } from '../../db/dialect';

const NO_GUIDE: ProjectGuide = { text: '', revision: 0, updatedAt: null, updatedBy: null };

/** A project's guide, append-only: each edit is a new revision. */
export function createGuidesRepository(db: Queries) {
  async function current(projectId: number): Promise<ProjectGuide> {
    const row = await db
      .selectFrom('project_guides as g')
      .innerJoin('users as u', 'u.id', 'g.user_id')
      .select(['g.text', 'g.revision', 'g.created_at', 'u.username'])
      .where('g.project_id', '=', projectId)
      .orderBy('g.revision', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? { text: row.text, revision: row.revision, updatedAt: row.created_at, updatedBy: row.username } : NO_GUIDE;
  }

  return {
    current,
    /**
     * Appends a revision unless `baseRevision` is not the current one. Call it in a write: the check holds until the
     * write commits (the project's row is locked first), so two leads saving from the same revision cannot both win.
     */
    async append(
      projectId: number,
      baseRevision: number,
      text: string,
      userId: number,
      createdAt: string,
    ): Promise<{ stored: true; guide: ProjectGuide } | { stored: false; current: ProjectGuide }> {
      await lockRows(db, 'projects', [projectId]);
      const existing = await current(projectId);
      if (existing.revision !== baseRevision) return { stored: false, current: existing };
      await db.insertInto('project_guides').values({ project_id: projectId, revision: baseRevision + 1, text, user_id: userId, created_at: createdAt }).execute();
      return { stored: true, guide: await current(projectId) };
    },
  };
}
