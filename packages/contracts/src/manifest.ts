import { z } from 'zod';
import { DEFAULT_MISTAKE_CATEGORIES } from './common';
import { Aggregation, DecoyCount, GoldFeedbackSetting, GoldQualification, GoldRate, ModelEvidence, PanelPolicy } from './settings';
import { parseImageSource } from './image-source';

/**
 * The import manifest read by `bagel import MANIFEST.json`. Every path is relative to the manifest's folder.
 * docs/FORMATS.md documents it with an example; its JSON Schema is generated from this definition.
 * Objects are strict: an unknown (e.g. misspelt) field is refused rather than silently ignored.
 * Version 1 grows only by optional fields and new formats, so every manifest written for it stays valid.
 */
const RelativePath = z.string().min(1).max(1000);

const ClassBy = z
  .enum(['auto', 'key', 'index'])
  .default('auto')
  .meta({ description: 'How a file names classes: by key, by index, or auto (JSON numbers and all-digit CSV cells that are not keys are indices)' });

export const VocabularySource = z.strictObject({
  path: RelativePath,
  format: z.enum(['imagenet-class-info', 'csv', 'json']).meta({
    description:
      'imagenet-class-info: [{cid, wnid, synset:[...], gloss}]; csv: header index,key,names,gloss (names separated by ";"); json: [{index, key, names:[...], gloss?}]',
  }),
});

export const OriginalLabelsSource = z.strictObject({
  path: RelativePath,
  format: z.enum(['csv', 'json', 'imagenet-wnid-lines']).meta({
    description:
      'csv: header file,label; json: {FILE: label} or [[FILE, label], ...]; imagenet-wnid-lines: line i is the WNID of ILSVRC2012_val_{i:08d}.JPEG',
  }),
  classBy: ClassBy,
});

const ImageListFormat = z.enum(['json', 'lines']).meta({
  description:
    'json: {"image_filenames": [[FILE, label], ...]} (ImageNetV2 image lists), [[FILE, label], ...] or [FILE, ...]; lines: one file name per line',
});

/** A list of image files, in order; a `json` list may pair each file with its original label. */
export const ImageListSource = z.strictObject({
  path: RelativePath,
  format: ImageListFormat,
  classBy: ClassBy,
});

/** The image list that orders the rows of a model's NumPy file (its labels, if any, are not read). */
export const RowsImageListSource = z.strictObject({
  path: RelativePath,
  format: ImageListFormat,
});

const NpyRows = z.enum(['images', 'imagenet-validation']).default('images').meta({
  description:
    "Which image each row of the array is: images = row i is the i-th image of the project; imagenet-validation = the file has 50,000 rows, row i is ILSVRC2012_val_{i+1:08d}.JPEG, and the project's images are picked out of it",
});

const ScoreKind = z.enum(['logits', 'probabilities']).meta({
  description: 'logits: Bagel takes the softmax of each row; probabilities: the values are the scores (each from 0 to 1)',
});

const rowsImageList = RowsImageListSource.optional().meta({
  description: "Row i is the i-th image of this list instead of the project's: rows of images outside the project are skipped",
});

export const TabularPredictionsSource = z.strictObject({
  path: RelativePath,
  format: z.enum(['json', 'csv']).meta({
    description: 'Rows of file, rank (1 = best), class, score (0..1, or empty/null for a ranking without scores). json: [{file, rank, class, score}]; csv: header file,rank,class,score',
  }),
  classBy: ClassBy,
});

export const NpyTopKPredictionsSource = z.strictObject({
  path: RelativePath,
  format: z.literal('npy-topk').meta({ description: 'A .npy integer array (N, k): per image the indices of the k best classes, best first; no scores' }),
  rows: NpyRows,
  imageList: rowsImageList,
});

export const NpyScoresPredictionsSource = z.strictObject({
  path: RelativePath,
  format: z.literal('npy-scores').meta({ description: 'A .npy float16/32/64 array (N, C): per image one score per class of the vocabulary, column = class index' }),
  kind: ScoreKind,
  rows: NpyRows,
  imageList: rowsImageList,
});

export const NpzScoresPredictionsSource = z.strictObject({
  path: RelativePath,
  format: z.literal('npz-scores').meta({ description: 'A .npz archive (numpy.savez or savez_compressed) holding the (N, C) score array as the member named by "member"' }),
  member: z.string().min(1).max(200).meta({ description: 'Name of the array in the archive, as numpy.load gives it (e.g. "logits" for logits.npy)' }),
  kind: ScoreKind,
  rows: NpyRows,
  imageList: rowsImageList,
});

