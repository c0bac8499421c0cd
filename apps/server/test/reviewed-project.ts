// A generated project well into its review, for the tests of long work and the benchmarks: `judged` of its items judged by a complete panel
// (every verdict inserted with SQL: some revised, some with a comment), a few decided by the lead and discussed,
// then aggregated by the consensus service exactly as a quorum change does (unless `aggregate: false`); the other
// items are open. Each (item, class) has a hidden truth that an expert reports 85% of the time, so most items are
// agreed and some disputed, as in a real round.
import { DEFAULT_MISTAKE_CATEGORIES, type Judgement, type Severity } from '@bagel/contracts';
import { isMistakeUnderJudgements, seededRandom } from '@bagel/core';
import type { Database } from '../src/db/database';
import { insertRows, refreshStatistics } from '../src/db/dialect';
import type { Db } from '../src/db/open-database';
import { asDatabase } from '../src/db/sqlite-engine';
import { createConsensusService } from '../src/features/consensus/consensus.service';
import { createUser, seedSyntheticProject, type SyntheticProject } from './synthetic-project';

export interface ReviewedProjectOptions {
  name: string;
  items: number;
  /** Items judged by a complete panel (the first ones by id); the rest are open. */
  judged: number;
  panelSize: number;
  models: number;
  seed: number;
  /** Share of the verdicts revised once (both revisions kept), of those with a comment, of items decided by the lead. */
  revised?: number;
  commented?: number;
  decided?: number;
  /** Each model's top-5 comes from this many classes nearest the original label (10 by default), or from all of them. */
  neighbourhood?: number | 'all';
  /** Aggregate the project at the end (by default); a benchmark of aggregation leaves it to be measured. */
  aggregate?: boolean;
  password: string;
}

export interface ReviewedProject extends SyntheticProject {
  experts: string[];
  lead: string;
  verdicts: number;
}

export async function seedReviewedProject(target: Database | Db, options: ReviewedProjectOptions): Promise<ReviewedProject> {
  const db = asDatabase(target);
  // As real models confuse a class with its neighbours, each model's top-5 comes from the 10 classes nearest the
  // original label: about 10 candidates an item (`all`: no overlap between the models, about 26).
  const project = await seedSyntheticProject(db, {
    name: options.name,
    images: options.items,
    models: options.models,
    classes: 1000,
    panelSize: options.panelSize,
    topK: 5,
    seed: options.seed,
    allWrong: true,
    neighbourhood: options.neighbourhood === 'all' ? undefined : (options.neighbourhood ?? 10),
  });
  return { ...project, ...(await seedReview(db, project, options)) };
}

export interface ReviewOptions {
  /** Names the lead (`NAME-lead`). */
  name: string;
  /** Items judged by a complete panel (the first ones by id); the rest are open. */
  judged: number;
  /** The project's panel size: the experts `panel1`, `panel2`, ... are made, and each judges every judged item. */
  panelSize: number;
  seed: number;
  revised?: number;
  commented?: number;
  decided?: number;
  aggregate?: boolean;
  password: string;
}

/** Items judged per write: the rows of a review of a million items are never all held at once. */
const ITEMS_PER_WRITE = 1000;

/**
 * A review of a project already in the database (generated, or imported by `bagel import`): its experts and lead
 * made, then `judged` of its items (the first by id) judged by a complete panel, written a thousand items per write,
 * then the project aggregated (unless `aggregate: false`). The same seed gives the same review.
 */
