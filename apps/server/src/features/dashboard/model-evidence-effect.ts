import type { FinalLabels, Judgement, ModelEvidenceEffectReport } from '@bagel/contracts';
import { modelEvidenceEffect, tallyEvidence, wilsonInterval, type EvidenceTallies } from '@bagel/core';
import { sql } from 'kysely';
import type { Database } from '../../db/database';
import { nextBackgroundTurn } from '../../lib/background-turns';
import { notFound } from '../../plugins/errors';
import { projectCatalog } from '../projects/project-catalog';

/** Verdicts read per step: a step takes a few milliseconds, and other requests are served between steps. */
export const EVIDENCE_SCAN_ROWS = 2000;

interface ExperimentVerdictRow {
  item_id: number;
  user_id: number;
  image_id: number;
  labels: string;
  models_hidden: number;
  revealed_labels: string | null;
  final: string | null;
}

/**
 * What showing the models does to the panel (the project setting `modelEvidence: experiment`; docs/AGGREGATION.md,
 * "Anchoring control"). It reads each expert's first verdict stored during the experiment, where the condition was
 * drawn at random per item and expert, so shown and hidden differ by the condition alone: verdicts of a project that
 * showed (or hid) the models to everyone are left out, as their items were not drawn. The judgements compared are
 * those made before the models were seen: with the models hidden, the ones sent when the expert asked for them
 * (model_reveals), which a later revision may have changed.
 *
 * A scan of every such verdict, a step at a time (EVIDENCE_SCAN_ROWS) between other requests' turns; it keeps only
 * counts per model and condition. So it is asked for on its own (the dashboard's card loads it when shown), not with
 * every poll.
 */
export function createModelEvidenceEffect(database: Database) {
  const catalog = projectCatalog(database);

  return async function modelEvidenceEffectOf(projectId: number): Promise<ModelEvidenceEffectReport> {
    const entry = await catalog.get(projectId);
    if (!entry) throw notFound(`Project ${projectId} not found`);
    const modelNames = new Map(entry.models.map((model) => [model.id, model.name]));
    const tallies: EvidenceTallies = new Map();
    const verdicts = { shown: 0, hidden: 0 };
    let after = { itemId: 0, userId: 0 };
    for (;;) {
      // Keyset over (item, expert), from the partial index of the experiment's verdicts.
      const { rows } = await sql<ExperimentVerdictRow>`
        SELECT v.item_id, v.user_id, i.image_id, v.labels, v.models_hidden, r.labels AS revealed_labels, c.final
        FROM verdicts v
        JOIN items i ON i.id = v.item_id
        LEFT JOIN model_reveals r ON r.item_id = v.item_id AND r.user_id = v.user_id
        LEFT JOIN item_consensus c ON c.item_id = v.item_id
        WHERE v.evidence_setting = 'experiment' AND v.revision = 1 AND i.project_id = ${projectId}
          AND (v.item_id > ${after.itemId} OR (v.item_id = ${after.itemId} AND v.user_id > ${after.userId}))
        ORDER BY v.item_id, v.user_id
        LIMIT ${EVIDENCE_SCAN_ROWS}`.execute(database.queries);
      if (rows.length === 0) break;
      const imageIds = [...new Set(rows.map((row) => row.image_id))];
      const top1 = await database.queries
        .selectFrom('predictions')
        .select(['image_id', 'model_id', 'class_idx'])
        .where('rank', '=', 1)
        .where('image_id', 'in', imageIds)
        .execute();
      const top1ByImage = new Map<number, { model: string; key: string }[]>();
      for (const prediction of top1) {
        const model = modelNames.get(prediction.model_id);
        const cls = entry.vocabulary.byIndex(prediction.class_idx);
        if (!model || !cls) continue;
        const list = top1ByImage.get(prediction.image_id) ?? [];
        list.push({ model, key: cls.key });
        top1ByImage.set(prediction.image_id, list);
      }
      for (const row of rows) {
        const hidden = row.models_hidden === 1 && row.revealed_labels !== null;
        verdicts[hidden ? 'hidden' : 'shown'] += 1;
        const labels = JSON.parse(hidden ? row.revealed_labels! : row.labels) as Record<string, Judgement>;
        const final = row.final === null ? null : (JSON.parse(row.final) as FinalLabels).labels;
        for (const { model, key } of top1ByImage.get(row.image_id) ?? []) {
          const accepted = labels[key] === 'correct';
          tallyEvidence(tallies, {
            model,
            condition: hidden ? 'hidden' : 'shown',
            acceptedTop1: accepted,
            agreesWithFinal: final === null ? null : accepted === (final[key] === 'correct'),
          });
        }
      }
      const last = rows[rows.length - 1]!;
      after = { itemId: last.item_id, userId: last.user_id };
      if (rows.length < EVIDENCE_SCAN_ROWS) break;
      await nextBackgroundTurn();
    }
    const effects = modelEvidenceEffect(tallies, entry.models);
    // Decoys: one row per expert, counted in SQL (their judgements are few: a handful per item judged with the models
    // hidden).
    const { rows: decoyRows } = await sql<{ username: string; judged: number; accepted: number }>`
      SELECT u.username, count(*) AS judged, sum(CASE WHEN d.judgement = 'correct' THEN 1 ELSE 0 END) AS accepted
      FROM decoy_judgements d JOIN items i ON i.id = d.item_id JOIN users u ON u.id = d.user_id
      WHERE i.project_id = ${projectId} GROUP BY u.username ORDER BY u.username`.execute(database.queries);
    return {
      projectId,
      modelEvidence: entry.project.modelEvidence,
      decoys: entry.project.decoys,
      decoyAccepts: decoyRows.map((row) => {
        const { k, n, rate, low, high } = wilsonInterval(Number(row.accepted), Number(row.judged));
        return { expert: row.username, accepted: { k, n, rate, low, high } };
      }),
      verdicts,
      models: effects.map((effect, i) => ({ ...effect, displayName: entry.models[i]!.displayName })),
    };
  };
}
