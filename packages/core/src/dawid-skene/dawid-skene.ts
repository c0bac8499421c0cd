/**
 * Dawid & Skene (1979), "Maximum likelihood estimation of observer error-rates using the EM algorithm": each question
 * has a hidden true class; each rater answers according to a confusion matrix of their own (the probability of each
 * answer given the true class); expectation-maximisation estimates the class priors, every rater's confusion matrix,
 * and each question's posterior probability over the true classes. See docs/AGGREGATION.md.
 */

/** One entry per answer given, in any order: answer `answer[i]` was given by rater `rater[i]` to question `question[i]`. */
export interface DawidSkeneAnswers {
  question: Int32Array;
  rater: Int32Array;
  answer: Int32Array;
}

export interface DawidSkeneInput {
  /** Number of questions; indices 0..questions-1. */
  questions: number;
  /** Number of raters; indices 0..raters-1. */
  raters: number;
  /** K: the hidden true classes (e.g. 2 for absent / present). */
  truthClasses: number;
  /** A: the answer options (e.g. 3 for no / maybe / yes). */
  answerOptions: number;
  answers: DawidSkeneAnswers;
  /**
   * A × K row-major: how much one answer counts towards each true class in the majority-vote initialisation
   * (for no / maybe / yes → absent / present: no = [1, 0], maybe = [0.5, 0.5], yes = [0, 1]).
   * Default when K = A: the identity (answer a votes for class a). Required when K ≠ A.
   */
  initialWeights?: ArrayLike<number>;
  /** Pseudo-count added to every confusion-matrix cell and every class prior. Default 0.01; must be > 0. */
  smoothing?: number;
  /** Default 100. */
  maxIterations?: number;
  /** Stop when no posterior probability changed by more than this in an iteration. Default 1e-6. */
  tolerance?: number;
}

export interface DawidSkeneResult {
  truthClasses: number;
  answerOptions: number;
  /** questions × K row-major: P(true class = k | all answers). A question without answers gets the priors. */
  posterior: Float64Array;
  /** raters × K × A row-major: P(rater answers a | true class k); each (rater, k) row sums to 1. */
  confusion: Float64Array;
  /** K: the estimated share of each true class. */
  priors: Float64Array;
  /** EM iterations run (each one M-step then one E-step). */
  iterations: number;
  /** False when maxIterations stopped it before the tolerance was reached. */
  converged: boolean;
}

/** Input that cannot be aggregated (wrong sizes, indices out of range, bad options). */
export class DawidSkeneInputError extends Error {
  override name = 'DawidSkeneInputError';
}

export const DEFAULT_SMOOTHING = 0.01;
export const DEFAULT_MAX_ITERATIONS = 100;
export const DEFAULT_TOLERANCE = 1e-6;

/**
 * Estimates the posterior of every question's true class by expectation-maximisation, initialised from the majority
 * vote. Deterministic: the answers are first put in a canonical order (by question, rater, answer), so the result does
 * not depend on the order they are given in, and nothing is random.
 */
export function dawidSkene(input: DawidSkeneInput): DawidSkeneResult {
  const options = validate(input);
  const order = canonicalOrder(input);
  return expectationMaximisation(input, options, order, null).result;
}

/**
 * Golden questions: questions whose true class is known (an expert's answer). `truth[i]` is the true class of question
 * `question[i]`; a question is listed at most once.
 */
export interface DawidSkeneGold {
  question: Int32Array;
  truth: Int32Array;
}

export interface DawidSkeneGoldInput extends DawidSkeneInput {
  gold: DawidSkeneGold;
  /**
   * `fixed` (default): each rater's confusion rows are estimated from their answers to golden questions and held fixed
   * (a row without golden answers is learned by EM). `learned`: no row is fixed; EM learns every row from all the
   * answers, the golden questions' posteriors being their truth (semi-supervised Dawid–Skene), so the gold anchors the
   * estimates without replacing them.
   */
  goldConfusion?: 'fixed' | 'learned';
}

export interface DawidSkeneGoldResult extends DawidSkeneResult {
  /**
   * raters × K: 1 where the confusion row (rater, true class k) was estimated from the rater's answers to golden
   * questions whose truth is k and held fixed; 0 where EM learned it (the rater answered no golden question of class k).
   */
  fixedRows: Uint8Array;
  /** Per rater: how many golden questions they answered. */
  goldAnswers: Int32Array;
}

/**
 * Dawid–Skene calibrated on golden questions. Each rater's confusion row for true class k is estimated from their
 * answers to the golden questions whose truth is k (the same smoothing as EM: smoothing + count, normalised) and held
 * fixed. EM then infers the class priors (from the questions that are not golden) and the posteriors of the questions
 * that are not golden; a golden question's posterior is its known truth. A row the gold cannot estimate (the rater
 * answered no golden question of that class, e.g. a rater who answered no golden question at all) is learned by EM as
 * in `dawidSkene`, from the current posteriors, the golden ones being their truth. See docs/AGGREGATION.md.
 */
