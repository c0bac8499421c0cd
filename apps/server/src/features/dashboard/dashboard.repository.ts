import { sql } from 'kysely';
import type { Queries } from '../../db/database';
import type { ProjectItemTotalsTable } from '../../db/tables';
import { indexedBy, joinInWrittenOrder } from '../../db/dialect';

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
  gwetUnits: number;
  gwetAgreement: number;
  gwetCorrect: number;
  gwetWrong: number;
  gwetUnclear: number;
}

export interface MajorSliceRow {
  item_id: number;
  image_id: number;
  file: string;
  original_class_idx: number;
  final: string;
}

/**
 * The dashboard's reads: the project totals that aggregation keeps (the project_* tables of migrations 005, 021 and 024),
 * each one statement over an index, so no request reads a verdict nor sums over every item. Several of
 * them make one dashboard: read them in one snapshot.
 */
export function createDashboardRepository(db: Queries) {
  return {
    /**
     * The project's progress, agreement sums and Major slice's size: the totals aggregation keeps as verdicts and
     * decisions land (project_item_totals: a few rows per project, summed), so a poll reads no item.
     */
    async itemTotals(projectId: number): Promise<{ progress: ProgressRow; sums: AgreementRow; majorSliceCount: number }> {
      // Added up here, shard by shard, rather than by sum(): the sums of reals then do not depend on the order the
      // engine reads the rows in (on PostgreSQL, where an update leaves a row), and stay the same while nothing changes.
      const shards = await db.selectFrom('project_item_totals').selectAll().where('project_id', '=', projectId).orderBy('shard').execute();
      const row: Record<string, number> = {};
      for (const shard of shards) {
        for (const [column, value] of Object.entries(shard)) row[column] = (row[column] ?? 0) + Number(value);
      }
      const n = (column: keyof ProjectItemTotalsTable) => row[column] ?? 0;
      const progress: ProgressRow = {
        images: n('images'),
        items: n('items_open') + n('items_in_review') + n('items_agreed') + n('items_disputed') + n('items_final'),
        open: n('items_open'),
        inReview: n('items_in_review'),
        agreed: n('items_agreed'),
        disputed: n('items_disputed'),
        final: n('items_final'),
        verdicts: n('verdicts'),
      };
      const sums: AgreementRow = {
        fleissUnits: n('fleiss_units'),
        fleissAgreement: n('fleiss_agreement'),
        fleissCorrect: n('fleiss_correct'),
        fleissWrong: n('fleiss_wrong'),
        fleissUnclear: n('fleiss_unclear'),
        alphaUnits: n('alpha_units'),
        alphaValues: n('alpha_values'),
        alphaAgreement: n('alpha_agreement'),
        alphaCorrect: n('alpha_correct'),
        alphaWrong: n('alpha_wrong'),
        alphaUnclear: n('alpha_unclear'),
        gwetUnits: n('gwet_units'),
        gwetAgreement: n('gwet_agreement'),
        gwetCorrect: n('gwet_correct'),
        gwetWrong: n('gwet_wrong'),
        gwetUnclear: n('gwet_unclear'),
      };
      return { progress, sums, majorSliceCount: n('major_slice') };
    },

    /** Experts with a current verdict in the project, by name (without case, as SQLite's NOCASE column sorts). */
    experts: (projectId: number) =>
      db
        .selectFrom('project_rater_totals as r')
        .innerJoin('users as u', 'u.id', 'r.user_id')
        .select(['u.username', 'r.verdicts', 'r.agreements', 'r.compared'])
        .where('r.project_id', '=', projectId)
        .where('r.verdicts', '>', 0)
        .orderBy(sql`lower(u.username)`)
        .execute(),

    /** Per expert (by username), their revisions stored after seeing the panel's verdicts of the item (a partial index holds just those). */
    async revisionsAfterSeeingPanel(projectId: number): Promise<Map<string, number>> {
      // From the partial index (SQLite's planner, left alone, walked every item of the project, or every verdict).
      const join = joinInWrittenOrder(db);
      const { rows } = await sql<{ username: string; n: number }>`SELECT u.username, count(*) AS n
         FROM verdicts v ${indexedBy(db, 'verdicts_after_seeing_panel')} ${join} items i ON i.id = v.item_id ${join} users u ON u.id = v.user_id
         WHERE v.after_seeing_panel = 1 AND i.project_id = ${projectId} GROUP BY v.user_id, u.username ORDER BY lower(u.username)`.execute(db);
      return new Map(rows.map((r) => [r.username, r.n]));
    },

    /** What the final labels change, per model and original class: added to the project's baseline. */
    scoreDeltas: (projectId: number) =>
      db
        .selectFrom('project_score_deltas')
        .select(['model_id', 'original_class_idx', 'counted', 'hits', 'real_counted', 'real_hits'])
        .where('project_id', '=', projectId)
        .execute(),

    /** Severity is Major, Minor, Borderline, ungraded, or `replaced`: the baseline mistakes the final labels replaced. */
    mistakes: (projectId: number) =>
      db.selectFrom('project_mistake_counts').select(['model_id', 'severity', 'category', 'count']).where('project_id', '=', projectId).where('count', '<>', 0).execute(),

    /**
     * Images of the prior imagenet_m list whose item has final labels: the exported imagenet_m holds them only when
     * the final labels put them in the Major slice (major_slice), so their prior entry no longer counts.
     */
    async judgedPriorSlice(projectId: number): Promise<Set<number>> {
      // From the prior list (a few images, often none), each through its item's unique image id: not from the
      // project's items, which SQLite's planner would otherwise walk (a million, at every poll).
      const join = joinInWrittenOrder(db);
      const { rows } = await sql<{ image_id: number }>`SELECT ps.image_id FROM prior_major_slice ps ${join} items i ON i.image_id = ps.image_id
         ${join} item_consensus c ON c.item_id = i.id WHERE i.project_id = ${projectId} AND c.final IS NOT NULL`.execute(db);
      return new Set(rows.map((r) => r.image_id));
    },

    /**
     * Items on which every one of `modelIds` makes a Major mistake under the final labels, with their images in
     * project order, a window of `window` project positions at a time (a window may hold none).
     */
    async *majorSliceWindows(projectId: number, modelIds: readonly number[], window: number): AsyncGenerator<MajorSliceRow[], void, undefined> {
      if (modelIds.length === 0) return;
      const last = (await db.selectFrom('images').select((eb) => eb.fn.max('position').as('last')).where('project_id', '=', projectId).executeTakeFirst())?.last ?? -1;
      // major_models lists the item's models as ',id,id,'. Images first (kept the outer loop), through their index by
      // position, so each window reads a bounded part of the project.
      const everyModel = sql.join(
        modelIds.map((id) => sql`c.major_models LIKE ${`%,${id},%`}`),
        sql` AND `,
      );
      const join = joinInWrittenOrder(db);
      for (let after = -1; after < last; after += window) {
        const { rows } = await sql<MajorSliceRow>`SELECT i.id AS item_id, im.id AS image_id, im.file, im.original_class_idx, c.final
           FROM images im ${join} items i ON i.image_id = im.id ${join} item_consensus c ON c.item_id = i.id
           WHERE im.project_id = ${projectId} AND im.position > ${after} AND im.position <= ${after + window}
             AND c.major_models IS NOT NULL AND c.problematic = 0 AND ${everyModel}
           ORDER BY im.position`.execute(db);
        yield rows;
      }
    },
  };
}
