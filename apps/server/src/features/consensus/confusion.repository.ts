import type { Judgement } from '@bagel/contracts';
import { emptyConfusionTally, modelFromJson, modelToJson, type ConfusionTally, type PanelConfusionModel, type PanelItemJudgements } from '@bagel/core';
import { sql } from 'kysely';
import type { Queries } from '../../db/database';

// The Dawid–Skene model of a project (migration 028: project_confusion_models, expert_confusion) and its estimation
// under way (confusion_estimation_pending). Experts are named in the model as aggregatePanel names them: the user id
// as text.

/** The model a verdict's aggregation uses: the last estimation's, or null (core's initial model) before the first. */
export async function loadConfusionModel(db: Queries, projectId: number): Promise<PanelConfusionModel | null> {
  const head = await db.selectFrom('project_confusion_models').select(['prior_original', 'prior_other']).where('project_id', '=', projectId).executeTakeFirst();
  if (!head) return null;
  const rows = await db
    .selectFrom('expert_confusion')
    .select(['user_id', 'absent_wrong', 'absent_unclear', 'absent_correct', 'present_wrong', 'present_unclear', 'present_correct'])
    .where('project_id', '=', projectId)
    .orderBy('user_id')
    .execute();
  return {
    priors: [head.prior_original, head.prior_other],
    experts: new Map(rows.map((r) => [String(r.user_id), [r.absent_wrong, r.absent_unclear, r.absent_correct, r.present_wrong, r.present_unclear, r.present_correct]])),
  };
}

export interface EstimationMark {
  pass: number;
  nextItemId: number;
  done: number;
  /** The previous pass's model; null in the first pass (the majority vote). */
  model: PanelConfusionModel | null;
  tally: ConfusionTally;
  verdicts: number;
}

