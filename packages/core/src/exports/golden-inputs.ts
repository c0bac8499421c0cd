import type { CsvExportRow } from './csv-export';
import type { HumanAccuracyV3 } from './human-accuracy-v3';
import type { ModelMistakeRow } from './mistakes-json';
import type { RealLabelRow } from './real-json';

// Small inputs of the golden-file tests: each exercises the format's corners (empty lists, non-ASCII text, quoting).

/** Lists in mixed orders, an empty list to leave out, an image without lists, a non-ASCII user name. */
export const goldenHumanAccuracy: HumanAccuracyV3 = {
  initial_annots: {
    'ILSVRC2012_val_00000001.JPEG': { correct: ['n01751748'], wrong: ['n01665541', 'n01697457'], unclear: [] },
    'ILSVRC2012_val_00000002.JPEG': { wrong: ['n04589890'], correct: ['n09193705'], unclear: ['n09428293'] },
    'demo/coffee.png': { correct: ['n07920052', 'n07930864'], wrong: ['n03063599'] },
    'demo/hubble_deep_field.jpg': {},
  },
  problematic_images: {
    'demo/horse.png': {
      reason: 'Drawing, painting, cartoon or rendering',
      reviewer: 'lead',
      server_username: 'zoë',
      time_marked: '2024-05-02T10:00:00.000Z',
      time_reviewed: '2024-05-02T11:30:00.000Z',
    },
    'demo/hubble_deep_field.jpg': {
      reason: 'Original label wrong or unclear, and no class fits',
      reviewer: 'lead',
      server_username: 'ann',
      time_marked: '2024-05-02T10:05:00.000Z',
      time_reviewed: '2024-05-02T11:31:00.000Z',
    },
  },
  imagenet_m: ['ILSVRC2012_val_00000001.JPEG', 'demo/coffee.png'],
};

export const goldenMistakes: ModelMistakeRow[] = [
  { file: 'ILSVRC2012_val_00000612.JPEG', topPrediction: 192, category: 'Fine-grained error', severity: 'Minor' },
  { file: 'ILSVRC2012_val_00001409.JPEG', topPrediction: 843, category: 'Spurious Correlation', severity: 'Major' },
  { file: 'demo/café.png', topPrediction: 0, category: 'Catégorie "maison"', severity: 'Borderline' },
];

/** Images 1 to 4 of a validation set, out of order, with an image to leave out and unsorted, repeated indices. */
export const goldenRealWholeSet: RealLabelRow[] = [
  { file: 'ILSVRC2012_val_00000003.JPEG', classIndices: [] },
  { file: 'ILSVRC2012_val_00000001.JPEG', classIndices: [65] },
  { file: 'ILSVRC2012_val_00000004.JPEG', classIndices: [15, 13, 14, 13] },
  { file: 'ILSVRC2012_val_00000002.JPEG', classIndices: [970, 795] },
];

/** Not a whole validation set (image 3 missing, another file): written by file. */
export const goldenRealByFile: RealLabelRow[] = [
  { file: 'ILSVRC2012_val_00000001.JPEG', classIndices: [65] },
  { file: 'ILSVRC2012_val_00000002.JPEG', classIndices: [970, 795] },
  { file: 'demo/coffee.png', classIndices: [] },
];

export const goldenCsvModels = ['Demo model A (illustrative)', 'resnet50'];

export const goldenCsvRows: CsvExportRow[] = [
  {
    file: 'demo/coffee.png',
    originalLabel: 'n07920052',
    correct: ['n07920052', 'n07930864'],
    unclear: [],
    wrong: ['n03063599'],
    problematic: null,
    mistakes: { resnet50: { severity: 'Minor', category: 'Fine-grained error' } },
  },
  {
    file: 'demo/horse, drawn.png',
    originalLabel: 'n02389026',
    correct: [],
    unclear: ['n02389026'],
    wrong: ['n02391049', 'n02422106'],
    problematic: { reason: 'A "horse" drawn by hand,\nnot a photograph' },
    mistakes: {
      'Demo model A (illustrative)': { severity: 'Major', category: 'Spurious Correlation' },
      resnet50: { severity: 'Borderline', category: 'Non-prototypical' },
    },
  },
];
