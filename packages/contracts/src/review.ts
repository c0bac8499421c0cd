import { z } from 'zod';
import { Id, Judgement, MAX_CLASS_KEY_LENGTH, pageOf, queryInteger, Severity } from './common';

/** Where a candidate class comes from: the original label, a model's top-k, or an expert's addition. */
export const CandidateSource = z.union([
  z.object({ kind: z.literal('original') }),
  z.object({ kind: z.literal('accepted') }).meta({ description: 'A label already accepted for the image (e.g. prior multi-labels)' }),
  z.object({ kind: z.literal('model'), model: z.string(), rank: z.number().int().positive() }),
  z.object({ kind: z.literal('added') }).meta({ description: "Added by the signed-in expert's own verdict" }),
  z
    .object({ kind: z.literal('prior'), judgement: Judgement })
    .meta({ description: 'Judged before the review, in the prior labels imported with the project (e.g. a human-accuracy-v3 file)' }),
  z
    .object({ kind: z.literal('crowd'), posterior: z.number().min(0).max(1) })
    .meta({ description: "The crowd's answers left this class uncertain: its Dawid–Skene posterior of being present" }),
]);
export type CandidateSource = z.infer<typeof CandidateSource>;

export const Candidate = z.object({
  key: z.string().meta({ description: 'Class key (ImageNet: WNID)' }),
  index: z.number().int().nonnegative(),
  names: z.array(z.string()),
  gloss: z.string(),
  sources: z.array(CandidateSource),
});
export type Candidate = z.infer<typeof Candidate>;

export const Prediction = z.object({
  rank: z.number().int().positive(),
  key: z.string(),
  index: z.number().int().nonnegative(),
  name: z.string().meta({ description: 'Display name of the class' }),
  score: z.number().nullable().meta({ description: 'Model score in [0, 1]; null when the model gave only a ranking' }),
});
export type Prediction = z.infer<typeof Prediction>;

export const ItemModel = z.object({
  model: z.string(),
  displayName: z.string(),
  illustrative: z.boolean(),
  predictions: z.array(Prediction).meta({ description: 'Top-k, best first' }),
  top1IsMistake: z.boolean().meta({ description: "Whether top-1 is outside the image's accepted labels (why the image is in the queue)" }),
});
export type ItemModel = z.infer<typeof ItemModel>;

export const ProblematicFlag = z.object({ reason: z.string().trim().min(1).max(500) });
export type ProblematicFlag = z.infer<typeof ProblematicFlag>;

export const MistakeGrade = z.object({
  severity: Severity,
  category: z.string().trim().min(1).max(100),
});
export type MistakeGrade = z.infer<typeof MistakeGrade>;

/** Body of `POST /api/items/:itemId/verdicts`. */
export const VerdictRequest = z.object({
  labels: z
    .record(z.string().min(1).max(MAX_CLASS_KEY_LENGTH), Judgement)
    .meta({ description: 'Judgement per class key. Every model top-1 left out or judged wrong is a mistake that must be graded' }),
  problematic: ProblematicFlag.nullable(),
  mistakes: z
    .record(z.string().min(1).max(200), MistakeGrade)
    .meta({ description: 'Per model name: severity and category of its top-1 mistake' }),
  comment: z.string().max(5000).default(''),
  baseRevision: z
    .number()
    .int()
    .nonnegative()
    .meta({ description: '0 for a first verdict, else the revision being revised; a stale value is answered 409' }),
});
export type VerdictRequest = z.input<typeof VerdictRequest>;
export type ParsedVerdictRequest = z.output<typeof VerdictRequest>;

