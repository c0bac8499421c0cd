import type { Severity } from '@bagel/contracts';

/** Hits out of a total; `value` is hits / total, or null when there was nothing to count. */
export interface HitRate {
  hits: number;
  total: number;
  value: number | null;
}

function hitRate(hits: number, total: number): HitRate {
  return { hits, total, value: total === 0 ? null : hits / total };
}

/** DOMAIN: a prediction is acceptable when the class is judged `correct` or `unclear`. */
export function isAcceptablePrediction(
  top1Key: string | null,
  labels: { readonly correct: readonly string[]; readonly unclear: readonly string[] },
): boolean {
  return top1Key !== null && (labels.correct.includes(top1Key) || labels.unclear.includes(top1Key));
}

/** Top-1 accuracy against the original labels, over images. A model with no prediction for an image misses it. */
export function top1Accuracy(images: readonly { originalKey: string; top1Key: string | null }[]): HitRate {
  let hits = 0;
  for (const image of images) if (image.top1Key === image.originalKey) hits++;
  return hitRate(hits, images.length);
}

export interface MultiLabelImage {
  /** The class that defines the image's group in the per-class average. */
  originalKey: string;
  top1Key: string | null;
  correct: readonly string[];
  unclear: readonly string[];
  problematic: boolean;
}

export interface MultiLabelAccuracy {
  /** The mean over original classes of each class's hit rate; null when no image is left. */
  value: number | null;
  /** Images counted (problematic ones dropped). */
  images: number;
  problematicDropped: number;
  /** Per original class (by key, in code-unit order): its hits and images. */
  perClass: { classKey: string; hits: number; total: number }[];
}

/**
 * Multi-label accuracy as Shankar et al. define it and the imagenet-mistakes notebook computes it: problematic images
 * are dropped; an image is a hit when the top-1 is judged `correct` or `unclear`; the hit rate is computed per
 * original class and then averaged over the classes (not over images), so every class weighs the same.
 */
export function multiLabelAccuracy(images: readonly MultiLabelImage[]): MultiLabelAccuracy {
  const byClass = new Map<string, { hits: number; total: number }>();
  let problematicDropped = 0;
  for (const image of images) {
    if (image.problematic) {
      problematicDropped++;
      continue;
    }
    let tally = byClass.get(image.originalKey);
    if (tally === undefined) {
      tally = { hits: 0, total: 0 };
      byClass.set(image.originalKey, tally);
    }
    tally.total++;
    if (isAcceptablePrediction(image.top1Key, image)) tally.hits++;
  }
  const perClass = [...byClass]
    .map(([classKey, tally]) => ({ classKey, ...tally }))
    .sort((a, b) => (a.classKey < b.classKey ? -1 : a.classKey > b.classKey ? 1 : 0));
  let sum = 0;
  for (const c of perClass) sum += c.hits / c.total;
  return {
    value: perClass.length === 0 ? null : sum / perClass.length,
    images: images.length - problematicDropped,
    problematicDropped,
    perClass,
  };
}

/**
 * ReaL accuracy (Beyer et al.): images whose label set is empty are left out; an image is a hit when the top-1 is in
 * its set; the rate is over images. Works with class keys or class indices.
 */
export function realAccuracy<K extends string | number>(
  images: readonly { labels: readonly K[]; top1: K | null }[],
): HitRate & { dropped: number } {
  let hits = 0;
  let dropped = 0;
  for (const image of images) {
    if (image.labels.length === 0) {
      dropped++;
      continue;
    }
    if (image.top1 !== null && image.labels.includes(image.top1)) hits++;
  }
  return { ...hitRate(hits, images.length - dropped), dropped };
}

/**
 * ImageNet-M score: of the Major-slice images, how many the model gets right (top-1 judged `correct` or `unclear`).
 * Reported as a count out of the slice, as the paper does (e.g. 19 / 68); problematic images are not dropped here.
 */
export function imagenetMScore(
  sliceImages: readonly { top1Key: string | null; correct: readonly string[]; unclear: readonly string[] }[],
): HitRate {
  let hits = 0;
  for (const image of sliceImages) if (isAcceptablePrediction(image.top1Key, image)) hits++;
  return hitRate(hits, sliceImages.length);
}

/**
 * Whether an image belongs to the Major slice (the construction of ImageNet-M): every chosen model's top-1 is a
 * mistake graded Major under the final labels. `severities` holds, per chosen model, its mistake's final severity or
 * null when its top-1 is no mistake; an empty list (no model chosen) selects nothing.
 */
export function isMajorSliceImage(severities: readonly (Severity | null)[]): boolean {
  return severities.length > 0 && severities.every((s) => s === 'Major');
}
