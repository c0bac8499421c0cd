import { z } from 'zod';
import { Id, pageOf, queryInteger } from './common';
import { Aggregation, GoldFeedbackSetting, GoldQualification, GoldRate, ModelEvidence, PanelPolicy } from './settings';

/** One class of a project's vocabulary. `key` is the dataset's class key (a WNID for ImageNet). */
export const VocabularyClass = z.object({
  index: z.number().int().nonnegative().meta({ description: 'Class index (ImageNet: cid, the position of the WNID in sorted order)' }),
  key: z.string().meta({ description: 'Class key (ImageNet: WNID)' }),
  names: z.array(z.string()).meta({ description: 'Names and synonyms, the first is the display name' }),
  gloss: z.string().meta({ description: 'Definition of the class; empty when the vocabulary has none' }),
});
export type VocabularyClass = z.infer<typeof VocabularyClass>;

export const VocabularyResponse = z.object({ classes: z.array(VocabularyClass) });
export type VocabularyResponse = z.infer<typeof VocabularyResponse>;

export const ModelInfo = z.object({
  name: z.string().meta({ description: 'Model name as used in verdicts and exports' }),
  displayName: z.string(),
  illustrative: z.boolean().meta({ description: 'True when the predictions are made up for a demo, not produced by running the model' }),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const ProjectSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  panelSize: z.number().int().positive(),
  panel: PanelPolicy,
  modelEvidence: ModelEvidence,
  goldRate: GoldRate.meta({ description: "Share of each expert's items that are gold items" }),
  goldQualification: GoldQualification.optional().meta({
    description:
      "A new expert's first items that are gold items (a qualification set); 0: none. Leads and admins only: an expert who read it would know which of their first items are gold",
  }),
  goldFeedback: GoldFeedbackSetting.meta({ description: "Whether an expert's answer to a gold item is answered with how it compares with the gold answer" }),
  aggregation: Aggregation,
  topK: z.number().int().positive(),
  mistakeCategories: z.array(z.string()),
  models: z.array(ModelInfo),
  counts: z.object({
    images: z.number().int(),
    missingImages: z.number().int(),
    items: z.number().int().meta({ description: 'Images on which at least one model is wrong: the review queue' }),
    itemsComplete: z.number().int().meta({ description: 'Items that have their full panel of verdicts (adaptive panel: that need no more experts)' }),
    myVerdicts: z.number().int().meta({ description: 'Items the signed-in user has judged' }),
    leftForMe: z
      .number()
      .int()
      .meta({ description: 'Items still open to the signed-in user: not judged by them, their panel not complete (some may be held by other experts right now)' }),
  }),
});
export type ProjectSummary = z.infer<typeof ProjectSummary>;

export const ProjectList = z.object({ projects: z.array(ProjectSummary) });
export type ProjectList = z.infer<typeof ProjectList>;

export const ProjectParams = z.object({ projectId: Id });
export type ProjectParams = z.infer<typeof ProjectParams>;

/** `GET /api/projects/:projectId/classes/:classKey/images`: other images of a class, to compare with while judging. */
export const ClassParams = z.object({ projectId: Id, classKey: z.string().min(1).max(200) });
export type ClassParams = z.infer<typeof ClassParams>;
export const ClassImagesQuery = z.object({
  offset: queryInteger(0, 10_000_000).default(0),
  limit: queryInteger(1, 100).default(24),
});
export type ClassImagesQuery = z.input<typeof ClassImagesQuery>;

/** An image whose original label is the class. Only the image and its file: nothing of any verdict (blind review). */
export const ClassImage = z.object({
  imageId: z.number().int(),
  file: z.string(),
  thumbnailUrl: z.string().meta({ description: 'A preview 256 px wide, for a grid' }),
  previewUrl: z.string().meta({ description: 'The full-size preview' }),
});
export type ClassImage = z.infer<typeof ClassImage>;

export const ClassImagesPage = pageOf(ClassImage, "Images of the project whose original label is the class, in the project's order");
export type ClassImagesPage = z.infer<typeof ClassImagesPage>;

/** The most characters a project's guide may hold. */
export const GUIDE_MAX_LENGTH = 50_000;

/** A project's labeling guide (Markdown, every line break kept; raw HTML shows as typed). */
export const ProjectGuide = z.object({
  text: z.string(),
  revision: z.number().int().nonnegative().meta({ description: '0 while the project has no guide' }),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable().meta({ description: 'Who wrote the current revision' }),
});
export type ProjectGuide = z.infer<typeof ProjectGuide>;

/** A new revision of the guide; `baseRevision` is the revision it revises (0 for the first), else 409 STALE_GUIDE. */
export const UpdateGuideRequest = z.strictObject({
  text: z.string().max(GUIDE_MAX_LENGTH),
  baseRevision: z.number().int().nonnegative(),
});
export type UpdateGuideRequest = z.infer<typeof UpdateGuideRequest>;
