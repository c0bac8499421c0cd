// Progress of long command-line tasks (imports, exports) on stderr: a bar redrawn in place on a terminal, plain
// lines in a log or a pipe (where `\r` redraws would pile up as garbage).

import { Option } from 'commander';

/** Where a long step stands: the `StepProgress` that `importManifest` and `buildExport` report. */
export interface ProgressState {
  phase: string;
  done: number;
  total: number;
  /** What is counted: rows, images, MB. */
  unit: string;
  elapsedMs: number;
}

export type ProgressMode = 'bar' | 'lines' | 'off';

export interface ProgressReporterOptions {
  mode: ProgressMode;
  /** Terminal width, to keep the bar on one line. */
  columns?: number;
  /** Lines mode: print a line when a step passes each tenth of its total, or after this long without one. */
  lineIntervalMs?: number;
  now?: () => number;
}

export interface ProgressReporter {
  /** A message alone is a milestone line; with a state it is a step's progress (its end when done === total). */
  report(message: string, state?: ProgressState): void;
  /** Clears the bar, if one is drawn (before printing anything else, such as an error). */
  finish(): void;
}

const BAR_WIDTH = 24;
const CLEAR_LINE = '\r\x1b[K';

/** `bar` on a terminal, `lines` elsewhere. */
export function progressModeFor(stream: { isTTY?: boolean }): ProgressMode {
  return stream.isTTY ? 'bar' : 'lines';
}

/** What `--progress` accepts: a mode, or `auto` to let the terminal decide. */
export type ProgressChoice = ProgressMode | 'auto';

/** The `--progress auto|bar|lines|off` option of the long commands (`bagel import`, `bagel export`). */
export function progressOption(): Option {
  return new Option('--progress <mode>', 'progress on stderr: a bar redrawn in place, plain lines, or nothing (auto: a bar on a terminal)')
    .choices(['auto', 'bar', 'lines', 'off'])
    .default('auto');
}

/**
 * The reporter a command's `--progress` asks for, writing with `write` (the command's stderr): `auto` and the bar's
 * width come from `stderr`, the stream the progress ends up on.
 */
export function progressReporterFor(
  choice: ProgressChoice,
  write: (text: string) => void,
  stderr: { isTTY?: boolean; columns?: number } = process.stderr,
): ProgressReporter {
  return createProgressReporter(write, { mode: choice === 'auto' ? progressModeFor(stderr) : choice, columns: stderr.columns });
}

function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Units per second, from a step's state; null before there is anything to measure. */
export function ratePerSecond(state: ProgressState): number | null {
  return state.elapsedMs > 0 && state.done > 0 ? (state.done * 1000) / state.elapsedMs : null;
}

function rateText(state: ProgressState): string {
  const rate = ratePerSecond(state);
  return rate === null ? '' : `${formatCount(rate)} ${state.unit}/s`;
}

/** `  model "resnet50" [=========>          ]  45%  22,500/50,000 rows  41,234 rows/s` */
export function progressBarLine(state: ProgressState, columns?: number): string {
  const fraction = state.total > 0 ? Math.min(1, state.done / state.total) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? (filled === BAR_WIDTH ? '=' : '>') : '') + ' '.repeat(BAR_WIDTH - filled);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const line = `  ${state.phase} [${bar}] ${percent}  ${formatCount(state.done)}/${formatCount(state.total)} ${state.unit}  ${rateText(state)}`.trimEnd();
  // One character short of the width: a line that fills the terminal wraps on some terminals, breaking the redraw.
  // A terminal that reports no width (or an absurd one) gets the whole line.
  if (!columns || columns < 20 || line.length < columns) return line;
  return `${line.slice(0, columns - 2)}…`;
}

/** The line that ends a step: its message, and for a step that took a while, how long and how fast. */
export function progressEndLine(message: string, state: ProgressState): string {
  if (state.elapsedMs < 1000) return `  ${message}`;
  const rate = rateText(state);
  return `  ${message} (${(state.elapsedMs / 1000).toFixed(1)} s${rate ? `, ${rate}` : ''})`;
}

export function createProgressReporter(write: (text: string) => void, options: ProgressReporterOptions): ProgressReporter {
  const now = options.now ?? Date.now;
  const lineIntervalMs = options.lineIntervalMs ?? 5000;
  let barShown = false;
  /**
   * Lines mode: per running step, the last tenth printed and when. An export reads and writes at once, so two steps
   * may tick in turns; each keeps its own pace.
   */
  const lines = new Map<string, { lastTenth: number; lastLineAt: number }>();

  const clearBar = () => {
    if (!barShown) return;
    write(CLEAR_LINE);
    barShown = false;
  };

  return {
    report(message, state) {
      if (options.mode === 'off') return;
      if (!state || state.done >= state.total) {
        clearBar();
        write(`${state ? progressEndLine(message, state) : `  ${message}`}\n`);
        if (state) lines.delete(state.phase);
        return;
      }
      if (options.mode === 'bar') {
        write(`${CLEAR_LINE}${progressBarLine(state, options.columns)}`);
        barShown = true;
        return;
      }
      let step = lines.get(state.phase);
      if (!step) {
        step = { lastTenth: 0, lastLineAt: now() - state.elapsedMs };
        lines.set(state.phase, step);
      }
      const tenth = Math.floor((state.done * 10) / state.total);
      if (tenth > step.lastTenth || now() - step.lastLineAt >= lineIntervalMs) {
        step.lastTenth = Math.max(step.lastTenth, tenth);
        step.lastLineAt = now();
        const percent = Math.floor((state.done * 100) / state.total);
        const rate = rateText(state);
        write(`  ${state.phase}: ${percent}% (${formatCount(state.done)}/${formatCount(state.total)} ${state.unit}${rate ? `, ${rate}` : ''})\n`);
      }
    },
    finish: clearBar,
  };
}
