// Simulation of panel policies: fixed 3, fixed 5 and adaptive min–max (2–5 by default), on the same generated items
// and the same simulated experts, through the real aggregatePanel and decidePanelNext of @bagel/core (majority
// quorum), and three variant stop rules for comparison (majority of the verdicts in; unanimity of the verdicts in; a
// posterior with known prior and pool rates, --posterior). Seeded: the same arguments print the same table. Prints
// whether the issue's target holds: adaptive per-class accuracy >= fixed 5 − 0.5 points at no more verdicts per item
// than fixed 3.
//
//   npx tsx scripts/bench/panel-policy.ts [--items 20000] [--seed 2022] [--experts 30] [--top-k 2]
//        [--sensitivity 18,2] [--specificity 38,2] [--unclear 1,19] [--hard-share 0.15] [--hard-factor 0.5]
//        [--lead-accuracy 0.95] [--min 2] [--max 5] [--posterior 0.99]
//
// What is generated (docs/AGGREGATION.md, "Adaptive panels", says why):
// - Items: an image with C candidate classes, C drawn from the distribution of |original label ∪ the top-k of five
//   real models| on the 20,000 annotated ImageNet validation images (modestyachts/ImageNetV2,
//   data/predictions/imagenet-annotatedval20k-0: pnasnet5large, nasnetalarge, senet154, polynet, resnet50). The
//   original label (candidate 0) is truly present with probability 0.94 (Northcutt et al. 2021 estimate that label
//   errors are at least 6% of the ImageNet validation set); each other candidate with probability 0.085, which gives
//   about a fifth of the images more than one true label (Shankar et al. 2020: "about 20% of images have more than
//   one valid label"; the script prints the share it got). 2% of the images are truly problematic. No model grades:
//   the items carry no models, so severities and categories are not simulated.
// - Experts (a pool of --experts; each item's panel is drawn from it without repetition): each has a sensitivity
//   (P(says correct | present)), a specificity (P(says wrong | absent)) and a rate of `unclear` answers, each drawn
//   from a beta distribution (--sensitivity a,b: Beta(a, b), integer a and b). Per-expert confusion rates are the
//   Dawid & Skene (1979) rater model. The default spread (sensitivity mean 0.90, specificity mean 0.95, unclear
//   rate mean 0.05) is an assumption, not a measurement: no per-expert rates of an expert relabeling panel are
//   published that we can cite. Run other spreads with the flags.
// - Hard classes (--hard-share of the classes): every expert's better-than-chance margin shrinks by --hard-factor
//   there (sensitivity 0.9 becomes 0.7 at 0.5) and the unclear rate triples. This makes errors correlated (the
//   fine-grained near misses that fool the whole panel), which independent experts alone would not show, and which
//   hurts a rule that stops on two agreeing verdicts.
// - Problematic: an expert flags a problematic image with probability equal to their sensitivity, a sound one with
//   probability 0.01.
// - The lead: an item that ends at the lead gets, for every class (and the flag) the panel did not settle, the
//   lead's own judgement, right with probability --lead-accuracy, never `unclear`; what the panel settled stays.
//   The lead's work is counted: the share of items sent to the lead and the lead's class decisions per item.
//
// Scoring: a final `correct` is right when the class is present, `wrong` when it is absent; a final `unclear` is
// counted as not right (strict). Per-class accuracy is over every (item, class); exact-set accuracy counts an item
// right when every class and the problematic flag are right. 95% intervals: per-class accuracy and verdicts per item
// by the normal approximation with items as clusters (classes of one item are not independent); exact-set accuracy
// by Wilson's interval; the paired difference against fixed 5 (same items, same experts) likewise per item.
import { parseArgs } from 'node:util';
import type { Judgement } from '@bagel/contracts';
import {
  adaptiveQuorum,
  aggregatePanel,
  decidePanelNext,
  DEFAULT_POSTERIOR_BAND,
  estimatePanelModel,
  initialPanelModel,
  panelClassPosteriors,
  type PanelConfusionModel,
  seededRandom,
  simulatePanels,
  SIMULATION_CANDIDATE_COUNTS,
  type PanelConsensus,
  type PanelInput,
  type PanelPolicy,
  type SimulatedExpert,
  type SimulatedItem,
} from '@bagel/core';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '2022' },
    experts: { type: 'string', default: '30' },
    'top-k': { type: 'string', default: '2' },
    sensitivity: { type: 'string', default: '18,2' },
    specificity: { type: 'string', default: '38,2' },
    unclear: { type: 'string', default: '1,19' },
    'hard-share': { type: 'string', default: '0.15' },
    'hard-factor': { type: 'string', default: '0.5' },
    'lead-accuracy': { type: 'string', default: '0.95' },
    min: { type: 'string', default: '2' },
    max: { type: 'string', default: '5' },
    posterior: { type: 'string', default: '0.99' },
    'ds-rounds': { type: 'string', default: '3' },
  },
});

