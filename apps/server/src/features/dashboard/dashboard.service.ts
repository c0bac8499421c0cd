import { MajorSlice, type FinalLabels, type ProjectDashboard, type Severity } from '@bagel/contracts';
import { displayName } from '@bagel/core';
import type { Database } from '../../db/database';
import type { Db } from '../../db/open-database';
import { sqliteDatabase } from '../../db/sqlite-engine';
import { badRequest, notFound } from '../../plugins/errors';
import { ac1FromSums, alphaFromSums, kappaFromSums } from '../consensus/agreement-sums';
import { createConsensusRepository } from '../consensus/consensus.repository';
import { createConsensusService } from '../consensus/consensus.service';
import { labelLists, mergeFinal } from '../consensus/image-labels';
import type { ItemContext } from '../consensus/item-state';
import { imageUrls } from '../images/image-urls';
import { projectCatalog, type CatalogProject } from '../projects/project-catalog';
import { createDashboardRepository, type MajorSliceRow } from './dashboard.repository';
import { projectBaseline, tally, type ClassTally, type ProjectBaseline } from './project-baseline';

const SEVERITIES: readonly Severity[] = ['Major', 'Minor', 'Borderline'];
/** Project positions the Major slice reads at a time. */
const SLICE_WINDOW = 500;
type ModelScores = ProjectDashboard['scoreboard'][number]['before'];

const rate = (hits: number, total: number) => (total === 0 ? null : hits / total);

/** Multi-label accuracy (DOMAIN): the hit rate per original class, averaged over the classes that have images. */
function perClassAverage(byClass: Iterable<ClassTally>): number | null {
  let sum = 0;
  let classes = 0;
  for (const { total, hits } of byClass) {
    if (total === 0) continue;
    sum += hits / total;
    classes++;
  }
  return classes === 0 ? null : sum / classes;
}

/**
 * The project dashboard and the Major slice (docs/AGGREGATION.md, "Lifecycle and the lead", for what each figure
 * counts). Figures come from the per-item rows aggregation keeps and from the project's baseline, so a request reads
 * no verdict.
 */