/** A stored verdict revision. */
export const Verdict = z.object({
  itemId: z.number().int(),
  expert: z.string().meta({ description: 'Username of the expert' }),
  revision: z.number().int().positive(),
  labels: z.record(z.string(), Judgement),
  problematic: ProblematicFlag.nullable(),
  mistakes: z.record(z.string(), MistakeGrade),
  comment: z.string(),
  createdAt: z.string().meta({ description: 'ISO 8601 time the revision was stored' }),
  afterSeeingPanel: z.boolean().meta({
    description:
      "The revision was stored after its expert had seen the panel's verdicts of the item (blind review: agreement figures use each expert's latest revision stored before)",
  }),
  modelsHidden: z.boolean().meta({
    description:
      "The expert judged the candidates with the models hidden (the project's modelEvidence), and saw them only once every candidate was judged",
  }),
});
export type Verdict = z.infer<typeof Verdict>;

/** A class the expert judged otherwise than the gold answer: their judgement against the answer's. */
export const GoldFeedbackClass = z.object({
  key: z.string().meta({ description: 'Class key (ImageNet: WNID)' }),
  name: z.string().meta({ description: 'Display name of the class' }),
  yours: Judgement.nullable().meta({ description: "The expert's judgement; null: they did not judge the class (taken as absent)" }),
  answer: Judgement.nullable().meta({ description: "The gold answer's judgement; null: the answer does not judge the class (taken as absent)" }),
});
export type GoldFeedbackClass = z.infer<typeof GoldFeedbackClass>;

/**
 * How an expert's answer to a gold item compares with the gold answer (its final labels when a lead marked it gold),
 * told after they answered when the project's `goldFeedback` is on (docs/AGGREGATION.md, "Gold items").
 */
export const GoldFeedback = z.object({
  matched: z.boolean().meta({ description: 'No class judged otherwise than the answer, and the same problematic flag' }),
  classes: z.array(GoldFeedbackClass).meta({
    description:
      "The classes judged otherwise than the answer, in the answer's order then the expert's: a class one side leaves out counts as absent, so it differs only from a judgement `correct` or `unclear`. Mistake grades are not compared",
  }),
  problematic: z.object({
    yours: z.boolean().meta({ description: 'The expert flagged the image problematic' }),
    answer: z.boolean().meta({ description: 'The gold answer flags it problematic' }),
  }),
});
export type GoldFeedback = z.infer<typeof GoldFeedback>;

/** Answer of `POST /api/items/:itemId/verdicts`: the stored revision. */
export const SubmittedVerdict = Verdict.extend({
  goldFeedback: GoldFeedback.optional().meta({
    description:
      "Only where the project's goldFeedback is on and the item was a gold item served to this expert: how their answer compares with the gold answer. Absent otherwise, so that by default the answer to a gold item is the answer to any item",
  }),
});
export type SubmittedVerdict = z.infer<typeof SubmittedVerdict>;

export const ItemVerdicts = z.object({
  verdicts: z.array(Verdict).meta({
    description:
      "Current verdicts. Blind review: an expert who has not submitted a verdict on the item only ever sees an empty list; after submitting, the panel's (and the first answer that holds another expert's verdict is recorded: the expert's later revisions are marked afterSeeingPanel)",
  }),
});
export type ItemVerdicts = z.infer<typeof ItemVerdicts>;

/** A mistake grade while it is being given: severity and category may come one at a time. */
export const DraftGrade = z.object({
  severity: Severity.optional(),
  category: z.string().max(100).optional(),
});
export type DraftGrade = z.infer<typeof DraftGrade>;

/**
 * Body of `PUT /api/items/:itemId/draft`: the reviewer's verdict in progress, as the review screen holds it (it may be
 * incomplete: ungraded mistakes, a problematic flag without its reason yet).
 */
