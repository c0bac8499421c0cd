import { z } from 'zod';
import { Id, Judgement, queryInteger, Severity } from './common';
import { ProblematicFlag, MistakeGrade, ReviewItem, Verdict, ItemStatus } from './review';
import { Aggregation, DecoyCount, GoldFeedbackSetting, GoldQualification, GoldRate, ModelEvidence, PanelPolicy, PanelQuorum } from './settings';

// The aggregate of a panel's verdicts, as computed by aggregatePanel in @bagel/core (docs/AGGREGATION.md).
export const ClassConsensus = z.object({
  key: z.string(),
  decision: Judgement,
  reached: z.boolean().meta({ description: 'The decision has at least q votes (under dawid-skene: the posterior is outside the band)' }),
  votes: z.object({ correct: z.number().int(), wrong: z.number().int(), unclear: z.number().int(), abstain: z.number().int() }),
  posterior: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .meta({ description: 'Under dawid-skene aggregation: P(present) from the judgements and each expert\'s confusion matrix, which decided the class; absent under the quorum and for a class nobody judged' }),
});
export const ProblematicConsensus = z.object({
  decision: z.boolean(),
  reached: z.boolean(),
  votes: z.object({ flagged: z.number().int(), notFlagged: z.number().int() }),
  reasons: z.array(z.object({ reason: z.string(), votes: z.number().int() })),
});
export const ModelConsensus = z.object({
  model: z.string(),
  top1Key: z.string(),
  mistake: z.enum(['yes', 'no', 'undecided']),
  graders: z.number().int(),
  severity: z.object({
    decision: Severity.nullable(),
    reached: z.boolean(),
    votes: z.object({ Major: z.number().int(), Minor: z.number().int(), Borderline: z.number().int() }),
  }),
  category: z.object({
    decision: z.string().nullable(),
    reached: z.boolean(),
    votes: z.array(z.object({ category: z.string(), votes: z.number().int() })),
  }),
});
export const PanelDispute = z.union([
  z.object({ kind: z.literal('class'), classKey: z.string(), detail: z.string() }),
  z.object({ kind: z.literal('problematic'), detail: z.string() }),
  z.object({ kind: z.enum(['severity', 'category']), model: z.string(), detail: z.string() }),
]);
export const PanelConsensus = z.object({
  status: z.enum(['agreed', 'disputed', 'incomplete']),
  quorum: z.number().int().meta({ description: 'q: matching votes an answer needs' }),
  panelSize: z.number().int(),
  verdictCount: z.number().int(),
  classes: z.array(ClassConsensus),
  problematic: ProblematicConsensus,
  models: z.array(ModelConsensus),
  disputes: z.array(PanelDispute),
});
export type PanelConsensus = z.infer<typeof PanelConsensus>;

/** The final multi-label result of an item: from an agreed panel, or from the lead's decision. */
export const FinalLabels = z.object({
  labels: z.record(z.string(), Judgement).meta({ description: 'Final judgement per class key' }),
  problematic: ProblematicFlag.nullable(),
  mistakes: z.record(z.string(), MistakeGrade).meta({ description: "Per model whose top-1 is a mistake under the final labels: its final grade" }),
});
export type FinalLabels = z.infer<typeof FinalLabels>;

/** Body of `POST /api/items/:itemId/decisions`: the lead finalizes a disputed item, or overrides a final one. */
export const LeadDecisionRequest = FinalLabels.extend({
  note: z.string().max(5000).default(''),
  baseDecision: z
    .number()
    .int()
    .nonnegative()
    .meta({ description: 'Number of decisions on the item the lead saw (0 for none); a stale value is answered 409' }),
  basePanelVersion: z
    .number()
    .int()
    .nonnegative()
    .meta({ description: "The desk's panelVersion the lead decided on; a verdict written since is answered 409 STALE_DESK" }),
});
export type LeadDecisionRequest = z.input<typeof LeadDecisionRequest>;

