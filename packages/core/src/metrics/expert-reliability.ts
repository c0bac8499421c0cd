import type { Judgement, MistakeGrade, ProblematicFlag } from '@bagel/contracts';
import { wilsonInterval } from './proportion';

// How reliable each expert is, measured against a reference answer per item: today the item's final labels (agreed
// by the panel or decided by the lead), later gold items (an answer a lead marked as known). Both have the shape of
// FinalLabels, so one definition serves both: tallyVerdict says what one verdict adds, the server counts the same in
// SQL over a project's items (docs/AGGREGATION.md, "Expert reliability"), and reliabilityFigures turns the counts into
// rates with 95% Wilson score intervals.

/**
 * Where the reference puts a class the expert judged: `present` (judged `correct`), `absent` (judged `wrong`, or not
 * judged at all: a class the expert added that the reference leaves out is not in its label set), `unsettled`
 * (judged `unclear`: the reference itself cannot tell, so the expert's answer is neither right nor wrong there).
 */
export type ReferencePresence = 'present' | 'absent' | 'unsettled';
export const REFERENCE_PRESENCES: readonly ReferencePresence[] = ['present', 'absent', 'unsettled'];
export const JUDGEMENTS: readonly Judgement[] = ['correct', 'wrong', 'unclear'];

export function referencePresence(referenceJudgement: Judgement | undefined): ReferencePresence {
  if (referenceJudgement === 'correct') return 'present';
  if (referenceJudgement === 'unclear') return 'unsettled';
  return 'absent';
}

export type JudgementCounts = Record<Judgement, number>;

/** An expert's counts against the reference, over the reference's items they judged. */
export interface ReliabilityTally {
  /** Items with a reference answer and a verdict of the expert. */
  items: number;
  /** The expert's class judgements by where the reference puts the class. */
  classes: Record<ReferencePresence, JudgementCounts>;
  /** The expert's problematic flag against the reference's, one per item. */
  problematic: { both: number; expertOnly: number; referenceOnly: number; neither: number };
  /** Models whose mistake both the expert and the reference graded, and how many of them with the same severity. */
  severity: { compared: number; agreed: number };
}

export const emptyJudgementCounts = (): JudgementCounts => ({ correct: 0, wrong: 0, unclear: 0 });

export function emptyTally(): ReliabilityTally {
  return {
    items: 0,
    classes: { present: emptyJudgementCounts(), absent: emptyJudgementCounts(), unsettled: emptyJudgementCounts() },
    problematic: { both: 0, expertOnly: 0, referenceOnly: 0, neither: 0 },
    severity: { compared: 0, agreed: 0 },
  };
}

/** Adds `from` into `into` (and returns `into`). */
export function addTally(into: ReliabilityTally, from: ReliabilityTally): ReliabilityTally {
  into.items += from.items;
  for (const presence of REFERENCE_PRESENCES) for (const j of JUDGEMENTS) into.classes[presence][j] += from.classes[presence][j];
  into.problematic.both += from.problematic.both;
  into.problematic.expertOnly += from.problematic.expertOnly;
  into.problematic.referenceOnly += from.problematic.referenceOnly;
  into.problematic.neither += from.problematic.neither;
  into.severity.compared += from.severity.compared;
  into.severity.agreed += from.severity.agreed;
  return into;
}

/** What a verdict and a reference answer have in common: the shape of a verdict and of FinalLabels. */
export interface JudgedAnswer {
  labels: Readonly<Record<string, Judgement>>;
  problematic: ProblematicFlag | null;
  mistakes: Readonly<Record<string, MistakeGrade>>;
}

/**
 * What one expert's verdict of an item adds to their tally against the item's reference answer: each class the
 * verdict judges, counted by the expert's judgement and where the reference puts the class; the problematic flags;
 * each model graded in both, and whether the severities match. `perClass`, when given, gets the class judgements
 * per class key too.
 */
