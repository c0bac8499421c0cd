import { z } from 'zod';
import { Id, Role } from './common';

/**
 * What an expert's verdicts are measured against: `final` (the items' final labels: agreed by the panel or decided by
 * the lead) or `gold` (items a lead marked gold, whose answer is known). Both are answers of one shape (FinalLabels).
 */
export const ReliabilityReference = z.enum(['final', 'gold']);
export type ReliabilityReference = z.infer<typeof ReliabilityReference>;

export const ExpertReliabilityParams = z.object({ projectId: Id });
export const ExpertReliabilityQuery = z.object({
  reference: ReliabilityReference.default('final').meta({ description: 'What the verdicts are measured against; `final` by default' }),
});

export const ReliabilityProportion = z
  .object({
    successes: z.number().int().nonnegative(),
    trials: z.number().int().nonnegative(),
    rate: z.number().min(0).max(1).nullable().meta({ description: 'successes / trials; null without trials' }),
    low: z.number().min(0).max(1).nullable().meta({ description: 'Low end of the 95% Wilson score interval; null without trials' }),
    high: z.number().min(0).max(1).nullable().meta({ description: 'High end of the 95% Wilson score interval; null without trials' }),
  })
  ;
export type ReliabilityProportion = z.infer<typeof ReliabilityProportion>;

const Count = z.number().int().nonnegative();
export const JudgementCounts = z.object({ correct: Count, wrong: Count, unclear: Count });

const ClassFigures = {
  present: JudgementCounts.meta({ description: 'Their judgements of classes the reference judges correct' }),
  absent: JudgementCounts.meta({ description: 'Their judgements of classes the reference judges wrong or does not judge' }),
  unsettled: JudgementCounts.meta({ description: 'Their judgements of classes the reference judges unclear (in no rate but the unclear rate)' }),
  sensitivity: ReliabilityProportion.meta({ description: 'Present classes judged correct, of the present classes judged correct or wrong (unclear apart)' }),
  specificity: ReliabilityProportion.meta({ description: 'Absent classes judged wrong, of the absent classes judged correct or wrong (unclear apart)' }),
  unclearRate: ReliabilityProportion.meta({ description: 'Class judgements unclear, of all their class judgements on the reference items' }),
};

export const ExpertReliability = z.object({
  expert: z.string(),
  role: Role,
  items: Count.meta({ description: 'Reference items they gave a verdict on' }),
  ...ClassFigures,
  problematic: z
    .object({ both: Count, expertOnly: Count, referenceOnly: Count, neither: Count })
    .meta({ description: 'Their problematic flag against the reference’s, one per item' }),
  problematicAgreement: ReliabilityProportion.meta({ description: 'Items where their flag equals the reference’s (both or neither)' }),
  severityAgreement: ReliabilityProportion.meta({ description: 'Mistakes they graded with the reference’s severity, of the models both graded' }),
});
export type ExpertReliability = z.infer<typeof ExpertReliability>;

export const ExpertClassReliability = z.object({
  expert: z.string(),
  classKey: z.string(),
  className: z.string(),
  ...ClassFigures,
});
export type ExpertClassReliability = z.infer<typeof ExpertClassReliability>;

export const ExpertReliabilityReport = z.object({
  projectId: z.number().int(),
  reference: ReliabilityReference,
  generatedAt: z.string(),
  referenceItems: Count.meta({ description: 'Items with a reference answer (final or gold) in the project' }),
  summary: z.string().meta({ description: 'In words: what the figures are measured against and which verdicts count' }),
  minPresentPerClass: Count.meta({ description: 'A class is listed for an expert once they judged it this many times where the reference has it present' }),
  experts: z.array(ExpertReliability).meta({ description: 'Every expert with a verdict on a reference item, by name' }),
  classes: z.array(ExpertClassReliability).meta({ description: 'Per expert and class with enough present judgements, by expert then class index' }),
});
export type ExpertReliabilityReport = z.infer<typeof ExpertReliabilityReport>;
