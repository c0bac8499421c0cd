import type {
  Candidate,
  ClaimResponse,
  FinalLabels,
  GoldFeedback,
  ItemModel,
  Judgement,
  MyVerdictsPage,
  ParsedMyVerdictsQuery,
  ParsedVerdictRequest,
  ReviewItem,
  SessionUser,
  SubmittedVerdict,
  Verdict,
  VerdictDraft,
  VerdictDraftRequest,
  VocabularyClass,
} from '@bagel/contracts';
import { candidateClasses, candidatesWithModelsHidden, compareWithGold, displayName, isTop1OutsideAccepted, modelEvidenceCondition, pickDecoys, validateVerdict } from '@bagel/core';
import { sql } from 'kysely';
import type { Database, Queries } from '../../db/database';
import { lockRows } from '../../db/dialect';
import { ApiError, conflict, notFound } from '../../plugins/errors';
import { createConsensusService } from '../consensus/consensus.service';
import { createGoldRepository, type GoldProbe } from '../gold/gold.repository';
import { goldStep } from '../gold/gold-queue';
import { createImageSources, type ImageSources } from '../images/image-sources';
import { imageUrls } from '../images/image-urls';
import { projectCatalog, type CatalogProject } from '../projects/project-catalog';
import { createDraftsRepository } from './drafts.repository';
import { createIdempotencyRepository, newIdempotencySweeps, requestFingerprint } from './idempotency.repository';
import { createItemsRepository, type ItemRecord, type PredictionRecord } from './items.repository';
import { createPanelViewsRepository, type PanelViewVia } from './panel-views.repository';
import { createReviewQueueRepository } from './review-queue.repository';
import { createVerdictsRepository } from './verdicts.repository';