/** Body of `POST /api/items/:itemId/reopen`. */
export const ReopenRequest = z.object({ note: z.string().max(5000).default(''), baseDecision: z.number().int().nonnegative() });
export type ReopenRequest = z.input<typeof ReopenRequest>;

export const DecisionKind = z.enum(['finalize', 'override', 'reopen']);
export const Decision = z.object({
  sequence: z.number().int().positive().meta({ description: '1 for the first decision on the item, then 2, ...' }),
  kind: DecisionKind,
  lead: z.string().meta({ description: 'Username of who decided' }),
  final: FinalLabels.nullable().meta({ description: 'The labels decided; null for a reopen' }),
  note: z.string(),
  createdAt: z.string(),
});
export type Decision = z.infer<typeof Decision>;

export const LeadQueueEntry = z.object({
  itemId: z.number().int(),
  imageId: z.number().int(),
  file: z.string(),
  previewUrl: z.string(),
  originalLabel: z.object({ key: z.string(), name: z.string() }),
  status: ItemStatus,
  verdictCount: z.number().int(),
  disputes: z.array(PanelDispute),
  divisiveness: z.number().meta({ description: 'How divided the panel is (higher first in the queue); see docs/AGGREGATION.md' }),
  updatedAt: z.string(),
});
export const LeadQueueQuery = z.object({
  status: z
    .enum(['disputed', 'agreed', 'final', 'all-decided', 'all'])
    .default('disputed')
    .meta({ description: '`all-decided`: agreed or final; `all`: disputed, agreed or final (every item whose panel is complete)' }),
  limit: queryInteger(1, 500).default(100),
  offset: queryInteger(0, Number.MAX_SAFE_INTEGER).default(0),
});
export const LeadQueue = z.object({ items: z.array(LeadQueueEntry), total: z.number().int() });
export type LeadQueue = z.infer<typeof LeadQueue>;

/** Everything the lead's desk shows for one item. */
export const GoldMark = z.object({
  markedBy: z.string().nullable().meta({ description: "The lead who marked the item; null for an answer imported with the project (the manifest's gold file)" }),
  markedAt: z.string().meta({ description: 'ISO 8601' }),
  answer: FinalLabels.meta({
    description: 'The final labels when the item was marked, or the imported answer: what experts served the item are measured against',
  }),
});
export type GoldMark = z.infer<typeof GoldMark>;

export const DeskItem = z.object({
  item: ReviewItem.meta({ description: 'The item; its candidates include every class any expert added' }),
  verdicts: z.array(Verdict).meta({ description: "Every expert's current verdict" }),
  consensus: PanelConsensus,
  final: FinalLabels.nullable().meta({ description: 'The current final labels: the latest decision, or the agreed aggregate' }),
  decisions: z.array(Decision).meta({ description: 'Every decision and override, oldest first' }),
  panelVersion: z
    .number()
    .int()
    .nonnegative()
    .meta({ description: 'Verdict revisions stored on the item so far (it grows with every verdict written): send it back with a decision as basePanelVersion' }),
  gold: GoldMark.nullable().meta({ description: 'Set when a lead marked the item gold: its final labels then were the answer' }),
});
export type DeskItem = z.infer<typeof DeskItem>;


const Rate = z.number().min(0).max(1).nullable().meta({ description: 'null when there is nothing to compute it over' });
const SeverityCounts = z.object({ Major: z.number().int(), Minor: z.number().int(), Borderline: z.number().int(), ungraded: z.number().int() });
export const ModelScores = z.object({
  top1Accuracy: Rate.meta({ description: 'Against the original labels, over the images the model ranks' }),
  multiLabelAccuracy: Rate.meta({ description: 'Per original class, then averaged over classes; problematic images dropped (DOMAIN.md)' }),
  realAccuracy: Rate.meta({ description: 'Images with an empty label set dropped; averaged over images' }),
  mistakes: SeverityCounts,
});