const ITEMS = Number(values.items);
const EXPERTS = Number(values.experts);
const HARD_SHARE = Number(values['hard-share']);
const HARD_FACTOR = Number(values['hard-factor']);
const LEAD_ACCURACY = Number(values['lead-accuracy']);
const MIN = Number(values.min);
const MAX = Number(values.max);
const POSTERIOR = Number(values.posterior);
const ORIGINAL_PRESENT = 0.94;
const OTHER_PRESENT = 0.085;
const candidateCounts = SIMULATION_CANDIDATE_COUNTS[values['top-k'] as string];
if (!candidateCounts) throw new Error(`--top-k must be one of ${Object.keys(SIMULATION_CANDIDATE_COUNTS).join(', ')}`);
if (!(Number.isInteger(MIN) && Number.isInteger(MAX) && MIN >= 1 && MAX >= MIN)) throw new Error('--min and --max: integers, 1 <= min <= max');

function betaParameters(text: string, flag: string): [number, number] {
  const [a, b] = text.split(',').map(Number);
  if (!(Number.isInteger(a) && Number.isInteger(b) && (a as number) > 0 && (b as number) > 0)) throw new Error(`--${flag}: two positive integers a,b`);
  return [a as number, b as number];
}
const SENSITIVITY = betaParameters(values.sensitivity as string, 'sensitivity');
const SPECIFICITY = betaParameters(values.specificity as string, 'specificity');
const UNCLEAR = betaParameters(values.unclear as string, 'unclear');

// The generator (core's simulatePanels): the experts, then the items, from one seeded stream.
const { experts, items } = simulatePanels(
  {
    items: ITEMS,
    experts: EXPERTS,
    candidateCounts,
    sensitivity: SENSITIVITY,
    specificity: SPECIFICITY,
    unclear: UNCLEAR,
    hardShare: HARD_SHARE,
    hardFactor: HARD_FACTOR,
    leadAccuracy: LEAD_ACCURACY,
    asked: Math.max(5, MAX),
  },
  seededRandom(Number(values.seed)),
);
type Item = SimulatedItem;
const meanOf = (pick: (e: SimulatedExpert) => number) => experts.reduce((s, e) => s + pick(e), 0) / EXPERTS;

interface Outcome {
  verdicts: number;
  lead: boolean;
  leadDecisions: number;
  rightClasses: number;
  classes: number;
  exact: boolean;
  unclearFinals: number;
}

/** Runs one item through a policy: verdicts are added one at a time, in the item's order, until the policy stops. */
interface Run {
  verdicts: number;
  next: 'final' | 'lead';
  /** Per candidate, in order: the settled judgement, or null where the lead decides. */
  labels: (Judgement | null)[];
  problematic: boolean | null;
}
type Policy = (item: Item, base: Omit<PanelInput, 'verdicts' | 'panelSize'>) => Run;

function runOf(item: Item, verdicts: number, next: 'final' | 'lead', consensus: PanelConsensus): Run {
  const labels = item.candidates.map((key) => {
    const entry = consensus.classes.find((c) => c.key === key);
    return entry?.reached ? entry.decision : null;
  });
  return { verdicts, next, labels, problematic: consensus.problematic.reached ? consensus.problematic.decision : null };
}

/**
 * A policy of @bagel/core as the server applies it: under `aggregation: quorum` (no model), or under `dawid-skene`
 * with `model`, each class then decided by its posterior under the model and the server's band
 * (item-state.ts, computeItemState).
 */
function corePolicy(policy: PanelPolicy, panelSize: number, model: PanelConfusionModel | null = null): Policy {
  return (item, base) => {
    for (let n = 0; n <= item.verdicts.length; n++) {
      const verdicts = item.verdicts.slice(0, n);
      const posteriors = model && { of: panelClassPosteriors(model, { originalKey: item.candidates[0]!, verdicts }), ...DEFAULT_POSTERIOR_BAND };
      const decision = decidePanelNext(policy, { ...base, panelSize, verdicts, ...(posteriors ? { posteriors } : {}) });
      if (decision.next !== 'more-experts') return runOf(item, n, decision.next, decision.consensus);
    }
    throw new Error('the policy asked for more experts than the simulation generated');
  };
}

