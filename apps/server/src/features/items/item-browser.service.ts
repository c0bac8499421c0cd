import { DEFAULT_SORT_ORDER, DisputeKind, type ItemBrowserExperts, type ItemBrowserPage, type ParsedItemBrowserQuery } from '@bagel/contracts';
import { displayName } from '@bagel/core';
import type { Database, Queries } from '../../db/database';
import { planForFewRows } from '../../db/dialect';
import { ApiError, notFound } from '../../plugins/errors';
import { imageUrls } from '../images/image-urls';
import { projectCatalog, type CatalogProject } from '../projects/project-catalog';
import { createItemBrowserRepository, impliedStatus, type ItemFilters, type PageCursor } from './item-browser.repository';
import { decodeCursor, encodeCursor } from './page-cursor';

const unknownValue = (field: string, message: string) => new ApiError(400, message, 'UNKNOWN_FILTER_VALUE', { field });

/** The item browser: a project's items filtered, sorted and paged in SQL (item-browser.repository.ts). */
export function createItemBrowserService(database: Database) {
  const catalog = projectCatalog(database);
  const repository = createItemBrowserRepository(database.queries);

  async function findProject(projectId: number): Promise<CatalogProject> {
    const entry = await catalog.get(projectId);
    if (!entry) throw notFound(`Project ${projectId} not found`);
    return entry;
  }

  /** The query's names (class key, model, category, username) as the ids the SQL uses; 400 naming any that is unknown. */
  async function resolveFilters(entry: CatalogProject, query: ParsedItemBrowserQuery): Promise<ItemFilters> {
    const filters: ItemFilters = { status: query.status, disputeKind: query.disputeKind, severity: query.severity };
    if (query.class !== undefined) {
      const cls = entry.vocabulary.byKey(query.class);
      if (!cls) throw unknownValue('class', `Unknown class '${query.class}': not in the vocabulary of project ${entry.project.id}`);
      filters.classIndex = cls.index;
    }
    if (query.wrongModel !== undefined) {
      const model = entry.models.find((m) => m.name === query.wrongModel);
      if (!model) {
        throw unknownValue('wrongModel', `Unknown model '${query.wrongModel}': the project's models are ${entry.models.map((m) => m.name).join(', ')}`);
      }
      filters.wrongModel = { id: model.id, position: await repository.modelPosition(model.id) };
    }
    if (query.category !== undefined) {
      if (!entry.project.mistakeCategories.includes(query.category)) {
        throw unknownValue('category', `Unknown category '${query.category}': the project's categories are ${entry.project.mistakeCategories.join(', ')}`);
      }
      filters.category = query.category;
    }
    if (query.expert !== undefined) {
      const userId = await repository.userId(query.expert);
      if (userId === null) throw unknownValue('expert', `Unknown expert '${query.expert}': no user has that name`);
      filters.expertId = userId;
    }
    filters.status ??= impliedStatus(filters);
    return filters;
  }

  return {
    async page(projectId: number, query: ParsedItemBrowserQuery): Promise<ItemBrowserPage> {
      const entry = await findProject(projectId);
      const filters = await resolveFilters(entry, query);
      const sort = query.sort ?? 'priority';
      const order = query.order ?? DEFAULT_SORT_ORDER[sort];
      const after = query.after === undefined ? null : decodeCursor(query.after, sort, order);
      // The count, the page and its rows from one state of the database. A page after a cursor is not counted (the
      // list that scrolls to it has the count already), nor a broad filter's unless asked (`count=exact`): counting
      // every match is what made a large project's pages slow.
      // On SQLite the reads run on a reader thread (Database.slowSnapshot), not on the request thread: a jump by offset
      // or an exact count costs what it passes over, and a page whose filter matches sparsely walks far (up to
      // seconds at a million items), and every other request waited behind them.
      const read = async (trx: Queries) => {
        await planForFewRows(trx);
        const reads = createItemBrowserRepository(trx);
        // A class filter's few matches are where a page starts; else those of a filter that an index lists, if few;
        // else, when the page reads a run per status, each run where that filter's matches are few.
        if (filters.classIndex === undefined) filters.startFrom = await reads.fewMatchesFilter(projectId, filters);
        filters.startFromIn = await reads.fewMatchesByStatus(projectId, filters);
        const counting = after !== null ? Promise.resolve(null) : query.count === 'exact' ? reads.count(projectId, filters) : reads.cheapCount(projectId, filters);
        let total: number | null;
        let ids: number[];
        let next: PageCursor | null;
        if (after !== null || (query.offset === 0 && query.count !== 'exact')) {
          // A first page or a page after a cursor does not depend on a cheap count: both are asked at once (one round
          // trip to a reader thread rather than two).
          [total, { ids, next }] = await Promise.all([counting, reads.page(projectId, filters, sort, order, query.limit, { after })]);
        } else {
          // An exact count may find no match, and a page by offset may lie past the last one: then no page is read (a
          // filter that matches nothing walks a sort's whole index to find so).
          total = await counting;
          ({ ids, next } = total !== null && query.offset >= total ? { ids: [], next: null } : await reads.page(projectId, filters, sort, order, query.limit, query.offset === 0 ? { after: null } : { offset: query.offset }));
        }
        // A page by offset with nothing after it ends the list: its end is the count.
        if (total === null && after === null && next === null && (ids.length > 0 || query.offset === 0)) total = query.offset + ids.length;
        return { total, ids, next, records: await reads.rows(ids) };
      };
      const { total, ids, next, records } = await database.slowSnapshot(read);
      const modelName = new Map(entry.models.map((m) => [m.id, m.name]));
      const position = new Map(entry.models.map((m, i) => [m.id, i]));
      const byPosition = (a: number, b: number) => (position.get(a) ?? 0) - (position.get(b) ?? 0);
      return {
        total,
        offset: after === null ? query.offset : null,
        limit: query.limit,
        next: next === null ? null : encodeCursor(sort, order, next),
        rows: records.map((r) => {
          const original = entry.vocabulary.byIndex(r.originalClassIndex);
          return {
            itemId: r.itemId,
            imageId: r.imageId,
            file: r.file,
            previewUrl: imageUrls(projectId, r.imageId).thumbnailUrl,
            originalLabel: { key: original?.key ?? String(r.originalClassIndex), name: original ? displayName(original) : '' },
            status: r.status,
            modelsWrong: r.modelsWrong,
            confidence: r.confidence,
            verdictCount: r.verdictCount,
            divisiveness: r.divisiveness,
            disputeKinds: DisputeKind.options.filter((kind) => r.disputeKinds.includes(kind)),
            wrongModels: [...r.wrongModelIds].sort(byPosition).map((id) => modelName.get(id) ?? String(id)),
            grades: [...r.grades]
              .sort((a, b) => byPosition(a.modelId, b.modelId))
              .map((g) => ({ model: modelName.get(g.modelId) ?? String(g.modelId), severity: g.severity, category: g.category })),
            updatedAt: r.updatedAt,
          };
        }),
      };
    },

    async experts(projectId: number): Promise<ItemBrowserExperts> {
      await findProject(projectId);
      return { experts: await repository.experts(projectId) };
    },
  };
}
export type ItemBrowserService = ReturnType<typeof createItemBrowserService>;
