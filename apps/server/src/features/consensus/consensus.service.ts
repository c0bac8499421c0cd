import type { Db } from '../../db/open-database';
import { syncProjectCatalog, type CatalogProject } from '../projects/project-catalog';
import { createConsensusRepository } from './consensus.repository';
import { computeItemState, type ItemContext, type ItemState } from './item-state';
import { decodeOutcomes, decodeRaters, ProjectTotals } from './project-totals';

/**
 * Keeps every item's state (status, consensus, final labels, the dashboard's per-item sums) current: the review,
 * the lead's decisions and the settings call it inside the transaction that changed the item, so what is stored is
 * never behind the verdicts.
 */
export function createConsensusService(db: Db) {
  const catalog = syncProjectCatalog(db);
  const repository = createConsensusRepository(db);

  const settingsOf = (entry: CatalogProject) => ({ panelSize: entry.project.panelSize, quorum: entry.project.quorum });

  function entryOf(projectId: number): CatalogProject {
    const entry = catalog.get(projectId);
    if (!entry) throw new Error(`project ${projectId} not found`);
    return entry;
  }

  // Range by range (a range's verdicts are read, aggregated, written, then dropped): the heap stays small however
  // large the project, which keeps garbage collection cheap. A project marked by a migration is unmarked in the same
  // transaction.
  const reaggregate = db.transaction((projectId: number, now: string): number => {
    repository.reaggregated(projectId);
    const entry = catalog.get(projectId);
    if (!entry) return 0;
    const settings = settingsOf(entry);
    const totals = new ProjectTotals();
    let items = 0;
    for (const [from, to] of repository.projectRanges(projectId)) {
      const contexts = repository.loadRangeContexts(entry, from, to);
      repository.writeRangeStates(projectId, [from, to], contexts, contexts.map((ctx) => computeItemState(ctx, settings, now)), now, totals);
      items += contexts.length;
    }
    repository.replaceProjectTotals(projectId, totals);
    return items;
  });

  /**
   * One step of a re-aggregation in the background (the caller's transaction): the next range of at most `maxItems`
   * judged items, recomputed under the project's settings now and written, the project totals moved by the
   * difference between each item's new share and its stored one (as a verdict moves them), and the mark advanced
   * past the range; the mark goes once no judged item is left. Totals are therefore exact after every step, and a
   * verdict that lands between steps is aggregated under the new settings like any other: an item it touched is
   * simply recomputed again, to the same state, when its range comes.
   */
  function step(projectId: number, now: string, maxItems: number): { items: number; finished: boolean } {
    const mark = repository.reaggregationMark(projectId);
    if (!mark || mark.nextItemId === null) return { items: 0, finished: mark === null };
    const entry = catalog.get(projectId);
    const range = entry ? repository.judgedRangeFrom(projectId, mark.nextItemId, maxItems) : null;
    if (!entry || !range) {
      repository.reaggregated(projectId);
      return { items: 0, finished: true };
    }
    const settings = settingsOf(entry);
    const contexts = repository.loadRangeContexts(entry, range[0], range[1]);
    const totals = new ProjectTotals();
    for (const ctx of contexts) {
      if (ctx.previous) totals.add({ originalClassIndex: ctx.originalClassIndex, outcomes: decodeOutcomes(ctx.previous.outcomes), raters: decodeRaters(ctx.previous.raters) }, -1);
    }
    repository.writeRangeStates(projectId, range, contexts, contexts.map((ctx) => computeItemState(ctx, settings, now)), now, totals);
    repository.addToProjectTotals(projectId, totals);
    const finished = repository.judgedRangeFrom(projectId, range[1], 1) === null;
    if (finished) repository.reaggregated(projectId);
    else repository.advanceReaggregation(projectId, range[1], mark.done + contexts.length);
    return { items: contexts.length, finished };
  }

  // The facets only: item_consensus and its updated_at, statuses and totals stay as they are, since nothing changed.
  const rebuildFacets = db.transaction((projectId: number, now: string): void => {
    const entry = catalog.get(projectId);
    if (entry) {
      const settings = settingsOf(entry);
      for (const [from, to] of repository.projectRanges(projectId)) {
        const contexts = repository.loadRangeContexts(entry, from, to);
        repository.writeRangeFacets(projectId, [from, to], contexts, contexts.map((ctx) => computeItemState(ctx, settings, now)));
      }
    }
    repository.facetsRebuilt(projectId);
  });

  return {
    /**
     * Recomputes the item browser's facets of the projects migration 008 marked (items aggregated before migration
     * 007 have none), one transaction per project; returns the projects done. The server calls it at start.
     */
    rebuildPendingFacets(now: string): number[] {
      const projects = repository.projectsAwaitingFacets();
      for (const projectId of projects) rebuildFacets.immediate(projectId, now);
      return projects;
    },

    /**
     * Re-aggregates the projects a migration marked (011: their stored scores predate the rule that a model is scored
     * on the images it ranks), one transaction per project; returns the projects done. The server calls it at start.
     */
    reaggregatePending(now: string): number[] {
      const projects = repository.projectsAwaitingReaggregation();
      for (const projectId of projects) reaggregate.immediate(projectId, now);
      return projects;
    },

    /**
     * The judged items among `itemIds` (of the project) with their state as computed now, without storing anything
     * (the archive export reads this, a page of items at a time).
     */
    currentOfItems(projectId: number, itemIds: readonly number[], now: string): { ctx: ItemContext; state: ItemState }[] {
      const entry = entryOf(projectId);
      const settings = settingsOf(entry);
      return repository.loadListContexts(entry, itemIds).map((ctx) => ({ ctx, state: computeItemState(ctx, settings, now) }));
    },

    /** The item's context and its state as computed now, without storing anything (the lead's desk reads this). */
    current(itemId: number, projectId: number, now: string): { ctx: ItemContext; state: ItemState } | null {
      const entry = entryOf(projectId);
      const ctx = repository.loadItemContext(itemId, entry);
      return ctx ? { ctx, state: computeItemState(ctx, settingsOf(entry), now) } : null;
    },

    /** Recomputes and stores one item's state. Call it inside the transaction that changed the item. */
    refreshItem(itemId: number, projectId: number, now: string): ItemState {
      const entry = entryOf(projectId);
      const ctx = repository.loadItemContext(itemId, entry);
      if (!ctx) throw new Error(`item ${itemId} not found`);
      const state = computeItemState(ctx, settingsOf(entry), now);
      repository.writeItemState(ctx, state, now);
      return state;
    },

    /**
     * Recomputes every judged item of the project in one transaction, and rebuilds its totals from the items' shares;
     * returns how many. For a project marked by a migration (at start, before the server listens) and for tests: a
     * quorum change re-aggregates in the background instead (startReaggregation, reaggregateStep).
     */
    reaggregateProject(projectId: number, now: string): number {
      return reaggregate.immediate(projectId, now);
    },

    /**
     * Marks the project to be re-aggregated in the background, from its first item (from the start again if it was
     * being): call it in the transaction that changes its settings. The mark survives a restart (migration 014).
     */
    startReaggregation(projectId: number): void {
      repository.markReaggregation(projectId);
    },

    /** One step of a background re-aggregation (see `step`); call it in a transaction of its own, or in the settings change's. */
    reaggregateStep(projectId: number, now: string, maxItems: number): { items: number; finished: boolean } {
      return step(projectId, now, maxItems);
    },

    /** The projects being re-aggregated in the background. */
    projectsReaggregating(): number[] {
      return repository.projectsReaggregatingInSteps();
    },

    /** Where the project's background re-aggregation stands (items done, of the judged items in all), or null when none runs. */
    reaggregationProgress(projectId: number): { done: number; total: number } | null {
      const mark = repository.reaggregationMark(projectId);
      if (!mark || mark.nextItemId === null) return null;
      return { done: mark.done, total: mark.done + repository.judgedCountFrom(projectId, mark.nextItemId) };
    },
  };
}
export type ConsensusService = ReturnType<typeof createConsensusService>;
