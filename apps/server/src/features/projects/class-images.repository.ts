import type { Queries } from '../../db/database';

/** Images of a project by their original label (the index images_by_original_class of migration 007 serves both). */
export function createClassImagesRepository(db: Queries) {
  const ofClass = (projectId: number, classIndex: number) =>
    db.selectFrom('images').where('project_id', '=', projectId).where('original_class_idx', '=', classIndex);
  return {
    async page(projectId: number, classIndex: number, offset: number, limit: number): Promise<{ total: number; rows: { id: number; file: string }[] }> {
      const total = await ofClass(projectId, classIndex).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
      const rows = await ofClass(projectId, classIndex).select(['id', 'file']).orderBy('position').limit(limit).offset(offset).execute();
      return { total: total?.n ?? 0, rows };
    },
  };
}
