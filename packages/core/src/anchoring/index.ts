export { modelEvidenceCondition, candidatesWithModelsHidden, type EvidenceCondition } from './model-evidence';
export { pickDecoys } from './decoys';
export { modelEvidenceEffect, type EvidenceObservation, tallyEvidence, type EvidenceTally, type EvidenceTallies, type EvidenceComparison, type ModelEvidenceEffect } from './evidence-effect';
