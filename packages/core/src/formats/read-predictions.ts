import type { ImportManifest } from '@bagel/contracts';
import type { Vocabulary } from '../vocabulary';
import { FormatError, lineOrRow, type FileLocation } from './format-error';
import { scanCsvTable } from './parse-csv';
import { checkJsonFields, describeJsonType, describeJsonValue as describeValue, isPlainObject, parseJsonText } from './parse-json-text';
import { resolveClassReference, type ClassBy } from './resolve-class';

/** The row formats (the NumPy formats are read by `NpyPredictionsReader`). */
export type PredictionsFormat = Extract<ImportManifest['models'][number]['predictions'], { format: 'json' | 'csv' }>['format'];

/** One ranked prediction of a model on an image. `score` is null when the model gave a ranking only. */
export interface PredictionRow {
  file: string;
  rank: number;
  classIndex: number;
  classKey: string;
  score: number | null;
}

const FIELDS = ['file', 'rank', 'class', 'score'] as const;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Reads one model's predictions: rows of file, rank (1 = best), class and score (0..1, or empty / null).
 * `csv`: header `file,rank,class,score` (the score column may be left out). `json`: `[{file, rank, class, score}]`.
 * Every file must be one of the labelled images; a file's ranks run 1, 2, 3... without gaps or repeats, and a class
 * appears at most once in a file's ranking.
 */
export function readPredictions(
  text: string,
  file: string,
  format: PredictionsFormat,
  options: { vocabulary: Vocabulary; classBy: ClassBy; knownFiles: { has(file: string): boolean } },
): PredictionRow[] {
  const checker = new RankingChecker(file, options, format === 'csv' ? 'line' : 'row');
  if (format === 'csv') {
    scanCsvTable(text, file, { required: ['file', 'rank', 'class'], optional: ['score'] }, ({ line, values }) => {
      const location = { file, line };
      const rank = parseCsvRank(values.rank, location);
      const score = parseCsvScore(values.score, location);
      checker.add(values.file, rank, values.class, score, location);
    });
  } else {
    const data = parseJsonText(text, file);
    if (!Array.isArray(data)) throw new FormatError({ file }, `expected an array of predictions [{file, rank, class, score}], got ${describeJsonType(data)}`);
    data.forEach((entry: unknown, i) => {
      const location = { file, row: i + 1 };
      if (!isPlainObject(entry)) throw new FormatError(location, `expected a prediction {file, rank, class, score}, got ${describeJsonType(entry)}`);
      checkJsonFields(entry, FIELDS, location);
      const rank = entry.rank;
      if (typeof rank !== 'number' || !Number.isSafeInteger(rank) || rank < 1) {
        throw new FormatError({ ...location, field: 'rank' }, `${describeValue(rank)} is not a rank: ranks are integers from 1 (best)`);
      }
      const score = entry.score ?? null;
      if (score !== null && (typeof score !== 'number' || !(score >= 0 && score <= 1))) {
        throw new FormatError({ ...location, field: 'score' }, `${describeValue(score)} is not a score: a score is a number from 0 to 1, or null`);
      }
      checker.add(entry.file, rank, entry.class, score, location);
    });
  }
  return checker.finish();
}

function parseCsvRank(cell: string, location: FileLocation): number {
  const rank = /^\d+$/.test(cell) ? Number(cell) : NaN;
  if (!Number.isSafeInteger(rank) || rank < 1) {
    throw new FormatError({ ...location, field: 'rank' }, `"${cell}" is not a rank: ranks are integers from 1 (best)`);
  }
  return rank;
}

function parseCsvScore(cell: string, location: FileLocation): number | null {
  if (cell === '') return null;
  const score = DECIMAL.test(cell) ? Number(cell) : NaN;
  if (!(score >= 0 && score <= 1)) {
    throw new FormatError({ ...location, field: 'score' }, `"${cell}" is not a score: a score is a number from 0 to 1, or empty`);
  }
  return score;
}

/**
 * Checks rankings as rows arrive. Per image it keeps one flat array of (rank, class index, line or row) triples:
 * rankings are short (top-k), so a scan beats a Map per image, and 50,000 images x 5 ranks stay light.
 */
class RankingChecker {
  private readonly rows: PredictionRow[] = [];
  private readonly rankings = new Map<string, number[]>();
  private readonly locationKind: 'line' | 'row';

  constructor(
    private readonly file: string,
    private readonly options: { vocabulary: Vocabulary; classBy: ClassBy; knownFiles: { has(file: string): boolean } },
    locationKind: 'line' | 'row',
  ) {
    this.locationKind = locationKind;
  }

  private locationOf(where: number): FileLocation {
    return this.locationKind === 'line' ? { file: this.file, line: where } : { file: this.file, row: where };
  }

  add(imageFile: unknown, rank: number, classRef: unknown, score: number | null, location: FileLocation): void {
    if (typeof imageFile !== 'string' || imageFile.trim() === '') {
      throw new FormatError({ ...location, field: 'file' }, `expected a file name, got ${describeValue(imageFile)}`);
    }
    if (!this.options.knownFiles.has(imageFile)) {
      throw new FormatError({ ...location, field: 'file' }, `unknown file "${imageFile}": it has no original label`);
    }
    const resolved = resolveClassReference(classRef, this.options.vocabulary, this.options.classBy);
    if (!resolved.ok) throw new FormatError({ ...location, field: 'class' }, resolved.problem);
    const classIndex = resolved.cls.index;
    let ranking = this.rankings.get(imageFile);
    if (!ranking) {
      ranking = [];
      this.rankings.set(imageFile, ranking);
    }
    for (let t = 0; t < ranking.length; t += 3) {
      if (ranking[t] === rank) {
        throw new FormatError({ ...location, field: 'rank' }, `duplicate rank ${rank} for "${imageFile}" (also ${lineOrRow(this.locationOf(ranking[t + 2]!))})`);
      }
      if (ranking[t + 1] === classIndex) {
        throw new FormatError(
          { ...location, field: 'class' },
          `class "${resolved.cls.key}" is already at rank ${ranking[t]} for "${imageFile}"; a class appears once in a ranking`,
        );
      }
    }
    ranking.push(rank, classIndex, location.line ?? location.row ?? 0);
    this.rows.push({ file: imageFile, rank, classIndex, classKey: resolved.cls.key, score });
  }

  finish(): PredictionRow[] {
    if (this.rows.length === 0) throw new FormatError({ file: this.file }, 'no predictions: the file has no rows');
    for (const [imageFile, ranking] of this.rankings) {
      const count = ranking.length / 3;
      let maxRank = 0;
      for (let t = 0; t < ranking.length; t += 3) maxRank = Math.max(maxRank, ranking[t]!);
      if (maxRank === count) continue;
      // Ranks are distinct, so some rank up to `count` is missing; report the smallest rank given after the gap.
      const ranks = new Set<number>();
      for (let t = 0; t < ranking.length; t += 3) ranks.add(ranking[t]!);
      let missing = 1;
      while (ranks.has(missing)) missing++;
      let after = Infinity;
      let where = 0;
      for (let t = 0; t < ranking.length; t += 3) {
        if (ranking[t]! > missing && ranking[t]! < after) {
          after = ranking[t]!;
          where = ranking[t + 2]!;
        }
      }
      throw new FormatError(
        { ...this.locationOf(where), field: 'rank' },
        `rank ${after} for "${imageFile}" without rank ${missing}: the ranks of a file run 1, 2, 3... without gaps`,
      );
    }
    return this.rows;
  }
}
