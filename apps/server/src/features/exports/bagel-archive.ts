import { Aggregation, Decision, ExpertReliabilityReport, FinalLabels, Judgement, MistakeGrade, ModelEvidence, PanelConsensus, PanelPolicy, PanelQuorum, ProblematicFlag, Role } from '@bagel/contracts';
import { z } from 'zod';
import { sql, type RawBuilder } from 'kysely';
import type { Queries } from '../../db/database';
import { currentOfItems } from '../consensus/consensus.service';
import type { ProgressPhase } from '../../lib/step-progress';
import type { CatalogProject } from '../projects/project-catalog';
import { expertReliabilityReport } from '../reliability/expert-reliability.service';
import { FINAL_REFERENCE, GOLD_REFERENCE } from '../reliability/reliability-tallies';

const LabelLists = z.object({ correct: z.array(z.string()), wrong: z.array(z.string()), unclear: z.array(z.string()) });

/**
 * The `bagel` export: everything about a project's review, for archive and audit (docs/FORMATS.md, "The bagel
 * archive"). Versioned: a reader checks `format` and `version`. Every verdict revision, decision and message is in
 * it, with who and when; nothing is summarized away.
 */
export const BagelArchive = z.object({
  format: z.literal('bagel-archive'),
  version: z.literal(2),
  exportedAt: z.string(),
  project: z.object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    panelSize: z.number().int(),
    topK: z.number().int(),
    quorum: PanelQuorum,
    panel: PanelPolicy,
    modelEvidence: ModelEvidence,
    aggregation: Aggregation,
    mistakeCategories: z.array(z.string()),
    models: z.array(z.object({ name: z.string(), displayName: z.string(), illustrative: z.boolean() })),
    images: z.number().int(),
  }),
  users: z.array(z.object({ username: z.string(), role: Role })),
  items: z.array(
    z.object({
      itemId: z.number().int(),
      file: z.string(),
      originalLabel: z.string(),
      acceptedLabels: z.array(z.string()),
      priorLabels: LabelLists.nullable(),
      status: z.enum(['open', 'in_review', 'agreed', 'disputed', 'final']),
      verdicts: z.array(
        z.object({
          expert: z.string(),
          revision: z.number().int(),
          labels: z.record(z.string(), Judgement),
          problematic: ProblematicFlag.nullable(),
          mistakes: z.record(z.string(), MistakeGrade),
          comment: z.string(),
          createdAt: z.string(),
          afterSeeingPanel: z.boolean(),
          modelsHidden: z.boolean(),
        }),
      ),
      decisions: z.array(Decision),
      discussion: z.array(z.object({ author: z.string(), body: z.string(), createdAt: z.string() })),
      consensus: PanelConsensus.nullable(),
      final: FinalLabels.nullable(),
      finalAt: z.string().nullable(),
    }),
  ),
  expertReliability: z
    .array(ExpertReliabilityReport)
    .meta({ description: 'Each expert against each reference (final labels, then gold items), as GET /api/projects/:projectId/expert-reliability answers (version 2)' }),
});
export type BagelArchive = z.infer<typeof BagelArchive>;

type ArchiveItem = BagelArchive['items'][number];

/** Items read per page: with their revisions, decisions, messages and aggregate, a page takes a few milliseconds. */
export const ARCHIVE_PAGE_ITEMS = 25;

/**
 * Who wrote a verdict, a decision or a message in the project, asked user by user: each question stops at the first
 * row found, through the index of who wrote what (verdicts_by_user; decisions_by_lead and discussion_by_user, migration
 * 037), so a few lookups where listing who wrote every verdict would read them all before the first byte. Without the
 * last two, SQLite answered for a user who had decided nothing by reading every item of the project (0.5 s at a
 * million items, on the event loop). By name as SQLite's NOCASE column orders them, on both engines: lower() (names
 * are unique without case).
 */
export const archiveUsersSql = (projectId: number) => sql<{ username: string; role: Role }>`
    SELECT username, role FROM users u WHERE
      EXISTS (SELECT 1 FROM verdicts v JOIN items i ON i.id = v.item_id WHERE v.user_id = u.id AND i.project_id = ${projectId})
      OR EXISTS (SELECT 1 FROM decisions d JOIN items i ON i.id = d.item_id WHERE d.lead_id = u.id AND i.project_id = ${projectId})
      OR EXISTS (SELECT 1 FROM discussion_messages m JOIN items i ON i.id = m.item_id WHERE m.user_id = u.id AND i.project_id = ${projectId})
    ORDER BY lower(username)`;

/**
 * The archive of a project as text, piece by piece (one per item, with the head and the tail): exactly
 * `JSON.stringify(archive, null, 2) + '\n'` of the whole archive, which a large project could not hold as one string
 * (a string is at most about 512 MB). Items are read a page at a time, in project order, so memory stays small; read
 * it on one snapshot (Database.longSnapshot) for a consistent whole. `reading` and `writing` hear each item read and
 * written; the generator returns the counts of what it wrote.
 */