/** A re-aggregation running in the background after a quorum change: judged items done, of all; null when none runs. */
export const Reaggregation = z
  .object({ done: z.number().int(), total: z.number().int() })
  .nullable()
  .meta({
    description:
      'The re-aggregation under the new quorum, while it runs in the background: judged items recomputed (`done`) of all (`total`); items not reached yet keep the state of the former quorum. Null when none runs.',
  });
export type Reaggregation = z.infer<typeof Reaggregation>;

export const ProjectDashboard = z.object({
  projectId: z.number().int(),
  generatedAt: z.string(),
  quorum: PanelQuorum,
  panel: PanelPolicy,
  aggregation: Aggregation,
  reaggregation: Reaggregation,
  progress: z.object({
    images: z.number().int(),
    items: z.number().int(),
    open: z.number().int(),
    inReview: z.number().int(),
    agreed: z.number().int(),
    disputed: z.number().int(),
    final: z.number().int(),
    verdicts: z.number().int(),
    panelSize: z.number().int(),
  }),
  experts: z.array(
    z.object({
      expert: z.string(),
      verdicts: z.number().int(),
      agreementWithFinal: Rate.meta({
        description: 'Share of their blind class judgements (latest revision made before seeing the panel) equal to the final judgement',
      }),
      comparedJudgements: z.number().int(),
      revisionsAfterSeeingPanel: z.number().int().meta({ description: "Their verdict revisions stored after they had seen the panel's verdicts of the item" }),
    }),
  ),
  agreement: z.object({
    fleissKappa: z.number().nullable().meta({ description: "Fleiss' kappa over the units judged by exactly the panel size; null without such units or when every judgement is in one category" }),
    krippendorffAlpha: z.number().nullable().meta({ description: "Krippendorff's alpha (nominal) over the units with at least two judgements; null when they are all in one category" }),
    gwetAC1: z.number().nullable().meta({
      description:
        "Gwet's AC1 (Gwet 2008; as irrCAC's gwet.ac1.raw) over the units with at least two judgements, the category shares over every judged unit; null without such units. Unlike kappa and alpha it stays high when the experts agree and one judgement (wrong) dominates",
    }),
    units: z.number().int().meta({ description: '(item, class) pairs with at least two judgements: those alpha and AC1 are computed over' }),
    revisionsAfterSeeingPanel: z.number().int().meta({
      description:
        "Verdict revisions stored after their expert had seen the panel's verdicts of the item: left out of the agreement figures, which use each expert's blind verdict",
    }),
  }).meta({ description: "Over each expert's blind verdict: their latest revision made before they saw the panel's verdicts" }),
  mistakes: z.array(
    z.object({ model: z.string(), counts: z.array(z.object({ category: z.string(), severity: Severity, count: z.number().int() })) }),
  ),
  scoreboard: z.array(
    z.object({
      model: z.string(),
      displayName: z.string(),
      rankedImages: z
        .number()
        .int()
        .meta({ description: 'Images of the project the model ranks: every figure of the model is over these (an image it does not rank counts as neither right nor wrong)' }),
      before: ModelScores,
      after: ModelScores,
      imagenetM: z
        .object({ correct: z.number().int(), of: z.number().int() })
        .meta({ description: 'ImageNet-M score under the final labels: of the imagenet_m images the model ranks, those whose top-1 is correct or unclear' }),
    }),
  ),
  majorSlice: z.object({ count: z.number().int(), models: z.array(z.string()) }),
});
export type ProjectDashboard = z.infer<typeof ProjectDashboard>;

