import type { Db } from '../../db/open-database';

export interface ProgressRow {
  images: number;
  items: number;
  open: number;
  inReview: number;
  agreed: number;
  disputed: number;
  final: number;
  verdicts: number;
}

export interface AgreementRow {
  fleissUnits: number;
  fleissAgreement: number;
  fleissCorrect: number;
  fleissWrong: number;
  fleissUnclear: number;
  alphaUnits: number;
  alphaValues: number;
  alphaAgreement: number;
  alphaCorrect: number;
  alphaWrong: number;
  alphaUnclear: number;
}

/**
 * The dashboard's reads: the project totals and per-item sums that aggregation keeps (item_consensus and the
 * project_* tables of migration 005), each one statement over an index, so no request reads a verdict.
 */
export function createDashboardRepository(db: Db) {
  const progress = db.prepare<{ p: number }, ProgressRow>(
    `SELECT
       (SELECT count(*) FROM images WHERE project_id = :p) AS images,
       count(*) AS items,
       coalesce(sum(status = 'open'), 0) AS open,
       coalesce(sum(status = 'in_review'), 0) AS inReview,
       coalesce(sum(status = 'agreed'), 0) AS agreed,
       coalesce(sum(status = 'disputed'), 0) AS disputed,
       coalesce(sum(status = 'final'), 0) AS final,
       coalesce(sum(verdict_count), 0) AS verdicts
     FROM items WHERE project_id = :p`,
  );
  const experts = db.prepare<[number], { username: string; verdicts: number; agreements: number; compared: number }>(
    `SELECT u.username, r.verdicts, r.agreements, r.compared FROM project_rater_totals r JOIN users u ON u.id = r.user_id
     WHERE r.project_id = ? AND r.verdicts > 0 ORDER BY u.username`,
  );
  const agreement = db.prepare<[number], AgreementRow>(
    `SELECT
       coalesce(sum(fleiss_units), 0) AS fleissUnits, coalesce(sum(fleiss_agreement), 0) AS fleissAgreement,
       coalesce(sum(fleiss_correct), 0) AS fleissCorrect, coalesce(sum(fleiss_wrong), 0) AS fleissWrong,
       coalesce(sum(fleiss_unclear), 0) AS fleissUnclear,
       coalesce(sum(alpha_units), 0) AS alphaUnits, coalesce(sum(alpha_values), 0) AS alphaValues,
       coalesce(sum(alpha_agreement), 0) AS alphaAgreement, coalesce(sum(alpha_correct), 0) AS alphaCorrect,
       coalesce(sum(alpha_wrong), 0) AS alphaWrong, coalesce(sum(alpha_unclear), 0) AS alphaUnclear
     FROM item_consensus WHERE project_id = ?`,
  );
  // What the final labels change, per model and original class: added to the project's baseline.
  const scoreDeltas = db
    .prepare<[number], [number, number, number, number, number, number]>(
      'SELECT model_id, original_class_idx, counted, hits, real_counted, real_hits FROM project_score_deltas WHERE project_id = ?',
    )
    .raw(true);
  // Severity is Major, Minor, Borderline, ungraded, or `replaced`: the baseline mistakes the final labels replaced.
  const mistakes = db
    .prepare<[number], [number, string, string, number]>('SELECT model_id, severity, category, count FROM project_mistake_counts WHERE project_id = ? AND count <> 0')
    .raw(true);
  // Revisions stored after their expert had seen the panel's verdicts (a partial index holds just those).
  const afterSeeingPanel = db.prepare<[number], { username: string; n: number }>(
    `SELECT u.username, count(*) AS n FROM verdicts v INDEXED BY verdicts_after_seeing_panel
     JOIN items i ON i.id = v.item_id JOIN users u ON u.id = v.user_id
     WHERE v.after_seeing_panel = 1 AND i.project_id = ? GROUP BY v.user_id ORDER BY u.username`,
  );
  const majorSliceCount = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM item_consensus WHERE project_id = ? AND major_slice = 1');
  // Images of the prior imagenet_m list whose item has final labels: the exported imagenet_m holds them only when
  // the final labels put them in the Major slice (major_slice), so their prior entry no longer counts.
  const judgedPriorSlice = db
    .prepare<[number], [number]>(
      `SELECT ps.image_id FROM prior_major_slice ps JOIN items i ON i.image_id = ps.image_id JOIN item_consensus c ON c.item_id = i.id
       WHERE i.project_id = ? AND c.final IS NOT NULL`,
    )
    .raw(true);
  // Items whose final labels make every chosen model's top-1 a Major mistake (major_models lists them as ',id,id,'),
  // among the images of a window of project positions: images first (CROSS JOIN keeps them the outer loop), through
  // their index by position, so each window reads a bounded part of the project.
  const majorSliceWindow = db.prepare<[number, number, number, string], { item_id: number; image_id: number; file: string; original_class_idx: number; final: string }>(
    `SELECT i.id AS item_id, im.id AS image_id, im.file, im.original_class_idx, c.final
     FROM images im CROSS JOIN items i ON i.image_id = im.id CROSS JOIN item_consensus c ON c.item_id = i.id
     WHERE im.project_id = ? AND im.position > ? AND im.position <= ? AND c.major_models IS NOT NULL AND c.problematic = 0
       AND NOT EXISTS (SELECT 1 FROM json_each(?) m WHERE instr(c.major_models, ',' || m.value || ',') = 0)
     ORDER BY im.position`,
  );
  const lastPosition = db.prepare<[number], { last: number | null }>('SELECT max(position) AS last FROM images WHERE project_id = ?');

  return {
    progress: (projectId: number) => progress.get({ p: projectId })!,
    experts: (projectId: number) => experts.all(projectId),
    agreement: (projectId: number) => agreement.get(projectId)!,
    /** Per expert (by username), their revisions stored after seeing the panel's verdicts of the item. */
    revisionsAfterSeeingPanel: (projectId: number) => new Map(afterSeeingPanel.all(projectId).map((r) => [r.username, r.n])),
    scoreDeltas: (projectId: number) => scoreDeltas.all(projectId),
    mistakes: (projectId: number) => mistakes.all(projectId),
    majorSliceCount: (projectId: number) => majorSliceCount.get(projectId)!.n,
    judgedPriorSlice: (projectId: number) => new Set(judgedPriorSlice.all(projectId).map(([imageId]) => imageId)),
    /**
     * Items on which every one of `modelIds` makes a Major mistake under the final labels, with their images in
     * project order, a window of `window` project positions at a time (a window may hold none).
     */
    *majorSliceWindows(projectId: number, modelIds: readonly number[], window: number) {
      if (modelIds.length === 0) return;
      const last = lastPosition.get(projectId)!.last ?? -1;
      const models = JSON.stringify(modelIds);
      for (let after = -1; after < last; after += window) yield majorSliceWindow.all(projectId, after, after + window, models);
    },
  };
}
