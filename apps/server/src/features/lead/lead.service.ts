import { LeadDecisionRequest, ReopenRequest, type Decision, type DeskItem, type FinalLabels, type LeadQueue, type SessionUser } from '@bagel/contracts';
import { displayName, validateVerdict } from '@bagel/core';
import type { z } from 'zod';
import type { Db } from '../../db/open-database';
import { sqliteDatabase } from '../../db/sqlite-engine';
import { ApiError, conflict, notFound } from '../../plugins/errors';
import { createConsensusService } from '../consensus/consensus.service';
import { imageUrls } from '../images/image-urls';
import { syncProjectCatalog, type CatalogProject } from '../projects/project-catalog';
import { createItemsRepository, type ItemRecord } from '../review/items.repository';
import { createReviewService, type ReviewServiceOptions } from '../review/review.service';
import { createVerdictsRepository } from '../review/verdicts.repository';
import { createDecisionsRepository } from './decisions.repository';
import { createLeadQueueRepository, type LeadQueueFilter } from './lead-queue.repository';

export interface LeadServiceOptions {
  now: () => number;
  /** The projects' image sources (see ReviewServiceOptions). */
  images?: ReviewServiceOptions['images'];
}

type ParsedDecision = z.output<typeof LeadDecisionRequest>;
type ParsedReopen = z.output<typeof ReopenRequest>;

type Outcome =
  | { outcome: 'stored'; decision: Decision }
  | { outcome: 'stale'; current: number; base: number }
  | { outcome: 'stale-desk'; current: number; base: number }
  | { outcome: 'wrong-status'; status: string };

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The lead's desk: the queue of disputed items, one item with the whole panel, and the decisions. A decision is
 * checked like a verdict, recorded (never changed afterwards) and applied in one transaction, together with the
 * item's new state; `baseDecision` guards against two leads deciding from the same view (409 STALE_DECISION), and
 * `basePanelVersion` (a finalize or override) against deciding on verdicts that changed since the desk was loaded
 * (409 STALE_DESK).
 */