export const MajorSlice = z.object({
  models: z.array(z.string()).meta({ description: 'The chosen models: an image is in the slice when every one makes a Major mistake' }),
  images: z.array(
    z.object({
      itemId: z.number().int(),
      imageId: z.number().int(),
      file: z.string(),
      previewUrl: z.string(),
      originalLabel: z.object({ key: z.string(), name: z.string() }),
      finalCorrect: z.array(z.object({ key: z.string(), name: z.string() })),
      predictions: z.array(z.object({ model: z.string(), key: z.string(), name: z.string(), category: z.string().nullable() })),
    }),
  ),
});
export type MajorSlice = z.infer<typeof MajorSlice>;
export const MajorSliceQuery = z.object({
  models: z.string().optional().meta({ description: 'Comma-separated model names; default every model of the project' }),
});

export const ExportFormat = z.enum(['human-accuracy-v3', 'mistakes', 'real', 'bagel', 'csv', 'expert-reliability']);
export type ExportFormat = z.infer<typeof ExportFormat>;
export const ExportParams = z.object({ projectId: Id, format: ExportFormat });
export const ExportQuery = z.object({
  model: z.string().optional().meta({ description: 'Required for the mistakes format' }),
  onlyReviewed: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: 'human-accuracy-v3 only: `true` writes just the images judged or with prior labels; by default every image of the project' }),
});

/** `PATCH /api/projects/:projectId/settings`: the settings to change (at least one); those left out stay as they are. */
export const ProjectSettingsRequest = z
  .object({
    quorum: PanelQuorum.optional(),
    panel: PanelPolicy.optional().meta({
      description: 'How many experts an item gets: `{"mode": "fixed"}` (the panel size) or `{"mode": "adaptive", "min": 2, "max": 5}`',
    }),
    modelEvidence: ModelEvidence.optional().meta({
      description: 'Whether experts see the models before judging: `shown`, `hidden-until-judged` or `experiment` (each item shown or hidden at random per expert)',
    }),
    goldRate: GoldRate.optional().meta({ description: "Share of each expert's items that are gold items, from 0 (none) to 0.5; 0.05 by default" }),
    goldQualification: GoldQualification.optional().meta({
      description: "A new expert's first items that are gold items (a qualification set), 0 to 100; 0, the default, has none",
    }),
    goldFeedback: GoldFeedbackSetting.optional().meta({
      description:
        "Whether an expert's answer to a gold item is answered with how it compares with the gold answer (the verdict's `goldFeedback`); false, the default, tells them nothing",
    }),
    decoys: DecoyCount.optional().meta({
      description: 'Plausible but absent classes added to an expert\'s candidates while the models are hidden from them (0 to 5; 0, the default, adds none)',
    }),
    aggregation: Aggregation.optional().meta({
      description: 'How verdicts become final labels: `quorum` (q experts agree) or `dawid-skene` (each class by its posterior under the experts\' estimated confusion matrices)',
    }),
  })
  .strict()
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'Give at least one of quorum, panel, modelEvidence, goldRate, goldQualification, goldFeedback, decoys and aggregation',
  });

/** Answer of `PATCH /api/projects/:projectId/settings`. */
export const ProjectSettings = z.object({
  projectId: z.number().int(),
  quorum: PanelQuorum,
  panel: PanelPolicy,
  modelEvidence: ModelEvidence,
  goldRate: GoldRate,
  goldQualification: GoldQualification,
  goldFeedback: GoldFeedbackSetting,
  decoys: DecoyCount,
  aggregation: Aggregation,
  panelSize: z.number().int(),
  quorumSize: z.number().int().meta({ description: 'q: the matching votes an answer needs with this panel size' }),
  reaggregatedItems: z.number().int().meta({ description: 'Items whose consensus was recomputed with the new settings within this request' }),
  reaggregation: Reaggregation,
});
export type ProjectSettings = z.infer<typeof ProjectSettings>;

/** A share k/n with its 95% Wilson interval; rate and bounds null when n is 0. */
export const ProportionEstimate = z.object({
  k: z.number().int(),
  n: z.number().int(),
  rate: z.number().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
});
export type ProportionEstimate = z.infer<typeof ProportionEstimate>;