export const VerdictDraftRequest = z.object({
  baseRevision: z
    .number()
    .int()
    .nonnegative()
    .meta({ description: 'The revision of their own verdict the draft revises (0 for a first verdict); another than the current one is answered 409 DRAFT_STALE' }),
  labels: z.record(z.string().min(1).max(MAX_CLASS_KEY_LENGTH), Judgement),
  addedKeys: z.array(z.string().min(1).max(MAX_CLASS_KEY_LENGTH)).max(1000).meta({ description: 'Classes added from the vocabulary in the draft, in the order added' }),
  mistakes: z.record(z.string().min(1).max(200), DraftGrade).meta({ description: 'Per model name, the grade given so far' }),
  problematic: z.boolean(),
  problematicReason: z.string().max(500),
  comment: z.string().max(5000),
});
export type VerdictDraftRequest = z.infer<typeof VerdictDraftRequest>;

/** A stored draft: only ever shown to the reviewer who wrote it. */
export const VerdictDraft = VerdictDraftRequest.extend({
  itemId: z.number().int(),
  updatedAt: z.string().meta({ description: 'ISO time the server stored this draft' }),
});
export type VerdictDraft = z.infer<typeof VerdictDraft>;

/**
 * Headers of `POST /api/items/:itemId/verdicts`: an optional `Idempotency-Key` (a UUID made per submission). A repeat
 * with the same key answers as the first request did and stores nothing more; the same key with another body is 422
 * IDEMPOTENCY_KEY_REUSED.
 */
export const IdempotencyHeaders = z
  .object({
    'idempotency-key': z
      .string()
      .min(1)
      .max(255)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
      .optional()
      .meta({ description: 'Idempotency-Key (IETF httpapi draft): a unique value per submission, e.g. a UUID; kept at least 24 hours per user' }),
  })
  .loose();

export const ItemStatus = z.enum(['open', 'in_review', 'agreed', 'disputed', 'final']);
export type ItemStatus = z.infer<typeof ItemStatus>;

/** Everything the review screen shows for one item. Never contains another expert's verdict. */
export const ReviewItem = z.object({
  id: z.number().int(),
  projectId: z.number().int(),
  status: ItemStatus,
  image: z.object({
    id: z.number().int(),
    file: z.string(),
    missing: z.boolean().meta({ description: 'The image file was not on disk at import or is not now' }),
    previewUrl: z.string(),
    originalUrl: z.string(),
  }),
  originalLabel: Candidate.omit({ sources: true }).nullable().meta({ description: 'null while the models are hidden (modelEvidence)' }),
  acceptedLabels: z.array(z.string()).meta({ description: 'Class keys currently accepted for the image (the original label at first); empty while the models are hidden' }),
  candidates: z.array(Candidate).meta({
    description:
      'Original label, accepted labels, every model top-k class and the classes this expert added. While the models are hidden: in a random order (fixed per expert and item), and without sources but `added`',
  }),
  models: z.array(ItemModel).meta({ description: 'Empty while the models are hidden' }),
  modelEvidence: z
    .object({
      hidden: z.boolean().meta({
        description:
          'The models, the original label, the accepted labels, the candidates\' sources and the file name are withheld until the expert has judged every candidate (POST /api/items/:itemId/reveal)',
      }),
      revealedAt: z.string().nullable().meta({ description: 'ISO time the expert judged every candidate with the models hidden and asked for them; null if never' }),
    })
    .meta({ description: "What this expert sees of the models on this item, under the project's modelEvidence" }),
  mistakeCategories: z.array(z.string()),
  myVerdict: Verdict.nullable().meta({ description: "The signed-in expert's own current verdict, to revise" }),
  myDraft: VerdictDraft.nullable().meta({ description: "The signed-in expert's own draft on the item, saved as they worked (never anyone else's)" }),
  claimExpiresAt: z.string().nullable().meta({ description: 'ISO time until which this item is reserved for the signed-in expert' }),
  panelSeenAt: z
    .string()
    .nullable()
    .meta({ description: "ISO time the signed-in reviewer first saw the panel's verdicts of this item (their later revisions are marked afterSeeingPanel); null if never" }),
});
export type ReviewItem = z.infer<typeof ReviewItem>;

