import type { Judgement } from '@bagel/contracts';

/**
 * Dawid & Skene over an expert panel's class judgements (the project setting `aggregation: dawid-skene`;
 * docs/AGGREGATION.md, "Dawid–Skene aggregation of the panel"). Each (item, class) is a presence question; each
 * expert's judgement of it an answer (wrong = no, unclear = maybe, correct = yes, the codes of PRESENCE_ANSWER). Each
 * expert has a confusion matrix: P(judgement | the class is absent) and P(judgement | present). The class's prior
 * P(present) depends on whether it is the image's original label (mostly present) or another candidate (mostly not).
 *
 * Unlike `dawidSkene`, which runs over arrays held at once, the estimation here goes a few items at a time, so that a
 * server can run it over a million items in short steps: an EM pass adds every item to a tally (`tallyItem`: the
 * expected counts under the current model, or the majority vote on the first pass), and `maximise` turns the tally into
 * the next model. Per item, `panelClassPosteriors` gives each class's posterior under the model in force.
 */

/** Answer codes: the index of a judgement within a confusion row. */
export const JUDGEMENT_ANSWER: Readonly<Record<Judgement, 0 | 1 | 2>> = { wrong: 0, unclear: 1, correct: 2 };

/** The class prior's groups: the image's original label, or any other class. */
export const PRIOR_GROUP = { original: 0, other: 1 } as const;

/**
 * An expert's confusion matrix, 6 numbers: P(wrong | absent), P(unclear | absent), P(correct | absent), then the same
 * given present. Each row of 3 sums to 1.
 */
export type ConfusionRows = readonly number[];

export interface PanelConfusionModel {
  /** P(present) of an original label, then of any other class. */
  priors: readonly [number, number];
  /** Per expert (aggregatePanel's expert name): their confusion rows. */
  experts: ReadonlyMap<string, ConfusionRows>;
}

/**
 * The prior of every confusion matrix, as pseudo-counts (in the order of ConfusionRows): a moderately reliable expert,
 * right 80% of the time, `unclear` 10%, worth 5 judgements per row. An expert not yet estimated has exactly these rows
 * (normalised), so their judgements count from their first verdict (a flat prior would make a new panel decide
 * nothing); an expert with hundreds of judgements has rows of their own. It is also the smoothing: no cell is ever 0,
 * so no single judgement can veto a class.
 */
export const CONFUSION_PRIOR: readonly number[] = [4, 0.5, 0.5, 0.5, 0.5, 4];
/** The class priors' pseudo-counts (absent, present), per group: Beta(1, 1). */
export const CLASS_PRIOR_COUNTS: readonly [number, number] = [1, 1];
/**
 * A class is `correct` when its posterior is at least `high`, `wrong` at most `low`, and between them a dispute for
 * the lead: the crowd routing's band (ReaL's label threshold 0.8, "Thresholds and the uncertain band").
 */
export const DEFAULT_POSTERIOR_BAND: Readonly<{ low: number; high: number }> = { low: 0.2, high: 0.8 };
/** Golden answers in a confusion row (an expert, a true presence) from which that row is held fixed at the gold's estimate. */
export const GOLD_FIXED_MIN = 30;

const normalisedRows = (counts: readonly number[]): number[] => {
  const absent = counts[0]! + counts[1]! + counts[2]!;
  const present = counts[3]! + counts[4]! + counts[5]!;
  return [counts[0]! / absent, counts[1]! / absent, counts[2]! / absent, counts[3]! / present, counts[4]! / present, counts[5]! / present];
};

/** The rows of an expert the model has not estimated: the prior's. */
export const PRIOR_ROWS: ConfusionRows = Object.freeze(normalisedRows(CONFUSION_PRIOR));

/** The model before any estimation: every expert at the prior's rows, each class prior 1/2. */
export function initialPanelModel(): PanelConfusionModel {
  return { priors: [0.5, 0.5], experts: new Map() };
}

export const rowsOf = (model: PanelConfusionModel, expert: string): ConfusionRows => model.experts.get(expert) ?? PRIOR_ROWS;

/** One judgement of a class: by which expert, and what. */
export interface ClassAnswer {
  expert: string;
  judgement: Judgement;
}

/**
 * P(present | the judgements) of a class: π × Π P(j | present) against (1 − π) × Π P(j | absent), in log space so
 * that long panels cannot underflow. `group`: PRIOR_GROUP. Abstentions (an expert who did not judge the class) carry
 * no information and are simply not given.
 */
export function classPosterior(model: PanelConfusionModel, group: number, answers: readonly ClassAnswer[]): number {
  const prior = model.priors[group] ?? 0.5;
  let logPresent = Math.log(prior);
  let logAbsent = Math.log(1 - prior);
  for (const { expert, judgement } of answers) {
    const rows = rowsOf(model, expert);
    const a = JUDGEMENT_ANSWER[judgement];
    logAbsent += Math.log(rows[a]!);
    logPresent += Math.log(rows[3 + a]!);
  }
  const top = Math.max(logPresent, logAbsent);
  const present = Math.exp(logPresent - top);
  const absent = Math.exp(logAbsent - top);
  return present / (present + absent);
}

