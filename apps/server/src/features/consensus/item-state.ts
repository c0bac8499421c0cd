import type { Aggregation, FinalLabels, ItemStatus, Judgement, MistakeGrade, PanelQuorum, ProblematicFlag, Severity } from '@bagel/contracts';
import {
  aggregatePanel,
  decidePanelNext,
  DEFAULT_POSTERIOR_BAND,
  initialPanelModel,
  isMajorSliceImage,
  panelClassPosteriors,
  type PanelConfusionModel,
  type PanelConsensus,
  type PanelPolicy,
} from '@bagel/core';
import { addUnit, emptyAgreementSums, type AgreementSums } from './agreement-sums';
import { hasCorrect, isAcceptable, mergeFinal, type Judgements } from './image-labels';

/** One expert's current verdict, as aggregation and the dashboard's sums need it. */
export interface ContextVerdict {
  userId: number;
  /** Tells the experts apart for aggregatePanel (the user id as text: names play no part in the aggregate). */
  expert: string;
  labels: Readonly<Record<string, Judgement>>;
  problematic: ProblematicFlag | null;
  mistakes: Readonly<Record<string, MistakeGrade>>;
}

export interface ContextDecision {
  kind: 'finalize' | 'override' | 'reopen';
  /** The decided labels; null for a reopen. */
  final: FinalLabels | null;
  createdAt: string;
}

/** Everything an item's state is computed from. */
export interface ItemContext {
  itemId: number;
  projectId: number;
  imageId: number;
  originalClassIndex: number;
  /** The status stored before this computation. */
  status: ItemStatus;
  /** The item's candidate class keys in display order: original label, accepted labels, every model's top-k. */
  candidates: string[];
  /** Every model of the project in manifest order, with its top-1 on the image (null when it gave none). */
  models: { id: number; name: string; top1Key: string | null }[];
  /** The image's labels before the panel's (image-labels.ts, baseJudgements). */
  baseLabels: Judgements;
  /** The image was flagged problematic by the prior labels imported with the project. */
  priorProblematic: boolean;
  /** Each expert's current verdict (their latest revision): aggregation, status and final labels use these. */
  verdicts: ContextVerdict[];
  /**
   * Each expert's blind verdict, in the same order: their latest revision stored before they saw the panel's
   * verdicts (the current one unless they revised after seeing it; then the very array `verdicts`). The agreement
   * figures use these, so that a copy of the panel does not count as agreement.
   */
  blindVerdicts: ContextVerdict[];
  /** The decision in force (the latest), if any. */
  latestDecision: ContextDecision | null;
  /**
   * What is stored of the item before this computation: its final labels and since when (kept when they do not
   * change), and what its share of the project totals is made of (project-totals.ts: outcomes and raters as JSON, the
   * agreement sums, its place in the Major slice), to take out when the item changes.
   */
  previous: {
    final: string | null;
    finalAt: string | null;
    outcomes: string | null;
    raters: string;
    agreement: AgreementSums;
    majorSlice: boolean;
  } | null;
}

export interface PanelSettings {
  panelSize: number;
  quorum: PanelQuorum;
  /** How many experts an item gets (docs/AGGREGATION.md, "Adaptive panels"). */
  panel: PanelPolicy;
  /** How the verdicts become final labels (docs/AGGREGATION.md, "Dawid–Skene aggregation of the panel"). */
  aggregation: Aggregation;
  /** Under dawid-skene: the model in force; null, core's initial model (before the first estimation). */
  confusion: PanelConfusionModel | null;
}

const INITIAL_MODEL = initialPanelModel();

/** How a model fares on the item before and with its final labels (a row of item_model_outcomes). */
export interface ModelOutcome {
  modelId: number;
  base: Outcome;
  final: Outcome;
  /** Of the mistake under the final labels: its grade, `ungraded` when the final labels give none; null: no mistake. */
  severity: Severity | 'ungraded' | null;
  category: string | null;
}

export interface Outcome {
  /** The image counts in multi-label accuracy (the model ranks it, and it is not problematic). */
  counted: boolean;
  /** Counted, and the top-1 is judged correct or unclear. */
  hit: boolean;
  /** The image counts in ReaL accuracy: the model ranks it, not problematic and at least one class judged correct. */
  realCounted: boolean;
  realHit: boolean;
  /** Counted and not a hit (and the model gave a top-1): a mistake. */
  mistake: boolean;
}

