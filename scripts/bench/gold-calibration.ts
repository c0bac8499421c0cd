// Benchmark of Dawid–Skene calibrated on golden questions against unsupervised Dawid–Skene and the majority vote, on
// generated presence crowds of known truth (the generator of scripts/bench/dawid-skene.ts: 85 raters, each question
// answered no / maybe / yes by 5 distinct raters drawn at random, 30% of the proposed classes present), with two
// spreads of rater quality:
//
// - `real`: each generated rater answers with the confusion rows of one of ReaL's 78 raters, drawn at random with
//   replacement. Those rows are measured on ReaL's released golden questions (google-research/reassessed-imagenet,
//   raters_golden.npz: every rater's no / maybe / yes on 1,135 golden questions; golden.npz: the 5 experts' answers
//   to them, truth = present when at least 3 of the 5 said yes: 248 present, 887 absent). REAL_RATERS below are the
//   counts, per rater, of each answer given truth absent, then given truth present. Their accuracy (yes on present, no
//   on absent) ranges from 0.21 (one rater answering yes to nearly everything) to 0.89, median 0.85 (source: the files
//   at the repository's commit bcd006fe12e929f055e0ec7fe39dbf4d64a6881a; its README puts its example code under the
//   Apache License 2.0 and names no licence of its own for the data; only these per-rater tallies are copied here,
//   not the files); nearly all are
//   careful about absent classes (P(no | absent) median 0.93) and much less sure of present ones (P(yes | present)
//   median 0.56, the rest mostly "no").
// - `generator`: the generator's own spread: a third of the raters answer at random, the others are right 85–90% of
//   the time, their mistakes "maybe" two times out of three.
// - `contrarian` (a stress test, not a realistic spread; not run by default): ReaL's raters as in `real`, but a share
//   of them (--contrarian, 0.6 by default: a majority) answer with their rows swapped between absent and present, as
//   a group that systematically reads a class the other way would. Unsupervised Dawid–Skene, started from the majority
//   vote, then settles on the swapped reading; only truth from golden questions tells which reading is right.
//
// Golden questions, two layouts:
// - a share of the questions (1%, 2%, 5%, 10%) is golden: their truth is given to the calibrated runs, and every rule
//   is scored on the other questions only;
// - ReaL's layout: 1,135 extra golden questions (the same present share) that every rater answers, as in
//   raters_golden.npz; every rule sees those answers, the calibrated ones also their truth; scored on the crowd's
//   questions.
//
// Rules: majority vote ((yes + 0.5 maybe) / answers ≥ 0.5), unsupervised Dawid–Skene (dawidSkenePresence: it sees every
// answer, golden ones included, but no truth), Dawid–Skene with each rater's confusion rows estimated on the golden
// questions and held fixed (dawidSkenePresenceWithGold, goldConfusion 'fixed', the default), and semi-supervised
// Dawid–Skene (goldConfusion 'learned': golden posteriors clamped to the truth, every row learned by EM); and, as the
// ceiling, the oracle: the Bayes rule with the generating raters' true rows and present share. Accuracy is
// the share of scored questions whose P(present) ≥ 0.5 matches the generated truth. Each seed generates a new crowd;
// the figures are means over seeds with a 95% t-interval, and the gain of each calibrated rule over unsupervised
// Dawid–Skene is paired by seed (a seed's crowd and golden questions are the same for every rule).
//
//   npx tsx scripts/bench/gold-calibration.ts [--questions 185000] [--raters 85] [--answers 5] [--seeds 10] [--seed 1]
//                                             [--spread real,generator] [--shares 0.01,0.02,0.05,0.1] [--real-golden 1135]
//                                             [--smoothing 0.01] [--contrarian 0.6]
//
// Deterministic: the same options print the same figures (the seconds at the end aside).
import { parseArgs } from 'node:util';
import { dawidSkenePresence, dawidSkenePresenceWithGold, majorityPresence, presenceProbability, seededRandom } from '@bagel/core';