/** What an item's estimation and posteriors read: its original label and each expert's current class judgements. */
export interface PanelItemJudgements {
  originalKey: string;
  verdicts: readonly { expert: string; labels: Readonly<Record<string, Judgement>> }[];
}

/** Each class's judgements, the classes in the order first seen (verdict by verdict). */
function answersByClass(item: PanelItemJudgements): Map<string, ClassAnswer[]> {
  const byClass = new Map<string, ClassAnswer[]>();
  for (const { expert, labels } of item.verdicts) {
    for (const key in labels) {
      const judgement = labels[key] as Judgement;
      const answers = byClass.get(key);
      if (answers) answers.push({ expert, judgement });
      else byClass.set(key, [{ expert, judgement }]);
    }
  }
  return byClass;
}

const groupOf = (item: PanelItemJudgements, key: string) => (key === item.originalKey ? PRIOR_GROUP.original : PRIOR_GROUP.other);

/** The posterior P(present) of every class some expert judged. Independent of the order of the verdicts. */
export function panelClassPosteriors(model: PanelConfusionModel, item: PanelItemJudgements): Map<string, number> {
  const posteriors = new Map<string, number>();
  for (const [key, answers] of answersByClass(item)) {
    // Summed in a canonical order (by expert), so that the order of the verdicts cannot move the last bits.
    if (answers.length > 1) answers.sort((a, b) => (a.expert < b.expert ? -1 : a.expert > b.expert ? 1 : 0));
    posteriors.set(key, classPosterior(model, groupOf(item, key), answers));
  }
  return posteriors;
}

/**
 * The expected counts of an EM pass, added item by item. Plain numbers and arrays, so that a server can store a pass's
 * tally between two steps (JSON) and resume it.
 */
export interface ConfusionTally {
  /** Per expert: expected counts in the order of ConfusionRows. */
  experts: Record<string, number[]>;
  /** Per expert: counts of their judgements of golden questions (known answers), by the known presence. */
  gold: Record<string, number[]>;
  /** Per prior group: [expected present, questions]. */
  groups: [number, number][];
  /** Questions (item, class judged by someone) added. */
  questions: number;
}

export function emptyConfusionTally(): ConfusionTally {
  return { experts: {}, gold: {}, groups: [[0, 0], [0, 0]], questions: 0 };
}

/** The majority vote's P(present): (correct + unclear / 2) / judgements, the first pass's start (as `majorityPresence`). */
function majorityPosterior(answers: readonly ClassAnswer[]): number {
  let yes = 0;
  for (const { judgement } of answers) yes += judgement === 'correct' ? 1 : judgement === 'unclear' ? 0.5 : 0;
  return yes / answers.length;
}

const countsOf = (table: Record<string, number[]>, expert: string): number[] =>
  Object.hasOwn(table, expert) ? (table[expert] as number[]) : (table[expert] = [0, 0, 0, 0, 0, 0]);

/**
 * Adds an item to an EM pass's tally: each class some expert judged weighs in by its posterior under `model` (the
 * E-step), or, when `model` is null (the first pass), by the majority vote. `known`: classes of the item whose
 * presence is known (golden questions; gold items are to come): they weigh in by their truth, and their judgements
 * are also counted apart, from which `maximise` fixes the rows where gold is plentiful.
 */
export function tallyItem(tally: ConfusionTally, model: PanelConfusionModel | null, item: PanelItemJudgements, known?: ReadonlyMap<string, boolean>): void {
  for (const [key, answers] of answersByClass(item)) {
    const truth = known?.get(key);
    if (answers.length > 1) answers.sort((a, b) => (a.expert < b.expert ? -1 : a.expert > b.expert ? 1 : 0));
    const group = groupOf(item, key);
    const p = truth !== undefined ? (truth ? 1 : 0) : model === null ? majorityPosterior(answers) : classPosterior(model, group, answers);
    // Golden questions say nothing of the priors of the others (they need not be a random sample), so only the
    // others count there.
    if (truth === undefined) {
      const g = tally.groups[group]!;
      g[0] += p;
      g[1] += 1;
    }
    tally.questions++;
    for (const { expert, judgement } of answers) {
      const a = JUDGEMENT_ANSWER[judgement];
      const counts = countsOf(tally.experts, expert);
      counts[a]! += 1 - p;
      counts[3 + a]! += p;
      if (truth !== undefined) countsOf(tally.gold, expert)[(truth ? 3 : 0) + a]! += 1;
    }
  }
}

export interface MaximiseOptions {
  /** Pseudo-counts of every confusion matrix (6, ConfusionRows' order). Default CONFUSION_PRIOR. */
  confusionPrior?: readonly number[];
  /** Pseudo-counts (absent, present) of each class prior. Default CLASS_PRIOR_COUNTS. */
  classPrior?: readonly [number, number];
  /** Golden answers a row needs to be held at the gold's estimate. Default GOLD_FIXED_MIN. */
  goldFixedMin?: number;
}

