/**
 * TensorFlow Datasets' `imagenet2012_multilabel` builder (version 3.0.0), its reading of `human_accuracy_v3.0.0.json`
 * ported line for line: what a user gets from `tfds.load('imagenet2012_multilabel')` when the builder reads Bagel's
 * human-accuracy-v3 export instead of the released file.
 */

export interface HumanAccuracyData {
  initial_annots: Record<string, { correct?: string[]; wrong?: string[]; unclear?: string[] }>;
  problematic_images: Record<string, unknown>;
  imagenet_m: string[];
}

/** One example of the dataset, as `_generate_examples` yields it (ClassLabel features are class indices). */
export interface MultilabelExample {
  file_name: string;
  original_label: number;
  correct_multi_labels: number[];
  wrong_multi_labels: number[];
  unclear_multi_labels: number[];
  is_problematic: boolean;
}

/** `_get_multi_labels_and_problematic_images`: ImageNet validation images only; problematic images as a list of names. */
export function getMultiLabelsAndProblematicImages(humanAccuracyData: HumanAccuracyData) {
  const valAnnotatedImages: HumanAccuracyData['initial_annots'] = {};
  const prefix = 'ILSVRC2012_val_';
  for (const imageName of Object.keys(humanAccuracyData.initial_annots)) {
    if (imageName.slice(0, prefix.length) === prefix) valAnnotatedImages[imageName] = humanAccuracyData.initial_annots[imageName]!;
  }
  const problematicImages = Object.keys(humanAccuracyData.problematic_images);
  const imagenetM2022 = humanAccuracyData.imagenet_m;
  return { valAnnotatedImages, problematicImages, imagenetM2022 };
}

/**
 * `_split_generators` then `_generate_examples` for both splits. `archiveFileNames` is the order of the files in
 * `ILSVRC2012_img_val.tar`; `originalLabels` maps a file to its label's class index (`imagenet_common
 * .get_validation_labels`); `classIndex` is the ClassLabel's name → index (the names file lists the WNIDs sorted).
 * Like Python, a name of `imagenet_m` missing from `initial_annots` raises (KeyError), and so does a WNID unknown to
 * the ClassLabel.
 */
export function buildSplits(
  humanAccuracyData: HumanAccuracyData,
  archiveFileNames: readonly string[],
  originalLabels: ReadonlyMap<string, number>,
  classIndex: ReadonlyMap<string, number>,
): { validation: MultilabelExample[]; imagenet_m: MultilabelExample[] } {
  const { valAnnotatedImages: multiLabels, problematicImages, imagenetM2022: imagenetM2022Errors } = getMultiLabelsAndProblematicImages(humanAccuracyData);
  const imagenetM2022: HumanAccuracyData['initial_annots'] = {};
  for (const k of imagenetM2022Errors) {
    if (!Object.hasOwn(multiLabels, k)) throw new Error(`KeyError: '${k}'`);
    imagenetM2022[k] = multiLabels[k]!;
  }
  return {
    validation: generateExamples(archiveFileNames, originalLabels, multiLabels, problematicImages, classIndex),
    imagenet_m: generateExamples(archiveFileNames, originalLabels, imagenetM2022, problematicImages, classIndex),
  };
}

function generateExamples(
  archive: readonly string[],
  originalLabels: ReadonlyMap<string, number>,
  multiLabels: HumanAccuracyData['initial_annots'],
  problematicImages: readonly string[],
  classIndex: ReadonlyMap<string, number>,
): MultilabelExample[] {
  const encode = (wnid: string) => {
    const index = classIndex.get(wnid);
    if (index === undefined) throw new Error(`ValueError: Invalid string class label ${wnid}`);
    return index;
  };
  // `fname in problematic_images` on a list, as the builder does.
  const problematic = new Set(problematicImages);
  const examples: MultilabelExample[] = [];
  for (const fname of archive) {
    // Image is not in the annotated set of 20,000 images
    if (!Object.hasOwn(multiLabels, fname)) continue;
    const labels = multiLabels[fname]!;
    const original = originalLabels.get(fname);
    if (original === undefined) throw new Error(`KeyError: '${fname}'`);
    examples.push({
      file_name: fname,
      original_label: original,
      correct_multi_labels: (labels.correct ?? []).map(encode),
      wrong_multi_labels: (labels.wrong ?? []).map(encode),
      unclear_multi_labels: (labels.unclear ?? []).map(encode),
      is_problematic: problematic.has(fname),
    });
  }
  return examples;
}
