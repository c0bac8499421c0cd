/**
 * Where a long step of an import or an export stands; the CLI draws it as a progress bar or prints it as lines.
 * (The import came first: `ImportProgress` and `ImportProgressListener` are the same types under its names.)
 */
export interface StepProgress {
  /** The step, e.g. `model "resnet50"`, `writing` or `reading results`. */
  phase: string;
  done: number;
  total: number;
  /** What `done` and `total` count: `rows`, `images`, `MB`. */
  unit: string;
  /** Since the step began. */
  elapsedMs: number;
}

/**
 * Receives what a long task is doing. A call without `progress` is a milestone (`vocabulary: 1000 classes`). A call
 * with `progress` reports a long step: while it runs at most every `TICK_MS` (so a step that takes less never
 * ticks, and a log of a small import or export stays a few lines), and once when it ends, with a milestone message
 * and `done === total`.
 */
export type ProgressListener = (message: string, progress?: StepProgress) => void;

export type ImportProgress = StepProgress;
export type ImportProgressListener = ProgressListener;

export const TICK_MS = 100;

/** One long step: throttles its ticks and reports its end. */
export class ProgressPhase {
  private readonly started: number;
  private lastTick: number;

  constructor(
    private readonly listener: ProgressListener,
    readonly phase: string,
    private readonly total: number,
    private readonly unit: string,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
    this.lastTick = this.started;
  }

  /** Cheap to call often: reports only when TICK_MS have passed since the last report. */
  tick(done: number): void {
    const now = this.now();
    if (now - this.lastTick < TICK_MS || done >= this.total) return;
    this.lastTick = now;
    this.listener(`${this.phase}: ${done} of ${this.total} ${this.unit}`, this.progress(done, now));
  }

  end(message: string): void {
    this.listener(message, this.progress(this.total, this.now()));
  }

  private progress(done: number, now: number): StepProgress {
    return { phase: this.phase, done, total: this.total, unit: this.unit, elapsedMs: now - this.started };
  }
}
