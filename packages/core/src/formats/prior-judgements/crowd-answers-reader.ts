import type { DawidSkeneAnswers } from '../../dawid-skene';
import {
  createNpzStream,
  formatNpyShape,
  npyDtypeFamily,
  NpyFormatError,
  NpyStreamDecoder,
  type NpyHeader,
  type NpyRowBatch,
  type NpzStream,
} from '../../numpy';
import { FormatError } from '../format-error';

/** The answers of a crowd answers file, as read: nothing is yet resolved against a project. */
export interface CrowdAnswers {
  /** R: the raters' own ids (`ids`), in the order of the tensor's first axis. */
  raterIds: number[];
  /** Q: the image file of each question (`info[q, 0]`). */
  questionFiles: string[];
  /** Q: the class index each question proposes (`info[q, 1]`, a CID written as a string). */
  questionClasses: Int32Array;
  /**
   * Every answer given: the cells of `tensor` that are not all zeros, rater by rater, as presence codes
   * (0 no, 1 maybe, 2 yes; PRESENCE_ANSWER) ready for `dawidSkenePresence`.
   */
  answers: DawidSkeneAnswers;
}

/** The members a crowd answers archive must hold, by array name. */
const MEMBERS = ['tensor', 'info', 'ids'] as const;
type Member = (typeof MEMBERS)[number];

const ANSWER_NAMES = '(no, maybe, yes)';

/** Members whose shapes disagree: the message names both members, so it takes no single member's prefix. */
class MembersDisagree extends NpyFormatError {}