/** A share with the models shown and with them hidden, the difference shown − hidden (Newcombe's interval), and its reading. */
export const EvidenceComparison = z.object({
  shown: ProportionEstimate,
  hidden: ProportionEstimate,
  difference: z
    .object({ estimate: z.number(), low: z.number(), high: z.number(), significant: z.boolean().meta({ description: 'The 95% interval leaves out 0' }) })
    .nullable(),
  reading: z.string().meta({ description: 'A plain sentence: the difference, its interval, and whether it is significant at the 5% level' }),
});
export type EvidenceComparison = z.infer<typeof EvidenceComparison>;

/** Answer of `GET /api/projects/:projectId/model-evidence-effect`: what showing the models does (docs/AGGREGATION.md). */
export const ModelEvidenceEffectReport = z.object({
  projectId: z.number().int(),
  modelEvidence: ModelEvidence,
  decoys: DecoyCount.meta({ description: "The project's setting: decoys per item while the models are hidden" }),
  decoyAccepts: z
    .array(z.object({ expert: z.string(), accepted: ProportionEstimate.meta({ description: 'Decoys they judged correct, of the decoys they judged' }) }))
    .meta({ description: 'Per expert who judged decoys, by name: how often they accepted a class that is not there' }),
  verdicts: z
    .object({ shown: z.number().int(), hidden: z.number().int() })
    .meta({ description: "First verdicts stored during the experiment (modelEvidence: experiment), by how they were judged" }),
  models: z.array(
    z.object({
      model: z.string(),
      displayName: z.string(),
      acceptTop1: EvidenceComparison.meta({ description: "Share of first verdicts judging the model's top-1 class correct" }),
      agreeWithFinal: EvidenceComparison.meta({ description: "On final items: share of first verdicts whose judgement of the top-1 class matches the final labels" }),
    }),
  ),
});
export type ModelEvidenceEffectReport = z.infer<typeof ModelEvidenceEffectReport>;

const ConfusionRow = z.object({ wrong: z.number(), unclear: z.number(), correct: z.number() });

/** Answer of `GET /api/projects/:projectId/aggregation`: the Dawid–Skene model in force, and its estimation. */
export const AggregationModel = z.object({
  projectId: z.number().int(),
  aggregation: Aggregation,
  band: z.object({ low: z.number(), high: z.number() }).meta({ description: 'Under dawid-skene: a class is correct at or above `high`, wrong at or below `low`, disputed between' }),
  priors: z
    .object({ originalLabel: z.number(), otherClasses: z.number() })
    .meta({ description: "P(present) of an item's original label and of any other class, before any judgement" }),
  experts: z.array(
    z.object({
      expert: z.string(),
      judgements: z.number().int().meta({ description: 'Class judgements of theirs the estimation read' }),
      absent: ConfusionRow.meta({ description: 'P(judgement | the class is absent)' }),
      present: ConfusionRow.meta({ description: 'P(judgement | the class is present)' }),
      fixedByGold: z.object({ absent: z.boolean(), present: z.boolean() }).meta({ description: 'The row is held at the gold items\' estimate' }),
    }),
  ).meta({ description: 'Experts the last estimation read; any other expert counts at the prior rows below' }),
  priorRows: z.object({ absent: ConfusionRow, present: ConfusionRow }).meta({ description: "The rows of an expert not yet estimated" }),
  estimated: z
    .object({ at: z.string(), passes: z.number().int(), converged: z.boolean(), questions: z.number().int(), verdicts: z.number().int() })
    .nullable()
    .meta({ description: 'The last estimation that ended; null before the first (the initial model: priors 1/2, every expert at the prior rows)' }),
  estimation: z
    .object({ pass: z.number().int(), done: z.number().int(), total: z.number().int() })
    .nullable()
    .meta({ description: 'An estimation under way in the background: its EM pass, the judged items read in it, of all' }),
});
export type AggregationModel = z.infer<typeof AggregationModel>;