export function createDashboardService(database: Database, options: { now: () => number }) {
  const catalog = projectCatalog(database);
  const repository = createDashboardRepository(database.queries);
  const consensus = createConsensusRepository(database.queries);
  const reaggregations = createConsensusService(database);

  async function findProject(projectId: number): Promise<CatalogProject> {
    const entry = await catalog.get(projectId);
    if (!entry) throw notFound(`Project ${projectId} not found`);
    return entry;
  }

  /** What one dashboard reads of the project's current state, from one snapshot. */
  function readFigures(projectId: number) {
    return database.snapshot(async (trx) => {
      const reads = createDashboardRepository(trx);
      const { progress, sums, majorSliceCount } = await reads.itemTotals(projectId);
      return {
        progress,
        sums,
        majorSliceCount,
        afterSeeing: await reads.revisionsAfterSeeingPanel(projectId),
        mistakes: await reads.mistakes(projectId),
        experts: await reads.experts(projectId),
        scoreDeltas: await reads.scoreDeltas(projectId),
        judgedPriorSlice: await reads.judgedPriorSlice(projectId),
        reaggregation: await reaggregations.reaggregationProgress(projectId, trx),
      };
    });
  }
  type Figures = Awaited<ReturnType<typeof readFigures>>;

  function scoreboard(entry: CatalogProject, baseline: ProjectBaseline, figures: Figures): ProjectDashboard['scoreboard'] {
    const after = new Map(
      entry.models.map((m) => {
        const base = baseline.models.get(m.id)!.base;
        const byClass = new Map<number, ClassTally>();
        for (const [classIndex, t] of base.byClass) byClass.set(classIndex, { ...t });
        return [m.id, { byClass, realCounted: base.realCounted, realHits: base.realHits, mistakes: { Major: 0, Minor: 0, Borderline: 0, ungraded: base.mistakes } }];
      }),
    );
    for (const { model_id, original_class_idx, counted, hits, real_counted, real_hits } of figures.scoreDeltas) {
      const scores = after.get(model_id);
      if (!scores) continue;
      tally(scores.byClass, original_class_idx, counted, hits);
      scores.realCounted += real_counted;
      scores.realHits += real_hits;
    }
    for (const { model_id, severity, count } of figures.mistakes) {
      const scores = after.get(model_id);
      if (!scores) continue;
      // An item with final labels replaces its baseline (ungraded) mistake by its final one.
      if (severity === 'replaced') scores.mistakes.ungraded -= count;
      else scores.mistakes[severity as Severity | 'ungraded'] += count;
    }

    // ImageNet-M as the exported imagenet_m holds it: the Major slice of the judged items (every model of the project
    // makes a Major mistake on each, so none is a hit), plus the prior list's images not judged since.
    const judgedSlice = figures.majorSliceCount;
    const { judgedPriorSlice } = figures;

    return entry.models.map((model) => {
      const base = baseline.models.get(model.id)!;
      const a = after.get(model.id)!;
      // Top-1 accuracy is against the original labels (DOMAIN), which the review does not change; like every figure,
      // over the images the model ranks.
      const top1Accuracy = rate(base.before.hits, base.ranked);
      const imagenetM = { correct: 0, of: judgedSlice };
      for (const [imageId, hit] of base.priorSlice) {
        if (judgedPriorSlice.has(imageId)) continue;
        imagenetM.of++;
        if (hit) imagenetM.correct++;
      }
      const before: ModelScores = {
        top1Accuracy,
        multiLabelAccuracy: perClassAverage(base.before.byClass.values()),
        // Against {original}: no image has an empty set, so ReaL-style accuracy equals top-1 accuracy.
        realAccuracy: top1Accuracy,
        mistakes: { Major: 0, Minor: 0, Borderline: 0, ungraded: base.before.mistakes },
      };
      const afterScores: ModelScores = {
        top1Accuracy,
        multiLabelAccuracy: perClassAverage(a.byClass.values()),
        realAccuracy: rate(a.realHits, a.realCounted),
        mistakes: a.mistakes,
      };
      return { model: model.name, displayName: model.displayName, rankedImages: base.ranked, before, after: afterScores, imagenetM };
    });
  }

  return {
    async dashboard(projectId: number): Promise<ProjectDashboard> {
      const entry = await findProject(projectId);
      const { project } = entry;
      // Read from what the import wrote, which never changes: outside the snapshot of the figures.
      const baseline = await projectBaseline(database, entry);
      const figures = await readFigures(projectId);
      const { progress, sums, afterSeeing } = figures;
      const modelName = new Map(entry.models.map((m) => [m.id, m.name]));
      const chart = new Map(entry.models.map((m) => [m.name, [] as { category: string; severity: Severity; count: number }[]]));
      for (const { model_id, severity, category, count } of figures.mistakes) {
        if (!SEVERITIES.includes(severity as Severity)) continue;
        chart.get(modelName.get(model_id) ?? '')?.push({ category, severity: severity as Severity, count });
      }
      for (const counts of chart.values()) {
        counts.sort((a, b) => (a.category < b.category ? -1 : a.category > b.category ? 1 : SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity)));
      }
      return {
        projectId,
        generatedAt: new Date(options.now()).toISOString(),
        quorum: project.quorum,
        panel: project.panel,
        aggregation: project.aggregation,
        reaggregation: figures.reaggregation,
        progress: { ...progress, panelSize: project.panelSize },
        experts: figures.experts.map((e) => ({
          expert: e.username,
          verdicts: e.verdicts,
          agreementWithFinal: rate(e.agreements, e.compared),
          comparedJudgements: e.compared,
          revisionsAfterSeeingPanel: afterSeeing.get(e.username) ?? 0,
        })),
        agreement: {
          fleissKappa: kappaFromSums(
            {
              fleissUnits: sums.fleissUnits,
              fleissAgreement: sums.fleissAgreement,
              fleissTotals: { correct: sums.fleissCorrect, wrong: sums.fleissWrong, unclear: sums.fleissUnclear },
            },
            project.panelSize,
          ),
          krippendorffAlpha: alphaFromSums({
            alphaValues: sums.alphaValues,
            alphaAgreement: sums.alphaAgreement,
            alphaTotals: { correct: sums.alphaCorrect, wrong: sums.alphaWrong, unclear: sums.alphaUnclear },
          }),
          gwetAC1: ac1FromSums({
            alphaUnits: sums.alphaUnits,
            gwetUnits: sums.gwetUnits,
            gwetAgreement: sums.gwetAgreement,
            gwetShares: { correct: sums.gwetCorrect, wrong: sums.gwetWrong, unclear: sums.gwetUnclear },
          }),
          units: sums.alphaUnits,
          revisionsAfterSeeingPanel: [...afterSeeing.values()].reduce((a, b) => a + b, 0),
        },
        mistakes: [...chart].map(([model, counts]) => ({ model, counts })),
        scoreboard: scoreboard(entry, baseline, figures),
        majorSlice: { count: figures.majorSliceCount, models: entry.models.map((m) => m.name) },
      };
    },

    /**
     * The images on which every chosen model (default: all of the project's) makes a Major mistake under the final
     * labels, as the JSON text of MajorSlice, piece by piece (an image per piece, an empty piece between windows of
     * SLICE_WINDOW images): the slice of a large project holds thousands of images, which a response streams in short
     * slices between other requests. Each image is checked against the contract's schema as the whole answer would be.
     * An unknown model is refused before the first piece.
     */
    async majorSlicePieces(projectId: number, modelNames?: string): Promise<AsyncGenerator<string, void, undefined>> {
      const entry = await findProject(projectId);
      const names = modelNames === undefined || modelNames.trim() === '' ? entry.models.map((m) => m.name) : [...new Set(modelNames.split(',').map((n) => n.trim()))];
      const models = names.map((name) => {
        const model = entry.models.find((m) => m.name === name);
        if (!model) throw badRequest(`Unknown model "${name}" (the project's models: ${entry.models.map((m) => m.name).join(', ')})`, 'UNKNOWN_MODEL');
        return model;
      });
      const nameOf = (index: number) => {
        const cls = entry.vocabulary.byIndex(index);
        return { key: cls?.key ?? `#${index}`, name: cls ? displayName(cls) : '' };
      };
      const indexOf = (key: string) => entry.vocabulary.byKey(key)?.index ?? Number.MAX_SAFE_INTEGER;
      const sliceImage = (row: MajorSliceRow, ctx: ItemContext): MajorSlice['images'][number] => {
        const final = JSON.parse(row.final) as FinalLabels;
        const correct = labelLists(mergeFinal(ctx.baseLabels, final), indexOf).correct;
        return {
          itemId: row.item_id,
          imageId: row.image_id,
          file: row.file,
          previewUrl: imageUrls(projectId, row.image_id).previewUrl,
          originalLabel: nameOf(row.original_class_idx),
          finalCorrect: correct.map((key) => nameOf(indexOf(key))),
          predictions: models.map((model) => {
            const top1Key = ctx.models.find((m) => m.id === model.id)?.top1Key ?? '';
            const cls = entry.vocabulary.byKey(top1Key);
            return { model: model.name, key: top1Key, name: cls ? displayName(cls) : '', category: final.mistakes[model.name]?.category ?? null };
          }),
        };
      };
      const windows = repository.majorSliceWindows(projectId, models.map((m) => m.id), SLICE_WINDOW);
      return (async function* () {
        yield `{"models":${JSON.stringify(MajorSlice.shape.models.parse(models.map((m) => m.name)))},"images":[`;
        let first = true;
        for await (const rows of windows) {
          const contexts = new Map(rows.length === 0 ? [] : (await consensus.loadListContexts(entry, rows.map((row) => row.item_id))).map((ctx) => [ctx.itemId, ctx]));
          for (const row of rows) {
            const image = MajorSlice.shape.images.element.parse(sliceImage(row, contexts.get(row.item_id) ?? (await consensus.loadItemContext(row.item_id, entry))!));
            yield `${first ? '' : ','}${JSON.stringify(image)}`;
            first = false;
          }
          yield '';
        }
        yield ']}';
      })();
    },
  };
}
