// Test support only (not exported): builds crowd answers archives in ReaL's .npz layout, as numpy.savez writes them.
import { zipSync } from 'fflate';
import { buildNpy, type NpySpec } from '../../numpy/build-npy-for-tests';

/** One question: an image file, a class index, and the answers it received by rater position. */
export interface CrowdQuestionSpec {
  file: string;
  classIndex: number;
  answers: Partial<Record<number, 'no' | 'maybe' | 'yes'>>;
}

const ONE_HOT = { no: [1, 0, 0], maybe: [0, 1, 0], yes: [0, 0, 1] } as const;

/** The three arrays of a crowd archive, as numpy elements (row-major). */
export function crowdArrays(raterIds: readonly number[], questions: readonly CrowdQuestionSpec[]) {
  const raters = raterIds.length;
  const tensor: number[] = [];
  for (let r = 0; r < raters; r++) {
    for (const q of questions) {
      const answer = q.answers[r];
      tensor.push(...(answer ? ONE_HOT[answer] : [0, 0, 0]));
    }
  }
  const longest = Math.max(1, ...questions.flatMap((q) => [q.file.length, String(q.classIndex).length]));
  return {
    tensor: { type: 'f8', shape: [raters, questions.length, 3], elements: tensor } satisfies NpySpec,
    info: { type: `U${longest}`, shape: [questions.length, 2], elements: questions.flatMap((q) => [q.file, String(q.classIndex)]) } satisfies NpySpec,
    ids: { type: 'i8', shape: [raters], elements: [...raterIds] } satisfies NpySpec,
  };
}

/**
 * A `.npz` holding `tensor`, `info` and `ids` (or the members given instead: a test replaces or drops one to break
 * the archive). `compressed` deflates the members as numpy.savez_compressed does.
 */
export function buildCrowdNpz(
  members: Partial<Record<string, NpySpec | Uint8Array>>,
  options: { compressed?: boolean } = {},
): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 | 6 }]> = {};
  for (const [name, member] of Object.entries(members)) {
    if (!member) continue;
    files[`${name}.npy`] = [member instanceof Uint8Array ? member : buildNpy(member), { level: options.compressed ? 6 : 0 }];
  }
  return zipSync(files);
}

/** Raters of known reliability for `calibrationQuestions`: 0 to 3 careful, 4 and 5 answering regardless of the truth. */
export const CAREFUL_RATERS = [0, 1, 2, 3] as const;
export const CARELESS_RATERS = [4, 5] as const;

/**
 * Questions about images outside any project (`calibration-{i}.jpg`), in blocks of 20: ten about a present class,
 * then ten about an absent one. Careful raters answer all of them: in each ten, 8 right answers, one "maybe" and one
 * wrong answer, the same for a present and an absent class. One careless rater answers each question (4 the even ones,
 * 5 the odd ones), giving within each ten the same answers whatever the truth. Symmetric by construction, so
 * Dawid–Skene learns that careful "yes" and "no" weigh alike, that "maybe" says nothing, and that careless answers say
 * nothing: answers that cancel out leave a pair uncertain.
 */
export function calibrationQuestions(blocks: number): CrowdQuestionSpec[] {
  const questions: CrowdQuestionSpec[] = [];
  const careless = ['yes', 'no', 'maybe', 'yes', 'no'] as const;
  for (let i = 0; i < blocks * 20; i++) {
    const present = i % 20 < 10;
    const h = i % 10;
    const answers: CrowdQuestionSpec['answers'] = {};
    for (const r of CAREFUL_RATERS) {
      const right = present ? 'yes' : 'no';
      const wrong = present ? 'no' : 'yes';
      answers[r] = h === r ? 'maybe' : h === r + 5 ? wrong : right;
    }
    answers[CARELESS_RATERS[i % 2]!] = careless[Math.floor(h / 2)]!;
    questions.push({ file: `calibration-${i}.jpg`, classIndex: 0, answers });
  }
  return questions;
}

/** Every rater of six but `skipped` gives `answer`. */
function allBut(skipped: number, answer: 'no' | 'maybe' | 'yes'): CrowdQuestionSpec['answers'] {
  return Object.fromEntries([0, 1, 2, 3, 4, 5].filter((r) => r !== skipped).map((r) => [r, answer]));
}

export type ExpectedRoute = 'label' | 'absent' | 'review' | 'unanswered';

/**
 * Questions about the four images of the import tests' fixture project (classes 0 cat, 1 dog, 2 cup, 3 espresso,
 * 4 fox), each with the route it must take once `calibrationQuestions` have taught Dawid–Skene who is careful (raters
 * 0 to 3) and who is not (4 and 5).
 */
export const FIXTURE_PROJECT_QUESTIONS: readonly (CrowdQuestionSpec & { expected: ExpectedRoute })[] = [
  { file: 'a.jpg', classIndex: 0, answers: allBut(0, 'yes'), expected: 'label' },
  { file: 'a.jpg', classIndex: 1, answers: allBut(1, 'no'), expected: 'absent' },
  // "maybe" from everyone: careful raters say "maybe" as often for a present class as for an absent one.
  { file: 'a.jpg', classIndex: 4, answers: allBut(2, 'maybe'), expected: 'review' },
  { file: 'b.jpg', classIndex: 1, answers: allBut(3, 'yes'), expected: 'label' },
  // Careful raters split two against two.
  { file: 'b.jpg', classIndex: 0, answers: { 0: 'yes', 1: 'yes', 2: 'no', 3: 'no', 4: 'maybe' }, expected: 'review' },
  { file: 'b.jpg', classIndex: 4, answers: {}, expected: 'unanswered' },
  // Three careful "yes" outweigh two careless "no".
  { file: 'sub/c.jpg', classIndex: 3, answers: { 0: 'yes', 1: 'yes', 2: 'yes', 4: 'no', 5: 'no' }, expected: 'label' },
  { file: 'sub/c.jpg', classIndex: 2, answers: { 0: 'yes', 1: 'yes', 2: 'yes', 3: 'maybe', 5: 'no' }, expected: 'label' },
  { file: 'd.jpg', classIndex: 4, answers: { 0: 'no', 1: 'no', 2: 'no', 3: 'no', 4: 'yes' }, expected: 'absent' },
  // A majority vote calls this one even (2 yes, 2 no, 1 maybe); the two "yes" are the careless raters'.
  { file: 'd.jpg', classIndex: 0, answers: { 0: 'no', 1: 'no', 2: 'maybe', 4: 'yes', 5: 'yes' }, expected: 'absent' },
];

/** The rater ids of the fixture crowd. */
export const FIXTURE_RATER_IDS: readonly number[] = [101, 102, 103, 104, 105, 106];

/** The fixture crowd: the project questions, then 100 calibration questions about other images. */
export function fixtureCrowdQuestions(): CrowdQuestionSpec[] {
  return [...FIXTURE_PROJECT_QUESTIONS, ...calibrationQuestions(5)];
}
