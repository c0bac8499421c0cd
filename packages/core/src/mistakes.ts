import type { Judgement } from '@bagel/contracts';

/** A model's top-k on one image, best first. */
export interface ModelPredictions {
  model: string;
  predictions: readonly { key: string; score: number | null }[];
}

/** Before review, a model is wrong on an image when its top-1 is outside the accepted labels. */
export function isTop1OutsideAccepted(model: ModelPredictions, acceptedKeys: ReadonlySet<string>): boolean {
  const top1 = model.predictions[0];
  return top1 !== undefined && !acceptedKeys.has(top1.key);
}

/**
 * An image enters the review queue when at least one model's top-1 is outside its accepted labels.
 * Its priority: more models wrong first, then higher confidence (the highest top-1 score among the wrong models;
 * a model without scores counts as 0).
 */
export function queuePriority(
  models: readonly ModelPredictions[],
  acceptedKeys: ReadonlySet<string>,
): { modelsWrong: number; confidence: number } {
  let modelsWrong = 0;
  let confidence = 0;
  for (const m of models) {
    if (!isTop1OutsideAccepted(m, acceptedKeys)) continue;
    modelsWrong++;
    confidence = Math.max(confidence, m.predictions[0]?.score ?? 0);
  }
  return { modelsWrong, confidence };
}

/** DOMAIN: a mistake is a top-1 prediction that is judged neither `correct` nor `unclear` (left unjudged counts as a mistake). */
export function isMistakeUnderJudgements(top1Key: string, labels: Readonly<Record<string, Judgement>>): boolean {
  const j = labels[top1Key];
  return j !== 'correct' && j !== 'unclear';
}

/** Names of the models whose top-1 is a mistake under an expert's judgements: those the expert must grade. */
export function modelsToGrade(models: readonly ModelPredictions[], labels: Readonly<Record<string, Judgement>>): string[] {
  return models.filter((m) => m.predictions[0] && isMistakeUnderJudgements(m.predictions[0].key, labels)).map((m) => m.model);
}
