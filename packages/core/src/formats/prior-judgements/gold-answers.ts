import type { FinalLabels } from '@bagel/contracts';
import type { Vocabulary } from '../../vocabulary';
import type { PriorLabels } from './prior-labels';

/** One imported gold answer: the item of the image at `position` becomes a gold item with `answer`. */
export interface GoldAnswer {
  position: number;
  answer: FinalLabels;
}

export interface GoldAnswers {
  /** In file order. */
  answers: GoldAnswer[];
  /** Project images the file labels that are not items (no model's top-1 is outside their accepted labels): left out. */
  labelledNotItems: number;
}

/** Reasons are at most this long in a verdict or a decision (ProblematicFlag). */
const REASON_MAX = 500;

/**
 * Gold answers from a multi-label file read as prior labels are (human-accuracy-v3, ReaL JSON): each item's label set
 * in the shape of final labels. The set is complete, as evaluation reads these files: the answer judges the classes
 * the file lists, and reliability takes any other class to be absent. An image the file leaves out of evaluation
 * (problematic_images, ReaL's `[]`) has a problematic answer with the file's reason. The files grade no mistakes, so
 * the answers have none: severity agreement against gold counts only gold items a lead marked.
 */
export function goldAnswersFrom(labels: PriorLabels, isItem: (position: number) => boolean, vocabulary: Vocabulary): GoldAnswers {
  const reasons = new Map(labels.problematic.map(({ position, record }) => [position, record.reason]));
  const answers: GoldAnswer[] = [];
  let labelledNotItems = 0;
  for (const { position, judgements } of labels.labelled) {
    if (!isItem(position)) {
      labelledNotItems++;
      continue;
    }
    const answerLabels: FinalLabels['labels'] = {};
    for (const { classIndex, judgement } of judgements) answerLabels[vocabulary.byIndex(classIndex)!.key] = judgement;
    const reason = reasons.get(position);
    answers.push({
      position,
      answer: {
        labels: answerLabels,
        problematic: reason === undefined ? null : { reason: reason.trim().slice(0, REASON_MAX) || 'problematic' },
        mistakes: {},
      },
    });
  }
  return { answers, labelledNotItems };
}
