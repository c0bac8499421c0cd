import {
  classProbability,
  dawidSkene,
  DawidSkeneInputError,
  dawidSkeneWithGold,
  majorityVote,
  type DawidSkeneGold,
  type DawidSkeneGoldResult,
  type DawidSkeneInput,
  type DawidSkeneResult,
} from './dawid-skene';

/**
 * ReaL-style questions: "is this class present in this image?", answered no / maybe / yes (Shankar et al.'s
 * wrong / unclear / correct map to the same codes). The hidden truth is absent / present.
 */
export const PRESENCE_ANSWER = { no: 0, maybe: 1, yes: 2 } as const;
export const PRESENCE_TRUTH = { absent: 0, present: 1 } as const;

/** Majority-vote initialisation: no counts for absent, yes for present, maybe half for each. */
export const PRESENCE_INITIAL_WEIGHTS: readonly number[] = [1, 0, 0.5, 0.5, 0, 1];

export type PresenceInput = Omit<DawidSkeneInput, 'truthClasses' | 'answerOptions' | 'initialWeights'>;

function presenceInput(input: PresenceInput): DawidSkeneInput {
  return { ...input, truthClasses: 2, answerOptions: 3, initialWeights: PRESENCE_INITIAL_WEIGHTS };
}

/** Dawid–Skene over presence questions: 2 true classes (absent, present), 3 answers (no, maybe, yes). */
export function dawidSkenePresence(input: PresenceInput): DawidSkeneResult {
  return dawidSkene(presenceInput(input));
}

export interface PresenceGoldInput extends PresenceInput {
  /** Golden presence questions: `truth[i]` is absent (0) or present (1) for question `question[i]`. */
  gold: DawidSkeneGold;
  /** See `DawidSkeneGoldInput.goldConfusion`. Default 'fixed'. */
  goldConfusion?: 'fixed' | 'learned';
}

/**
 * Dawid–Skene over presence questions, each rater's confusion rows estimated on the golden questions and held fixed
 * (see `dawidSkeneWithGold`).
 */
export function dawidSkenePresenceWithGold(input: PresenceGoldInput): DawidSkeneGoldResult {
  return dawidSkeneWithGold({ ...presenceInput(input), gold: input.gold, goldConfusion: input.goldConfusion ?? 'fixed' });
}

/**
 * The truth of golden presence questions from the experts' answers to them (ReaL's `golden.npz`: 5 experts, each
 * answering every golden question no / maybe / yes): yes counts 1, maybe 0.5, no 0, and the question's truth is present
 * when the mean is above 0.5, absent when below. A question the experts split evenly on, or none answered, is not
 * golden and is left out. `answers` is flat like a crowd's (`rater` = the expert), in any order.
 */
export function presenceGoldFromExperts(questions: number, answers: DawidSkeneInput['answers']): DawidSkeneGold {
  const n = answers.question.length;
  if (answers.answer.length !== n || answers.rater.length !== n) {
    throw new DawidSkeneInputError(
      `answers.question, answers.rater and answers.answer must have the same length, got ${n}, ${answers.rater.length}, ${answers.answer.length}`,
    );
  }
  const yes = new Float64Array(questions);
  const count = new Int32Array(questions);
  for (let i = 0; i < n; i++) {
    const q = answers.question[i]!;
    const a = answers.answer[i]!;
    if (!(q >= 0 && q < questions)) throw new DawidSkeneInputError(`answers.question[${i}] = ${q} is outside 0..${questions - 1}`);
    if (!(a >= 0 && a <= 2)) throw new DawidSkeneInputError(`answers.answer[${i}] = ${a} is outside 0..2`);
    yes[q]! += a === PRESENCE_ANSWER.yes ? 1 : a === PRESENCE_ANSWER.maybe ? 0.5 : 0;
    count[q]!++;
  }
  const question: number[] = [];
  const truth: number[] = [];
  for (let q = 0; q < questions; q++) {
    if (count[q] === 0 || yes[q]! * 2 === count[q]) continue;
    question.push(q);
    truth.push(yes[q]! * 2 > count[q]! ? PRESENCE_TRUTH.present : PRESENCE_TRUTH.absent);
  }
  return { question: Int32Array.from(question), truth: Int32Array.from(truth) };
}

/** P(present) per question, from a presence result. */
export function presenceProbability(result: DawidSkeneResult): Float64Array {
  if (result.truthClasses !== 2) throw new DawidSkeneInputError('presenceProbability needs a result with 2 true classes');
  return classProbability(result, PRESENCE_TRUTH.present);
}

/** The majority-vote baseline for presence: (yes + 0.5 × maybe) / answers per question (0.5 without answers). */
export function majorityPresence(input: PresenceInput): Float64Array {
  return classProbability({ posterior: majorityVote(presenceInput(input)), truthClasses: 2 }, PRESENCE_TRUTH.present);
}

function checkProbability(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new DawidSkeneInputError(`${name} must be within [0, 1], got ${value}`);
}

/** Indices of the questions whose probability is at or above `threshold` (ReaL's labels: 0.8). */
export function labelsAtThreshold(probabilities: Float64Array, threshold = 0.8): Int32Array {
  checkProbability('threshold', threshold);
  const out: number[] = [];
  for (let q = 0; q < probabilities.length; q++) if (probabilities[q]! >= threshold) out.push(q);
  return Int32Array.from(out);
}

/**
 * Indices of the questions whose probability lies in the uncertain band `low <= p < high`: the pairs to route to the
 * expert panel. With `high` equal to the label threshold, the band and the labels never overlap.
 */
export function uncertainBand(probabilities: Float64Array, low: number, high: number): Int32Array {
  checkProbability('low', low);
  checkProbability('high', high);
  if (low > high) throw new DawidSkeneInputError(`the band's low end (${low}) is above its high end (${high})`);
  const out: number[] = [];
  for (let q = 0; q < probabilities.length; q++) {
    const p = probabilities[q]!;
    if (p >= low && p < high) out.push(q);
  }
  return Int32Array.from(out);
}
