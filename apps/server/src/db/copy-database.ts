import { sql, type RawBuilder } from 'kysely';
import type { Database, Queries } from './database';
import { insertRows, refreshStatistics, resetIdSequences } from './dialect';
import type { Tables } from './tables';

/**
 * Every table, parents before children (foreign keys), each with its primary key: the order and the keys in which
 * `copyDatabase` reads and writes them. test/copy-database.test.ts keeps this list equal to the schema's tables.
 */
export const TABLES_IN_COPY_ORDER: readonly { table: keyof Tables; key: readonly string[]; identity?: true }[] = [
  { table: 'users', key: ['id'], identity: true },
  { table: 'projects', key: ['id'], identity: true },
  { table: 'classes', key: ['project_id', 'idx'] },
  { table: 'models', key: ['id'], identity: true },
  { table: 'images', key: ['id'], identity: true },
  { table: 'accepted_labels', key: ['image_id', 'class_idx'] },
  { table: 'predictions', key: ['image_id', 'model_id', 'rank'] },
  { table: 'prior_labels', key: ['image_id', 'class_idx'] },
  { table: 'prior_problematic', key: ['image_id'] },
  { table: 'prior_major_slice', key: ['image_id'] },
  { table: 'crowd_aggregations', key: ['project_id'] },
  { table: 'crowd_raters', key: ['id'], identity: true },
  { table: 'crowd_answers', key: ['image_id', 'class_idx', 'rater_id'] },
  { table: 'crowd_posteriors', key: ['image_id', 'class_idx'] },
  { table: 'items', key: ['id'], identity: true },
  { table: 'item_extra_candidates', key: ['item_id', 'class_idx'] },
  { table: 'claims', key: ['item_id', 'user_id'] },
  { table: 'skips', key: ['item_id', 'user_id'] },
  { table: 'verdicts', key: ['item_id', 'user_id', 'revision'] },
  { table: 'verdict_drafts', key: ['user_id', 'item_id'] },
  { table: 'panel_views', key: ['item_id', 'user_id'] },
  { table: 'model_reveals', key: ['item_id', 'user_id'] },
  { table: 'decoy_judgements', key: ['item_id', 'user_id', 'class_key'] },
  { table: 'gold_items', key: ['item_id'] },
  { table: 'gold_probes', key: ['item_id', 'user_id'] },
  { table: 'gold_probe_answers', key: ['item_id', 'user_id', 'revision'] },
  { table: 'decisions', key: ['item_id', 'sequence'] },
  { table: 'discussion_messages', key: ['id'], identity: true },
  { table: 'item_consensus', key: ['item_id'] },
  { table: 'item_dispute_kinds', key: ['item_id', 'kind'] },
  { table: 'item_final_mistakes', key: ['item_id', 'model_id'] },
  { table: 'item_facets_backfill', key: ['project_id'] },
  { table: 'project_guides', key: ['project_id', 'revision'] },
  { table: 'project_baselines', key: ['project_id'] },
  { table: 'project_item_totals', key: ['project_id', 'shard'] },
  { table: 'project_mistake_counts', key: ['project_id', 'model_id', 'severity', 'category'] },
  { table: 'project_rater_totals', key: ['project_id', 'user_id'] },
  { table: 'project_reaggregation_pending', key: ['project_id'] },
  { table: 'project_confusion_models', key: ['project_id'] },
  { table: 'expert_confusion', key: ['project_id', 'user_id'] },
  { table: 'confusion_estimation_pending', key: ['project_id'] },
  { table: 'project_score_deltas', key: ['project_id', 'model_id', 'original_class_idx'] },
  { table: 'sessions', key: ['token_hash'] },
  { table: 'idempotency_keys', key: ['user_id', 'idempotency_key'] },
  { table: 'login_failures', key: ['scope', 'key'] },
  { table: 'login_known_addresses', key: ['account', 'address'] },
];

/** Rows read and written at a time. */
const PAGE_ROWS = 5000;

export class CopyRefused extends Error {}

/** Rows per table, in copy order. */
export async function countRows(queries: Queries): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { table } of TABLES_IN_COPY_ORDER) {
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(queries);
    counts.set(table, Number(rows[0]!.n));
  }
  return counts;
}

/**
 * Copies every row of `from` into `to`, which must be empty, ids included, in one transaction of the target: it
 * holds all of the source or nothing. The source is read in one snapshot (`longSnapshot`), so a server still
 * writing to it cannot tear the copy (what it writes after the copy began is not in it). Rows go page by page in
 * primary-key order (keyset paging: every page is an index range, whatever the table's size). PostgreSQL's id
 * sequences are moved past the copied ids at the end. Returns the rows copied per table.
 */
export async function copyDatabase(from: Database, to: Database, onTable: (table: string, rows: number) => void = () => {}): Promise<Map<string, number>> {
  const present = [...(await countRows(to.queries))].filter(([, n]) => n > 0);
  if (present.length > 0) {
    throw new CopyRefused(`the target database is not empty (${present.map(([table, n]) => `${n} in ${table}`).join(', ')}): copy into an empty database only`);
  }
  const copied = new Map<string, number>();
  const pages = from.longSnapshot(async function* (snapshot) {
    for (const { table, key } of TABLES_IN_COPY_ORDER) {
      let after: unknown[] | null = null;
      for (;;) {
        const keyTuple = sql.join(key.map((column) => sql.ref(column)));
        const where: RawBuilder<unknown> = after === null ? sql`` : sql`WHERE (${keyTuple}) > (${sql.join(after)})`;
        const { rows }: { rows: Record<string, unknown>[] } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)} ${where} ORDER BY ${keyTuple} LIMIT ${PAGE_ROWS}`.execute(snapshot);
        if (rows.length === 0) break;
        yield { table, rows };
        const last: Record<string, unknown> = rows[rows.length - 1]!;
        after = key.map((column) => last[column]);
        if (rows.length < PAGE_ROWS) break;
      }
    }
  });
  await to.queries.transaction().execute(async (trx) => {
    for await (const { table, rows } of pages) {
      const columns = Object.keys(rows[0]!);
      await insertRows(trx, table, columns, rows.map((row) => columns.map((column) => row[column])));
      copied.set(table, (copied.get(table) ?? 0) + rows.length);
      onTable(table, copied.get(table)!);
    }
    await resetIdSequences(trx, TABLES_IN_COPY_ORDER.filter((t) => t.identity).map((t) => t.table));
  });
  await refreshStatistics(to.queries, TABLES_IN_COPY_ORDER.map((t) => t.table));
  return copied;
}
