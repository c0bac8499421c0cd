import type { Judgement } from '@bagel/contracts';
import { noLabelRecord, type PriorLabels, type PriorProblematic } from './prior-labels';
import { isCrowdNoLabel, type CrowdPair } from './route-crowd-answers';

/** Where a prior judgement came from: the prior labels file, or a confident crowd pair. */
export type PriorJudgementSource = 'file' | 'crowd';

/** Why a class is a candidate of a review item besides the original label, the accepted labels and the models. */
export type ExtraCandidateSource = 'prior' | 'crowd';

/** What an image starts with before any expert's verdict. */
export interface ImagePriorJudgements {
  /** The prior judgements to store, by class index ascending. */
  judgements: readonly { classIndex: number; judgement: Judgement; source: PriorJudgementSource }[];
  /** The image's accepted labels (class indices ascending): a model's top-1 outside them is a mistake. */
  accepted: number[];
  /**
   * Classes the expert panel must see if the image is reviewed, other than the accepted ones: classes judged `wrong`
   * beforehand (`prior`), and crowd pairs in the uncertain band (`crowd`). By class index ascending.
   */
  extraCandidates: readonly { classIndex: number; source: ExtraCandidateSource }[];
  /** True when a crowd pair in the uncertain band makes the image a review item, whatever the models say. */
  crowdReview: boolean;
  /**
   * True when the crowd found every class it was asked about absent (isCrowdNoLabel) on an image the prior labels
   * file does not list: ReaL's `[]`. The accepted labels are empty and the image is problematic (priorProblematic).
   */
  crowdNoLabel: boolean;
}

/** Each image's prior judgements, by project position. */
export interface PriorJudgementsByImage {
  readonly imageCount: number;
  /**
   * The image's prior judgements, made when asked: at a million images, holding every image's record at once took
   * hundreds of megabytes for what is, for most images, the original label alone.
   */
  at(position: number): ImagePriorJudgements;
  /** The images whose record says `crowdNoLabel`, in project order: found among the crowd's images, not by a pass over every image. */
  readonly crowdNoLabelPositions: readonly number[];
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * Merges a project's prior labels file and its routed crowd pairs into each image's prior judgements and accepted
 * labels (docs/FORMATS.md, "What makes an image an item"):
 * - an image the prior labels file lists takes the file's label set, which is complete: its accepted labels are its
 *   `correct` and `unclear` classes, and nothing else (not even the original label when the file does not list it);
 * - otherwise, crowd pairs at or above the threshold are `correct`, pairs below the band are `wrong`: the accepted
 *   labels are the original label (unless the crowd found it absent) and the crowd's `correct` classes, since the
 *   crowd answers only the pairs it was asked;
 * - except when the crowd found every class it was asked about absent (`crowdNoLabel`, ReaL's `[]`): then the accepted
 *   labels are empty, the original label included even if the crowd was not asked about it;
 * - an image with neither keeps its original label alone.
 * What it holds grows with the files, not with the project's images.
 */
export function mergePriorJudgements(input: {
  originalClassIndex: ArrayLike<number>;
  prior: PriorLabels | null;
  crowdPairs: readonly CrowdPair[];
}): PriorJudgementsByImage {
  const imageCount = input.originalClassIndex.length;
  const fileLabels = new Map<number, readonly { classIndex: number; judgement: Judgement }[]>();
  for (const { position, judgements } of input.prior?.labelled ?? []) fileLabels.set(position, judgements);
  const crowdByImage = new Map<number, CrowdPair[]>();
  for (const pair of input.crowdPairs) {
    const pairs = crowdByImage.get(pair.position);
    if (pairs) pairs.push(pair);
    else crowdByImage.set(pair.position, [pair]);
  }

  // An image the prior labels file lists keeps the file's label set, whatever the crowd found.
  const crowdNoLabelPositions = [...crowdByImage]
    .filter(([position, pairs]) => !fileLabels.has(position) && isCrowdNoLabel(pairs.map((p) => p.route)))
    .map(([position]) => position)
    .sort((a, b) => a - b);
  const isNoLabel = new Set(crowdNoLabelPositions);
  const byClass = (a: { classIndex: number }, b: { classIndex: number }) => a.classIndex - b.classIndex;
  function at(position: number): ImagePriorJudgements {
    const original = input.originalClassIndex[position]!;
    const file = fileLabels.get(position);
    const pairs = crowdByImage.get(position);
    if (!file && !pairs) return { judgements: NONE, accepted: [original], extraCandidates: NONE, crowdReview: false, crowdNoLabel: false };
    const judgements: { classIndex: number; judgement: Judgement; source: PriorJudgementSource }[] = [];
    const accepted = new Set<number>();
    const extra: { classIndex: number; source: ExtraCandidateSource }[] = [];
    let crowdReview = false;
    let crowdNoLabel = false;

    if (file) {
      // The file's label set, one judgement per class (a class listed twice keeps its last judgement).
      for (const [classIndex, judgement] of new Map(file.map((j) => [j.classIndex, j.judgement]))) {
        judgements.push({ classIndex, judgement, source: 'file' });
        if (judgement === 'wrong') extra.push({ classIndex, source: 'prior' });
        else accepted.add(classIndex);
      }
    } else {
      accepted.add(original);
      for (const pair of pairs!) {
        if (pair.route === 'label') {
          judgements.push({ classIndex: pair.classIndex, judgement: 'correct', source: 'crowd' });
          accepted.add(pair.classIndex);
        } else if (pair.route === 'absent') {
          judgements.push({ classIndex: pair.classIndex, judgement: 'wrong', source: 'crowd' });
          accepted.delete(pair.classIndex);
          extra.push({ classIndex: pair.classIndex, source: 'prior' });
        } else if (pair.route === 'review') {
          crowdReview = true;
          extra.push({ classIndex: pair.classIndex, source: 'crowd' });
        }
      }
      if (isNoLabel.has(position)) {
        crowdNoLabel = true;
        accepted.clear();
      }
    }
    return {
      judgements: judgements.sort(byClass),
      accepted: [...accepted].sort((a, b) => a - b),
      extraCandidates: extra.sort(byClass),
      crowdReview,
      crowdNoLabel,
    };
  }
  return { imageCount, at, crowdNoLabelPositions };
}

/**
 * The project's prior problematic records: the prior labels file's (ReaL's `[]` included), in file order, then one
 * `noLabelRecord(recordedAt)` per crowd no-label image in project order, the same record as ReaL's `[]`. An image
 * the file already gives a problematic record keeps the file's (human-accuracy-v3 `problematic_images` may name an
 * image that `initial_annots` does not label): one record per image.
 */
export function priorProblematic(prior: PriorLabels | null, merged: PriorJudgementsByImage, recordedAt: string): PriorProblematic[] {
  const records = [...(prior?.problematic ?? [])];
  const recorded = new Set(records.map((r) => r.position));
  for (const position of merged.crowdNoLabelPositions) {
    if (!recorded.has(position)) records.push({ position, record: noLabelRecord(recordedAt) });
  }
  return records;
}