/**
 * Body of `POST /api/items/:itemId/reveal`: the expert's judgement of every candidate, made with the models hidden.
 * They are kept as judged (the anchoring measure reads them) and the item is answered with its models.
 */
export const RevealRequest = z.strictObject({
  labels: z.record(z.string().min(1).max(MAX_CLASS_KEY_LENGTH), Judgement).meta({ description: 'Judgement per class key; every candidate shown must be judged' }),
});
export type RevealRequest = z.infer<typeof RevealRequest>;

export const ItemParams = z.object({ itemId: Id });
/** Query of `GET /api/projects/:projectId/next`. */
export const NextQuery = z.object({
  after: Id.optional().meta({
    description:
      'Claim ahead: the item to review after this one (which the caller holds), so the client can load it while the expert works. The caller keeps both claims; asking again returns the same item.',
  }),
});
export type NextQuery = z.infer<typeof NextQuery>;

export type ItemParams = z.infer<typeof ItemParams>;

export const ImageParams = z.object({ projectId: Id, imageId: Id });
export const PreviewQuery = z.object({
  width: queryInteger(64, 4096).default(1280),
});

export const VerdictResponse = Verdict;

/** 409 answer when `baseRevision` is not the current revision. */
export const StaleRevisionResponse = z.object({
  statusCode: z.literal(409),
  error: z.string(),
  message: z.string(),
  code: z.literal('STALE_REVISION'),
  currentRevision: z.number().int().nonnegative(),
});
export type StaleRevisionResponse = z.infer<typeof StaleRevisionResponse>;

export const SkipResponse = z.object({ skipped: z.literal(true) });

/** Answer of `POST /api/items/:itemId/claim`: the signed-in expert's claim on the item, taken or renewed. */
export const ClaimResponse = z.object({
  itemId: z.number().int(),
  claimExpiresAt: z.string().meta({ description: 'ISO time until which the item is now reserved for the signed-in expert' }),
  expiresInSeconds: z
    .number()
    .int()
    .positive()
    .meta({ description: "How long the claim now lasts, counted by the server's clock (a client renews it before then, whatever its own clock says)" }),
});
export type ClaimResponse = z.infer<typeof ClaimResponse>;

/** Query of `GET /api/projects/:projectId/my-verdicts`: the signed-in reviewer's own verdicts, most recent first. */
export const MyVerdictsQuery = z.object({
  offset: queryInteger(0, 10_000_000).default(0),
  limit: queryInteger(1, 200).default(50),
});
export type MyVerdictsQuery = z.input<typeof MyVerdictsQuery>;
export type ParsedMyVerdictsQuery = z.output<typeof MyVerdictsQuery>;

/** An item as a list shows it: its image, a thumbnail, its original label and its status. */
export const ItemInBrief = z.object({
  itemId: z.number().int(),
  imageId: z.number().int(),
  file: z.string(),
  previewUrl: z.string().meta({ description: 'A thumbnail (128 px wide)' }),
  originalLabel: z.object({ key: z.string(), name: z.string() }),
  status: ItemStatus,
});

/** One item the reviewer has judged, with their own current verdict in brief (never anyone else's). */
export const MyVerdictRow = ItemInBrief.extend({
  revision: z.number().int().meta({ description: 'Revision of the current verdict (1 for a verdict never revised)' }),
  submittedAt: z.string().meta({ description: 'ISO time of the current revision' }),
  correct: z.array(z.object({ key: z.string(), name: z.string() })).meta({ description: 'The classes the verdict judges correct' }),
  problematic: z.boolean(),
  comment: z.string(),
  revisable: z.boolean().meta({ description: 'Whether the verdict may still be revised: false once the item is agreed or final' }),
});
export type MyVerdictRow = z.infer<typeof MyVerdictRow>;

export const MyVerdictsPage = pageOf(MyVerdictRow, 'Items of the project the reviewer has a verdict on');
export type MyVerdictsPage = z.infer<typeof MyVerdictsPage>;