export interface ItemState {
  status: ItemStatus;
  consensus: PanelConsensus;
  /** The labels in force: the latest decision's, or the aggregate of an agreed panel; null otherwise. */
  final: FinalLabels | null;
  finalJson: string | null;
  finalAt: string | null;
  divisiveness: number;
  /** The final labels leave the image out of evaluation. */
  problematic: boolean;
  /** Every model of the project makes a Major mistake on the image under the final labels. */
  majorSlice: boolean;
  /** The models (ids) whose top-1 is a Major mistake under the final labels. */
  majorModels: number[];
  /** Over the blind verdicts (ItemContext.blindVerdicts). */
  agreement: AgreementSums;
  /** Per model, only when the item has final labels. */
  outcomes: ModelOutcome[];
  /** Per blind verdict: its class judgements equal to the final labels, out of those the final labels judge. */
  raters: { userId: number; agreements: number; compared: number }[];
}

/**
 * The state of an item from its verdicts and decisions (docs/AGGREGATION.md, "Lifecycle and the lead"):
 * - the latest decision, if any, is in force: finalize or override → `final` with its labels; reopen → `disputed`,
 *   without final labels, until the lead decides again (even if the panel now agrees);
 * - otherwise the panel decides, under the project's panel policy (decidePanelNext): no verdict → `open`; more
 *   experts needed (a fixed panel: fewer verdicts than its size; an adaptive one: fewer than min, or fewer than max
 *   that do not settle it) → `in_review`; final → `agreed` (final automatically: the final labels are the
 *   aggregate); the lead's → `disputed`.
 */
export function computeItemState(ctx: ItemContext, settings: PanelSettings, now: string): ItemState {
  const input = (verdicts: ContextVerdict[]) => ({
    verdicts,
    candidates: ctx.candidates,
    models: ctx.models.flatMap((m) => (m.top1Key === null ? [] : [{ name: m.name, top1Key: m.top1Key }])),
    panelSize: settings.panelSize,
    quorum: settings.quorum,
  });
  const panel = (verdicts: ContextVerdict[]) => aggregatePanel(input(verdicts));
  // Under dawid-skene each class is decided by its posterior under the model in force (only this item's, computed
  // here: the model itself is estimated in the background); the flag and the grades keep the quorum.
  const current =
    settings.aggregation === 'dawid-skene'
      ? {
          ...input(ctx.verdicts),
          posteriors: { of: panelClassPosteriors(settings.confusion ?? INITIAL_MODEL, { originalKey: ctx.candidates[0] ?? '', verdicts: ctx.verdicts }), ...DEFAULT_POSTERIOR_BAND },
        }
      : input(ctx.verdicts);
  // A fixed policy's decision is made on aggregatePanel's answer itself. An adaptive item that needs more experts
  // reads `incomplete` whatever its aggregate over the verdicts in says: it is not the lead's yet, and its disputes
  // are no dispute kinds of the item browser until the panel is done.
  const decided = decidePanelNext(settings.panel, current);
  const consensus: PanelConsensus =
    decided.next === 'more-experts' && decided.consensus.status !== 'incomplete' ? { ...decided.consensus, status: 'incomplete' } : decided.consensus;
  // Agreement is between blind verdicts: the votes of the same aggregation over them (computed again only when some
  // expert revised after seeing the panel).
  const blindClasses = ctx.blindVerdicts === ctx.verdicts ? consensus.classes : panel(ctx.blindVerdicts).classes;

  let status: ItemStatus;
  let final: FinalLabels | null = null;
  let finalAt: string | null = null;
  const decision = ctx.latestDecision;
  if (decision && decision.kind !== 'reopen') {
    status = 'final';
    final = decision.final;
    finalAt = decision.createdAt;
  } else if (decision) {
    status = 'disputed';
  } else if (ctx.verdicts.length === 0) {
    status = 'open';
  } else if (consensus.status === 'incomplete') {
    status = 'in_review';
  } else if (consensus.status === 'agreed') {
    status = 'agreed';
    final = finalFromConsensus(consensus);
  } else {
    status = 'disputed';
  }
  const finalJson = final === null ? null : JSON.stringify(final);
  if (final !== null && finalAt === null) {
    finalAt = ctx.previous?.final === finalJson && ctx.previous.finalAt !== null ? ctx.previous.finalAt : now;
  }

  const agreement = emptyAgreementSums();
  for (const c of blindClasses) addUnit(agreement, c.votes, settings.panelSize);

  const outcomes = final === null ? [] : modelOutcomes(ctx, final);
  const problematic = final !== null && final.problematic !== null;
  const majorSlice =
    final !== null &&
    !problematic &&
    isMajorSliceImage(outcomes.map((o) => (o.severity === 'ungraded' ? null : o.severity)));

  const finalLabels = final?.labels;
  const raters = ctx.blindVerdicts.map((v) => {
    let agreements = 0;
    let compared = 0;
    if (finalLabels !== undefined) {
      // Verdict labels are plain JSON objects: for-in sees exactly their own keys.
      for (const key in v.labels) {
        const decided = finalLabels[key];
        if (decided === undefined || !Object.hasOwn(finalLabels, key)) continue;
        compared++;
        if (decided === v.labels[key]) agreements++;
      }
    }
    return { userId: v.userId, agreements, compared };
  });

  return {
    status,
    consensus,
    final,
    finalJson,
    finalAt,
    divisiveness: divisiveness(consensus),
    problematic,
    majorSlice,
    majorModels: outcomes.flatMap((o) => (o.severity === 'Major' ? [o.modelId] : [])),
    agreement,
    outcomes,
    raters,
  };
}