export function tallyVerdict(
  verdict: JudgedAnswer,
  reference: JudgedAnswer,
  into: ReliabilityTally = emptyTally(),
  perClass?: Map<string, Record<ReferencePresence, JudgementCounts>>,
): ReliabilityTally {
  into.items++;
  for (const [key, judgement] of Object.entries(verdict.labels)) {
    const presence = referencePresence(Object.hasOwn(reference.labels, key) ? reference.labels[key] : undefined);
    into.classes[presence][judgement]++;
    if (perClass) {
      let counts = perClass.get(key);
      if (!counts) perClass.set(key, (counts = { present: emptyJudgementCounts(), absent: emptyJudgementCounts(), unsettled: emptyJudgementCounts() }));
      counts[presence][judgement]++;
    }
  }
  const expertFlag = verdict.problematic !== null;
  const referenceFlag = reference.problematic !== null;
  if (expertFlag && referenceFlag) into.problematic.both++;
  else if (expertFlag) into.problematic.expertOnly++;
  else if (referenceFlag) into.problematic.referenceOnly++;
  else into.problematic.neither++;
  for (const [model, grade] of Object.entries(verdict.mistakes)) {
    if (!Object.hasOwn(reference.mistakes, model)) continue;
    into.severity.compared++;
    if (reference.mistakes[model]!.severity === grade.severity) into.severity.agreed++;
  }
  return into;
}

/** The standard normal quantile for a two-sided 95% interval, Φ⁻¹(0.975). */
/** A rate of the reliability figures: successes of trials, with its 95% Wilson score interval (proportion.ts). */
export interface ReliabilityShare {
  successes: number;
  trials: number;
  rate: number | null;
  low: number | null;
  high: number | null;
}

export function proportion(successes: number, trials: number): ReliabilityShare {
  const { rate, low, high } = wilsonInterval(successes, trials);
  return { successes, trials, rate, low, high };
}

/** The figures of one expert (or one expert × class). */
export interface ReliabilityFigures {
  /**
   * Present classes judged `correct`, among the present classes the expert judged `correct` or `wrong`: an `unclear`
   * answer is counted apart (unclearRate), not as a miss, as the field counts `unclear` as an acceptable answer and
   * Dawid–Skene's rater model gives it a cell of its own.
   */
  sensitivity: ReliabilityShare;
  /** Absent classes judged `wrong`, among the absent classes judged `correct` or `wrong`. */
  specificity: ReliabilityShare;
  /** Class judgements `unclear`, among all the expert's class judgements on the reference's items. */
  unclearRate: ReliabilityShare;
}

export interface ExpertReliabilityFigures extends ReliabilityFigures {
  /** Items where the expert's flag equals the reference's (both flagged or neither), among the items they judged. */
  problematicAgreement: ReliabilityShare;
  /** Graded mistakes with the reference's severity, among the models both graded. */
  severityAgreement: ReliabilityShare;
}

export function classFigures(classes: Record<ReferencePresence, JudgementCounts>): ReliabilityFigures {
  const { present, absent, unsettled } = classes;
  const judgements = REFERENCE_PRESENCES.reduce((sum, p) => sum + classes[p].correct + classes[p].wrong + classes[p].unclear, 0);
  return {
    sensitivity: proportion(present.correct, present.correct + present.wrong),
    specificity: proportion(absent.wrong, absent.correct + absent.wrong),
    unclearRate: proportion(present.unclear + absent.unclear + unsettled.unclear, judgements),
  };
}

export function reliabilityFigures(tally: ReliabilityTally): ExpertReliabilityFigures {
  const { both, expertOnly, referenceOnly, neither } = tally.problematic;
  return {
    ...classFigures(tally.classes),
    problematicAgreement: proportion(both + neither, both + expertOnly + referenceOnly + neither),
    severityAgreement: proportion(tally.severity.agreed, tally.severity.compared),
  };
}

/**
 * A class gets figures of its own for an expert once the expert has judged it at least this many times where the
 * reference has it present (any judgement, `unclear` included): below that a sensitivity's interval spans more than
 * ±0.2 around 0.5, and a table of every class an expert met once would be mostly noise.
 */
export const MIN_PRESENT_PER_CLASS = 20;

export const presentJudgements = (classes: Record<ReferencePresence, JudgementCounts>): number => classes.present.correct + classes.present.wrong + classes.present.unclear;