export const PredictionsSource = z.discriminatedUnion('format', [
  TabularPredictionsSource,
  NpyTopKPredictionsSource,
  NpyScoresPredictionsSource,
  NpzScoresPredictionsSource,
]);

const Probability = z.number().min(0).max(1);

/** Existing multi-labels, imported as the judgements the project starts from (before any expert's verdict). */
export const PriorLabelsSource = z.strictObject({
  path: RelativePath,
  format: z.enum(['human-accuracy-v3', 'real-json']).meta({
    description:
      'human-accuracy-v3: {"initial_annots": {FILE: {"correct"|"wrong"|"unclear": [WNID...]}}, "problematic_images": {...}, "imagenet_m": [FILE...]}; real-json: ReaL\'s list of class-index lists in validation order, or {FILE: [CID...]}; [] leaves the image out of evaluation',
  }),
});

/** Crowd answers collected before the experts start, aggregated by Dawid–Skene and routed at import. */
export const CrowdAnswersSource = z.strictObject({
  path: RelativePath,
  format: z.literal('real-npz').meta({
    description:
      'A .npz holding tensor (R raters, Q questions, 3) one-hot over (no, maybe, yes), all zeros where a rater was not asked; info (Q, 2) unicode rows [FILE, CID]; ids (R,) integer rater ids',
  }),
  threshold: Probability.default(0.8).meta({
    description: 'Pairs whose Dawid–Skene probability of being present is at or above this become prior labels (correct)',
  }),
  uncertainBand: z
    .tuple([Probability, Probability])
    .default([0.2, 0.8])
    .meta({
      description:
        '[low, high): pairs with low <= probability < high make their image a review item with the class as a candidate; pairs below low become prior wrong. high must not exceed threshold',
    }),
  golden: z
    .strictObject({
      experts: RelativePath.meta({ description: "The experts' answers to the golden questions, in the same layout (ReaL's golden.npz)" }),
      raters: RelativePath.meta({ description: "The crowd raters' answers to the golden questions, in the same layout, rater ids as in `path` (ReaL's raters_golden.npz)" }),
    })
    .optional()
    .meta({
      description:
        "Golden questions in ReaL's layout: each rater's reliability is estimated on them (their truth: the experts' mean answer) and held fixed while the rest is inferred (docs/AGGREGATION.md, \"Golden questions\")",
    }),
});

export const ManifestModel = z.strictObject({
  name: z.string().trim().min(1).max(200).regex(/^[^\s].*$/).meta({ description: 'Model name used in verdicts and exports' }),
  displayName: z.string().trim().min(1).max(200).optional(),
  illustrative: z
    .boolean()
    .default(false)
    .meta({ description: 'True when the predictions were made up (a demo), not produced by running the model; the UI says so' }),
  predictions: PredictionsSource,
});