const { values } = parseArgs({
  options: {
    questions: { type: 'string', default: '185000' },
    raters: { type: 'string', default: '85' },
    answers: { type: 'string', default: '5' },
    seeds: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    spread: { type: 'string', default: 'real,generator' },
    shares: { type: 'string', default: '0.01,0.02,0.05,0.1' },
    'real-golden': { type: 'string', default: '1135' },
    smoothing: { type: 'string', default: '0.01' },
    contrarian: { type: 'string', default: '0.6' },
  },
});
const QUESTIONS = Number(values.questions);
const RATERS = Number(values.raters);
const PER_QUESTION = Number(values.answers);
const SEEDS = Number(values.seeds);
const FIRST_SEED = Number(values.seed);
const SHARES = values.shares.split(',').filter(Boolean).map(Number);
const REAL_GOLDEN = Number(values['real-golden']);
const SPREADS = values.spread.split(',').filter(Boolean) as Spread[];
const SMOOTHING = Number(values.smoothing);
const PRESENT_SHARE = 0.3;
type Spread = 'real' | 'generator' | 'contrarian';
const CONTRARIAN_SHARE = Number(values.contrarian);

/**
 * ReaL's 78 raters on its 1,135 golden questions: [no, maybe, yes] given truth absent, then [no, maybe, yes] given truth
 * present (truth: at least 3 of the 5 experts said yes).
 */
const REAL_RATERS: readonly (readonly number[])[] = [
  [865, 9, 13, 174, 7, 67],
  [830, 32, 25, 45, 35, 168],
  [831, 33, 23, 48, 34, 166],
  [837, 17, 33, 88, 16, 144],
  [831, 32, 24, 44, 34, 170],
  [831, 30, 26, 44, 37, 167],
  [830, 29, 28, 47, 34, 167],
  [805, 60, 22, 88, 53, 107],
  [831, 32, 24, 45, 34, 169],
  [830, 32, 25, 49, 34, 165],
  [812, 23, 52, 98, 21, 129],
  [838, 20, 29, 76, 33, 139],
  [859, 12, 16, 96, 33, 119],
  [834, 20, 33, 78, 23, 147],
  [850, 23, 14, 84, 50, 114],
  [853, 2, 32, 91, 3, 154],
  [812, 61, 14, 62, 77, 109],
  [786, 89, 12, 100, 63, 85],
  [829, 44, 14, 72, 61, 115],
  [804, 75, 8, 74, 96, 78],
  [829, 33, 25, 43, 36, 169],
  [750, 136, 1, 42, 167, 39],
  [828, 9, 50, 58, 16, 174],
  [837, 28, 22, 77, 23, 148],
  [844, 5, 38, 113, 9, 126],
  [748, 121, 18, 79, 63, 106],
  [804, 54, 29, 92, 45, 111],
  [847, 10, 30, 86, 18, 144],
  [843, 19, 25, 87, 22, 139],
  [694, 136, 57, 56, 39, 153],
  [758, 117, 12, 84, 86, 78],
  [796, 58, 33, 78, 44, 126],
  [826, 1, 60, 111, 3, 134],
  [797, 80, 10, 55, 79, 114],
  [844, 24, 19, 74, 30, 144],
  [849, 5, 33, 79, 7, 162],
  [851, 21, 15, 59, 46, 143],
  [841, 27, 19, 71, 35, 142],
  [838, 19, 30, 111, 16, 121],
  [837, 37, 13, 125, 45, 78],
  [850, 14, 23, 74, 31, 143],
  [791, 77, 19, 75, 58, 115],
  [756, 97, 34, 91, 68, 89],
  [17, 50, 820, 4, 18, 226],
  [843, 44, 0, 108, 129, 11],
  [862, 5, 20, 92, 5, 151],
  [799, 67, 21, 68, 63, 117],
  [763, 45, 79, 36, 15, 197],
  [825, 23, 39, 69, 31, 148],
  [822, 48, 17, 115, 46, 87],
  [856, 23, 8, 95, 50, 103],
  [815, 17, 55, 77, 19, 152],
  [788, 85, 14, 78, 62, 108],
  [838, 18, 31, 59, 24, 165],
  [804, 37, 46, 45, 22, 181],
  [838, 0, 49, 89, 2, 157],
  [837, 36, 14, 90, 39, 119],
  [832, 5, 50, 74, 9, 165],
  [856, 28, 3, 151, 48, 49],
  [734, 82, 71, 41, 45, 162],
  [743, 133, 11, 61, 117, 70],
  [835, 30, 22, 61, 41, 146],
  [814, 43, 30, 80, 29, 139],
  [865, 10, 12, 166, 9, 73],
  [836, 37, 14, 144, 31, 73],
  [863, 19, 5, 177, 34, 37],
  [841, 18, 28, 73, 24, 151],
  [757, 122, 8, 39, 112, 97],
  [823, 9, 55, 110, 5, 133],
  [836, 22, 29, 118, 36, 94],
  [784, 66, 37, 90, 42, 116],
  [793, 71, 23, 68, 70, 110],
  [835, 26, 26, 78, 36, 134],
  [837, 27, 23, 55, 32, 161],
  [812, 39, 36, 58, 29, 161],
  [825, 50, 12, 37, 63, 148],
  [758, 118, 11, 66, 74, 108],
  [842, 29, 16, 109, 37, 102],
];