export function dawidSkeneWithGold(input: DawidSkeneGoldInput): DawidSkeneGoldResult {
  const options = validate(input);
  const goldTruth = validateGold(input);
  const mode = input.goldConfusion ?? 'fixed';
  if (mode !== 'fixed' && mode !== 'learned') throw new DawidSkeneInputError(`goldConfusion must be 'fixed' or 'learned', got ${String(mode)}`);
  const order = canonicalOrder(input);
  const { result, fixedRows, goldAnswers } = expectationMaximisation(input, options, order, goldTruth, mode === 'fixed');
  return { ...result, fixedRows: fixedRows!, goldAnswers: goldAnswers! };
}

/** Per question, its gold class or -1. */
function validateGold(input: DawidSkeneGoldInput): Int32Array {
  const { gold, questions, truthClasses } = input;
  if (gold === undefined || gold === null) throw new DawidSkeneInputError('gold is required');
  const n = gold.question.length;
  if (gold.truth.length !== n) {
    throw new DawidSkeneInputError(`gold.question and gold.truth must have the same length, got ${n}, ${gold.truth.length}`);
  }
  const goldTruth = new Int32Array(questions).fill(-1);
  for (let i = 0; i < n; i++) {
    const q = gold.question[i]!;
    const t = gold.truth[i]!;
    if (q < 0 || q >= questions) throw new DawidSkeneInputError(`gold.question[${i}] = ${q} is outside 0..${questions - 1}`);
    if (t < 0 || t >= truthClasses) throw new DawidSkeneInputError(`gold.truth[${i}] = ${t} is outside 0..${truthClasses - 1}`);
    if (goldTruth[q] !== -1) throw new DawidSkeneInputError(`gold.question[${i}] = ${q} is listed more than once`);
    goldTruth[q] = t;
  }
  return goldTruth;
}

/**
 * The EM loop of `dawidSkene`; with `goldTruth` (per question its known class or -1) the golden questions' posteriors
 * are their truth, the priors come from the other answered questions, and the confusion rows the gold estimates are
 * held fixed.
 */