export function createConfusionRepository(db: Queries) {
  return {
    /** The project's verdicts in all (project_item_totals), which tell when the model has grown old. */
    async verdictCount(projectId: number): Promise<number> {
      const row = await db
        .selectFrom('project_item_totals')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('verdicts'), sql<number>`0`).as('n'))
        .where('project_id', '=', projectId)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    /** Starts an estimation from its first pass (over again, if one was under way). */
    async startEstimation(projectId: number, verdicts: number, now: string): Promise<void> {
      const values = { pass: 1, next_item_id: 0, done: 0, model: null, tally: JSON.stringify(emptyConfusionTally()), verdicts, started_at: now };
      await db
        .insertInto('confusion_estimation_pending')
        .values({ project_id: projectId, ...values })
        .onConflict((oc) => oc.column('project_id').doUpdateSet(values))
        .execute();
    },
    async stopEstimation(projectId: number): Promise<void> {
      await db.deleteFrom('confusion_estimation_pending').where('project_id', '=', projectId).execute();
    },
    async estimationMark(projectId: number): Promise<EstimationMark | null> {
      const row = await db.selectFrom('confusion_estimation_pending').selectAll().where('project_id', '=', projectId).executeTakeFirst();
      if (!row) return null;
      return {
        pass: row.pass,
        nextItemId: row.next_item_id,
        done: row.done,
        model: row.model === null ? null : modelFromJson(JSON.parse(row.model)),
        tally: JSON.parse(row.tally) as ConfusionTally,
        verdicts: row.verdicts,
      };
    },
    async saveEstimation(projectId: number, mark: Omit<EstimationMark, 'verdicts'>): Promise<void> {
      await db
        .updateTable('confusion_estimation_pending')
        .set({
          pass: mark.pass,
          next_item_id: mark.nextItemId,
          done: mark.done,
          model: mark.model === null ? null : JSON.stringify(modelToJson(mark.model)),
          tally: JSON.stringify(mark.tally),
        })
        .where('project_id', '=', projectId)
        .execute();
    },
    async projectsEstimating(): Promise<number[]> {
      return (await db.selectFrom('confusion_estimation_pending').select('project_id').orderBy('project_id').execute()).map((r) => r.project_id);
    },

    /** Projects under dawid-skene, with no estimation under way, and the verdicts their model was estimated on (null: never). */
    async dawidSkeneProjectsIdle(): Promise<{ projectId: number; estimatedOn: number | null }[]> {
      const rows = await db
        .selectFrom('projects as p')
        .leftJoin('project_confusion_models as m', 'm.project_id', 'p.id')
        .leftJoin('confusion_estimation_pending as e', 'e.project_id', 'p.id')
        .select(['p.id', 'm.verdicts'])
        .where('p.aggregation', '=', 'dawid-skene')
        .where('p.importing', 'is', null)
        .where('e.project_id', 'is', null)
        .orderBy('p.id')
        .execute();
      return rows.map((r) => ({ projectId: r.id, estimatedOn: r.verdicts ?? null }));
    },

    /**
     * The current class judgements (each expert's latest revision) of the judged items with ids in [from, to), and
     * each item's original label; by item id.
     */
    async judgementsOf(projectId: number, from: number, to: number, keyOf: (index: number) => string): Promise<(PanelItemJudgements & { itemId: number })[]> {
      const { rows: items } = await sql<{ id: number; original_class_idx: number }>`
        SELECT i.id, im.original_class_idx FROM items i JOIN images im ON im.id = i.image_id
        WHERE i.id >= ${from} AND i.id < ${to} AND +i.project_id = ${projectId} AND +i.verdict_count > 0 ORDER BY i.id`.execute(db);
      const byItem = new Map<number, PanelItemJudgements & { itemId: number; verdicts: { expert: string; labels: Record<string, Judgement> }[] }>();
      for (const row of items) byItem.set(row.id, { itemId: row.id, originalKey: keyOf(row.original_class_idx), verdicts: [] });
      const { rows } = await sql<{ item_id: number; user_id: number; labels: string }>`
        SELECT v.item_id, v.user_id, v.labels FROM items i JOIN verdicts v ON v.item_id = i.id
        WHERE i.id >= ${from} AND i.id < ${to} AND +i.project_id = ${projectId} AND +i.verdict_count > 0
        ORDER BY v.item_id, v.user_id, v.revision`.execute(db);
      rows.forEach((row, i) => {
        const next = rows[i + 1];
        // An expert's last revision is their current verdict.
        if (next && next.item_id === row.item_id && next.user_id === row.user_id) return;
        byItem.get(row.item_id)?.verdicts.push({ expert: String(row.user_id), labels: JSON.parse(row.labels) });
      });
      return [...byItem.values()];
    },

    /**
     * Puts a model in force: the experts' rows replaced, the head row written, the settings version moved (every
     * instance reads the project, and with it the model, again), the estimation unmarked.
     */
    async publish(
      projectId: number,
      model: PanelConfusionModel,
      details: { judgements: ReadonlyMap<string, number>; fixedRows: ReadonlyMap<string, [boolean, boolean]>; passes: number; converged: boolean; questions: number; verdicts: number; now: string },
    ): Promise<void> {
      await db.deleteFrom('expert_confusion').where('project_id', '=', projectId).execute();
      const rows = [...model.experts].map(([expert, r]) => ({
        project_id: projectId,
        user_id: Number(expert),
        absent_wrong: r[0]!,
        absent_unclear: r[1]!,
        absent_correct: r[2]!,
        present_wrong: r[3]!,
        present_unclear: r[4]!,
        present_correct: r[5]!,
        judgements: details.judgements.get(expert) ?? 0,
        fixed_absent: details.fixedRows.get(expert)?.[0] ? 1 : 0,
        fixed_present: details.fixedRows.get(expert)?.[1] ? 1 : 0,
      }));
      // At most a few hundred experts: a chunk of 100 rows binds 1,100 values.
      for (let i = 0; i < rows.length; i += 100) await db.insertInto('expert_confusion').values(rows.slice(i, i + 100)).execute();
      const head = {
        prior_original: model.priors[0],
        prior_other: model.priors[1],
        passes: details.passes,
        converged: details.converged ? 1 : 0,
        questions: details.questions,
        verdicts: details.verdicts,
        estimated_at: details.now,
      };
      await db
        .insertInto('project_confusion_models')
        .values({ project_id: projectId, ...head })
        .onConflict((oc) => oc.column('project_id').doUpdateSet(head))
        .execute();
      await db.updateTable('projects').set((eb) => ({ settings_version: eb('settings_version', '+', 1) })).where('id', '=', projectId).execute();
      await db.deleteFrom('confusion_estimation_pending').where('project_id', '=', projectId).execute();
    },

    /** What GET /aggregation reports of the model in force. */
    async modelDetails(projectId: number) {
      const head = await db.selectFrom('project_confusion_models').selectAll().where('project_id', '=', projectId).executeTakeFirst();
      const experts = await db
        .selectFrom('expert_confusion as c')
        .innerJoin('users as u', 'u.id', 'c.user_id')
        .select(['u.username', 'c.absent_wrong', 'c.absent_unclear', 'c.absent_correct', 'c.present_wrong', 'c.present_unclear', 'c.present_correct', 'c.judgements', 'c.fixed_absent', 'c.fixed_present'])
        .where('c.project_id', '=', projectId)
        .orderBy('u.username')
        .execute();
      return { head: head ?? null, experts };
    },
  };
}
