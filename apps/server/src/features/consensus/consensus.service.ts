import { panelBounds } from '@bagel/core';
import type { Database, Queries } from '../../db/database';
import { lockIdRange } from '../../db/dialect';
import { projectCatalog, type CatalogProject, type ProjectCatalog } from '../projects/project-catalog';
import { createConsensusRepository } from './consensus.repository';
import { computeItemState, type ItemContext, type ItemState, type PanelSettings } from './item-state';
import { ProjectTotals, storedShareOf } from './project-totals';

const settingsOf = (entry: CatalogProject): PanelSettings => ({
  panelSize: entry.project.panelSize,
  quorum: entry.project.quorum,
  panel: entry.project.panel,
  aggregation: entry.project.aggregation,
  confusion: entry.confusion,
});

/** The most verdicts an item of the project may get: panel_complete (migration 002) is 1 from there on. */
const mostVerdicts = (settings: PanelSettings): number => panelBounds(settings.panel, settings.panelSize).max;

/**
 * The judged items among `itemIds` (of the project) with their state as computed now, read on `db`, without storing
 * anything (the archive export reads this on its snapshot, a page of items at a time).
 */
export async function currentOfItems(db: Queries, entry: CatalogProject, itemIds: readonly number[], now: string): Promise<{ ctx: ItemContext; state: ItemState }[]> {
  const settings = settingsOf(entry);
  return (await createConsensusRepository(db).loadListContexts(entry, itemIds)).map((ctx) => ({ ctx, state: computeItemState(ctx, settings, now) }));
}

/**
 * Keeps every item's state (status, consensus, final labels, the dashboard's per-item sums) current: the review,
 * the lead's decisions and the settings call it inside the write that changed the item (passing its transaction), so
 * what is stored is never behind the verdicts.
 */