/**
 * A variant stop rule, for comparison only (not in @bagel/core): with n verdicts (min <= n < max) the item is final
 * when every answer has q(n) matching votes; at max, the majority of max (as in core).
 */
function variantPolicy(min: number, max: number, q: (n: number) => number): Policy {
  return (item, base) => {
    for (let n = min; n < max; n++) {
      const consensus = aggregatePanel({ ...base, panelSize: n, quorum: { kind: 'fraction', value: q(n) / n }, verdicts: item.verdicts.slice(0, n) });
      if (consensus.status === 'agreed') return runOf(item, n, 'final', consensus);
    }
    const consensus = aggregatePanel({ ...base, panelSize: max, verdicts: item.verdicts.slice(0, max) });
    return runOf(item, max, consensus.status === 'agreed' ? 'final' : 'lead', consensus);
  };
}

/**
 * A variant for comparison only (not in @bagel/core), the issue's "calibrated posterior": with n verdicts
 * (min <= n < max) a class is settled when P(present | its votes) >= --posterior or <= 1 − --posterior, computed with
 * the prior of its candidate position (the original label or another candidate: the rates the items were generated
 * with) and the pool's mean sensitivity and specificity (not each expert's; `unclear` votes carry no evidence). The
 * item is final when every class is settled and the problematic flag reaches the core rule's quorum; at max, the
 * majority of max as in core. The prior and the pool's rates are known exactly here: in a project they would have to
 * be estimated (for example by Dawid–Skene over finished items), so this is an upper bound of what such a rule gives.
 */
function posteriorPolicy(min: number, max: number, threshold: number): Policy {
  const s = meanOf((e) => e.sensitivity);
  const t = meanOf((e) => e.specificity);
  // Log-likelihood ratios (present : absent) of one vote.
  const correctRatio = Math.log(s / (1 - t));
  const wrongRatio = Math.log((1 - s) / t);
  const logit = (p: number) => Math.log(p / (1 - p));
  return (item, base) => {
    for (let n = min; n < max; n++) {
      const verdicts = item.verdicts.slice(0, n);
      const consensus = aggregatePanel({ ...base, panelSize: n, quorum: { kind: 'fraction', value: adaptiveQuorum({ kind: 'majority' }, n) / n }, verdicts });
      if (!consensus.problematic.reached) continue;
      const labels: Judgement[] = [];
      for (const [c, key] of item.candidates.entries()) {
        let evidence = logit(c === 0 ? ORIGINAL_PRESENT : OTHER_PRESENT);
        for (const v of verdicts) evidence += v.labels[key] === 'correct' ? correctRatio : v.labels[key] === 'wrong' ? wrongRatio : 0;
        const present = 1 / (1 + Math.exp(-evidence));
        if (present >= threshold) labels.push('correct');
        else if (present <= 1 - threshold) labels.push('wrong');
        else break;
      }
      if (labels.length === item.candidates.length) return { verdicts: n, next: 'final', labels, problematic: consensus.problematic.decision };
    }
    const consensus = aggregatePanel({ ...base, panelSize: max, verdicts: item.verdicts.slice(0, max) });
    return runOf(item, max, consensus.status === 'agreed' ? 'final' : 'lead', consensus);
  };
}

function score(item: Item, run: Run): Outcome {
  let rightClasses = 0;
  let leadDecisions = 0;
  let unclearFinals = 0;
  const lead = run.next === 'lead';
  item.candidates.forEach((_, c) => {
    const settled = run.labels[c];
    let decision: Judgement;
    if (settled !== null && settled !== undefined) decision = settled;
    else if (lead) {
      decision = item.leadLabels[c] as Judgement;
      leadDecisions++;
    } else throw new Error('a final item with a class not reached');
    if (decision === 'unclear') unclearFinals++;
    if ((decision === 'correct' && item.present[c]) || (decision === 'wrong' && !item.present[c])) rightClasses++;
  });
  let problematic: boolean;
  if (run.problematic !== null) problematic = run.problematic;
  else {
    problematic = item.leadProblematic;
    leadDecisions++;
  }
  const exact = rightClasses === item.candidates.length && problematic === item.problematic;
  return { verdicts: run.verdicts, lead, leadDecisions, rightClasses, classes: item.candidates.length, exact, unclearFinals };
}

const BASE = { models: [], quorum: { kind: 'majority' } } as const;
const baseOf = (item: Item) => ({ ...BASE, candidates: item.candidates });

