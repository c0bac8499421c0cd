import { sql } from 'kysely';
import type { Queries } from '../../db/database';

/** Images of a project by their original label (the index images_by_original_class of migration 007 serves both). */
export function createClassImagesRepository(db: Queries) {
  const ofClass = (projectId: number, classIndex: number, except: readonly number[]) => {
    const images = db.selectFrom('images').where('project_id', '=', projectId).where('original_class_idx', '=', classIndex);
    return except.length > 0 ? images.where('id', 'not in', except) : images;
  };
  return {
    /** A page of the class's images, without the images `except`. */
    async page(
      projectId: number,
      classIndex: number,
      offset: number,
      limit: number,
      except: readonly number[] = [],
    ): Promise<{ total: number; rows: { id: number; file: string }[] }> {
      const total = await ofClass(projectId, classIndex, except)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst();
      const rows = await ofClass(projectId, classIndex, except).select(['id', 'file']).orderBy('position').limit(limit).offset(offset).execute();
      return { total: Number(total?.n ?? 0), rows };
    },

    /**
     * The items of the project the user holds now, unjudged and with the models not asked for: their live claims
     * without a verdict and their live gold items without an answer, neither revealed. Whether the models are hidden
     * on each is the project's modelEvidence to say (modelEvidenceCondition).
     */
    async heldUnrevealed(projectId: number, userId: number, now: number): Promise<{ itemId: number; imageId: number }[]> {
      const { rows } = await sql<{ item_id: number; image_id: number }>`
        SELECT i.id AS item_id, i.image_id FROM claims c JOIN items i ON i.id = c.item_id
        WHERE c.user_id = ${userId} AND c.expires_at > ${now} AND i.project_id = ${projectId}
          AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.item_id = i.id AND v.user_id = ${userId})
          AND NOT EXISTS (SELECT 1 FROM model_reveals r WHERE r.item_id = i.id AND r.user_id = ${userId})
        UNION
        SELECT i.id AS item_id, i.image_id FROM gold_probes p JOIN items i ON i.id = p.item_id
        WHERE p.user_id = ${userId} AND p.project_id = ${projectId} AND p.expires_at > ${now} AND p.skipped_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM gold_probe_answers a WHERE a.item_id = p.item_id AND a.user_id = ${userId})
          AND NOT EXISTS (SELECT 1 FROM model_reveals r WHERE r.item_id = i.id AND r.user_id = ${userId})`.execute(db);
      return rows.map((row) => ({ itemId: Number(row.item_id), imageId: Number(row.image_id) }));
    },
  };
}