function expectationMaximisation(
  input: DawidSkeneInput,
  options: ValidOptions,
  order: { questionStart: Int32Array; cell: Int32Array },
  goldTruth: Int32Array | null,
  fixGoldRows = true,
): { result: DawidSkeneResult; fixedRows?: Uint8Array; goldAnswers?: Int32Array } {
  const { questions: Q, raters: R, truthClasses: K, answerOptions: A } = input;
  const { questionStart, cell } = order;
  const { smoothing, maxIterations, tolerance } = options;

  let posterior = majorityVoteOrdered(Q, K, A, questionStart, cell, options.weights);
  let next: Float64Array = new Float64Array(Q * K);
  const confusion = new Float64Array(R * K * A);
  const logConfusion = new Float64Array(R * K * A);
  const priors = new Float64Array(K);
  const logPriors = new Float64Array(K);
  const scores = new Float64Array(K);

  // Gold: clamp the golden posteriors, count each rater's golden answers per (true class, answer), fix those rows.
  let fixedRows: Uint8Array | undefined;
  let goldAnswers: Int32Array | undefined;
  let fixedConfusion: Float64Array | undefined;
  // Whether the priors come from the questions that are not golden (true unless every answered question is golden).
  let priorsFromOthers = true;
  if (goldTruth) {
    fixedRows = new Uint8Array(R * K);
    goldAnswers = new Int32Array(R);
    fixedConfusion = new Float64Array(R * K * A).fill(smoothing);
    let othersAnswered = 0;
    for (let q = 0; q < Q; q++) {
      const t = goldTruth[q]!;
      const end = questionStart[q + 1]!;
      if (t < 0) {
        if (end > questionStart[q]!) othersAnswered++;
        continue;
      }
      const row = q * K;
      for (let k = 0; k < K; k++) posterior[row + k] = k === t ? 1 : 0;
      for (let j = questionStart[q]!; j < end; j++) {
        const c = cell[j]!;
        const r = Math.floor(c / (K * A));
        goldAnswers[r]!++;
        if (fixGoldRows) fixedRows[r * K + t] = 1;
        fixedConfusion[c + t * A]! += 1;
      }
    }
    normalizeRows(fixedConfusion, A);
    priorsFromOthers = othersAnswered > 0;
  }

  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;

    // M-step: priors and confusion matrices from the current posteriors (expected counts plus the smoothing).
    confusion.fill(smoothing);
    priors.fill(smoothing);
    for (let q = 0; q < Q; q++) {
      const start = questionStart[q]!;
      const end = questionStart[q + 1]!;
      const isGold = goldTruth !== null && goldTruth[q]! >= 0;
      const row = q * K;
      // With gold, the priors are the share among the other answered questions (or, if there are none, among the
      // golden questions, answered or not).
      if (isGold ? !priorsFromOthers : start < end) for (let k = 0; k < K; k++) priors[k]! += posterior[row + k]!;
      for (let j = start; j < end; j++) {
        const c = cell[j]!;
        for (let k = 0; k < K; k++) confusion[c + k * A]! += posterior[row + k]!;
      }
    }
    normalizeRows(priors, K);
    for (let k = 0; k < K; k++) logPriors[k] = Math.log(priors[k]!);
    normalizeRows(confusion, A);
    if (fixedRows) {
      for (let rk = 0; rk < R * K; rk++) {
        if (fixedRows[rk]) for (let a = 0; a < A; a++) confusion[rk * A + a] = fixedConfusion![rk * A + a]!;
      }
    }
    for (let i = 0; i < confusion.length; i++) logConfusion[i] = Math.log(confusion[i]!);

    // E-step: each question's posterior from the priors and its raters' confusion rows, in log space.
    let maxChange = 0;
    for (let q = 0; q < Q; q++) {
      const row = q * K;
      if (goldTruth !== null && goldTruth[q]! >= 0) {
        for (let k = 0; k < K; k++) next[row + k] = posterior[row + k]!;
        continue;
      }
      for (let k = 0; k < K; k++) scores[k] = logPriors[k]!;
      const end = questionStart[q + 1]!;
      for (let j = questionStart[q]!; j < end; j++) {
        const c = cell[j]!;
        for (let k = 0; k < K; k++) scores[k]! += logConfusion[c + k * A]!;
      }
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (scores[k]! > max) max = scores[k]!;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(scores[k]! - max);
        scores[k] = e;
        sum += e;
      }
      for (let k = 0; k < K; k++) {
        const p = scores[k]! / sum;
        const change = Math.abs(p - posterior[row + k]!);
        if (change > maxChange) maxChange = change;
        next[row + k] = p;
      }
    }
    [posterior, next] = [next, posterior];
    if (maxChange < tolerance) {
      converged = true;
      break;
    }
  }
  const result: DawidSkeneResult = { truthClasses: K, answerOptions: A, posterior, confusion, priors, iterations, converged };
  return fixedRows ? { result, fixedRows, goldAnswers: goldAnswers! } : { result };
}

/**
 * The majority-vote share of each true class per question (questions × K row-major): the weighted answer counts
 * (see `initialWeights`) divided by their total. This is Dawid–Skene's starting point, and the baseline it is compared
 * with. A question without answers gets 1/K for every class.
 */
export function majorityVote(input: DawidSkeneInput): Float64Array {
  const options = validate(input);
  const { questionStart, cell } = canonicalOrder(input);
  return majorityVoteOrdered(input.questions, input.truthClasses, input.answerOptions, questionStart, cell, options.weights);
}

/** Per question, the class with the highest probability (the lowest index on a tie). */
export function mostLikelyClass(posterior: Float64Array, classes: number): Int32Array {
  const questions = Math.floor(posterior.length / classes);
  const out = new Int32Array(questions);
  for (let q = 0; q < questions; q++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (posterior[q * classes + k]! > posterior[q * classes + best]!) best = k;
    out[q] = best;
  }
  return out;
}

/** The posterior probability of true class `k` for every question. */
export function classProbability(result: Pick<DawidSkeneResult, 'posterior' | 'truthClasses'>, k: number): Float64Array {
  const K = result.truthClasses;
  if (!Number.isInteger(k) || k < 0 || k >= K) throw new DawidSkeneInputError(`class ${k} is outside 0..${K - 1}`);
  const out = new Float64Array(result.posterior.length / K);
  for (let q = 0; q < out.length; q++) out[q] = result.posterior[q * K + k]!;
  return out;
}

interface ValidOptions {
  weights: Float64Array;
  smoothing: number;
  maxIterations: number;
  tolerance: number;
}

