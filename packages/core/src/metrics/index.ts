export {
  top1Accuracy,
  multiLabelAccuracy,
  realAccuracy,
  imagenetMScore,
  isMajorSliceImage,
  isAcceptablePrediction,
  type HitRate,
  type MultiLabelImage,
  type MultiLabelAccuracy,
} from './accuracy';
export { countMistakesBySeverity, countMistakesByCategory, type SeverityCounts } from './mistake-counts';
export {
  fleissKappa,
  gwetAC1,
  countTable,
  krippendorffAlphaNominal,
  raterAgreement,
  type RatingValue,
  type FleissKappa,
  type GwetAC1,
  type KrippendorffAlpha,
  type RaterAgreement,
} from './agreement';
export { wilsonInterval, newcombeDifference, type Proportion, type ProportionDifference } from './proportion';