export function createConsensusService(database: Database) {
  const catalog = projectCatalog(database);
  const catalogOf = (): ProjectCatalog => catalog;

  /**
   * The project's catalog entry, read on `db`: the write or snapshot the caller is in. Never on the database's pool
   * beside it: on PostgreSQL that would take a second connection while holding one, and as many writes at once as the
   * pool has connections would each wait for a second one, until the pool's timeout failed them all.
   */
  async function entryOf(db: Queries, projectId: number): Promise<CatalogProject> {
    const entry = await catalogOf().get(projectId, db);
    if (!entry) throw new Error(`project ${projectId} not found`);
    return entry;
  }

  /**
   * The project's catalog entry with its panel settings as the write's transaction sees them: a quorum change and the
   * first step of its re-aggregation share one transaction, whose new quorum no other connection sees yet.
   */
  async function entryIn(trx: Queries, projectId: number): Promise<{ entry: CatalogProject; settings: PanelSettings } | null> {
    const settings = await createConsensusRepository(trx).panelSettings(projectId);
    const entry = settings && (await catalogOf().get(projectId, trx));
    return entry ? { entry, settings } : null;
  }

  // Range by range (a range's verdicts are read, aggregated, written, then dropped): the heap stays small however
  // large the project, which keeps garbage collection cheap. A project marked by a migration is unmarked in the same
  // transaction.
  const reaggregate = (projectId: number, now: string): Promise<number> =>
    database.write(async (trx) => {
      const repository = createConsensusRepository(trx);
      await repository.reaggregated(projectId);
      const found = await entryIn(trx, projectId);
      if (!found) return 0;
      const { entry, settings } = found;
      const totals = new ProjectTotals();
      let items = 0;
      for (const [from, to] of await repository.projectRanges(projectId)) {
        const contexts = await repository.loadRangeContexts(entry, from, to);
        await repository.writeRangeStates(projectId, [from, to], contexts, contexts.map((ctx) => computeItemState(ctx, settings, now)), now, totals);
        await repository.setPanelComplete(projectId, [from, to], mostVerdicts(settings));
        items += contexts.length;
      }
      await repository.replaceProjectTotals(projectId, totals);
      return items;
    });

  // The facets only: item_consensus and its updated_at, statuses and totals stay as they are, since nothing changed.
  const rebuildFacets = (projectId: number, now: string): Promise<void> =>
    database.write(async (trx) => {
      const repository = createConsensusRepository(trx);
      const found = await entryIn(trx, projectId);
      if (found) {
        for (const [from, to] of await repository.projectRanges(projectId)) {
          const contexts = await repository.loadRangeContexts(found.entry, from, to);
          await repository.writeRangeFacets(projectId, [from, to], contexts, contexts.map((ctx) => computeItemState(ctx, found.settings, now)));
        }
      }
      await repository.facetsRebuilt(projectId);
    });

  return {
    /**
     * Recomputes the item browser's facets of the projects migration 008 marked (items aggregated before migration
     * 007 have none), one transaction per project; returns the projects done. The server calls it at start.
     */
    async rebuildPendingFacets(now: string): Promise<number[]> {
      const projects = await createConsensusRepository(database.queries).projectsAwaitingFacets();
      for (const projectId of projects) await rebuildFacets(projectId, now);
      return projects;
    },

    /**
     * Re-aggregates the projects a migration marked (011: their stored scores predate the rule that a model is scored
     * on the images it ranks), one transaction per project; returns the projects done. The server calls it at start.
     */
    async reaggregatePending(now: string): Promise<number[]> {
      const projects = await createConsensusRepository(database.queries).projectsAwaitingReaggregation();
      for (const projectId of projects) await reaggregate(projectId, now);
      return projects;
    },

    /** The item's context and its state as computed now, read on `db`, without storing anything (the lead's desk reads this). */
    async current(db: Queries, itemId: number, projectId: number, now: string): Promise<{ ctx: ItemContext; state: ItemState } | null> {
      const entry = await entryOf(db, projectId);
      const ctx = await createConsensusRepository(db).loadItemContext(itemId, entry);
      return ctx ? { ctx, state: computeItemState(ctx, settingsOf(entry), now) } : null;
    },

    /**
     * Recomputes and stores one item's state, in the write `trx` that changed the item, which has locked the item's
     * row (lockRows; a verdict's and a decision's writes do so first): on PostgreSQL the item's stored share, which the
     * project's totals are moved by, is then never read by two writes at once.
     */
    async refreshItem(trx: Queries, itemId: number, projectId: number, now: string): Promise<ItemState> {
      const entry = await entryOf(trx, projectId);
      const repository = createConsensusRepository(trx);
      const ctx = await repository.loadItemContext(itemId, entry);
      if (!ctx) throw new Error(`item ${itemId} not found`);
      const state = computeItemState(ctx, settingsOf(entry), now);
      await repository.writeItemState(ctx, state, now);
      return state;
    },

    /**
     * Recomputes every judged item of the project in one transaction, and rebuilds its totals from the items' shares;
     * returns how many. For a project marked by a migration (at start, before the server listens) and for tests: a
     * quorum change re-aggregates in the background instead (startReaggregation, reaggregateStep).
     */
    reaggregateProject(projectId: number, now: string): Promise<number> {
      return reaggregate(projectId, now);
    },

    /**
     * Marks the project to be re-aggregated in the background, from its first item (from the start again if it was
     * being): call it in the write that changes its settings. The mark survives a restart (migration 014).
     */
    async startReaggregation(trx: Queries, projectId: number): Promise<void> {
      await createConsensusRepository(trx).markReaggregation(projectId);
    },

    /**
     * One step of a re-aggregation in the background, in the write `trx` (a transaction of its own, or the settings
     * change's): the next range of at most `maxItems` judged items, recomputed under the project's settings as `trx`
     * sees them and written, the project totals moved by the difference between each item's new share and its stored
     * one (as a verdict moves them), and the mark advanced past the range; the mark goes once no judged item is left.
     * Totals are therefore exact after every step, and a verdict that lands between steps is aggregated under the new
     * settings like any other: an item it touched is simply recomputed again, to the same state, when its range comes.
     */
    async reaggregateStep(trx: Queries, projectId: number, now: string, maxItems: number): Promise<{ items: number; finished: boolean }> {
      const repository = createConsensusRepository(trx);
      const mark = await repository.reaggregationMark(projectId);
      if (!mark || mark.nextItemId === null) return { items: 0, finished: mark === null };
      const found = await entryIn(trx, projectId);
      const range = found ? await repository.judgedRangeFrom(projectId, mark.nextItemId, maxItems) : null;
      if (!found || !range) {
        await repository.reaggregated(projectId);
        return { items: 0, finished: true };
      }
      // The range's items locked before their state is read (on PostgreSQL), as a verdict's write locks its item: a
      // verdict landing meanwhile on one of them waits for the step, or the step for it.
      await lockIdRange(trx, 'items', range[0], range[1]);
      const contexts = await repository.loadRangeContexts(found.entry, range[0], range[1]);
      const totals = new ProjectTotals();
      for (const ctx of contexts) totals.add(storedShareOf(ctx), -1);
      await repository.writeRangeStates(projectId, range, contexts, contexts.map((ctx) => computeItemState(ctx, found.settings, now)), now, totals);
      // The panel policy may have changed the most verdicts an item gets: an item whose panel was complete may take
      // another expert now, or the reverse.
      await repository.setPanelComplete(projectId, range, mostVerdicts(found.settings));
      await repository.addToProjectTotals(projectId, totals);
      const finished = (await repository.judgedRangeFrom(projectId, range[1], 1)) === null;
      if (finished) await repository.reaggregated(projectId);
      else await repository.advanceReaggregation(projectId, range[1], mark.done + contexts.length);
      return { items: contexts.length, finished };
    },

    /** The projects being re-aggregated in the background. */
    projectsReaggregating(): Promise<number[]> {
      return createConsensusRepository(database.queries).projectsReaggregatingInSteps();
    },

    /**
     * Where the project's background re-aggregation stands (items done, of the judged items in all), or null when none
     * runs; read on `db` (default: the database), the settings change reads it in its write.
     */
    async reaggregationProgress(projectId: number, db: Queries = database.queries): Promise<{ done: number; total: number } | null> {
      const repository = createConsensusRepository(db);
      const mark = await repository.reaggregationMark(projectId);
      if (!mark || mark.nextItemId === null) return null;
      return { done: mark.done, total: mark.done + (await repository.judgedCountFrom(projectId, mark.nextItemId)) };
    },
  };
}
export type ConsensusService = ReturnType<typeof createConsensusService>;
