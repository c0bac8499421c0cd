/**
 * The evaluation functions of the imagenet-mistakes notebook ("When does dough become a bagel? ImageNet-M
 * Evaluation"), ported: they score a model from its top-1 class per file (`np.argmax` of its logits there).
 */
import type { MultilabelExample } from './tfds-imagenet2012-multilabel';

/** `file_name` → the model's top-1 class index (`logits_dict` with the argmax taken). */
export type TopPredictions = ReadonlyMap<string, number>;

function topPred(topPredictions: TopPredictions, fileName: string): number {
  const pred = topPredictions.get(fileName);
  if (pred === undefined) throw new Error(`KeyError: ${fileName}`);
  return pred;
}

/** `imagenet_val_accuracy`: top-1 against the original label, over the examples. */
export function imagenetValAccuracy(examples: readonly { file_name: string; label: number }[], topPredictions: TopPredictions): number {
  let correct = 0;
  for (const example of examples) if (topPred(topPredictions, example.file_name) === example.label) correct += 1;
  return correct / examples.length;
}

/**
 * `imagenet_multilabel_accuracy`: problematic images ignored; a hit when the top-1 is among the correct or unclear
 * labels; per original class, then averaged over `numClasses` classes (the notebook asserts every one of its 1,000
 * classes has images).
 */
export function imagenetMultilabelAccuracy(dataset: readonly MultilabelExample[], topPredictions: TopPredictions, numClasses = 1000): number {
  const numCorrectPerClass = new Map<number, number>();
  const numImagesPerClass = new Map<number, number>();
  for (const example of dataset) {
    // We ignore all problematic images
    if (example.is_problematic) continue;
    const correctLabels = [...example.correct_multi_labels, ...example.unclear_multi_labels];
    const curClass = example.original_label;
    if (!numCorrectPerClass.has(curClass)) {
      numCorrectPerClass.set(curClass, 0);
      if (numImagesPerClass.has(curClass)) throw new Error('AssertionError');
      numImagesPerClass.set(curClass, 0);
    }
    numImagesPerClass.set(curClass, numImagesPerClass.get(curClass)! + 1);
    if (correctLabels.includes(topPred(topPredictions, example.file_name))) numCorrectPerClass.set(curClass, numCorrectPerClass.get(curClass)! + 1);
  }
  if (numCorrectPerClass.size !== numClasses || numImagesPerClass.size !== numClasses) {
    throw new Error(`AssertionError: ${numImagesPerClass.size} classes have images, expected ${numClasses}`);
  }
  let finalAvg = 0;
  for (let cid = 0; cid < numClasses; cid++) {
    if (!numCorrectPerClass.has(cid) || !numImagesPerClass.has(cid)) throw new Error(`AssertionError: class ${cid}`);
    finalAvg += numCorrectPerClass.get(cid)! / numImagesPerClass.get(cid)!;
  }
  return finalAvg / numClasses;
}

/** `imagenet_m_correct`: how many ImageNet-M images the top-1 gets correct or unclear (problematic ones included). */
export function imagenetMCorrect(imagenetMDataset: readonly MultilabelExample[], topPredictions: TopPredictions): number {
  let correct = 0;
  for (const example of imagenetMDataset) {
    const correctLabels = [...example.correct_multi_labels, ...example.unclear_multi_labels];
    if (correctLabels.includes(topPred(topPredictions, example.file_name))) correct += 1;
  }
  return correct;
}