/** An Int32Array that grows as values are appended. */
class Int32Builder {
  private data = new Int32Array(1 << 12);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
  build(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * Reads crowd answers in ReaL's `.npz` layout, fed the archive's bytes chunk by chunk, in bounded memory:
 * - `tensor`: (R raters, Q questions, 3), one-hot over (no, maybe, yes), all zeros where a rater was not asked
 *   (float64 in ReaL; any float, integer or bool dtype whose values are 0 and 1 is read);
 * - `info`: unicode (Q, 2), rows `[FILE, CID]`, the CID written as decimal digits;
 * - `ids`: integers (R,), the raters' ids, each once.
 * The tensor (R × Q × 3 float64: 377 MB for ReaL's 85 raters and 185,000 questions) is decoded one rater at a time and
 * only its answers are kept, so memory follows the number of answers, not the tensor's size. Members may come in any
 * order; other members are skipped. Every problem is a `FormatError` naming the file, the member and what is wrong,
 * with numpy's indices (`element [3, 17]`).
 */
export class CrowdAnswersReader {
  private readonly file: string;
  private readonly npz: NpzStream;
  private readonly found = new Set<Member>();
  private tensorShape: readonly number[] | undefined;
  private infoShape: readonly number[] | undefined;
  private idsShape: readonly number[] | undefined;
  private readonly question = new Int32Builder();
  private readonly rater = new Int32Builder();
  private readonly answer = new Int32Builder();
  private questionFiles: string[] = [];
  private questionClasses = new Int32Array(0);
  private raterIds: number[] = [];
  private readonly raterIdAt = new Map<number, number>();

  constructor(options: { file: string }) {
    this.file = options.file;
    this.npz = createNpzStream((entry) => {
      if (!(MEMBERS as readonly string[]).includes(entry.name)) return undefined;
      const member = entry.name as Member;
      this.found.add(member);
      const decoder = new NpyStreamDecoder({
        onHeader: (header) => this.checkHeader(member, header),
        onRows: (batch) => this.takeRows(member, batch),
      });
      return (chunk, final) => {
        try {
          decoder.push(chunk, final);
        } catch (error) {
          if (error instanceof MembersDisagree || !(error instanceof NpyFormatError)) throw error;
          throw new NpyFormatError(`member '${entry.fileName}': ${error.message}`);
        }
      };
    });
  }

  /** Feeds the next bytes of the archive. */
  push(chunk: Uint8Array): void {
    this.guard(() => this.npz.push(chunk));
  }

  /** Declares the end of the archive, checks every member arrived whole and that their shapes agree. */
  finish(): CrowdAnswers {
    this.guard(() => {
      this.npz.push(new Uint8Array(0), true);
      const missing = MEMBERS.filter((m) => !this.found.has(m));
      if (missing.length > 0) {
        const held = this.npz.entries.map((e) => `'${e.name}'`);
        throw new NpyFormatError(
          `no array ${missing.map((m) => `'${m}'`).join(', ')} in the archive (${held.length === 0 ? 'it holds none' : `it holds ${held.join(', ')}`}): ` +
            'crowd answers need tensor (R, Q, 3), info (Q, 2) and ids (R,)',
        );
      }
      this.checkShapesAgree();
    });
    return {
      raterIds: this.raterIds,
      questionFiles: this.questionFiles,
      questionClasses: this.questionClasses,
      answers: { question: this.question.build(), rater: this.rater.build(), answer: this.answer.build() },
    };
  }

  private guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      if (error instanceof NpyFormatError) throw new FormatError({ file: this.file }, error.message);
      throw error;
    }
  }

  private checkHeader(member: Member, header: NpyHeader): void {
    const family = npyDtypeFamily(header.dtype);
    const dtype = `dtype '${header.dtype.descr}' (${header.dtype.name})`;
    const shape = header.shape;
    if (member === 'tensor') {
      if (family === 'unicode') throw new NpyFormatError(`unsupported ${dtype}: the answers must be numbers (float64 one-hot vectors)`);
      if (shape.length !== 3 || shape[2] !== 3) {
        throw new NpyFormatError(`shape ${formatNpyShape(shape)} does not fit: expected (R, Q, 3), one answer ${ANSWER_NAMES} per rater and question`);
      }
      this.tensorShape = shape;
    } else if (member === 'info') {
      if (family !== 'unicode') throw new NpyFormatError(`unsupported ${dtype}: info must be a unicode array of [FILE, CID] rows`);
      if (shape.length !== 2 || shape[1] !== 2) throw new NpyFormatError(`shape ${formatNpyShape(shape)} does not fit: expected (Q, 2), one [FILE, CID] row per question`);
      this.infoShape = shape;
      this.questionFiles = new Array<string>(shape[0]!);
      this.questionClasses = new Int32Array(shape[0]!);
    } else {
      if (family !== 'int' && family !== 'uint') throw new NpyFormatError(`unsupported ${dtype}: ids must be an integer array`);
      if (shape.length !== 1) throw new NpyFormatError(`shape ${formatNpyShape(shape)} does not fit: expected (R,), one id per rater`);
      this.idsShape = shape;
    }
    this.checkShapesAgree();
  }

  /** Checks what is known so far: the three members' shapes must agree on R and Q. */
  private checkShapesAgree(): void {
    const tensor = this.tensorShape;
    if (!tensor) return;
    const [raters, questions] = tensor;
    if (this.infoShape && this.infoShape[0] !== questions) {
      throw new MembersDisagree(
        `member 'info.npy' has ${this.infoShape[0]} rows (shape ${formatNpyShape(this.infoShape)}) but 'tensor.npy' has ${questions} questions ` +
          `(shape ${formatNpyShape(tensor)}): info holds one [FILE, CID] row per question`,
      );
    }
    if (this.idsShape && this.idsShape[0] !== raters) {
      throw new MembersDisagree(
        `member 'ids.npy' has ${this.idsShape[0]} ids (shape ${formatNpyShape(this.idsShape)}) but 'tensor.npy' has ${raters} raters ` +
          `(shape ${formatNpyShape(tensor)}): ids holds one id per rater`,
      );
    }
  }

  private takeRows(member: Member, batch: NpyRowBatch): void {
    if (member === 'tensor') this.takeAnswers(batch);
    else if (member === 'info') this.takeQuestions(batch);
    else this.takeIds(batch);
  }

  private takeAnswers({ firstRow, rowCount, rowLength, values }: NpyRowBatch): void {
    const v = values as ArrayLike<number>;
    const questions = rowLength / 3;
    for (let r = 0; r < rowCount; r++) {
      const rater = firstRow + r;
      let at = r * rowLength;
      for (let q = 0; q < questions; q++, at += 3) {
        const no = v[at]!;
        const maybe = v[at + 1]!;
        const yes = v[at + 2]!;
        if (no === 0 && maybe === 0 && yes === 0) continue;
        const answer = no === 1 && maybe === 0 && yes === 0 ? 0 : no === 0 && maybe === 1 && yes === 0 ? 1 : no === 0 && maybe === 0 && yes === 1 ? 2 : -1;
        if (answer < 0) {
          throw new NpyFormatError(
            `element [${rater}, ${q}] is [${no}, ${maybe}, ${yes}]: an answer is one-hot over ${ANSWER_NAMES}, or all zeros where the rater was not asked`,
          );
        }
        this.question.push(q);
        this.rater.push(rater);
        this.answer.push(answer);
      }
    }
  }

  private takeQuestions({ firstRow, rowCount, values }: NpyRowBatch): void {
    const cells = values as string[];
    for (let r = 0; r < rowCount; r++) {
      const q = firstRow + r;
      const file = cells[2 * r]!;
      const cid = cells[2 * r + 1]!;
      if (file.length === 0) throw new NpyFormatError(`row ${q}: the file name is empty`);
      if (!/^\d{1,9}$/.test(cid)) throw new NpyFormatError(`row ${q}: class "${cid}" is not a class index (a CID written in decimal digits)`);
      this.questionFiles[q] = file;
      this.questionClasses[q] = Number(cid);
    }
  }

  private takeIds({ firstRow, rowCount, values }: NpyRowBatch): void {
    const ids = values as ArrayLike<number>;
    for (let r = 0; r < rowCount; r++) {
      const id = ids[r]!;
      const earlier = this.raterIdAt.get(id);
      if (earlier !== undefined) throw new NpyFormatError(`elements [${earlier}] and [${firstRow + r}] are both rater id ${id}: each rater has one id`);
      this.raterIdAt.set(id, firstRow + r);
      this.raterIds.push(id);
    }
  }
}
