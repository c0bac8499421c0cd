import type { Judgement, ReliabilityReference } from '@bagel/contracts';
import { emptyTally, type JudgementCounts, type ReferencePresence, type ReliabilityTally } from '@bagel/core';
import { sql, type RawBuilder } from 'kysely';
import type { Queries } from '../../db/database';
import { joinInWrittenOrder, jsonMemberText, jsonMembers } from '../../db/dialect';
import { nextBackgroundTurn } from '../../lib/background-turns';

// Each expert's tally against a reference answer per item (docs/AGGREGATION.md, "Expert reliability"), counted in
// SQL: the same counts as tallyVerdict in @bagel/core, grouped by expert, class, judgement and presence, a range of
// item ids at a time with a background turn between two ranges, so that no step holds the event loop for long
// (better-sqlite3 is synchronous) and memory holds the counts, never the verdicts.

/**
 * Where the reference answers come from: for a range of item ids [from, to) of the project, a query of rows
 * `(item_id, answer)`, `answer` a FinalLabels JSON text. `final`: the items' final labels (agreed or final items).
 * Gold items will give their answers the same way; until they exist the gold reference has no source.
 */
export interface ReferenceSource {
  reference: ReliabilityReference;
  /** The reference's answers among the project's items with ids in [from, to); null: the reference has no items. */
  answers: ((projectId: number, from: number, to: number) => RawBuilder<{ item_id: number; answer: string }>) | null;
  /**
   * The experts' answers measured against it, for the reference's rows `ref`: rows `(item_id, user_id, labels,
   * problematic, mistakes, answer)`.
   */
  expertAnswers(db: Queries): RawBuilder<unknown>;
  /** How many items of the project have a reference answer. */
  count(db: Queries, projectId: number): Promise<number>;
}

export const FINAL_REFERENCE: ReferenceSource = {
  reference: 'final',
  // `+project_id`: the range is walked through the primary key, the project only filters (as the re-aggregation does).
  answers: (projectId, from, to) => sql<{ item_id: number; answer: string }>`
    SELECT c.item_id, c.final AS answer FROM items i JOIN item_consensus c ON c.item_id = i.id
    WHERE i.id >= ${from} AND i.id < ${to} AND +i.project_id = ${projectId} AND i.status IN ('agreed', 'final') AND c.final IS NOT NULL`,
  // Each expert's blind verdict of the item: their latest revision stored before they first saw the panel's verdicts
  // (the one the agreement figures use), found as the revision with `after_seeing_panel = 0` that no later such
  // revision follows. The reference's items first, then their verdicts through the primary key: with the range's ends
  // bound as parameters, SQLite's planner otherwise walked every verdict of the database (verdicts_by_user) and looked
  // each item up, in every step.
  expertAnswers: (db) => sql`
    SELECT v.item_id, v.user_id, v.labels, v.problematic, v.mistakes, r.answer FROM ref r ${joinInWrittenOrder(db)} verdicts v ON v.item_id = r.item_id
    WHERE v.after_seeing_panel = 0 AND NOT EXISTS (
      SELECT 1 FROM verdicts w WHERE w.item_id = v.item_id AND w.user_id = v.user_id AND w.revision > v.revision AND w.after_seeing_panel = 0)`,
  async count(db, projectId) {
    const row = await db
      .selectFrom('items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', projectId)
      .where('status', 'in', ['agreed', 'final'])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },
};

/**
 * Gold items (docs/AGGREGATION.md, "Gold items"): the answer a lead fixed when marking the item, against each expert's
 * first answer to it when it was served to them as gold. Panel verdicts on a gold item are not counted here: they made
 * its answer.
 */