export const ImportManifest = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1),
    project: z.strictObject({
      name: z.string().trim().min(1).max(200),
      description: z.string().max(5000).default(''),
      panelSize: z.number().int().min(1).max(50).default(3).meta({ description: 'Independent verdicts each item needs' }),
      panel: PanelPolicy.default({ mode: 'fixed' }).meta({
        description:
          'How many experts an item gets: `{"mode": "fixed"}` (panelSize), or `{"mode": "adaptive", "min": 2, "max": 5}`: final as soon as min verdicts agree, more experts up to max while they do not, then the lead (docs/AGGREGATION.md, "Adaptive panels")',
      }),
      modelEvidence: ModelEvidence.default('shown').meta({
        description:
          'Whether experts see the models before judging: `shown`; `hidden-until-judged` (candidates in a random order, no model, rank, score or original label until every candidate is judged); `experiment` (each item shown or hidden at random per expert, to measure anchoring; docs/AGGREGATION.md, "Anchoring control")',
      }),
      decoys: DecoyCount.default(0).meta({
        description:
          'Plausible but absent classes (those the models confuse with the original label) added to an expert\'s candidates while the models are hidden from them, to measure false accepts; never counted in the labels. 0 adds none. docs/AGGREGATION.md, "Decoys"',
      }),
      goldFeedback: GoldFeedbackSetting.default(false).meta({
        description:
          'Whether an expert\'s answer to a gold item is answered with how it compares with the gold answer (the classes judged otherwise, the problematic flag); false tells them nothing. With it on, an expert learns afterwards which items were gold. docs/AGGREGATION.md, "Gold items"',
      }),
      goldQualification: GoldQualification.default(0).meta({
        description: "A new expert's first items that are gold items (a qualification set), before goldRate takes over; 0 has none",
      }),
      goldRate: GoldRate.default(0.05).meta({
        description:
          "Share of each expert's items that are gold items (items a lead marked gold, served to experts who did not judge them in the panel, to measure each expert's reliability); 0 turns it off. docs/AGGREGATION.md, \"Gold items\"",
      }),
      aggregation: Aggregation.default('quorum').meta({
        description:
          'How the panel\'s verdicts become final labels: `quorum` (a class is decided when q experts agree) or `dawid-skene` (by its posterior P(present) under each expert\'s confusion matrix, estimated by EM in the background: correct at or above 0.8, wrong at or below 0.2, the lead decides between; docs/AGGREGATION.md, "Dawid–Skene aggregation of the panel")',
      }),
      topK: z.number().int().min(1).max(20).default(5).meta({ description: 'Predictions kept and shown per model and image' }),
      claimMinutes: z.number().int().min(1).max(24 * 60).default(20).meta({ description: 'How long `next` reserves an item for an expert' }),
      mistakeCategories: z.array(z.string().trim().min(1).max(100)).min(1).default([...DEFAULT_MISTAKE_CATEGORIES]),
    }),
    vocabulary: VocabularySource,
    images: z.strictObject({
      dir: RelativePath.meta({
        description:
          'Where the image files are: a folder (relative to the manifest), an https:// or http:// base URL, or an S3-compatible bucket s3://bucket/prefix (endpoint, region and credentials from the environment)',
      }),
      list: ImageListSource.optional().meta({
        description:
          "The project's images, in order. Without it, the original labels file lists them. A json list of [FILE, label] pairs also gives their original labels",
      }),
    }),
    originalLabels: OriginalLabelsSource.optional().meta({
      description:
        'One original label per image. Required, unless images.list pairs every file with its label. With images.list, it is looked up for each listed image (images it labels that are not listed are left out)',
    }),
    models: z.array(ManifestModel).min(1).max(100),
    priorLabels: PriorLabelsSource.optional().meta({
      description:
        "Existing multi-labels: each image the file lists starts with the file's judgements as its labels (see docs/FORMATS.md, Prior labels)",
    }),
    gold: PriorLabelsSource.optional().meta({
      description:
        "Gold answers: each item of the project the file gives a label set becomes a gold item with that set as its answer, served to experts at the project's goldRate (see docs/FORMATS.md, Gold answers)",
    }),
    crowdAnswers: CrowdAnswersSource.optional().meta({
      description: 'Crowd answers in the ReaL .npz layout: stored apart from the expert panel and routed by Dawid–Skene (see docs/FORMATS.md, Crowd answers)',
    }),
  })
  .superRefine((manifest, context) => {
    const source = parseImageSource(manifest.images.dir);
    if (!source.ok) context.addIssue({ code: 'custom', path: ['images', 'dir'], message: source.problem });
    if (!manifest.originalLabels) {
      if (!manifest.images.list) {
        context.addIssue({
          code: 'custom',
          path: ['originalLabels'],
          message: 'required: name the original labels file, or an image list with labels in "images.list"',
        });
      } else if (manifest.images.list.format === 'lines') {
        context.addIssue({
          code: 'custom',
          path: ['originalLabels'],
          message: 'required: an image list of format "lines" names files only, so the labels must come from an original labels file',
        });
      }
    }
    const crowd = manifest.crowdAnswers;
    if (crowd) {
      const [low, high] = crowd.uncertainBand;
      if (low > high) {
        context.addIssue({ code: 'custom', path: ['crowdAnswers', 'uncertainBand'], message: `the band's low end (${low}) is above its high end (${high})` });
      } else if (high > crowd.threshold) {
        context.addIssue({
          code: 'custom',
          path: ['crowdAnswers', 'uncertainBand'],
          message: `the band's high end (${high}) is above the threshold (${crowd.threshold}): a pair cannot be both a label and uncertain`,
        });
      }
    }
    manifest.models.forEach((model, i) => {
      const predictions = model.predictions;
      if ('imageList' in predictions && predictions.imageList && predictions.rows === 'imagenet-validation') {
        context.addIssue({
          code: 'custom',
          path: ['models', i, 'predictions', 'rows'],
          message: 'rows "imagenet-validation" and an "imageList" both say which image each row is: give one of them',
        });
      }
    });
  });
export type ImportManifest = z.output<typeof ImportManifest>;
export type ImportManifestInput = z.input<typeof ImportManifest>;
export type ManifestPredictions = ImportManifest['models'][number]['predictions'];
export type ManifestPriorLabels = z.output<typeof PriorLabelsSource>;
export type ManifestCrowdAnswers = z.output<typeof CrowdAnswersSource>;
