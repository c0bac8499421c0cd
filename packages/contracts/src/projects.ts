import { z } from 'zod';
import { Id } from './common';

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
  topK: z.number().int().positive(),
  mistakeCategories: z.array(z.string()),
  models: z.array(ModelInfo),
  counts: z.object({
    images: z.number().int(),
    missingImages: z.number().int(),
    items: z.number().int().meta({ description: 'Images on which at least one model is wrong: the review queue' }),
    itemsComplete: z.number().int().meta({ description: 'Items that have their full panel of verdicts' }),
    myVerdicts: z.number().int().meta({ description: 'Items the signed-in user has judged' }),
  }),
});
export type ProjectSummary = z.infer<typeof ProjectSummary>;

export const ProjectList = z.object({ projects: z.array(ProjectSummary) });
export type ProjectList = z.infer<typeof ProjectList>;

export const ProjectParams = z.object({ projectId: Id });
export type ProjectParams = z.infer<typeof ProjectParams>;
