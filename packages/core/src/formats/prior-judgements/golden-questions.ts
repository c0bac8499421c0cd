import { presenceGoldFromExperts, type DawidSkeneGold } from '../../dawid-skene';
import type { CrowdAnswers } from './crowd-answers-reader';

/** What the golden questions added to the crowd's answers, for the import's summary. */
export interface GoldenQuestionsSummary {
  /** Golden questions whose truth the experts settled (an even split, or no expert answer, is not golden). */
  golden: number;
  /** Golden questions that were not among the crowd file's questions (they inform the raters' reliability only). */
  added: number;
  /** The crowd raters' answers to the golden questions that joined theirs (a pair answered in both files counts once). */
  raterAnswers: number;
  /** Raters of the golden file who are not in the crowd file. */
  newRaters: number;
}

const keyOf = (file: string, classIndex: number) => `${classIndex}\t${file}`;

/**
 * The crowd's answers with ReaL's golden questions (docs/AGGREGATION.md, "Golden questions"; google-research/
 * reassessed-imagenet: golden.npz, raters_golden.npz, each in the crowd layout): `raters` (raters_golden.npz) holds the
 * crowd raters' answers to the golden questions, matched to the crowd file's raters by their ids; `experts`
 * (golden.npz) the experts' answers, whose mean settles each golden question's truth (presenceGoldFromExperts). A
 * golden question that is also a question of the crowd file, the same (file, class), is that question; the others are
 * added after the crowd file's. The result feeds dawidSkenePresenceWithGold: each rater's reliability is estimated on
 * the golden questions and held fixed while the rest is inferred.
 */
export function withGoldenQuestions(crowd: CrowdAnswers, experts: CrowdAnswers, raters: CrowdAnswers): { crowd: CrowdAnswers; gold: DawidSkeneGold; summary: GoldenQuestionsSummary } {
  const questionFiles = [...crowd.questionFiles];
  const questionClasses = Array.from(crowd.questionClasses);
  const questionIndex = new Map<string, number>();
  for (let q = 0; q < questionFiles.length; q++) questionIndex.set(keyOf(questionFiles[q]!, questionClasses[q]!), q);
  const indexOf = (file: string, classIndex: number): number => {
    const key = keyOf(file, classIndex);
    let q = questionIndex.get(key);
    if (q === undefined) {
      q = questionFiles.length;
      questionFiles.push(file);
      questionClasses.push(classIndex);
      questionIndex.set(key, q);
    }
    return q;
  };
  const crowdQuestions = crowd.questionFiles.length;

  const raterIds = [...crowd.raterIds];
  const raterIndex = new Map(raterIds.map((id, r) => [id, r]));
  const raterOf = (id: number): number => {
    let r = raterIndex.get(id);
    if (r === undefined) {
      r = raterIds.length;
      raterIds.push(id);
      raterIndex.set(id, r);
    }
    return r;
  };

  // Golden questions by the raters' file, then the experts' (which may list them in another order).
  const ratersQuestion = Int32Array.from(raters.questionFiles, (file, g) => indexOf(file, raters.questionClasses[g]!));
  const expertsQuestion = Int32Array.from(experts.questionFiles, (file, g) => indexOf(file, experts.questionClasses[g]!));

  // A pair (rater, question) answered in both files counts once: the crowd file's answer.
  const answered = new Set<number>();
  const pairKey = (rater: number, question: number) => rater * questionFiles.length + question;
  for (let i = 0; i < crowd.answers.question.length; i++) answered.add(pairKey(crowd.answers.rater[i]!, crowd.answers.question[i]!));
  const question = Array.from(crowd.answers.question);
  const rater = Array.from(crowd.answers.rater);
  const answer = Array.from(crowd.answers.answer);
  const crowdRaters = crowd.raterIds.length;
  let raterAnswers = 0;
  for (let i = 0; i < raters.answers.question.length; i++) {
    const q = ratersQuestion[raters.answers.question[i]!]!;
    const r = raterOf(raters.raterIds[raters.answers.rater[i]!]!);
    const key = pairKey(r, q);
    if (answered.has(key)) continue;
    answered.add(key);
    question.push(q);
    rater.push(r);
    answer.push(raters.answers.answer[i]!);
    raterAnswers++;
  }

  const gold = presenceGoldFromExperts(questionFiles.length, {
    question: Int32Array.from(experts.answers.question, (g) => expertsQuestion[g]!),
    rater: experts.answers.rater,
    answer: experts.answers.answer,
  });
  return {
    crowd: {
      raterIds,
      questionFiles,
      questionClasses: Int32Array.from(questionClasses),
      answers: { question: Int32Array.from(question), rater: Int32Array.from(rater), answer: Int32Array.from(answer) },
    },
    gold,
    summary: { golden: gold.question.length, added: questionFiles.length - crowdQuestions, raterAnswers, newRaters: raterIds.length - crowdRaters },
  };
}