function validate(input: DawidSkeneInput): ValidOptions {
  const { questions, raters, truthClasses, answerOptions, answers } = input;
  const count = (name: string, value: number, min: number) => {
    if (!Number.isInteger(value) || value < min) throw new DawidSkeneInputError(`${name} must be an integer >= ${min}, got ${value}`);
  };
  count('questions', questions, 0);
  count('raters', raters, 0);
  count('truthClasses', truthClasses, 1);
  count('answerOptions', answerOptions, 1);
  const n = answers.question.length;
  if (answers.rater.length !== n || answers.answer.length !== n) {
    throw new DawidSkeneInputError(
      `answers.question, answers.rater and answers.answer must have the same length, got ${n}, ${answers.rater.length}, ${answers.answer.length}`,
    );
  }
  const inRange = (name: string, values: Int32Array, size: number) => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < 0 || v >= size) throw new DawidSkeneInputError(`answers.${name}[${i}] = ${v} is outside 0..${size - 1}`);
    }
  };
  inRange('question', answers.question, questions);
  inRange('rater', answers.rater, raters);
  inRange('answer', answers.answer, answerOptions);

  let weights: Float64Array;
  if (input.initialWeights === undefined) {
    if (truthClasses !== answerOptions) {
      throw new DawidSkeneInputError(
        `initialWeights (answerOptions × truthClasses) is required when truthClasses (${truthClasses}) differs from answerOptions (${answerOptions})`,
      );
    }
    weights = new Float64Array(truthClasses * truthClasses);
    for (let k = 0; k < truthClasses; k++) weights[k * truthClasses + k] = 1;
  } else {
    weights = Float64Array.from(input.initialWeights);
    if (weights.length !== answerOptions * truthClasses) {
      throw new DawidSkeneInputError(
        `initialWeights must have answerOptions × truthClasses = ${answerOptions * truthClasses} entries, got ${weights.length}`,
      );
    }
    if (weights.some((w) => !Number.isFinite(w) || w < 0)) {
      throw new DawidSkeneInputError('initialWeights must be finite and non-negative');
    }
  }
  const smoothing = input.smoothing ?? DEFAULT_SMOOTHING;
  if (!(smoothing > 0 && Number.isFinite(smoothing))) throw new DawidSkeneInputError(`smoothing must be > 0, got ${smoothing}`);
  const maxIterations = input.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  count('maxIterations', maxIterations, 1);
  const tolerance = input.tolerance ?? DEFAULT_TOLERANCE;
  if (!(tolerance >= 0)) throw new DawidSkeneInputError(`tolerance must be >= 0, got ${tolerance}`);
  return { weights, smoothing, maxIterations, tolerance };
}

/**
 * Sorts the answers by question, then rater, then answer (two stable counting sorts) and returns them as
 * `questionStart` (questions + 1 offsets) and `cell`: rater × K × A + answer, the index of the answer's column in its
 * rater's confusion matrix (row k adds k × A). The fixed order makes every floating-point sum independent of the input
 * order.
 */
function canonicalOrder(input: DawidSkeneInput): { questionStart: Int32Array; cell: Int32Array } {
  const { questions: Q, raters: R, truthClasses: K, answerOptions: A } = input;
  const { question, rater, answer } = input.answers;
  const n = question.length;

  const byRaterAnswer = new Int32Array(n);
  const keyStart = new Int32Array(R * A + 1);
  for (let i = 0; i < n; i++) keyStart[rater[i]! * A + answer[i]! + 1]!++;
  for (let key = 0; key < R * A; key++) keyStart[key + 1]! += keyStart[key]!;
  for (let i = 0; i < n; i++) byRaterAnswer[keyStart[rater[i]! * A + answer[i]!]!++] = i;

  const questionStart = new Int32Array(Q + 1);
  for (let i = 0; i < n; i++) questionStart[question[i]! + 1]!++;
  for (let q = 0; q < Q; q++) questionStart[q + 1]! += questionStart[q]!;
  const fill = questionStart.slice(0, Q);
  const cell = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const i = byRaterAnswer[s]!;
    cell[fill[question[i]!]!++] = rater[i]! * K * A + answer[i]!;
  }
  return { questionStart, cell };
}

function majorityVoteOrdered(
  Q: number,
  K: number,
  A: number,
  questionStart: Int32Array,
  cell: Int32Array,
  weights: Float64Array,
): Float64Array {
  const out = new Float64Array(Q * K);
  for (let q = 0; q < Q; q++) {
    const row = q * K;
    let total = 0;
    for (let j = questionStart[q]!; j < questionStart[q + 1]!; j++) {
      const a = cell[j]! % (K * A);
      for (let k = 0; k < K; k++) {
        const w = weights[a * K + k]!;
        out[row + k]! += w;
        total += w;
      }
    }
    for (let k = 0; k < K; k++) out[row + k] = total > 0 ? out[row + k]! / total : 1 / K;
  }
  return out;
}

/** Divides each consecutive run of `width` entries by its sum. */
function normalizeRows(values: Float64Array, width: number): void {
  for (let start = 0; start < values.length; start += width) {
    let sum = 0;
    for (let i = start; i < start + width; i++) sum += values[i]!;
    for (let i = start; i < start + width; i++) values[i] = values[i]! / sum;
  }
}