/** An agreed panel's result as final labels: every class decision, the flag with its most given reason, every standing mistake's grade. */
export function finalFromConsensus(consensus: PanelConsensus): FinalLabels {
  // Without a prototype: a dictionary from the start, which is faster to build with keys that differ from item to
  // item (and a class key like "constructor" is just a key).
  const labels: Record<string, Judgement> = Object.create(null);
  for (const c of consensus.classes) labels[c.key] = c.decision;
  const reason = consensus.problematic.reasons[0]?.reason;
  const mistakes: Record<string, MistakeGrade> = {};
  for (const m of consensus.models) {
    if (m.mistake === 'yes' && m.severity.decision !== null && m.category.decision !== null) {
      mistakes[m.model] = { severity: m.severity.decision, category: m.category.decision };
    }
  }
  return { labels, problematic: consensus.problematic.decision && reason !== undefined ? { reason } : null, mistakes };
}

/**
 * How divided the panel is, for the lead's queue (most divided first): the number of disputes, plus the mean over the
 * classes someone judged of the Shannon entropy (in bits) of their correct / wrong / unclear votes, abstentions left
 * out. The entropy is 0 for a unanimous class and log2 3 ≈ 1.58 for an even three-way split, so the count of
 * disputes orders items first and the entropy orders items with as many disputes.
 */
export function divisiveness(consensus: Pick<PanelConsensus, 'classes' | 'disputes'>): number {
  let entropySum = 0;
  let judged = 0;
  const term = (count: number, n: number) => (count === 0 || count === n ? 0 : -(count / n) * Math.log2(count / n));
  for (const { votes } of consensus.classes) {
    const n = votes.correct + votes.wrong + votes.unclear;
    if (n === 0) continue;
    judged++;
    entropySum += term(votes.correct, n) + term(votes.wrong, n) + term(votes.unclear, n);
  }
  return consensus.disputes.length + (judged === 0 ? 0 : entropySum / judged);
}

function modelOutcomes(ctx: ItemContext, final: FinalLabels): ModelOutcome[] {
  const merged = mergeFinal(ctx.baseLabels, final);
  const baseRealLabels = !ctx.priorProblematic && hasCorrect(ctx.baseLabels);
  const finalProblematic = final.problematic !== null;
  const finalRealLabels = !finalProblematic && hasCorrect(merged);
  return ctx.models.map((model) => {
    const base = outcome(ctx.baseLabels, model.top1Key, !ctx.priorProblematic, baseRealLabels);
    const after = outcome(merged, model.top1Key, !finalProblematic, finalRealLabels);
    const grade = after.mistake && Object.hasOwn(final.mistakes, model.name) ? final.mistakes[model.name] : undefined;
    return {
      modelId: model.id,
      base,
      final: after,
      severity: after.mistake ? (grade?.severity ?? 'ungraded') : null,
      category: after.mistake ? (grade?.category ?? null) : null,
    };
  });
}

/**
 * How a model's top-1 fares against a label set; shared with the project baseline, so both count the same way.
 * A model is scored on the images it ranks: an image it gives no top-1 (`top1Key` null) counts as neither right nor
 * wrong for it (docs/FORMATS.md), as the field's code does when it evaluates a model on the images it has outputs for.
 */
export function outcome(labels: Judgements, top1Key: string | null, counted: boolean, realCounted: boolean): Outcome {
  if (top1Key === null) return { counted: false, hit: false, realCounted: false, realHit: false, mistake: false };
  const acceptable = isAcceptable(labels, top1Key);
  return {
    counted,
    hit: counted && acceptable,
    realCounted,
    realHit: realCounted && labels.get(top1Key) === 'correct',
    mistake: counted && !acceptable,
  };
}
