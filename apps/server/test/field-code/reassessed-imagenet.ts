/**
 * ReaL accuracy as google-research/reassessed-imagenet's README computes it from `real.json`, in its variant for
 * images that are not the whole validation set in order ("If the images were not sorted, then we need the filenames
 * to map"): images whose list is empty are left out; a hit when the top-1 is in the list.
 */
export function realAccuracy(realLabels: Readonly<Record<string, number[]>>, valFnames: readonly string[], predictions: readonly number[]): number {
  const isCorrect: boolean[] = [];
  valFnames.forEach((fname, i) => {
    const labels = realLabels[fname];
    if (labels === undefined) throw new Error(`KeyError: '${fname}'`);
    if (labels.length > 0) isCorrect.push(labels.includes(predictions[i]!));
  });
  return isCorrect.filter(Boolean).length / isCorrect.length;
}

/**
 * `real.json` as a map by file: ReaL's own layout is a list over the whole validation set in file order, mapped as
 * the README (and timm's `RealLabelsImagenet`) do, `ILSVRC2012_val_{i + 1:08d}.JPEG`; a `{FILE: [CID...]}` object is
 * already one.
 */
export function realLabelsByFile(realJson: number[][] | Record<string, number[]>): Record<string, number[]> {
  if (!Array.isArray(realJson)) return realJson;
  return Object.fromEntries(realJson.map((labels, i) => [`ILSVRC2012_val_${String(i + 1).padStart(8, '0')}.JPEG`, labels]));
}
