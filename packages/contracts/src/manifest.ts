import { z } from 'zod';
import { DEFAULT_MISTAKE_CATEGORIES } from './common';

/**
 * The import manifest read by `bagel import MANIFEST.json`. Every path is relative to the manifest's folder.
 * docs/FORMATS.md documents it with an example; its JSON Schema is generated from this definition.
 * Objects are strict: an unknown (e.g. misspelt) field is refused rather than silently ignored.
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

export const PredictionsSource = z.strictObject({
  path: RelativePath,
  format: z.enum(['json', 'csv']).meta({
    description: 'Rows of file, rank (1 = best), class, score (0..1, or empty/null for a ranking without scores). json: [{file, rank, class, score}]; csv: header file,rank,class,score',
  }),
  classBy: ClassBy,
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

export const ImportManifest = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1),
  project: z.strictObject({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(5000).default(''),
    panelSize: z.number().int().min(1).max(50).default(3).meta({ description: 'Independent verdicts each item needs' }),
    topK: z.number().int().min(1).max(20).default(5).meta({ description: 'Predictions shown per model' }),
    claimMinutes: z.number().int().min(1).max(24 * 60).default(20).meta({ description: 'How long `next` reserves an item for an expert' }),
    mistakeCategories: z.array(z.string().trim().min(1).max(100)).min(1).default([...DEFAULT_MISTAKE_CATEGORIES]),
  }),
  vocabulary: VocabularySource,
  images: z.strictObject({ dir: RelativePath.meta({ description: 'Folder holding the image files named by the labels' }) }),
  originalLabels: OriginalLabelsSource,
  models: z.array(ManifestModel).min(1).max(100),
});
export type ImportManifest = z.output<typeof ImportManifest>;
export type ImportManifestInput = z.input<typeof ImportManifest>;
