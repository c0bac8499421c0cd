import type { GoldFeedback, GoldFeedbackClass, Judgement, ProblematicFlag } from '@bagel/contracts';

/** What a comparison with a gold answer needs of a verdict and of the answer: the judgements and the flag. */
export interface JudgedLabels {
  labels: Readonly<Record<string, Judgement>>;
  problematic: ProblematicFlag | null;
}

/** The comparison without the classes' names (the server adds them from the vocabulary). */
export type GoldComparison = Omit<GoldFeedback, 'classes'> & { classes: Omit<GoldFeedbackClass, 'name'>[] };

// A class one side leaves out is absent for it, as the reliability figures count it: the same as judging it wrong.
const asJudged = (judgement: Judgement | null): Judgement => judgement ?? 'wrong';

/**
 * How an expert's answer to a gold item compares with the gold answer (the feedback after a gold item,
 * docs/AGGREGATION.md, "Gold items"): the classes they judged otherwise, in the answer's order then theirs, and both
 * problematic flags. A class left out by one side differs only from a judgement `correct` or `unclear` on the other.
 * Mistake grades are not compared.
 */
export function compareWithGold(answer: JudgedLabels, yours: JudgedLabels): GoldComparison {
  const keys = [...Object.keys(answer.labels), ...Object.keys(yours.labels).filter((key) => !Object.hasOwn(answer.labels, key))];
  const classes = keys.flatMap((key) => {
    const mine = Object.hasOwn(yours.labels, key) ? yours.labels[key]! : null;
    const theirs = Object.hasOwn(answer.labels, key) ? answer.labels[key]! : null;
    return asJudged(mine) === asJudged(theirs) ? [] : [{ key, yours: mine, answer: theirs }];
  });
  const problematic = { yours: yours.problematic !== null, answer: answer.problematic !== null };
  return { matched: classes.length === 0 && problematic.yours === problematic.answer, classes, problematic };
}
