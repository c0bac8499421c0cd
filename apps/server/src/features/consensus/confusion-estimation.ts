import { emptyConfusionTally, ESTIMATION_MAX_PASSES, ESTIMATION_TOLERANCE, maximise, modelChange, tallyItem } from '@bagel/core';
import type { Database, Queries } from '../../db/database';
import { projectCatalog } from '../projects/project-catalog';
import { goldKnownAnswers } from '../gold/gold-known-answers';
import { createConfusionRepository, loadConfusionModel } from './confusion.repository';
import { createConsensusRepository } from './consensus.repository';

/**
 * Judged items read per step of an estimation: only their current verdicts' labels are read and added to the pass's
 * expected counts (no item is written), so a step is a few milliseconds even at this size.
 */
export const ESTIMATE_STEP_ITEMS = 200;
/**
 * A project under dawid-skene is estimated again once its verdicts have grown by this share since the model in force
 * was estimated, and by at least ESTIMATE_MIN_NEW_VERDICTS (or once it has any verdict, before its first model).
 */
export const ESTIMATE_GROWTH = 0.1;
export const ESTIMATE_MIN_NEW_VERDICTS = 50;

/**
 * Known answers of some items' classes (gold items: gold-known-answers.ts), by item id then class key: present (true)
 * or absent (false).
 */
export type KnownAnswers = (db: Queries, projectId: number, itemIds: readonly number[]) => Promise<ReadonlyMap<number, ReadonlyMap<string, boolean>>>;

/**
 * The estimation of a project's Dawid–Skene model by EM, in steps (core's tallyItem and maximise): a pass reads every
 * judged item, a step of items per write, adding each to the pass's expected counts under the previous pass's model
 * (the first pass of the first estimation: the majority vote; a later estimation starts from the model in force); at
 * the end of a pass, the M-step. Once no prior or confusion cell moves by more than ESTIMATION_TOLERANCE (or after
 * ESTIMATION_MAX_PASSES), the model is put in force and the project re-aggregated in the background under it. Where it
 * stands (pass, item, counts so far) is stored after each step, so a stopped server resumes there.
 */
export function createConfusionEstimation(database: Database, options: { known?: KnownAnswers } = {}) {
  // The project's gold items by default (a test may give others).
  const known = options.known ?? goldKnownAnswers;
  const catalog = projectCatalog(database);

  return {
    /** Starts an estimation (over again if one was under way), from the model in force. Call it in a write. */
    async start(trx: Queries, projectId: number, now: string): Promise<void> {
      const repository = createConfusionRepository(trx);
      await repository.startEstimation(projectId, await repository.verdictCount(projectId), now);
      const inForce = await loadConfusionModel(trx, projectId);
      if (inForce) {
        const mark = await repository.estimationMark(projectId);
        if (mark) await repository.saveEstimation(projectId, { ...mark, model: inForce });
      }
    },

    /** One step, in the write `trx`: the next items of the pass, or the M-step at its end. */
    async step(trx: Queries, projectId: number, now: string, maxItems = ESTIMATE_STEP_ITEMS): Promise<{ finished: boolean; published: boolean }> {
      const repository = createConfusionRepository(trx);
      const consensus = createConsensusRepository(trx);
      const mark = await repository.estimationMark(projectId);
      if (!mark) return { finished: true, published: false };
      const entry = await catalog.get(projectId, trx);
      if (!entry) {
        await repository.stopEstimation(projectId);
        return { finished: true, published: false };
      }
      const range = await consensus.judgedRangeFrom(projectId, mark.nextItemId, maxItems);
      if (range) {
        const keyOf = (index: number) => {
          const key = entry.vocabulary.byIndex(index)?.key;
          if (key === undefined) throw new Error(`project ${projectId}: class index ${index} is not in its vocabulary`);
          return key;
        };
        const items = await repository.judgementsOf(projectId, range[0], range[1], keyOf);
        const answers = await known(trx, projectId, items.map((i) => i.itemId));
        for (const item of items) tallyItem(mark.tally, mark.model, item, answers.get(item.itemId));
        await repository.saveEstimation(projectId, { ...mark, nextItemId: range[1], done: mark.done + items.length });
        return { finished: false, published: false };
      }
      // The pass is over: the M-step.
      const { model, fixedRows } = maximise(mark.tally);
      const change = mark.model === null ? Infinity : modelChange(mark.model, model);
      const converged = change < ESTIMATION_TOLERANCE;
      if (!converged && mark.pass < ESTIMATION_MAX_PASSES) {
        await repository.saveEstimation(projectId, { pass: mark.pass + 1, nextItemId: 0, done: 0, model, tally: emptyConfusionTally() });
        return { finished: false, published: false };
      }
      // Each row's expected counts add up to the expert's judgements (a judgement adds p and 1 − p).
      const judgements = new Map(Object.entries(mark.tally.experts).map(([expert, counts]) => [expert, Math.round(counts.reduce((s, x) => s + x, 0))]));
      await repository.publish(projectId, model, { judgements, fixedRows, passes: mark.pass, converged, questions: mark.tally.questions, verdicts: mark.verdicts, now });
      // Every judged item's posteriors move with the model: re-aggregated in the background, as after a quorum change.
      if (entry.project.aggregation === 'dawid-skene') await consensus.markReaggregation(projectId);
      return { finished: true, published: true };
    },

    /** Where the project's estimation stands, or null when none runs; read on `db` (default: the database). */
    async progress(projectId: number, db: Queries = database.queries): Promise<{ pass: number; done: number; total: number } | null> {
      const mark = await createConfusionRepository(db).estimationMark(projectId);
      if (!mark) return null;
      return { pass: mark.pass, done: mark.done, total: mark.done + (await createConsensusRepository(db).judgedCountFrom(projectId, mark.nextItemId)) };
    },

    projectsEstimating(): Promise<number[]> {
      return createConfusionRepository(database.queries).projectsEstimating();
    },

    /** Projects under dawid-skene whose model has grown old (ESTIMATE_GROWTH) and that no estimation runs for. */
    async projectsDue(): Promise<number[]> {
      const repository = createConfusionRepository(database.queries);
      const due: number[] = [];
      for (const { projectId, estimatedOn } of await repository.dawidSkeneProjectsIdle()) {
        const verdicts = await repository.verdictCount(projectId);
        const old = estimatedOn === null ? verdicts > 0 : verdicts >= estimatedOn + Math.max(ESTIMATE_MIN_NEW_VERDICTS, Math.ceil(estimatedOn * ESTIMATE_GROWTH));
        if (old) due.push(projectId);
      }
      return due;
    },
  };
}
export type ConfusionEstimation = ReturnType<typeof createConfusionEstimation>;