export async function* bagelArchivePieces(
  db: Queries,
  entry: CatalogProject,
  exportedAt: string,
  progress: { reading?: ProgressPhase; writing?: ProgressPhase } = {},
): AsyncGenerator<string, { items: number; verdicts: number; decisions: number }, undefined> {
  const { project } = entry;
  const p = project.id;
  const { rows: users } = await archiveUsersSql(p).execute(db);
  const imageCount = (await db.selectFrom('images').select((eb) => eb.fn.countAll<number>().as('n')).where('project_id', '=', p).executeTakeFirstOrThrow()).n;
  const head: Omit<BagelArchive, 'items' | 'expertReliability'> = {
    format: 'bagel-archive',
    version: 2,
    exportedAt,
    project: {
      id: project.id,
      name: project.name,
      description: project.description,
      panelSize: project.panelSize,
      topK: project.topK,
      quorum: project.quorum,
      panel: project.panel,
      modelEvidence: project.modelEvidence,
      aggregation: project.aggregation,
      mistakeCategories: project.mistakeCategories,
      models: entry.models.map((m) => ({ name: m.name, displayName: m.displayName, illustrative: m.illustrative })),
      images: imageCount,
    },
    users,
  };
  // The head as JSON.stringify lays it out with `items` and `expertReliability` last: its text without the closing
  // brace, then the items, each indented by the two levels it sits at.
  const headText = JSON.stringify(head, null, 2);
  yield `${headText.slice(0, -2)},\n  "items": `;
  const counts = { items: 0, verdicts: 0, decisions: 0 };
  for await (const page of archiveItemPages(db, entry, exportedAt, progress.reading)) {
    for (const item of page) {
      // Stringified two arrays deep, the item comes indented as it sits in the archive: `[\n  [\n    ` ... `\n  ]\n]`.
      yield `${counts.items === 0 ? '[\n    ' : ',\n    '}${JSON.stringify([[item]], null, 2).slice(10, -6)}`;
      progress.writing?.tick(counts.items);
      counts.items++;
      counts.verdicts += item.verdicts.length;
      counts.decisions += item.decisions.length;
    }
  }
  yield counts.items === 0 ? '[]' : '\n  ]';
  // Then each expert's reliability, against the final labels and against gold items, counted on the same snapshot
  // (a range of items at a time); its expert × class rows written one at a time.
  yield ',\n  "expertReliability": [';
  const sources = [FINAL_REFERENCE, GOLD_REFERENCE];
  for (const [r, source] of sources.entries()) {
    const { classes, ...report } = await expertReliabilityReport(db, entry, source, exportedAt);
    // The report as it sits in the archive (members six spaces in), `classes` last and left open.
    const text = indented({ ...report, classes: [] }, 2);
    yield `${r === 0 ? '\n    ' : ',\n    '}${text.slice(0, -CLOSED_EMPTY_CLASSES.length)}`;
    if (classes.length === 0) yield CLOSED_EMPTY_CLASSES;
    else {
      for (const [i, row] of classes.entries()) yield `${i === 0 ? '[\n        ' : ',\n        '}${indented(row, 4)}`;
      yield '\n      ]\n    }';
    }
  }
  yield '\n  ]\n}\n';
  return counts;
}

/** An empty `classes` list closing its report, as a report sits in the archive's `expertReliability`. */
const CLOSED_EMPTY_CLASSES = '[]\n    }';
/** `value` as JSON.stringify(…, null, 2) lays it out `depth` levels deep (its first line not indented). */
const indented = (value: unknown, depth: number) => JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);