/** Per rater, P(answer | truth): [no, maybe, yes | absent, no, maybe, yes | present]. */
function drawRaters(spread: Spread, random: () => number): Float64Array[] {
  if (spread === 'real' || spread === 'contrarian') {
    const contrarians = spread === 'contrarian' ? Math.round(CONTRARIAN_SHARE * RATERS) : 0;
    return Array.from({ length: RATERS }, (_, r) => {
      const counts = REAL_RATERS[Math.floor(random() * REAL_RATERS.length)]!;
      const absent = counts[0]! + counts[1]! + counts[2]!;
      const present = counts[3]! + counts[4]! + counts[5]!;
      const rows = Float64Array.from(counts, (c, i) => c / (i < 3 ? absent : present));
      // A contrarian answers an absent class as their ReaL rater answered a present one, and the other way round.
      return r < contrarians ? Float64Array.of(rows[3]!, rows[4]!, rows[5]!, rows[0]!, rows[1]!, rows[2]!) : rows;
    });
  }
  // The generator's spread (scripts/bench/dawid-skene.ts): a third at random, the others right 85–90% of the time.
  const poor = new Uint8Array(RATERS);
  for (let marked = 0; marked < Math.floor(RATERS / 3); ) {
    const r = Math.floor(random() * RATERS);
    if (!poor[r]) {
      poor[r] = 1;
      marked++;
    }
  }
  return Array.from({ length: RATERS }, (_, r) => {
    if (poor[r]) return Float64Array.of(1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3);
    const accuracy = 0.85 + 0.05 * random();
    const maybe = ((1 - accuracy) * 2) / 3;
    const opposite = (1 - accuracy) / 3;
    return Float64Array.of(accuracy, maybe, opposite, opposite, maybe, accuracy);
  });
}

interface Crowd {
  raters: Float64Array[];
  truth: Uint8Array;
  answers: { question: Int32Array; rater: Int32Array; answer: Int32Array };
}

/** `questions` crowd questions × PER_QUESTION distinct raters, then `golden` questions answered by every rater. */
function generate(seed: number, spread: Spread, golden: number): Crowd {
  const random = seededRandom(seed);
  const raters = drawRaters(spread, random);
  const total = QUESTIONS + golden;
  const n = QUESTIONS * PER_QUESTION + golden * RATERS;
  const truth = new Uint8Array(total);
  const answers = { question: new Int32Array(n), rater: new Int32Array(n), answer: new Int32Array(n) };
  const chosen = new Int32Array(PER_QUESTION);
  let i = 0;
  const answer = (q: number, r: number) => {
    const row = raters[r]!;
    const offset = truth[q]! * 3;
    const u = random();
    answers.question[i] = q;
    answers.rater[i] = r;
    answers.answer[i] = u < row[offset]! ? 0 : u < row[offset]! + row[offset + 1]! ? 1 : 2;
    i++;
  };
  for (let q = 0; q < total; q++) {
    truth[q] = random() < PRESENT_SHARE ? 1 : 0;
    if (q >= QUESTIONS) {
      for (let r = 0; r < RATERS; r++) answer(q, r);
      continue;
    }
    for (let c = 0; c < PER_QUESTION; c++) {
      let r: number;
      do r = Math.floor(random() * RATERS);
      while (chosen.subarray(0, c).includes(r));
      chosen[c] = r;
      answer(q, r);
    }
  }
  return { raters, truth, answers };
}

