// Prior judgements a project starts from: existing multi-labels (human-accuracy-v3, ReaL JSON) and crowd answers
// (ReaL's .npz) routed by Dawid–Skene. Kept apart from ../index.ts because these modules build on the exports'
// readers, which themselves import ../index.ts: re-exporting them there would make an import cycle.
export {
  priorLabelsFromHumanAccuracy,
  noLabelRecord,
  priorLabelsFromReal,
  REAL_NO_LABEL_REASON,
  type PriorImageLabels,
  type PriorJudgement,
  type PriorLabels,
  type PriorProblematic,
} from './prior-labels';
export { CrowdAnswersReader, type CrowdAnswers } from './crowd-answers-reader';
export { withGoldenQuestions, type GoldenQuestionsSummary } from './golden-questions';
export {
  isCrowdNoLabel,
  resolveCrowdQuestions,
  routeCrowdAnswers,
  routeOfPosterior,
  type CrowdPair,
  type CrowdQuestionTargets,
  type CrowdRoute,
  type CrowdRouting,
  type CrowdRoutingSettings,
} from './route-crowd-answers';
export {
  mergePriorJudgements,
  priorProblematic,
  type ExtraCandidateSource,
  type ImagePriorJudgements,
  type PriorJudgementsByImage,
  type PriorJudgementSource,
} from './merge-prior-judgements';
export { goldAnswersFrom, type GoldAnswer, type GoldAnswers } from './gold-answers';