/**
 * The experts' matrices as the server estimates them under `aggregation: dawid-skene` (EM over the current verdicts
 * of the judged items, estimatePanelModel), for a panel policy: the verdicts an item gets depend on the model in force
 * (an adaptive item stops when its posteriors are decided), so the model is estimated from the verdicts the policy
 * asked for under the previous model, from the server's first model (the prior) on, until the verdicts asked for no
 * longer change (at most --ds-rounds rounds). In a project the model is re-estimated as verdicts grow by a tenth;
 * this is the model it converges to.
 */
function estimatedModel(policy: PanelPolicy, panelSize: number, rounds: number): { model: PanelConfusionModel; rounds: number; changed: number } {
  let model = initialPanelModel();
  let asked: number[] = [];
  let changed = items.length;
  for (let round = 1; round <= rounds; round++) {
    const run = corePolicy(policy, panelSize, model);
    const now = items.map((item) => run(item, baseOf(item)).verdicts);
    changed = now.filter((n, i) => n !== asked[i]).length;
    if (changed === 0) return { model, rounds: round - 1, changed };
    asked = now;
    model = estimatePanelModel(items.map((item, i) => ({ originalKey: item.candidates[0]!, verdicts: item.verdicts.slice(0, asked[i]) }))).model;
  }
  return { model, rounds, changed };
}
const DS_ROUNDS = Number(values['ds-rounds']);
const estimating = performance.now();
const adaptivePolicy: PanelPolicy = { mode: 'adaptive', min: MIN, max: MAX };
const dsFixed3 = estimatedModel({ mode: 'fixed' }, 3, DS_ROUNDS);
const dsAdaptive = estimatedModel(adaptivePolicy, 3, DS_ROUNDS);
const estimationSeconds = (performance.now() - estimating) / 1000;

const majorityOf = (n: number) => Math.floor(n / 2) + 1;
const policies: { name: string; run: Policy }[] = [
  { name: 'fixed 3', run: corePolicy({ mode: 'fixed' }, 3) },
  { name: 'fixed 5', run: corePolicy({ mode: 'fixed' }, 5) },
  { name: `adaptive ${MIN}–${MAX} (core rule)`, run: corePolicy(adaptivePolicy, 3) },
  { name: 'fixed 3, Dawid–Skene', run: corePolicy({ mode: 'fixed' }, 3, dsFixed3.model) },
  { name: `adaptive ${MIN}–${MAX}, Dawid–Skene (core rule)`, run: corePolicy(adaptivePolicy, 3, dsAdaptive.model) },
  { name: `  the same, prior model (no estimate yet)`, run: corePolicy(adaptivePolicy, 3, initialPanelModel()) },
  { name: `  variant: majority of n`, run: variantPolicy(MIN, MAX, majorityOf) },
  { name: `  variant: unanimous n`, run: variantPolicy(MIN, MAX, (n) => n) },
  { name: `  variant: posterior ${POSTERIOR}`, run: posteriorPolicy(MIN, MAX, POSTERIOR) },
];

const started = performance.now();
const outcomes = policies.map((policy) =>
  items.map((item) => score(item, policy.run(item, baseOf(item)))),
);
const seconds = (performance.now() - started) / 1000;

const Z = 1.959964;
function meanInterval(xs: number[]): [number, number, number] {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  const half = Z * Math.sqrt(variance / n);
  return [mean, mean - half, mean + half];
}
/** Ratio of sums with items as clusters: Σ right / Σ classes, its interval by the delta method. */
function ratioInterval(right: number[], total: number[]): [number, number, number] {
  const n = right.length;
  const sumTotal = total.reduce((s, x) => s + x, 0);
  const ratio = right.reduce((s, x) => s + x, 0) / sumTotal;
  const meanTotal = sumTotal / n;
  const residual = right.map((r, i) => r - ratio * (total[i] as number));
  const variance = residual.reduce((s, x) => s + x * x, 0) / (n - 1);
  const half = (Z * Math.sqrt(variance / n)) / meanTotal;
  return [ratio, ratio - half, ratio + half];
}
function wilson(successes: number, n: number): [number, number, number] {
  const p = successes / n;
  const denominator = 1 + (Z * Z) / n;
  const centre = (p + (Z * Z) / (2 * n)) / denominator;
  const half = (Z * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n))) / denominator;
  return [p, centre - half, centre + half];
}
const pct = ([v, lo, hi]: [number, number, number]) => `${(v * 100).toFixed(2)} [${(lo * 100).toFixed(2)}, ${(hi * 100).toFixed(2)}]`;
const num = ([v, lo, hi]: [number, number, number]) => `${v.toFixed(3)} [${lo.toFixed(3)}, ${hi.toFixed(3)}]`;