export async function seedReview(
  target: Database | Db,
  project: { projectId: number; classKeys: readonly string[]; modelNames: readonly string[] },
  options: ReviewOptions,
): Promise<{ experts: string[]; lead: string; verdicts: number }> {
  const db = asDatabase(target);
  const random = seededRandom(options.seed * 7919);
  const experts = Array.from({ length: options.panelSize }, (_, i) => `panel${i + 1}`);
  const expertIds: number[] = [];
  for (const name of experts) expertIds.push(await createUser(db, name, 'expert', options.password));
  const lead = `${options.name}-lead`.replace(/[^a-z0-9-]/gi, '');
  const leadId = await createUser(db, lead, 'lead', options.password);

  const JUDGEMENTS: Judgement[] = ['correct', 'wrong', 'unclear'];
  const SEVERITIES: Severity[] = ['Major', 'Minor', 'Borderline'];
  const COMMENTS = ['Hard to tell at this size.', 'The dog in the back is a beagle, the one in front a basset — both count.', 'Looks like a rendering, not a photograph; flagged.'];
  const modelIds = (await db.queries.selectFrom('models').select('id').where('project_id', '=', project.projectId).orderBy('position').execute()).map((m) => m.id);
  const at = (minute: number) => new Date(Date.UTC(2025, 0, 1) + minute * 60_000).toISOString();
  let verdicts = 0;
  let n = 0; // items judged so far
  let lastId = 0;
  while (n < options.judged) {
    // A thousand items at a time, with their predictions, drawn in the order they always were (the same seed gives
    // the same review), then written in one write with multi-row INSERTs.
    const itemRows = await db.queries
      .selectFrom('items as i')
      .innerJoin('images as im', 'im.id', 'i.image_id')
      .select(['i.id', 'i.image_id', 'im.original_class_idx'])
      .where('i.project_id', '=', project.projectId)
      .where('i.id', '>', lastId)
      .orderBy('i.id')
      .limit(Math.min(ITEMS_PER_WRITE, options.judged - n))
      .execute();
    if (itemRows.length === 0) break;
    lastId = itemRows.at(-1)!.id;
    const predictionsOf = new Map<number, { model_id: number; rank: number; class_idx: number }[]>();
    const rows = await db.queries
      .selectFrom('predictions')
      .select(['image_id', 'model_id', 'rank', 'class_idx'])
      .where(
        'image_id',
        'in',
        itemRows.map((row) => row.image_id),
      )
      .orderBy('image_id')
      .orderBy('model_id')
      .orderBy('rank')
      .execute();
    for (const p of rows) {
      const list = predictionsOf.get(p.image_id) ?? [];
      list.push(p);
      predictionsOf.set(p.image_id, list);
    }
    const verdictRows: unknown[][] = [];
    const decisionRows: unknown[][] = [];
    const messageRows: unknown[][] = [];
    const judgedIds: number[] = [];
    for (const item of itemRows) {
      const itemPredictions = predictionsOf.get(item.image_id) ?? [];
      const candidates = [...new Set([item.original_class_idx, ...itemPredictions.map((p) => p.class_idx)])].map((c) => project.classKeys[c]!);
      // Each (item, class) has a hidden truth; an expert reports it 85% of the time.
      const truth = new Map(candidates.map((key, i) => [key, i === 0 ? 'correct' : random() < 0.1 ? 'correct' : 'wrong'] as [string, Judgement]));
      const severityTruth = SEVERITIES[Math.floor(random() * 3)]!;
      const categoryTruth = DEFAULT_MISTAKE_CATEGORIES[Math.floor(random() * 4)]!;
      const top1 = modelIds.map((id) => project.classKeys[itemPredictions.find((p) => p.model_id === id && p.rank === 1)!.class_idx]!);
      const verdictOf = () => {
        const labels: Record<string, Judgement> = {};
        for (const key of candidates) labels[key] = random() < 0.85 ? truth.get(key)! : JUDGEMENTS[Math.floor(random() * 3)]!;
        const mistakes: Record<string, { severity: Severity; category: string }> = {};
        project.modelNames.forEach((name, m) => {
          if (!isMistakeUnderJudgements(top1[m]!, labels)) return;
          mistakes[name] = {
            severity: random() < 0.8 ? severityTruth : SEVERITIES[Math.floor(random() * 3)]!,
            category: random() < 0.8 ? categoryTruth : DEFAULT_MISTAKE_CATEGORIES[Math.floor(random() * 4)]!,
          };
        });
        const problematic = random() < 0.03 ? JSON.stringify({ reason: 'Drawing, painting, cartoon or rendering' }) : null;
        return { labels: JSON.stringify(labels), problematic, mistakes: JSON.stringify(mistakes) };
      };
      let first: string | undefined;
      expertIds.forEach((expertId, e) => {
        const comment = random() < (options.commented ?? 0.3) ? COMMENTS[Math.floor(random() * COMMENTS.length)]!.repeat(1 + Math.floor(random() * 4)) : '';
        let revision = 1;
        if (random() < (options.revised ?? 0.1)) {
          const earlier = verdictOf();
          verdictRows.push([item.id, expertId, revision++, earlier.labels, earlier.problematic, earlier.mistakes, '', at(n + e)]);
        }
        const current = verdictOf();
        first ??= current.labels;
        verdictRows.push([item.id, expertId, revision, current.labels, current.problematic, current.mistakes, comment, at(n + e + 1)]);
      });
      judgedIds.push(item.id);
      if (random() < (options.decided ?? 0.02)) {
        messageRows.push([item.id, expertIds[0]!, 'Which of the two is the subject?', at(n + 10)]);
        messageRows.push([item.id, leadId, 'The one in the middle; deciding.', at(n + 11)]);
        decisionRows.push([item.id, 1, 'finalize', leadId, JSON.stringify({ labels: JSON.parse(first!), problematic: null, mistakes: {} }), 'Decided after discussion.', at(n + 12)]);
      }
      n++;
    }
    await db.write(async (trx) => {
      await insertRows(trx, 'verdicts', ['item_id', 'user_id', 'revision', 'labels', 'problematic', 'mistakes', 'comment', 'created_at'], verdictRows);
      await insertRows(trx, 'discussion_messages', ['item_id', 'user_id', 'body', 'created_at'], messageRows);
      await insertRows(trx, 'decisions', ['item_id', 'sequence', 'kind', 'lead_id', 'final', 'note', 'created_at'], decisionRows);
      await trx.updateTable('items').set({ verdict_count: options.panelSize, panel_complete: 1, status: 'in_review' }).where('id', 'in', judgedIds).execute();
    });
    verdicts += verdictRows.length;
  }
  if (options.aggregate ?? true) await createConsensusService(db).reaggregateProject(project.projectId, new Date().toISOString());
  // A review's worth of rows written at once: PostgreSQL's planner statistics brought up to date, as autovacuum would.
  await refreshStatistics(db.queries, ['verdicts', 'discussion_messages', 'decisions', 'items', 'item_consensus', 'item_dispute_kinds', 'item_final_mistakes']);
  return { experts, lead, verdicts };
}