/**
 * The Bayes rule with the generating raters' true confusion rows and the true present share: the best any rule can do
 * on these answers (an upper bound, not a method: the rows are unknown in practice).
 */
function oracle(crowd: Crowd, questions: number): Float64Array {
  const logRows = crowd.raters.map((row) => row.map((p) => Math.log(Math.max(p, 1e-12))));
  const score = new Float64Array(questions * 2);
  for (let q = 0; q < questions; q++) {
    score[q * 2] = Math.log(1 - PRESENT_SHARE);
    score[q * 2 + 1] = Math.log(PRESENT_SHARE);
  }
  const { question, rater, answer } = crowd.answers;
  for (let i = 0; i < question.length; i++) {
    const row = logRows[rater[i]!]!;
    score[question[i]! * 2]! += row[answer[i]!]!;
    score[question[i]! * 2 + 1]! += row[3 + answer[i]!]!;
  }
  return Float64Array.from({ length: questions }, (_, q) => 1 / (1 + Math.exp(score[q * 2]! - score[q * 2 + 1]!)));
}

/** Share of the questions with `scored[q]` whose P(present) ≥ 0.5 matches the truth. */
function accuracyOf(probabilities: Float64Array, truth: Uint8Array, scored: (q: number) => boolean): number {
  let right = 0;
  let n = 0;
  for (let q = 0; q < truth.length; q++) {
    if (!scored(q)) continue;
    n++;
    if ((probabilities[q]! >= 0.5 ? 1 : 0) === truth[q]) right++;
  }
  return right / n;
}

const RULES = ['majority', 'unsupervised', 'gold fixed', 'gold learned', 'oracle'] as const;
type Rule = (typeof RULES)[number];

/** One seed, one layout: accuracy of every rule. */
function measure(crowd: Crowd, questions: number, isGold: Uint8Array, unsupervised: Float64Array, majority: Float64Array): Record<Rule, number> {
  const goldQuestions: number[] = [];
  for (let q = 0; q < questions; q++) if (isGold[q]) goldQuestions.push(q);
  const gold = { question: Int32Array.from(goldQuestions), truth: Int32Array.from(goldQuestions, (q) => crowd.truth[q]!) };
  const input = { questions, raters: RATERS, answers: crowd.answers, gold, smoothing: SMOOTHING };
  const fixed = presenceProbability(dawidSkenePresenceWithGold(input));
  const learned = presenceProbability(dawidSkenePresenceWithGold({ ...input, goldConfusion: 'learned' }));
  const scored = (q: number) => q < QUESTIONS && !isGold[q];
  return {
    majority: accuracyOf(majority, crowd.truth, scored),
    unsupervised: accuracyOf(unsupervised, crowd.truth, scored),
    'gold fixed': accuracyOf(fixed, crowd.truth, scored),
    'gold learned': accuracyOf(learned, crowd.truth, scored),
    oracle: accuracyOf(oracle(crowd, questions), crowd.truth, scored),
  };
}

/** Two-sided 95% Student t quantiles for 1..30 degrees of freedom (then the normal's 1.96). */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

function interval(xs: number[]): { mean: number; half: number } {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { mean, half: NaN };
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  return { mean, half: (T95[n - 2] ?? 1.96) * (sd / Math.sqrt(n)) };
}

const pct = (x: { mean: number; half: number }) => `${(x.mean * 100).toFixed(2)} ± ${(x.half * 100).toFixed(2)}`;
const signedPct = (x: { mean: number; half: number }) => `${x.mean >= 0 ? '+' : ''}${(x.mean * 100).toFixed(2)} ± ${(x.half * 100).toFixed(2)}`;

