import type { Db } from '../../db/open-database';
import { projectCatalog, type CatalogProject } from '../projects/project-catalog';
import { createConsensusRepository } from './consensus.repository';
import { computeItemState, type ItemContext, type ItemState } from './item-state';
import { ProjectTotals } from './project-totals';

/**
 * Keeps every item's state (status, consensus, final labels, the dashboard's per-item sums) current: the review,
 * the lead's decisions and the settings call it inside the transaction that changed the item, so what is stored is
 * never behind the verdicts.
 */
export function createConsensusService(db: Db) {
  const catalog = projectCatalog(db);
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
      repository.writeRangeStates([from, to], contexts, contexts.map((ctx) => computeItemState(ctx, settings, now)), now, totals);
      items += contexts.length;
    }
    repository.replaceProjectTotals(projectId, totals);
    return items;
  });

  // The facets only: item_consensus and its updated_at, statuses and totals stay as they are, since nothing changed.
  const rebuildFacets = db.transaction((projectId: number, now: string): void => {
    const entry = catalog.get(projectId);
    if (entry) {
      const settings = settingsOf(entry);
      for (const [from, to] of repository.projectRanges(projectId)) {
        const contexts = repository.loadRangeContexts(entry, from, to);
        repository.writeRangeFacets([from, to], contexts, contexts.map((ctx) => computeItemState(ctx, settings, now)));
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

    /** Recomputes every judged item of the project in one transaction (after a quorum change); returns how many. */
    reaggregateProject(projectId: number, now: string): number {
      return reaggregate.immediate(projectId, now);
    },
  };
}
export type ConsensusService = ReturnType<typeof createConsensusService>;