export interface MaximiseResult {
  model: PanelConfusionModel;
  /** Per expert: [absent row fixed by gold, present row fixed by gold]. Only experts with a fixed row are listed. */
  fixedRows: Map<string, [boolean, boolean]>;
}

/**
 * The M-step: each expert's rows are (prior + expected counts), normalised; a row with at least `goldFixedMin` golden
 * answers is (prior + golden counts) instead, held whatever the other answers say. The class priors: (pseudo-count +
 * expected present) / (pseudo-counts + questions), per group, over the questions that are not golden.
 */
export function maximise(tally: ConfusionTally, options: MaximiseOptions = {}): MaximiseResult {
  const prior = options.confusionPrior ?? CONFUSION_PRIOR;
  const [absentPrior, presentPrior] = options.classPrior ?? CLASS_PRIOR_COUNTS;
  const goldMin = options.goldFixedMin ?? GOLD_FIXED_MIN;
  const experts = new Map<string, ConfusionRows>();
  const fixedRows = new Map<string, [boolean, boolean]>();
  const names = [...new Set([...Object.keys(tally.experts), ...Object.keys(tally.gold)])].sort();
  for (const expert of names) {
    const counts = tally.experts[expert] ?? [0, 0, 0, 0, 0, 0];
    const gold = tally.gold[expert] ?? [0, 0, 0, 0, 0, 0];
    const fixed: [boolean, boolean] = [gold[0]! + gold[1]! + gold[2]! >= goldMin, gold[3]! + gold[4]! + gold[5]! >= goldMin];
    const cells = counts.map((c, i) => prior[i]! + (fixed[i < 3 ? 0 : 1] ? gold[i]! : c));
    experts.set(expert, normalisedRows(cells));
    if (fixed[0] || fixed[1]) fixedRows.set(expert, fixed);
  }
  const priorOf = ([present, questions]: [number, number]) => (presentPrior + present) / (absentPrior + presentPrior + questions);
  return { model: { priors: [priorOf(tally.groups[0]!), priorOf(tally.groups[1]!)], experts }, fixedRows };
}

/** The largest change of any class prior or confusion cell between two models (an expert missing from one counts at the prior's rows). */
export function modelChange(a: PanelConfusionModel, b: PanelConfusionModel): number {
  let change = Math.max(Math.abs(a.priors[0] - b.priors[0]), Math.abs(a.priors[1] - b.priors[1]));
  for (const expert of new Set([...a.experts.keys(), ...b.experts.keys()])) {
    const x = rowsOf(a, expert);
    const y = rowsOf(b, expert);
    for (let i = 0; i < 6; i++) change = Math.max(change, Math.abs(x[i]! - y[i]!));
  }
  return change;
}

/** A pass's model in plain JSON (experts sorted), to store between steps; `modelFromJson` reads it back. */
export function modelToJson(model: PanelConfusionModel): { priors: [number, number]; experts: [string, number[]][] } {
  return { priors: [model.priors[0], model.priors[1]], experts: [...model.experts].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([e, rows]) => [e, [...rows]]) };
}

export function modelFromJson(json: { priors: [number, number]; experts: [string, number[]][] }): PanelConfusionModel {
  return { priors: [json.priors[0], json.priors[1]], experts: new Map(json.experts) };
}

/**
 * EM over items held at once, pass by pass as a server runs it in steps (for tests, benchmarks and small projects):
 * a first pass from the majority vote, then passes under each model, until no prior or confusion cell moves by more
 * than `tolerance` or `maxPasses` ran. `knownOf`: each item's golden classes, if any.
 */
export function estimatePanelModel(
  items: readonly PanelItemJudgements[],
  options: MaximiseOptions & { maxPasses?: number; tolerance?: number; knownOf?: (index: number) => ReadonlyMap<string, boolean> | undefined } = {},
): { model: PanelConfusionModel; passes: number; converged: boolean; fixedRows: Map<string, [boolean, boolean]> } {
  const maxPasses = options.maxPasses ?? ESTIMATION_MAX_PASSES;
  const tolerance = options.tolerance ?? ESTIMATION_TOLERANCE;
  let model: PanelConfusionModel | null = null;
  let fixedRows = new Map<string, [boolean, boolean]>();
  for (let pass = 1; pass <= maxPasses; pass++) {
    const tally = emptyConfusionTally();
    items.forEach((item, i) => tallyItem(tally, model, item, options.knownOf?.(i)));
    const next = maximise(tally, options);
    fixedRows = next.fixedRows;
    const change = model === null ? Infinity : modelChange(model, next.model);
    model = next.model;
    if (change < tolerance) return { model, passes: pass, converged: true, fixedRows };
  }
  return { model: model ?? initialPanelModel(), passes: maxPasses, converged: false, fixedRows };
}

/** The most EM passes a (background) estimation runs. */
export const ESTIMATION_MAX_PASSES = 30;
/** An estimation stops once no class prior or confusion cell moved by more than this in a pass. */
export const ESTIMATION_TOLERANCE = 1e-4;