/** Every item of the project's queue, in project order, a page at a time. */
async function* archiveItemPages(db: Queries, entry: CatalogProject, exportedAt: string, reading?: ProgressPhase): AsyncGenerator<ArchiveItem[], void, undefined> {
  const { project, vocabulary } = entry;
  const keyOf = (index: number) => vocabulary.byIndex(index)?.key ?? `#${index}`;
  const orderOf = (key: string) => vocabulary.byKey(key)?.index ?? Number.MAX_SAFE_INTEGER;
  const byItem = <T>(rows: Iterable<[number, T]>) => {
    const map = new Map<number, T[]>();
    for (const [itemId, value] of rows) {
      const list = map.get(itemId);
      if (list) list.push(value);
      else map.set(itemId, [value]);
    }
    return map;
  };

  let after = -1;
  let done = 0;
  for (;;) {
    // Keyset paging in project order: each page starts after the last image of the one before.
    const { rows: items } = await sql<{ id: number; image_id: number; file: string; original_class_idx: number; status: ArchiveItem['status']; final: string | null; final_at: string | null; position: number }>`
      SELECT i.id, i.image_id, im.file, im.original_class_idx, i.status, c.final, c.final_at, im.position
      FROM images im JOIN items i ON i.image_id = im.id LEFT JOIN item_consensus c ON c.item_id = i.id
      WHERE im.project_id = ${project.id} AND im.position > ${after} ORDER BY im.position LIMIT ${ARCHIVE_PAGE_ITEMS}`.execute(db);
    if (items.length === 0) return;
    after = items[items.length - 1]!.position;
    const itemIds = items.map((item) => item.id);
    // A page is ARCHIVE_PAGE_ITEMS ids: one statement each binds them all.
    const inPage = sql`IN (${sql.join(itemIds)})`;
    const rowsOf = async <R>(query: RawBuilder<R>): Promise<R[]> => (await query.execute(db)).rows;
    const accepted = byItem(
      (await rowsOf(sql<{ id: number; class_idx: number }>`SELECT i.id, a.class_idx FROM items i JOIN accepted_labels a ON a.image_id = i.image_id WHERE i.id ${inPage} ORDER BY i.id, a.class_idx`)).map(
        (r): [number, string] => [r.id, keyOf(r.class_idx)],
      ),
    );
    const prior = byItem(
      (
        await rowsOf(
          sql<{ id: number; class_idx: number; judgement: Judgement }>`SELECT i.id, pl.class_idx, pl.judgement FROM items i JOIN prior_labels pl ON pl.image_id = i.image_id WHERE i.id ${inPage} ORDER BY i.id, pl.class_idx`,
        )
      ).map((r): [number, { key: string; judgement: Judgement }] => [r.id, { key: keyOf(r.class_idx), judgement: r.judgement }]),
    );
    const verdicts = byItem(
      (
        await rowsOf(
          sql<{ item_id: number; username: string; revision: number; labels: string; problematic: string | null; mistakes: string; comment: string; created_at: string; after_seeing_panel: number; models_hidden: number }>`
            SELECT v.item_id, u.username, v.revision, v.labels, v.problematic, v.mistakes, v.comment, v.created_at, v.after_seeing_panel, v.models_hidden
            FROM verdicts v JOIN users u ON u.id = v.user_id
            WHERE v.item_id ${inPage} ORDER BY v.item_id, lower(u.username), v.revision`,
        )
      ).map((r): [number, ArchiveItem['verdicts'][number]] => [
        r.item_id,
        {
          expert: r.username,
          revision: r.revision,
          labels: JSON.parse(r.labels),
          problematic: r.problematic === null ? null : JSON.parse(r.problematic),
          mistakes: JSON.parse(r.mistakes),
          comment: r.comment,
          createdAt: r.created_at,
          afterSeeingPanel: r.after_seeing_panel === 1,
          modelsHidden: r.models_hidden === 1,
        },
      ]),
    );
    const decisions = byItem(
      (
        await rowsOf(
          sql<{ item_id: number; sequence: number; kind: Decision['kind']; username: string; final: string | null; note: string; created_at: string }>`
            SELECT d.item_id, d.sequence, d.kind, u.username, d.final, d.note, d.created_at
            FROM decisions d JOIN users u ON u.id = d.lead_id
            WHERE d.item_id ${inPage} ORDER BY d.item_id, d.sequence`,
        )
      ).map((r): [number, Decision] => [
        r.item_id,
        { sequence: r.sequence, kind: r.kind, lead: r.username, final: r.final === null ? null : JSON.parse(r.final), note: r.note, createdAt: r.created_at },
      ]),
    );
    const discussion = byItem(
      (
        await rowsOf(
          sql<{ item_id: number; username: string; body: string; created_at: string }>`
            SELECT m.item_id, u.username, m.body, m.created_at
            FROM discussion_messages m JOIN users u ON u.id = m.user_id
            WHERE m.item_id ${inPage} ORDER BY m.item_id, m.id`,
        )
      ).map((r): [number, { author: string; body: string; createdAt: string }] => [r.item_id, { author: r.username, body: r.body, createdAt: r.created_at }]),
    );
    // The aggregate is recomputed (only its disputes are stored); it is what the desk shows.
    const consensus = new Map((await currentOfItems(db, entry, itemIds, exportedAt)).map(({ ctx, state }) => [ctx.itemId, state.consensus]));

    yield items.map((item): ArchiveItem => {
      reading?.tick(done++);
      const priorLabels = prior.get(item.id);
      let lists: ArchiveItem['priorLabels'] = null;
      if (priorLabels) {
        lists = { correct: [], wrong: [], unclear: [] };
        for (const { key, judgement } of priorLabels) lists[judgement].push(key);
        for (const list of Object.values(lists)) list.sort((a, b) => orderOf(a) - orderOf(b));
      }
      return {
        itemId: item.id,
        file: item.file,
        originalLabel: keyOf(item.original_class_idx),
        acceptedLabels: accepted.get(item.id) ?? [],
        priorLabels: lists,
        status: item.status,
        verdicts: verdicts.get(item.id) ?? [],
        decisions: decisions.get(item.id) ?? [],
        discussion: discussion.get(item.id) ?? [],
        consensus: consensus.get(item.id) ?? null,
        final: item.final === null ? null : JSON.parse(item.final),
        finalAt: item.final_at,
      };
    });
  }
}