const multiLabel = items.filter((item) => item.present.filter(Boolean).length > 1).length / ITEMS;
const meanCandidates = items.reduce((s, item) => s + item.candidates.length, 0) / ITEMS;
console.log(
  `${ITEMS.toLocaleString('en')} items (seed ${values.seed}), ${meanCandidates.toFixed(2)} candidates per item (top-${values['top-k']}), ` +
    `${(multiLabel * 100).toFixed(1)}% with more than one true label, ${(items.filter((i) => i.problematic).length / ITEMS * 100).toFixed(1)}% problematic`,
);
console.log(
  `${EXPERTS} experts: sensitivity Beta(${SENSITIVITY}) mean ${meanOf((e) => e.sensitivity).toFixed(3)}, specificity Beta(${SPECIFICITY}) mean ` +
    `${meanOf((e) => e.specificity).toFixed(3)}, unclear Beta(${UNCLEAR}) mean ${meanOf((e) => e.unclear).toFixed(3)}; ` +
    `hard classes ${HARD_SHARE * 100}% (margin × ${HARD_FACTOR}); lead accuracy ${LEAD_ACCURACY}; majority quorum`,
);
console.log(
  `Dawid–Skene models estimated by EM from the verdicts each policy asked for: fixed 3 in ${dsFixed3.rounds} round(s), adaptive in ` +
    `${dsAdaptive.rounds} (items whose verdicts asked for changed in the last: ${dsAdaptive.changed}; ${estimationSeconds.toFixed(1)} s); ` +
    `band [${DEFAULT_POSTERIOR_BAND.low}, ${DEFAULT_POSTERIOR_BAND.high}]`,
);
console.log(`simulated in ${seconds.toFixed(1)} s\n`);

const header = ['policy', 'verdicts/item [95%]', 'lead items %', 'lead decisions/item', 'per-class accuracy % [95%]', 'exact-set accuracy % [95%]', 'unclear finals %'];
const rows = policies.map((policy, p) => {
  const out = outcomes[p] as Outcome[];
  const classes = out.reduce((s, o) => s + o.classes, 0);
  return [
    policy.name,
    num(meanInterval(out.map((o) => o.verdicts))),
    (out.filter((o) => o.lead).length / ITEMS * 100).toFixed(2),
    (out.reduce((s, o) => s + o.leadDecisions, 0) / ITEMS).toFixed(3),
    pct(ratioInterval(out.map((o) => o.rightClasses), out.map((o) => o.classes))),
    pct(wilson(out.filter((o) => o.exact).length, ITEMS)),
    (out.reduce((s, o) => s + o.unclearFinals, 0) / classes * 100).toFixed(2),
  ];
});
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c] as number)).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));

// The target, for each adaptive rule against fixed 5 (accuracy, paired: same items, same experts) and fixed 3 (verdicts).
const [fixed3, fixed5] = outcomes as [Outcome[], Outcome[]];
const fixed3Verdicts = meanInterval(fixed3.map((o) => o.verdicts))[0];
console.log('\ntarget: per-class accuracy >= fixed 5 − 0.5 points and verdicts/item <= fixed 3');
policies.forEach((policy, p) => {
  if (p < 2) return;
  const out = outcomes[p] as Outcome[];
  const difference = ratioInterval(out.map((o, i) => o.rightClasses - (fixed5[i] as Outcome).rightClasses), out.map((o) => o.classes));
  const exactDifference = meanInterval(out.map((o, i) => Number(o.exact) - Number((fixed5[i] as Outcome).exact)));
  const verdicts = meanInterval(out.map((o) => o.verdicts))[0];
  const accuracyMet = difference[0] >= -0.005;
  const verdictsMet = verdicts <= fixed3Verdicts;
  console.log(
    `${policy.name.trim()}: accuracy − fixed 5 = ${(difference[0] * 100).toFixed(2)} points [${(difference[1] * 100).toFixed(2)}, ${(difference[2] * 100).toFixed(2)}]` +
      ` (exact-set ${(exactDifference[0] * 100).toFixed(2)} [${(exactDifference[1] * 100).toFixed(2)}, ${(exactDifference[2] * 100).toFixed(2)}]),` +
      ` verdicts/item ${verdicts.toFixed(3)} vs ${fixed3Verdicts.toFixed(3)}: ${accuracyMet && verdictsMet ? 'target met' : `target NOT met (${[accuracyMet ? '' : 'accuracy', verdictsMet ? '' : 'verdicts'].filter(Boolean).join(' and ')})`}`,
  );
});