export const GOLD_REFERENCE: ReferenceSource = {
  reference: 'gold',
  answers: (projectId, from, to) => sql<{ item_id: number; answer: string }>`
    SELECT g.item_id, g.answer FROM gold_items g WHERE g.item_id >= ${from} AND g.item_id < ${to} AND g.project_id = ${projectId}`,
  expertAnswers: (db) => sql`
    SELECT a.item_id, a.user_id, a.labels, a.problematic, a.mistakes, r.answer FROM ref r ${joinInWrittenOrder(db)} gold_probe_answers a ON a.item_id = r.item_id
    WHERE a.revision = 1`,
  async count(db, projectId) {
    const row = await db
      .selectFrom('gold_items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },
};

export const referenceSource = (reference: ReliabilityReference): ReferenceSource => (reference === 'final' ? FINAL_REFERENCE : GOLD_REFERENCE);

/** Item ids per step: 500 items with a panel of 3 and about 10 candidates are some 15,000 class judgements, a step of about 10 ms per statement on SQLite (2 cores). */
export const RELIABILITY_STEP_IDS = 500;

export interface ProjectTallies {
  /** Per user id. */
  experts: Map<number, ReliabilityTally>;
  /** Per user id, then class key: the class judgements. */
  classes: Map<number, Map<string, Record<ReferencePresence, JudgementCounts>>>;
}

const PRESENCES = new Set<string>(['present', 'absent', 'unsettled']);
const JUDGEMENT_SET = new Set<string>(['correct', 'wrong', 'unclear']);

/**
 * Every expert's tally against `source` over the project's items, a range of ids at a time (each range three
 * statements, a background turn after each). Run it on one snapshot (Database.longSnapshot) for a consistent whole.
 *
 * Which verdict counts: each expert's blind verdict of the item, their latest revision stored before they first saw
 * the panel's verdicts (the one the agreement figures use), found as the revision with `after_seeing_panel = 0` that
 * no later such revision follows.
 */
export async function projectTallies(db: Queries, projectId: number, source: ReferenceSource, stepIds = RELIABILITY_STEP_IDS): Promise<ProjectTallies> {
  const tallies: ProjectTallies = { experts: new Map(), classes: new Map() };
  if (!source.answers) return tallies;
  const bounds = await db
    .selectFrom('items')
    .select((eb) => [eb.fn.min<number>('id').as('first'), eb.fn.max<number>('id').as('last')])
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  if (!bounds || bounds.first === null || bounds.last === null) return tallies;
  const expertTally = (userId: number): ReliabilityTally => {
    let tally = tallies.experts.get(userId);
    if (!tally) tallies.experts.set(userId, (tally = emptyTally()));
    return tally;
  };
  for (let from = Number(bounds.first); from <= Number(bounds.last); from += stepIds) {
    const to = from + stepIds;
    const answers = source.answers(projectId, from, to);
    // The experts' answers of the range's reference items (the source's: blind verdicts, or answers to gold), each
    // with the item's answer.
    const blind = sql`ref AS (${answers}), blind AS (${source.expertAnswers(db)})`;

    const { rows: classRows } = await sql<{ user_id: number; class_key: string; judgement: Judgement; presence: ReferencePresence; n: number }>`
      WITH ${blind},
        judged AS (SELECT b.item_id, b.user_id, e.key AS class_key, e.value AS judgement FROM blind b, ${jsonMembers(db, sql`b.labels`)} AS e),
        answered AS (SELECT r.item_id, e.key AS class_key, e.value AS judgement FROM ref r, ${jsonMembers(db, sql`r.answer`, 'labels')} AS e)
      SELECT j.user_id, j.class_key, j.judgement,
        CASE a.judgement WHEN 'correct' THEN 'present' WHEN 'unclear' THEN 'unsettled' ELSE 'absent' END AS presence,
        count(*) AS n
      FROM judged j LEFT JOIN answered a ON a.item_id = j.item_id AND a.class_key = j.class_key
      GROUP BY j.user_id, j.class_key, j.judgement, CASE a.judgement WHEN 'correct' THEN 'present' WHEN 'unclear' THEN 'unsettled' ELSE 'absent' END`.execute(db);
    for (const row of classRows) {
      // A verdict's labels are checked against the contract when stored; anything else is a corrupt row, left out.
      if (!JUDGEMENT_SET.has(row.judgement) || !PRESENCES.has(row.presence)) continue;
      const userId = Number(row.user_id);
      const n = Number(row.n);
      expertTally(userId).classes[row.presence][row.judgement] += n;
      let byClass = tallies.classes.get(userId);
      if (!byClass) tallies.classes.set(userId, (byClass = new Map()));
      let counts = byClass.get(row.class_key);
      if (!counts) byClass.set(row.class_key, (counts = { present: { correct: 0, wrong: 0, unclear: 0 }, absent: { correct: 0, wrong: 0, unclear: 0 }, unsettled: { correct: 0, wrong: 0, unclear: 0 } }));
      counts[row.presence][row.judgement] += n;
    }

    // A turn between two statements too: on SQLite each runs synchronously, and three in a row would be one long hold.
    await nextBackgroundTurn();
    const referenceFlag = jsonMemberText(db, sql`b.answer`, 'problematic');
    const { rows: itemRows } = await sql<{ user_id: number; items: number; flagged_both: number; expert_only: number; reference_only: number }>`
      WITH ${blind}
      SELECT b.user_id, count(*) AS items,
        sum(CASE WHEN b.problematic IS NOT NULL AND ${referenceFlag} IS NOT NULL THEN 1 ELSE 0 END) AS flagged_both,
        sum(CASE WHEN b.problematic IS NOT NULL AND ${referenceFlag} IS NULL THEN 1 ELSE 0 END) AS expert_only,
        sum(CASE WHEN b.problematic IS NULL AND ${referenceFlag} IS NOT NULL THEN 1 ELSE 0 END) AS reference_only
      FROM blind b GROUP BY b.user_id`.execute(db);
    for (const row of itemRows) {
      const tally = expertTally(Number(row.user_id));
      const items = Number(row.items);
      const both = Number(row.flagged_both);
      const expertOnly = Number(row.expert_only);
      const referenceOnly = Number(row.reference_only);
      tally.items += items;
      tally.problematic.both += both;
      tally.problematic.expertOnly += expertOnly;
      tally.problematic.referenceOnly += referenceOnly;
      tally.problematic.neither += items - both - expertOnly - referenceOnly;
    }

    await nextBackgroundTurn();
    const { rows: gradeRows } = await sql<{ user_id: number; compared: number; agreed: number }>`
      WITH ${blind},
        graded AS (SELECT b.item_id, b.user_id, e.key AS model, ${jsonMemberText(db, sql`e.value`, 'severity')} AS severity FROM blind b, ${jsonMembers(db, sql`b.mistakes`)} AS e),
        answered AS (SELECT r.item_id, e.key AS model, ${jsonMemberText(db, sql`e.value`, 'severity')} AS severity FROM ref r, ${jsonMembers(db, sql`r.answer`, 'mistakes')} AS e)
      SELECT g.user_id, count(*) AS compared, sum(CASE WHEN g.severity = a.severity THEN 1 ELSE 0 END) AS agreed
      FROM graded g JOIN answered a ON a.item_id = g.item_id AND a.model = g.model
      GROUP BY g.user_id`.execute(db);
    for (const row of gradeRows) {
      const tally = expertTally(Number(row.user_id));
      tally.severity.compared += Number(row.compared);
      tally.severity.agreed += Number(row.agreed);
    }
    await nextBackgroundTurn();
  }
  return tallies;
}
