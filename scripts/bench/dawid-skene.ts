// Benchmark of Dawid–Skene aggregation at ReaL's scale: 185,000 (image, class) presence questions × 5 answers
// (no / maybe / yes) from 85 raters, generated with a fixed seed: a third of the raters answer at random, the others
// are right 85–90% of the time. Baseline, measured in the same run on the same answers: one majority-vote pass.
//
//   npx tsx scripts/bench/dawid-skene.ts [--questions 185000] [--raters 85] [--answers 5] [--seed 1979]
//                                        [--tolerance 1e-6] [--max-iterations 100]
// (`--tolerance 0` runs every one of the max iterations: the worst case.)
//
// Prints the seconds of dawidSkenePresence (target: under 10 s), its iterations, the majority-vote time and the
// ratio of the two, and both rules' accuracy against the generated truth.
import { parseArgs } from 'node:util';
import { dawidSkenePresence, majorityPresence, PRESENCE_ANSWER, presenceProbability } from '@bagel/core';
import { seededRandom } from '@bagel/core';

const { values } = parseArgs({
  options: {
    questions: { type: 'string', default: '185000' },
    raters: { type: 'string', default: '85' },
    answers: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1979' },
    tolerance: { type: 'string', default: '1e-6' },
    'max-iterations': { type: 'string', default: '100' },
  },
});
const QUESTIONS = Number(values.questions);
const RATERS = Number(values.raters);
const PER_QUESTION = Number(values.answers);

function generate() {
  const random = seededRandom(Number(values.seed));
  const poor = new Uint8Array(RATERS);
  for (let marked = 0; marked < Math.floor(RATERS / 3); ) {
    const r = Math.floor(random() * RATERS);
    if (!poor[r]) {
      poor[r] = 1;
      marked++;
    }
  }
  const accuracy = Float64Array.from({ length: RATERS }, () => 0.85 + 0.05 * random());
  const truth = new Uint8Array(QUESTIONS);
  const n = QUESTIONS * PER_QUESTION;
  const answers = { question: new Int32Array(n), rater: new Int32Array(n), answer: new Int32Array(n) };
  const chosen = new Int32Array(PER_QUESTION);
  let i = 0;
  for (let q = 0; q < QUESTIONS; q++) {
    // Most proposed classes are absent, as in ReaL.
    const present = random() < 0.3 ? 1 : 0;
    truth[q] = present;
    for (let c = 0; c < PER_QUESTION; c++) {
      let r: number;
      do r = Math.floor(random() * RATERS);
      while (chosen.subarray(0, c).includes(r));
      chosen[c] = r;
      let a: number;
      if (poor[r]) a = Math.floor(random() * 3);
      else if (random() < accuracy[r]!) a = present ? PRESENCE_ANSWER.yes : PRESENCE_ANSWER.no;
      else a = random() < 2 / 3 ? PRESENCE_ANSWER.maybe : present ? PRESENCE_ANSWER.no : PRESENCE_ANSWER.yes;
      answers.question[i] = q;
      answers.rater[i] = r;
      answers.answer[i] = a;
      i++;
    }
  }
  return { truth, answers };
}

function accuracyOf(probabilities: Float64Array, truth: Uint8Array): number {
  let right = 0;
  for (let q = 0; q < truth.length; q++) if ((probabilities[q]! >= 0.5 ? 1 : 0) === truth[q]) right++;
  return right / truth.length;
}

const { truth, answers } = generate();
const input = {
  questions: QUESTIONS,
  raters: RATERS,
  answers,
  tolerance: Number(values.tolerance),
  maxIterations: Number(values['max-iterations']),
};

let start = performance.now();
const majority = majorityPresence(input);
const majoritySeconds = (performance.now() - start) / 1000;

start = performance.now();
const result = dawidSkenePresence(input);
const dawidSkeneSeconds = (performance.now() - start) / 1000;
const posterior = presenceProbability(result);

console.log(`${QUESTIONS} questions × ${PER_QUESTION} answers from ${RATERS} raters (${answers.question.length} answers)`);
console.log(
  `Dawid–Skene: ${dawidSkeneSeconds.toFixed(2)} s, ${result.iterations} iterations, ${result.converged ? 'converged' : 'stopped at maxIterations'}` +
    ` (${((dawidSkeneSeconds / result.iterations) * 1000).toFixed(1)} ms per iteration)`,
);
console.log(`majority vote (baseline: validation, ordering and one pass): ${(majoritySeconds * 1000).toFixed(1)} ms; ratio ${(dawidSkeneSeconds / majoritySeconds).toFixed(0)}×`);
console.log(
  `accuracy against the generated truth: Dawid–Skene ${(accuracyOf(posterior, truth) * 100).toFixed(2)}%, majority vote ${(accuracyOf(majority, truth) * 100).toFixed(2)}%`,
);
console.log(`target: under 10 s: ${dawidSkeneSeconds < 10 ? 'met' : 'NOT met'}`);
