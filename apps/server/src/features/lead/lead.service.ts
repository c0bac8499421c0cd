import { LeadDecisionRequest, ReopenRequest, type Decision, type DeskItem, type FinalLabels, type LeadQueue, type SessionUser } from '@bagel/contracts';
import { displayName, validateVerdict } from '@bagel/core';
import type { z } from 'zod';
import type { Database } from '../../db/database';
import { lockRows } from '../../db/dialect';
import { ApiError, conflict, notFound } from '../../plugins/errors';
import { createConsensusService } from '../consensus/consensus.service';
import { imageUrls } from '../images/image-urls';
import { projectCatalog, type CatalogProject } from '../projects/project-catalog';
import { createItemsRepository, type ItemRecord } from '../review/items.repository';
import { createReviewService, type ReviewServiceOptions } from '../review/review.service';
import { createVerdictsRepository } from '../review/verdicts.repository';
import { createGoldRepository } from '../gold/gold.repository';
import { createDecisionsRepository } from './decisions.repository';
import { createLeadQueueRepository, type LeadQueueFilter } from './lead-queue.repository';

export interface LeadServiceOptions {
  now: () => number;
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
export function createLeadService(database: Database, options: LeadServiceOptions) {
  const catalog = projectCatalog(database);
  const consensus = createConsensusService(database);
  const items = createItemsRepository(database.queries);
  const review = createReviewService(database, options);

  async function findProject(projectId: number): Promise<CatalogProject> {
    const entry = await catalog.get(projectId);
    if (!entry) throw notFound(`Project ${projectId} not found`);
    return entry;
  }

  async function findItem(itemId: number): Promise<{ item: ItemRecord; entry: CatalogProject }> {
    const item = await items.findById(itemId);
    if (!item) throw notFound(`Item ${itemId} not found`);
    return { item, entry: await findProject(item.projectId) };
  }

  /**
   * Appends the decision `decide` makes of the item's status (null: not allowed then), unless someone decided since
   * `base`, or (when `basePanel` is given) a verdict was written since the desk showed `basePanel` revisions; the item
   * is re-aggregated in the same write.
   */
  function record(
    item: ItemRecord,
    lead: SessionUser,
    base: number,
    basePanel: number | null,
    decide: (status: string) => { kind: Decision['kind']; final: FinalLabels | null } | null,
    note: string,
    createdAt: string,
  ): Promise<Outcome> {
    return database.write(async (trx) => {
      // The item's row is locked before anything is checked (a no-op on SQLite, where one write runs at a time): on
      // PostgreSQL, another lead's decision and every verdict on the item wait until this write commits, so the
      // decision count (STALE_DECISION), the panel version (STALE_DESK) and the status checked here are those the
      // decision is recorded on.
      await lockRows(trx, 'items', [item.id]);
      const decisions = createDecisionsRepository(trx);
      const state = await decisions.state(item.id);
      if (!state) throw notFound(`Item ${item.id} not found`);
      if (base !== state.decisions) return { outcome: 'stale', current: state.decisions, base };
      if (basePanel !== null && state.panelVersion !== basePanel) return { outcome: 'stale-desk', current: state.panelVersion, base: basePanel };
      const decision = decide(state.status);
      if (decision === null) return { outcome: 'wrong-status', status: state.status };
      const sequence = state.decisions + 1;
      await decisions.append(item.id, sequence, { ...decision, leadId: lead.id, note, createdAt });
      await consensus.refreshItem(trx, item.id, item.projectId, createdAt);
      return { outcome: 'stored', decision: { sequence, kind: decision.kind, lead: lead.username, final: decision.final, note, createdAt } };
    });
  }

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
      const entry = await findProject(projectId);
      const now = iso(options.now());
      // The page, its count and the page's current disputes in one snapshot, so that they agree.
      const { rows, total, current } = await database.snapshot(async (trx) => {
        const page = await createLeadQueueRepository(trx).page(projectId, query.status, query.limit, query.offset);
        // Recomputed for the page (only how divided each item is is stored): the reasons are always current.
        const current = await Promise.all(page.rows.map((row) => consensus.current(trx, row.itemId, projectId, now)));
        return { ...page, current };
      });
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
      const item = await review.deskItem(user, itemId);
      // The panel, its aggregate, the decisions and the panel's version in one snapshot: the version a decision sends
      // back (basePanelVersion) is that of the verdicts shown, whatever lands meanwhile.
      const panel = await database.snapshot(async (trx) => {
        const current = await consensus.current(trx, itemId, item.projectId, iso(options.now()));
        const verdicts = createVerdictsRepository(trx);
        const [currentVerdicts, decisions, panelVersion] = await Promise.all([verdicts.currentOfItem(itemId), createDecisionsRepository(trx).ofItem(itemId), verdicts.writesOfItem(itemId)]);
        return { current, currentVerdicts, decisions, panelVersion };
      });
      if (!panel.current) throw notFound(`Item ${itemId} not found`);
      return {
        item,
        verdicts: panel.currentVerdicts,
        consensus: panel.current.state.consensus,
        final: panel.current.state.final,
        decisions: panel.decisions,
        panelVersion: panel.panelVersion,
        gold: await createGoldRepository(database.queries).goldOf(itemId),
      };
    },

    /** Finalizes a disputed item, or overrides an agreed or final one. */
    async decide(lead: SessionUser, itemId: number, request: ParsedDecision): Promise<Decision> {
      const { item, entry } = await findItem(itemId);
      const top1Predictions = await items.predictions(item.imageId, 1);
      const top1 = entry.models.flatMap((model) => {
        const prediction = top1Predictions.find((p) => p.modelId === model.id);
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
      const { item } = await findItem(itemId);
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
