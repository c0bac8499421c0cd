import type { Db } from '../../db/open-database';

/** Images of a project by their original label (the index images_by_original_class of migration 007 serves both). */
export function createClassImagesRepository(db: Db) {
  const page = db.prepare<[number, number, number, number], { id: number; file: string }>(
    'SELECT id, file FROM images WHERE project_id = ? AND original_class_idx = ? ORDER BY position LIMIT ? OFFSET ?',
  );
  const total = db.prepare<[number, number], { n: number }>('SELECT count(*) AS n FROM images WHERE project_id = ? AND original_class_idx = ?');
  return {
    page(projectId: number, classIndex: number, offset: number, limit: number): { total: number; rows: { id: number; file: string }[] } {
      return { total: total.get(projectId, classIndex)?.n ?? 0, rows: page.all(projectId, classIndex, limit, offset) };
    },
  };
}