export interface ReviewServiceOptions {
  now: () => number;
  /** Where images are looked for; answered at once, without the network (image-sources.ts). */
  images?: Pick<ImageSources, 'available'>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** 409 PANEL_FULL: a first verdict (or a new claim) finds every slot of the panel taken by verdicts or others' live claims. */
function panelFull(itemId: number, room: { panelSize: number; verdicts: number; claimedByOthers: number }): ApiError {
  const held = room.claimedByOthers > 0 ? ` and ${room.claimedByOthers} reserved by other experts` : '';
  return conflict(
    `The panel of item ${itemId} is full: ${room.verdicts} of its ${room.panelSize} verdicts are in${held}. Your verdict was not stored (your reservation of the item had run out, or you never held one).`,
    'PANEL_FULL',
    { panelSize: room.panelSize, verdicts: room.verdicts, claimedByOthers: room.claimedByOthers },
  );
}

/** 409 PANEL_SEEN: whoever saw the panel's verdicts (a lead at the desk) does not join the panel afterwards. */
function panelSeen(itemId: number): ApiError {
  return conflict(
    `You have seen the panel's verdicts of item ${itemId} (at the lead's desk), so you cannot join its panel: blind review`,
    'PANEL_SEEN',
  );
}

/**
 * The review loop: next item, the item as one expert sees it, verdicts and skips. Roles are checked by the routes;
 * this layer answers not-found and conflicts, and enforces blind review: nothing it returns to an expert contains
 * another expert's verdict unless the expert has submitted their own.
 */
export function createReviewService(database: Database, options: ReviewServiceOptions) {
  const catalog = projectCatalog(database);
  const consensus = createConsensusService(database);
  // Answered at once, without the network: a remote source says what it learnt lately (image-source.ts).
  const images = options.images ?? createImageSources();
  const items = createItemsRepository(database.queries);
  const verdicts = createVerdictsRepository(database.queries);
  const panelViews = createPanelViewsRepository(database.queries);
  const idempotencySweeps = newIdempotencySweeps();

  /**
   * The verdict and the item's new aggregate are written together, in the write `trx` (which has locked the item's
   * row): the lead's queue and the dashboard are never behind the verdicts, and a failed aggregation stores no
   * verdict. The expert's draft of it has served its purpose.
   */
  async function appendAndAggregate(trx: Queries, item: ItemRecord, userId: number, verdict: ParsedVerdictRequest, now: number) {
    const createdAt = iso(now);
    const result = await createVerdictsRepository(trx).append(item.id, userId, verdict, createdAt, now);
    if (result.outcome !== 'stored') return result;
    await consensus.refreshItem(trx, item.id, item.projectId, createdAt);
    await createDraftsRepository(trx).remove(userId, item.id);
    return { ...result, createdAt };
  }

  /**
   * Records that the user is shown the panel's verdicts of the item (the first time only). Read first: the common case
   * (seen before) then takes no write. The write locks the item's row, as a verdict on it does (panel-views.repository).
   */
  async function recordPanelView(itemId: number, userId: number, via: PanelViewVia): Promise<void> {
    if ((await panelViews.firstSeenAt(itemId, userId)) !== null) return;
    const at = iso(options.now());
    await database.write(async (trx) => {
      await lockRows(trx, 'items', [itemId]);
      await createPanelViewsRepository(trx).record(itemId, userId, at, via);
    });
  }

  /**
   * An expert's answer to a gold item served to them: kept apart from the panel's verdicts (the item is final and
   * stays so), every revision, with the same checks and answers as a verdict (a stale base revision is 409
   * STALE_REVISION; the Idempotency-Key as for verdicts), so that nothing tells the expert the item is gold. Unless the
   * project's goldFeedback is on: then the answer carries how it compares with the gold answer (while the item is still
   * gold), kept with the Idempotency-Key's outcome so that a repeat answers the same.
   */
  async function submitGoldAnswer(
    user: SessionUser,
    entry: CatalogProject,
    itemId: number,
    verdict: ParsedVerdictRequest,
    fingerprint: string,
    idempotencyKey?: string,
  ): Promise<SubmittedVerdict> {
    const result = await database.write(async (trx) => {
      await lockRows(trx, 'items', [itemId]);
      return createIdempotencyRepository(trx, options.now, idempotencySweeps).once(user.id, idempotencyKey, fingerprint, async () => {
        const gold = createGoldRepository(trx);
        const current = await gold.currentRevision(itemId, user.id);
        if (verdict.baseRevision !== current) return { outcome: 'stale' as const, currentRevision: current };
        const createdAt = iso(options.now());
        await gold.appendAnswer(itemId, user.id, current + 1, verdict, createdAt);
        await createDraftsRepository(trx).remove(user.id, itemId);
        const answer = entry.project.goldFeedback ? await gold.answerOf(itemId) : null;
        return { outcome: 'stored' as const, revision: current + 1, createdAt, ...(answer ? { goldFeedback: goldFeedbackOf(entry, answer, verdict) } : {}) };
      });
    });
    if (result.outcome === 'stale') {
      throw conflict(
        `Your verdict on item ${itemId} is at revision ${result.currentRevision}, not ${verdict.baseRevision}: reload the item and revise the current revision`,
        'STALE_REVISION',
        { currentRevision: result.currentRevision },
      );
    }
    const { labels, problematic, mistakes, comment } = verdict;
    const stored = { itemId, expert: user.username, revision: result.revision, labels, problematic, mistakes, comment, createdAt: result.createdAt, afterSeeingPanel: false, modelsHidden: false };
    return result.goldFeedback ? { ...stored, goldFeedback: result.goldFeedback } : stored;
  }

  /** The feedback after a gold item: the expert's answer against the gold answer, each class by its display name. */
  function goldFeedbackOf(entry: CatalogProject, answer: FinalLabels, verdict: ParsedVerdictRequest): GoldFeedback {
    const comparison = compareWithGold(answer, verdict);
    return {
      ...comparison,
      classes: comparison.classes.map((c) => {
        const cls = entry.vocabulary.byKey(c.key);
        return { ...c, name: cls ? displayName(cls) : c.key };
      }),
    };
  }

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

  function classAt(entry: CatalogProject, index: number): VocabularyClass {
    const cls = entry.vocabulary.byIndex(index);
    // The import checks every class index against the vocabulary, so this is a corrupt database, not bad input.
    if (!cls) throw new Error(`project ${entry.project.id}: class index ${index} is not in its vocabulary`);
    return cls;
  }

  /** Predictions grouped by model, in manifest order; models without a prediction for the image are left out. */
  function predictionsByModel(entry: CatalogProject, predictions: PredictionRecord[]) {
    return entry.models.flatMap((model) => {
      const own = predictions.filter((p) => p.modelId === model.id);
      return own.length > 0 ? [{ model, predictions: own.map((p) => ({ ...p, cls: classAt(entry, p.classIndex) })) }] : [];
    });
  }

  // The classes the project's models confuse with an original label, most confused first: the decoys' pool. It never
  // changes after the import, so it is read once per project and class (a bounded cache).
  const decoyPools = new Map<string, string[]>();
  async function decoyPool(entry: CatalogProject, originalIndex: number): Promise<string[]> {
    const key = `${entry.project.id}:${originalIndex}`;
    const known = decoyPools.get(key);
    if (known) return known;
    const { rows } = await sql<{ class_idx: number; n: number }>`
      SELECT p.class_idx, count(*) AS n FROM images im JOIN predictions p ON p.image_id = im.id
      WHERE im.project_id = ${entry.project.id} AND im.original_class_idx = ${originalIndex} AND p.rank <= ${entry.project.topK} AND p.class_idx <> ${originalIndex}
      GROUP BY p.class_idx ORDER BY count(*) DESC, p.class_idx LIMIT 32`.execute(database.queries);
    const pool = rows.flatMap((row) => {
      const cls = entry.vocabulary.byIndex(Number(row.class_idx));
      return cls ? [cls.key] : [];
    });
    if (decoyPools.size >= 10_000) decoyPools.clear();
    decoyPools.set(key, pool);
    return pool;
  }

  /** The decoys the user is shown on the item while its models are hidden from them (none when the project has none). */
  async function decoysOf(entry: CatalogProject, item: ItemRecord, userId: number, listed: ReadonlySet<string>): Promise<string[]> {
    if (entry.project.decoys === 0) return [];
    return pickDecoys(await decoyPool(entry, item.originalClassIndex), listed, entry.project.decoys, item.id, userId);
  }

  /** The expert's gold probe of the item (goldStep), or null: leads and admins are never served gold. */
  function probeFor(itemId: number, user: SessionUser, db: Queries = database.queries): Promise<GoldProbe | null> {
    return user.role === 'expert' ? createGoldRepository(db).probeOf(itemId, user) : Promise.resolve(null);
  }

  /**
   * The item as `user` sees it: only their own verdict, and only the classes they added themselves, unless
   * `addedKeys` is given (the lead's desk lists the classes every expert added, and shows the models).
   *
   * Anchoring control: in the hidden condition of the project's modelEvidence (modelEvidenceCondition), a reviewer
   * who has neither a verdict on the item nor asked for its models yet (a reveal, after judging every candidate) gets
   * the candidates in a random order fixed for them, and nothing that says where a class comes from: no models, no
   * original or accepted label, no sources, no file name (ImageNet's training files are named after their class).
   */
  async function reviewItem(item: ItemRecord, entry: CatalogProject, user: SessionUser, addedKeys?: readonly string[]): Promise<ReviewItem> {
    return (await viewItem(item, entry, user, addedKeys)).view;
  }

  /** reviewItem, with the decoys among its candidates (the reveal keeps their judgements apart). */
  async function viewItem(item: ItemRecord, entry: CatalogProject, user: SessionUser, addedKeys?: readonly string[]): Promise<{ view: ReviewItem; decoys: string[] }> {
    const { project, vocabulary } = entry;
    // What the item is and what the user has of it, read together (they agree with each other as of one moment).
    const now = options.now();
    const [acceptedIndices, predictions, extraCandidates, state] = await database.snapshot((trx) => {
      const items = createItemsRepository(trx);
      return Promise.all([
        items.acceptedClassIndices(item.imageId),
        items.predictions(item.imageId, project.topK),
        items.extraCandidates(item.id),
        items.reviewerState(item.id, user.id, now),
      ]);
    });
    if (!state) throw notFound(`Item ${item.id} not found`);
    // A gold item served to this expert (goldStep) shows as any item in review does: open until they answer, in
    // review after, with their answer as their verdict, their reservation as a claim, and nothing of the panel.
    const probe = addedKeys === undefined ? await probeFor(item.id, user) : null;
    const { draft: myDraft, modelsRevealedAt } = state;
    const myVerdict = probe ? probe.answer : state.verdict;
    const panelSeenAt = probe ? null : state.panelSeenAt;
    const claimExpiresAt = probe ? (probe.answer === null && !probe.skipped && probe.expiresAt > now ? probe.expiresAt : null) : state.claimExpiresAt;
    const status = probe ? (probe.answer ? 'in_review' : 'open') : item.status;
    const modelsHidden =
      addedKeys === undefined &&
      user.role !== 'admin' &&
      myVerdict === null &&
      modelsRevealedAt === null &&
      modelEvidenceCondition(project.modelEvidence, item.id, user.id) === 'hidden';
    const original = classAt(entry, item.originalClassIndex);
    const accepted = acceptedIndices.map((index) => classAt(entry, index));
    const acceptedKeys = new Set(accepted.map((c) => c.key));
    const models: ItemModel[] = predictionsByModel(entry, predictions).map(({ model, predictions }) => {
      const shown = predictions.map((p) => ({ rank: p.rank, key: p.cls.key, index: p.cls.index, name: displayName(p.cls), score: p.score }));
      return {
        model: model.name,
        displayName: model.displayName,
        illustrative: model.illustrative,
        predictions: shown,
        top1IsMistake: isTop1OutsideAccepted({ model: model.name, predictions: shown }, acceptedKeys),
      };
    });
    const candidates: Candidate[] = candidateClasses({
      originalKey: original.key,
      acceptedKeys: [...acceptedKeys],
      models: models.map((m) => ({ model: m.model, predictions: m.predictions })),
      extraCandidates: extraCandidates.map(({ classIndex, source }) => ({ key: classAt(entry, classIndex).key, source })),
      addedKeys: addedKeys ?? (myVerdict ? Object.keys(myVerdict.labels) : []),
    }).flatMap(({ key, sources }) => {
      const cls = vocabulary.byKey(key);
      return cls ? [{ key, index: cls.index, names: cls.names, gloss: cls.gloss, sources }] : [];
    });

    // Decoys (docs/AGGREGATION.md, "Decoys"): only while the models are hidden, where nothing says where a candidate
    // comes from; shuffled in with the others.
    const decoys = modelsHidden ? await decoysOf(entry, item, user.id, new Set([...candidates.map((c) => c.key), ...acceptedKeys])) : [];
    const decoyCandidates: Candidate[] = decoys.flatMap((key) => {
      const cls = vocabulary.byKey(key);
      return cls ? [{ key, index: cls.index, names: cls.names, gloss: cls.gloss, sources: [] }] : [];
    });
    const { previewUrl, originalUrl } = imageUrls(project.id, item.imageId);
    const view: ReviewItem = {
      id: item.id,
      projectId: project.id,
      status,
      image: {
        id: item.imageId,
        file: modelsHidden ? '' : item.file,
        missing: item.missingAtImport || !images.available(project.imageDir, item.file),
        previewUrl,
        originalUrl,
      },
      originalLabel: modelsHidden ? null : { key: original.key, index: original.index, names: original.names, gloss: original.gloss },
      acceptedLabels: modelsHidden ? [] : [...acceptedKeys],
      candidates: modelsHidden ? candidatesWithModelsHidden([...candidates, ...decoyCandidates], item.id, user.id) : candidates,
      models: modelsHidden ? [] : models,
      modelEvidence: { hidden: modelsHidden, revealedAt: modelsRevealedAt },
      mistakeCategories: project.mistakeCategories,
      myVerdict,
      myDraft,
      claimExpiresAt: claimExpiresAt === null ? null : iso(claimExpiresAt),
      panelSeenAt,
    };
    return { view, decoys };
  }

  return {
    /** The user's next item of the project (other than `after`), claimed for them, or null when nothing is left for them. */
    async next(user: SessionUser, projectId: number, after?: number): Promise<ReviewItem | null> {
      const entry = await findProject(projectId);
      const now = options.now();
      // The claim is taken in a write of its own (review-queue.repository: how it holds with concurrent experts).
      // The gold step first (gold-queue.ts: a gold item at about the project's gold rate), then the queue.
      const claim = await database.write(async (trx) => {
        const gold = user.role === 'expert' ? await goldStep(trx, user.id, entry.project, now, after) : null;
        return gold !== null ? { itemId: gold } : createReviewQueueRepository(trx).claimNext(user.id, entry.project, now, after);
      });
      if (!claim) return null;
      const { item } = await findItem(claim.itemId);
      return reviewItem(item, entry, user);
    },

    async item(user: SessionUser, itemId: number): Promise<ReviewItem> {
      const { item, entry } = await findItem(itemId);
      return reviewItem(item, entry, user);
    },

    /**
     * The item for the lead's desk: its candidates include every class any expert's current verdict judges. The desk
     * shows the panel, so a lead opening it has seen the panel (recorded: they do not join this panel afterwards).
     */
    async deskItem(user: SessionUser, itemId: number): Promise<ReviewItem> {
      const { item, entry } = await findItem(itemId);
      if (user.role !== 'admin') await recordPanelView(item.id, user.id, 'desk');
      const added = (await verdicts.currentOfItem(itemId)).flatMap((v) => Object.keys(v.labels));
      return reviewItem(item, entry, user, added);
    },

    /**
     * Blind review: an expert sees the panel's verdicts only once they have given their own; leads and admins see all.
     * The first answer that holds another reviewer's verdict is recorded for a reviewer (not an admin, who never
     * judges): their later revisions are marked as made after seeing the panel, and a lead who has no verdict on the
     * item does not join its panel.
     */
    async verdictsVisibleTo(user: SessionUser, itemId: number): Promise<Verdict[]> {
      await findItem(itemId);
      // A gold item's expert was its only judge, as far as they can tell: their own answer, once given.
      const probe = await probeFor(itemId, user);
      if (probe) return probe.answer ? [probe.answer] : [];
      if (user.role === 'expert' && (await verdicts.currentRevision(itemId, user.id)) === 0) return [];
      const all = await verdicts.currentOfItem(itemId);
      if (user.role !== 'admin' && all.some((v) => v.expert !== user.username)) await recordPanelView(itemId, user.id, 'verdicts');
      return all;
    },

    /**
     * The expert has judged every candidate with the models hidden: their judgements are kept as they are (the first
     * time only; the anchoring measure reads them) and the item is answered with its models, to grade their mistakes.
     * An item whose models the user already sees is answered as it is. 400 CANDIDATES_NOT_JUDGED while a candidate
     * shown lacks a judgement, UNKNOWN_CLASS for a key outside the vocabulary.
     */
    async reveal(user: SessionUser, itemId: number, labels: Record<string, Judgement>): Promise<ReviewItem> {
      const { item, entry } = await findItem(itemId);
      const { view: seen, decoys: decoyKeys } = await viewItem(item, entry, user);
      if (!seen.modelEvidence.hidden) return seen;
      const unknown = Object.keys(labels).filter((key) => entry.vocabulary.byKey(key) === undefined);
      if (unknown.length > 0) {
        throw new ApiError(400, `Not classes of the project's vocabulary: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`, 'UNKNOWN_CLASS', {
          keys: unknown.slice(0, 100),
        });
      }
      const missing = seen.candidates.filter((candidate) => labels[candidate.key] === undefined).map((candidate) => candidate.key);
      if (missing.length > 0) {
        throw new ApiError(
          400,
          `Judge every candidate before the models are shown: ${missing.length} of the ${seen.candidates.length} candidates have no judgement (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})`,
          'CANDIDATES_NOT_JUDGED',
          { missing },
        );
      }
      const revealedAt = iso(options.now());
      // The decoys' judgements are kept apart (the false-accept measure) and out of the judgements kept.
      const decoys = new Set(decoyKeys);
      const judged = Object.fromEntries(Object.entries(labels).filter(([key]) => !decoys.has(key)));
      await database.write(async (trx) => {
        const stored = await trx
          .insertInto('model_reveals')
          .values({ item_id: item.id, user_id: user.id, labels: JSON.stringify(judged), revealed_at: revealedAt })
          .onConflict((conflict) => conflict.columns(['item_id', 'user_id']).doNothing())
          .returning('item_id')
          .execute();
        if (stored.length > 0 && decoys.size > 0) {
          await trx
            .insertInto('decoy_judgements')
            .values([...decoys].map((key) => ({ item_id: item.id, user_id: user.id, class_key: key, judgement: labels[key]!, judged_at: revealedAt })))
            .execute();
        }
      });
      return reviewItem(item, entry, user);
    },

    /** Takes or renews the user's claim on the item (see ReviewQueueRepository.claim). */
    async claim(user: SessionUser, itemId: number): Promise<ClaimResponse> {
      const { item, entry } = await findItem(itemId);
      const now = options.now();
      const probe = await probeFor(item.id, user);
      if (probe) {
        // A gold item is reserved as a claim is: renewed while the expert works on it.
        if (probe.answer) throw conflict(`You have given your verdict on item ${item.id}: revising it needs no claim`, 'ALREADY_JUDGED');
        const expiresAt = now + entry.project.claimMs;
        await database.write((trx) => createGoldRepository(trx).renew(item.id, user.id, expiresAt));
        return { itemId: item.id, claimExpiresAt: iso(expiresAt), expiresInSeconds: Math.max(1, Math.floor(entry.project.claimMs / 1000)) };
      }
      // In a write of its own, which locks the item's row before counting its slots (review-queue.repository).
      const result = await database.write((trx) => createReviewQueueRepository(trx).claim(item.id, user.id, now));
      switch (result.outcome) {
        case 'claimed':
          return { itemId: item.id, claimExpiresAt: iso(result.expiresAt), expiresInSeconds: Math.max(1, Math.floor(result.claimMs / 1000)) };
        case 'not-found':
          throw notFound(`Item ${itemId} not found`);
        case 'judged':
          throw conflict(`You have given your verdict on item ${item.id}: revising it needs no claim`, 'ALREADY_JUDGED');
        case 'final':
          throw conflict(`Item ${item.id} is ${result.status}: it takes no more verdicts unless the lead reopens it`, 'ITEM_FINAL');
        case 'panel-seen':
          throw panelSeen(item.id);
        case 'panel-full':
          throw panelFull(item.id, result);
        case 'too-many-claims':
          throw conflict(
            `You already hold ${result.held} other items of this project (the one you judge and the one claimed ahead): judge or skip one first`,
            'TOO_MANY_CLAIMS',
          );
      }
    },

    /**
     * With an `idempotencyKey`, a repeat of the same request (same user, key, item and body) answers as the first did
     * and stores nothing more; the key with another request is 422 IDEMPOTENCY_KEY_REUSED.
     */
    async submitVerdict(user: SessionUser, itemId: number, verdict: ParsedVerdictRequest, idempotencyKey?: string): Promise<SubmittedVerdict> {
      const { item, entry } = await findItem(itemId);
      const top1 = predictionsByModel(entry, await items.predictions(item.imageId, 1));
      const issues = validateVerdict(verdict, {
        hasClass: (key) => entry.vocabulary.byKey(key) !== undefined,
        models: top1.map(({ model, predictions }) => ({ name: model.name, top1Key: predictions[0]!.cls.key })),
        mistakeCategories: entry.project.mistakeCategories,
      });
      if (issues.length > 0) {
        throw new ApiError(400, `Invalid verdict: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, 'INVALID_VERDICT', { issues });
      }
      const fingerprint = requestFingerprint(`POST verdict of item ${item.id}`, verdict);
      // The decoys the expert judged before the models were shown stay out of their verdict: never counted in a label.
      const decoys = new Set(
        (await database.queries.selectFrom('decoy_judgements').select('class_key').where('item_id', '=', item.id).where('user_id', '=', user.id).execute()).map((row) => row.class_key),
      );
      if (decoys.size > 0) verdict = { ...verdict, labels: Object.fromEntries(Object.entries(verdict.labels).filter(([key]) => !decoys.has(key))) };
      if (await probeFor(item.id, user)) return submitGoldAnswer(user, entry, item.id, verdict, fingerprint, idempotencyKey);
      const result = await database.write(async (trx) => {
        // The item's row is locked first (a no-op on SQLite, where one write runs at a time): on PostgreSQL, the
        // checks that follow (the current revision, a free panel slot, the item's status) then hold until this
        // write commits, and a concurrent verdict, decision or draft save on the item waits for it. The key is taken
        // next, before anything is written (idempotency.repository: exactly once on both engines).
        await lockRows(trx, 'items', [item.id]);
        return createIdempotencyRepository(trx, options.now, idempotencySweeps).once(user.id, idempotencyKey, fingerprint, () =>
          appendAndAggregate(trx, item, user.id, verdict, options.now()),
        );
      });
      if (result.outcome === 'panel-full') throw panelFull(item.id, result);
      if (result.outcome === 'panel-seen') throw panelSeen(item.id);
      if (result.outcome === 'final') {
        throw conflict(`Item ${item.id} is final (agreed or decided); its verdicts can no longer change unless the lead reopens it`, 'ITEM_FINAL');
      }
      if (result.outcome === 'stale') {
        throw conflict(
          `Your verdict on item ${item.id} is at revision ${result.currentRevision}, not ${verdict.baseRevision}: reload the item and revise the current revision`,
          'STALE_REVISION',
          { currentRevision: result.currentRevision },
        );
      }
      const { labels, problematic, mistakes, comment } = verdict;
      return {
        itemId: item.id,
        expert: user.username,
        revision: result.revision,
        labels,
        problematic,
        mistakes,
        comment,
        createdAt: result.createdAt,
        afterSeeingPanel: result.afterSeeingPanel,
        modelsHidden: result.modelsHidden,
      };
    },

    /** The user's own draft on the item; 404 NO_DRAFT when they have none (whoever else has one: blind review). */
    async draftOf(user: SessionUser, itemId: number): Promise<VerdictDraft> {
      await findItem(itemId);
      const draft = await createDraftsRepository(database.queries).ofUser(user.id, itemId);
      if (!draft) throw new ApiError(404, `You have no draft on item ${itemId}`, 'NO_DRAFT');
      return draft;
    },

    /**
     * Saves the user's draft on the item, replacing theirs. 409 DRAFT_STALE when it revises another revision than their
     * current one: a verdict was stored since (the draft's own submission, or one from another device).
     */
    async saveDraft(user: SessionUser, itemId: number, draft: VerdictDraftRequest): Promise<VerdictDraft> {
      const { item } = await findItem(itemId);
      const updatedAt = iso(options.now());
      return database.write(async (trx) => {
        // The item's row first, as a verdict locks it: a verdict stored at the same moment either comes before this
        // check (the draft is refused) or after the save (and deletes the draft), on PostgreSQL too.
        await lockRows(trx, 'items', [item.id]);
        const probe = await probeFor(item.id, user, trx);
        const current = probe ? await createGoldRepository(trx).currentRevision(item.id, user.id) : await createVerdictsRepository(trx).currentRevision(item.id, user.id);
        if (draft.baseRevision !== current) {
          throw conflict(
            `Your verdict on item ${item.id} is at revision ${current}, not ${draft.baseRevision}: this draft revises an earlier one and was not saved`,
            'DRAFT_STALE',
            { currentRevision: current },
          );
        }
        return createDraftsRepository(trx).save(user.id, item.id, draft, updatedAt);
      });
    },

    async deleteDraft(user: SessionUser, itemId: number): Promise<void> {
      const { item } = await findItem(itemId);
      await database.write((trx) => createDraftsRepository(trx).remove(user.id, item.id));
    },

    /** The user's own verdicts in the project, most recent first: theirs only, so blind review holds. */
    async myVerdicts(user: SessionUser, projectId: number, query: ParsedMyVerdictsQuery): Promise<MyVerdictsPage> {
      const entry = await findProject(projectId);
      // The count and the page in one snapshot, so that they agree. An expert's answers to gold items are among their
      // verdicts, as items in review (the page is merged from both lists, most recent first).
      const { total, rows } = await database.snapshot(async (trx) => {
        if (user.role !== 'expert') return createVerdictsRepository(trx).pageOfUserInProject(user.id, projectId, query.offset, query.limit);
        const gold = await createGoldRepository(trx).answersOfUserInProject(user.id, projectId, query.offset + query.limit);
        if (gold.total === 0) return createVerdictsRepository(trx).pageOfUserInProject(user.id, projectId, query.offset, query.limit);
        const panel = await createVerdictsRepository(trx).pageOfUserInProject(user.id, projectId, 0, query.offset + query.limit);
        const merged = [...panel.rows, ...gold.rows].sort((a, b) => (a.created_at === b.created_at ? b.item_id - a.item_id : a.created_at < b.created_at ? 1 : -1));
        return { total: panel.total + gold.total, rows: merged.slice(query.offset, query.offset + query.limit) };
      });
      const named = (cls: VocabularyClass) => ({ key: cls.key, name: displayName(cls) });
      return {
        total,
        offset: query.offset,
        limit: query.limit,
        rows: rows.map((row) => {
          const labels = JSON.parse(row.labels) as Record<string, Judgement>;
          return {
            itemId: row.item_id,
            imageId: row.image_id,
            file: row.file,
            previewUrl: imageUrls(projectId, row.image_id).thumbnailUrl,
            originalLabel: named(classAt(entry, row.original_class_idx)),
            status: row.status,
            revision: row.revision,
            submittedAt: row.created_at,
            correct: Object.keys(labels)
              .filter((key) => labels[key] === 'correct')
              .flatMap((key) => {
                const cls = entry.vocabulary.byKey(key);
                return cls ? [named(cls)] : [];
              }),
            problematic: row.problematic === 1,
            comment: row.comment,
            // As verdicts.append decides: an agreed item is final too, until the lead reopens it.
            revisable: row.status !== 'agreed' && row.status !== 'final',
          };
        }),
      };
    },

    async skip(user: SessionUser, itemId: number): Promise<void> {
      const { item } = await findItem(itemId);
      const skippedAt = iso(options.now());
      if (await probeFor(item.id, user)) {
        // Skipped, a gold item is not served to the expert again (nor any gold item twice).
        await database.write((trx) => createGoldRepository(trx).skip(item.id, user.id, skippedAt));
        return;
      }
      await database.write((trx) => createReviewQueueRepository(trx).skip(item.id, user.id, skippedAt));
    },
  };
}
export type ReviewService = ReturnType<typeof createReviewService>;