function verdict(gain: { mean: number; half: number }): string {
  if (gain.mean - gain.half > 0) return 'better';
  if (gain.mean + gain.half < 0) return 'WORSE';
  return 'no difference shown';
}

const started = performance.now();
console.log(
  `${QUESTIONS} questions × ${PER_QUESTION} answers from ${RATERS} raters, ${(PRESENT_SHARE * 100).toFixed(0)}% present; smoothing ${SMOOTHING}; ${SEEDS} seeds from ${FIRST_SEED};` +
    ' accuracy on the questions that are not golden, mean over seeds ± 95% t-interval, in %; gain = paired by seed against unsupervised',
);
for (const spread of SPREADS) {
  const layouts = [...SHARES.map((share) => ({ name: `${(share * 100).toFixed(0)}% of questions`, share })), { name: `ReaL: ${REAL_GOLDEN} answered by all`, share: -1 }];
  const results = new Map<string, Record<Rule, number>[]>();
  for (let s = 0; s < SEEDS; s++) {
    const seed = FIRST_SEED + s;
    // The crowd without extra golden questions, for the share layouts: one unsupervised run scored on each share's rest.
    const crowd = generate(seed, spread, 0);
    const plainInput = { questions: QUESTIONS, raters: RATERS, answers: crowd.answers, smoothing: SMOOTHING };
    const unsupervised = presenceProbability(dawidSkenePresence(plainInput));
    const majority = majorityPresence(plainInput);
    // The golden questions of each share: the questions whose draw is below the share, so a larger share adds to a smaller one.
    const pick = seededRandom(seed * 7919 + 17);
    const draw = Float64Array.from({ length: QUESTIONS }, () => pick());
    for (const layout of layouts) {
      let row: Record<Rule, number>;
      if (layout.share >= 0) {
        const isGold = Uint8Array.from(draw, (u) => (u < layout.share ? 1 : 0));
        row = measure(crowd, QUESTIONS, isGold, unsupervised, majority);
      } else {
        const withGolden = generate(seed, spread, REAL_GOLDEN);
        const total = QUESTIONS + REAL_GOLDEN;
        const input = { questions: total, raters: RATERS, answers: withGolden.answers, smoothing: SMOOTHING };
        const isGold = Uint8Array.from({ length: total }, (_, q) => (q >= QUESTIONS ? 1 : 0));
        row = measure(withGolden, total, isGold, presenceProbability(dawidSkenePresence(input)), majorityPresence(input));
      }
      results.set(layout.name, [...(results.get(layout.name) ?? []), row]);
    }
  }
  const spreadName = {
    real: "ReaL's raters on its golden questions",
    generator: "the generator's (a third at random, the others right 85–90%)",
    contrarian: `ReaL's raters, ${Math.round(CONTRARIAN_SHARE * 100)}% of them with absent and present swapped (stress test)`,
  }[spread];
  console.log(`\nrater spread: ${spreadName}`);
  const header = ['golden questions', 'majority', 'unsupervised DS', 'DS gold fixed', 'gain', 'DS gold learned', 'gain', 'fixed better in', 'oracle'];
  const lines = [header];
  for (const layout of layouts) {
    const rows = results.get(layout.name)!;
    const of = (rule: Rule) => interval(rows.map((r) => r[rule]));
    const gain = (rule: Rule) => interval(rows.map((r) => r[rule] - r.unsupervised));
    const fixedGain = gain('gold fixed');
    const learnedGain = gain('gold learned');
    const wins = rows.filter((r) => r['gold fixed'] > r.unsupervised).length;
    lines.push([
      layout.name,
      pct(of('majority')),
      pct(of('unsupervised')),
      pct(of('gold fixed')),
      `${signedPct(fixedGain)} ${verdict(fixedGain)}`,
      pct(of('gold learned')),
      `${signedPct(learnedGain)} ${verdict(learnedGain)}`,
      `${wins}/${rows.length} seeds`,
      pct(of('oracle')),
    ]);
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  for (const l of lines) console.log(l.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
}
console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s`);