export function createLeadService(db: Db, options: LeadServiceOptions) {
  const catalog = syncProjectCatalog(db);
  const items = createItemsRepository(db);
  const verdicts = createVerdictsRepository(db);
  const decisions = createDecisionsRepository(db);
  const queue = createLeadQueueRepository(db);
  const database = sqliteDatabase(db);
  const consensus = createConsensusService(database);
  const review = createReviewService(db, options);
  const itemStatus = db.prepare<[number], { status: string }>('SELECT status FROM items WHERE id = ?');

  function findProject(projectId: number): CatalogProject {
    const entry = catalog.get(projectId);
    if (!entry) throw notFound(`Project ${projectId} not found`);
    return entry;
  }

  function findItem(itemId: number): { item: ItemRecord; entry: CatalogProject } {
    const item = items.findById(itemId);
    if (!item) throw notFound(`Item ${itemId} not found`);
    return { item, entry: findProject(item.projectId) };
  }

  /**
   * Appends the decision `decide` makes of the item's status (null: not allowed then), unless someone decided since
   * `base`, or (when `basePanel` is given) a verdict was written since the desk showed `basePanel` revisions.
   */
  const record = (
    item: ItemRecord,
    lead: SessionUser,
    base: number,
    basePanel: number | null,
    decide: (status: string) => { kind: Decision['kind']; final: FinalLabels | null } | null,
    note: string,
    createdAt: string,
  ): Promise<Outcome> =>
    database.write(async (trx): Promise<Outcome> => {
      const current = decisions.count(item.id);
      if (base !== current) return { outcome: 'stale', current, base };
      if (basePanel !== null) {
        const panel = verdicts.writesOfItem(item.id);
        if (panel !== basePanel) return { outcome: 'stale-desk', current: panel, base: basePanel };
      }
      const status = itemStatus.get(item.id)!.status;
      const decision = decide(status);
      if (decision === null) return { outcome: 'wrong-status', status };
      const sequence = decisions.append(item.id, { ...decision, leadId: lead.id, note, createdAt });
      await consensus.refreshItem(trx, item.id, item.projectId, createdAt);
      return { outcome: 'stored', decision: { sequence, kind: decision.kind, lead: lead.username, final: decision.final, note, createdAt } };
    });

  function stored(itemId: number, result: Outcome, wrongStatus: (status: string) => ApiError): Decision {
    if (result.outcome === 'stale') {
      throw conflict(
        `Item ${itemId} has ${result.current} decision(s) on record, not ${result.base} as you saw it: someone decided meanwhile; reload the item`,
        'STALE_DECISION',
        { currentDecision: result.current },
      );
    }
    if (result.outcome === 'stale-desk') {
      throw conflict(
        `The panel's verdicts on item ${itemId} changed after your desk was loaded (${result.current - result.base} verdict revision(s) since): decide again on what the panel says now`,
        'STALE_DESK',
        { currentPanelVersion: result.current },
      );
    }
    if (result.outcome === 'wrong-status') throw wrongStatus(result.status);
    return result.decision;
  }

  return {
    async queue(projectId: number, query: { status: LeadQueueFilter; limit: number; offset: number }): Promise<LeadQueue> {
      const entry = findProject(projectId);
      const { rows, total } = queue.page(projectId, query.status, query.limit, query.offset);
      const now = iso(options.now());
      // Recomputed for the page (only how divided each item is is stored): the reasons are always current.
      const current = await Promise.all(rows.map((row) => consensus.current(database.queries, row.itemId, projectId, now)));
      return {
        total,
        items: rows.map((row, i) => {
          const original = entry.vocabulary.byIndex(row.originalClassIndex);
          return {
            itemId: row.itemId,
            imageId: row.imageId,
            file: row.file,
            previewUrl: imageUrls(projectId, row.imageId).previewUrl,
            originalLabel: { key: original?.key ?? String(row.originalClassIndex), name: original ? displayName(original) : '' },
            status: row.status,
            verdictCount: row.verdictCount,
            disputes: current[i]?.state.consensus.disputes ?? [],
            divisiveness: row.divisiveness,
            updatedAt: row.updatedAt,
          };
        }),
      };
    },

    /** The desk: a lead opening it has seen the panel (review.deskItem records it). */
    async desk(user: SessionUser, itemId: number): Promise<DeskItem> {
      const item = review.deskItem(user, itemId);
      // Awaits only SQLite's queries: no write lands between them and the reads below.
      const current = await consensus.current(database.queries, itemId, item.projectId, iso(options.now()));
      if (!current) throw notFound(`Item ${itemId} not found`);
      return {
        item,
        verdicts: verdicts.currentOfItem(itemId),
        consensus: current.state.consensus,
        final: current.state.final,
        decisions: decisions.ofItem(itemId),
        // Read in the same turn of the event loop as the verdicts above: no write can land in between.
        panelVersion: verdicts.writesOfItem(itemId),
      };
    },

    /** Finalizes a disputed item, or overrides an agreed or final one. */
    async decide(lead: SessionUser, itemId: number, request: ParsedDecision): Promise<Decision> {
      const { item, entry } = findItem(itemId);
      const top1 = entry.models.flatMap((model) => {
        const prediction = items.predictions(item.imageId, 1).find((p) => p.modelId === model.id);
        const cls = prediction ? entry.vocabulary.byIndex(prediction.classIndex) : undefined;
        return cls ? [{ name: model.name, top1Key: cls.key }] : [];
      });
      const issues = validateVerdict(request, {
        hasClass: (key) => entry.vocabulary.byKey(key) !== undefined,
        models: top1,
        mistakeCategories: entry.project.mistakeCategories,
      });
      if (issues.length > 0) {
        throw new ApiError(400, `Invalid decision: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, 'INVALID_DECISION', { issues });
      }
      const final: FinalLabels = { labels: request.labels, problematic: request.problematic, mistakes: request.mistakes };
      const result = await record(
        item,
        lead,
        request.baseDecision,
        request.basePanelVersion,
        (status) => (status === 'disputed' ? { kind: 'finalize', final } : status === 'agreed' || status === 'final' ? { kind: 'override', final } : null),
        request.note,
        iso(options.now()),
      );
      return stored(itemId, result, (status) =>
        conflict(`Item ${itemId} is ${status}: the lead decides once its panel is complete`, 'PANEL_INCOMPLETE', { status }),
      );
    },

    /** Puts an agreed or final item back to disputed: its final labels are withdrawn and experts may revise again. */
    async reopen(lead: SessionUser, itemId: number, request: ParsedReopen): Promise<Decision> {
      const { item } = findItem(itemId);
      const result = await record(
        item,
        lead,
        request.baseDecision,
        null,
        (status) => (status === 'agreed' || status === 'final' ? { kind: 'reopen', final: null } : null),
        request.note,
        iso(options.now()),
      );
      return stored(itemId, result, (status) => conflict(`Item ${itemId} is ${status}, not agreed or final: there is nothing to reopen`, 'ITEM_NOT_FINAL', { status }));
    },
  };
}
export type LeadService = ReturnType<typeof createLeadService>;
