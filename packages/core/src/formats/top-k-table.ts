import type { PredictionRow } from './read-predictions';
import type { FilePositions } from './file-names';

/**
 * One model's top-k predictions on every image of a project, in flat typed arrays: 50,000 images x top-5 take 600 KB
 * instead of a quarter of a million objects. Slot `position * k + r` holds the prediction of rank r + 1 on the image
 * at that position of the project.
 */
export interface TopKTable {
  imageCount: number;
  k: number;
  /** Class indices, best first; -1 after the end of a shorter ranking, and for an image the model does not rank. */
  classIndex: Int32Array;
  /**
   * The matching scores; NaN where the model gave no score. Null for a model that gives rankings only (npy-topk): at a
   * million images a column of NaN would take 40 MB per model for nothing.
   */
  score: Float64Array | null;
}

export function createTopKTable(imageCount: number, k: number, options: { scores: boolean } = { scores: true }): TopKTable {
  return {
    imageCount,
    k,
    classIndex: new Int32Array(imageCount * k).fill(-1),
    score: options.scores ? new Float64Array(imageCount * k).fill(NaN) : null,
  };
}

/** The score in a slot (`position * k + rank - 1`), null when the model gave none. */
export function scoreAt(table: TopKTable, slot: number): number | null {
  const score = table.score ? table.score[slot]! : NaN;
  return Number.isNaN(score) ? null : score;
}

/** The ranking of the image at `position`, best first, as stored (score null when the model gave none). */
export function rankingAt(table: TopKTable, position: number): { classIndex: number; score: number | null }[] {
  const ranking: { classIndex: number; score: number | null }[] = [];
  for (let r = 0; r < table.k; r++) {
    const slot = position * table.k + r;
    const classIndex = table.classIndex[slot]!;
    if (classIndex < 0) break;
    ranking.push({ classIndex, score: scoreAt(table, slot) });
  }
  return ranking;
}

/** The rows of a CSV or JSON predictions file (checked by `readPredictions`) as a table; ranks above `k` are left out. */
export function topKTableFromRows(
  rows: readonly PredictionRow[],
  positionOf: FilePositions,
  imageCount: number,
  k: number,
): TopKTable {
  const table = createTopKTable(imageCount, k);
  for (const row of rows) {
    if (row.rank > k) continue;
    const slot = positionOf.get(row.file)! * k + row.rank - 1;
    table.classIndex[slot] = row.classIndex;
    table.score![slot] = row.score ?? NaN;
  }
  return table;
}
