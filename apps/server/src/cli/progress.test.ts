import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { ProgressPhase, TICK_MS, type ImportProgress } from '../lib/step-progress';
import { createProgressReporter, progressBarLine, progressEndLine, progressOption, progressReporterFor, type ProgressState } from './progress';

const state = (done: number, elapsedMs: number, total = 50_000): ProgressState => ({ phase: 'model "resnet50"', done, total, unit: 'rows', elapsedMs });

describe('progress on a terminal: one bar redrawn in place', () => {
  it('draws the bar with the percentage, the counts and the rows per second', () => {
    expect(progressBarLine(state(12_500, 500))).toBe('  model "resnet50" [=====>                  ]  25%  12,500/50,000 rows  25,000 rows/s');
    expect(progressBarLine(state(0, 0))).toBe('  model "resnet50" [                        ]   0%  0/50,000 rows');
  });

  it('keeps the bar shorter than the terminal', () => {
    const line = progressBarLine(state(12_500, 500), 40);
    expect(line.length).toBeLessThan(40);
    expect(line.endsWith('…')).toBe(true);
  });

  it('redraws with \\r, and clears the bar before a milestone line', () => {
    let out = '';
    const reporter = createProgressReporter((t) => (out += t), { mode: 'bar' });
    reporter.report('vocabulary: 1000 classes');
    reporter.report('x', state(10_000, 400));
    reporter.report('x', state(20_000, 800));
    reporter.report('model "resnet50": done', state(50_000, 2000));
    reporter.finish();
    expect(out).toBe(
      [
        '  vocabulary: 1000 classes\n',
        `\r\x1b[K${progressBarLine(state(10_000, 400))}`,
        `\r\x1b[K${progressBarLine(state(20_000, 800))}`,
        '\r\x1b[K',
        '  model "resnet50": done (2.0 s, 25,000 rows/s)\n',
      ].join(''),
    );
  });

  it('clears a bar left drawn when the task stops (before an error is printed)', () => {
    let out = '';
    const reporter = createProgressReporter((t) => (out += t), { mode: 'bar' });
    reporter.report('x', state(10_000, 400));
    reporter.finish();
    expect(out.endsWith('\r\x1b[K')).toBe(true);
  });
});

describe('progress in a log: plain lines', () => {
  it('prints a line at each tenth, or after the interval, never a \\r', () => {
    let out = '';
    let now = 0;
    const reporter = createProgressReporter((t) => (out += t), { mode: 'lines', lineIntervalMs: 5000, now: () => now });
    for (let done = 1000; done < 50_000; done += 1000) {
      now = done / 10; // 10,000 rows/s
      reporter.report('x', state(done, now));
    }
    reporter.report('model "resnet50": done', state(50_000, 5000));
    const lines = out.trimEnd().split('\n');
    expect(out).not.toContain('\r');
    expect(lines).toEqual([
      ...[10, 20, 30, 40, 50, 60, 70, 80, 90].map((p) => `  model "resnet50": ${p}% (${(p * 500).toLocaleString('en-US')}/50,000 rows, 10,000 rows/s)`),
      '  model "resnet50": done (5.0 s, 10,000 rows/s)',
    ]);
  });

  it('prints a line after the interval even without a new tenth (a slow step)', () => {
    let out = '';
    let now = 0;
    const reporter = createProgressReporter((t) => (out += t), { mode: 'lines', lineIntervalMs: 5000, now: () => now });
    now = 1000;
    reporter.report('x', state(10, 1000));
    now = 6000;
    reporter.report('x', state(20, 6000));
    expect(out).toBe('  model "resnet50": 0% (20/50,000 rows, 3 rows/s)\n');
  });

  it('keeps the pace of each of two steps that tick in turns (an export reads and writes at once)', () => {
    let out = '';
    let now = 0;
    const reporter = createProgressReporter((t) => (out += t), { mode: 'lines', lineIntervalMs: 5000, now: () => now });
    const step = (phase: string, done: number): ProgressState => ({ phase, done, total: 1000, unit: 'images', elapsedMs: now });
    for (let done = 50; done < 1000; done += 50) {
      now = done;
      reporter.report('x', step('reading results', done));
      reporter.report('x', step('writing csv', done - 25));
    }
    reporter.report('read the results of 1000 images', step('reading results', 1000));
    reporter.report('built csv: 1000 images', step('writing csv', 1000));
    const lines = out.trimEnd().split('\n');
    // A line per tenth of each step, not one at every turn.
    expect(lines.filter((l) => l.startsWith('  reading results: '))).toHaveLength(9);
    expect(lines.filter((l) => l.startsWith('  writing csv: '))).toHaveLength(9);
    expect(lines.slice(-2)).toEqual(['  read the results of 1000 images', '  built csv: 1000 images']);
  });

  it('prints nothing with mode off', () => {
    let out = '';
    const reporter = createProgressReporter((t) => (out += t), { mode: 'off' });
    reporter.report('vocabulary: 1000 classes');
    reporter.report('x', state(10, 1000));
    expect(out).toBe('');
  });

  it('adds timing only to steps that took a second or more', () => {
    expect(progressEndLine('wrote project "x"', state(50_000, 999))).toBe('  wrote project "x"');
    expect(progressEndLine('wrote project "x"', state(50_000, 1500))).toBe('  wrote project "x" (1.5 s, 33,333 rows/s)');
  });
});

describe('ProgressPhase: what an import reports', () => {
  it(`ticks at most every ${TICK_MS} ms and never for a step that ends sooner, then reports the end`, () => {
    const calls: [string, ImportProgress | undefined][] = [];
    let now = 1000;
    const phase = new ProgressPhase((m, p) => calls.push([m, p]), 'writing', 300, 'images', () => now);
    phase.tick(100);
    now += TICK_MS - 1;
    phase.tick(150);
    now += 1;
    phase.tick(200);
    now += 10;
    phase.tick(250);
    now += TICK_MS;
    phase.tick(300); // done: the end reports it
    phase.end('wrote project "p"');
    expect(calls).toEqual([
      ['writing: 200 of 300 images', { phase: 'writing', done: 200, total: 300, unit: 'images', elapsedMs: TICK_MS }],
      ['wrote project "p"', { phase: 'writing', done: 300, total: 300, unit: 'images', elapsedMs: 2 * TICK_MS + 10 }],
    ]);
  });
});

describe('--progress: the option of the long commands', () => {
  const parse = (args: string[]) => {
    const command = new Command('task').exitOverride().configureOutput({ writeErr: () => {} }).addOption(progressOption());
    return command.parse(args, { from: 'user' }).opts().progress;
  };

  it('defaults to auto and accepts bar, lines and off only', () => {
    expect(parse([])).toBe('auto');
    expect(parse(['--progress', 'lines'])).toBe('lines');
    expect(() => parse(['--progress', 'fancy'])).toThrow(CommanderError);
  });

  it('auto: a bar on a terminal, lines elsewhere; an explicit mode wins', () => {
    const output = (choice: 'auto' | 'bar' | 'lines' | 'off', stderr: { isTTY?: boolean; columns?: number }) => {
      let out = '';
      progressReporterFor(choice, (t) => (out += t), stderr).report('x', state(25_000, 1000));
      return out;
    };
    expect(output('auto', { isTTY: true, columns: 200 })).toBe(`\r\x1b[K${progressBarLine(state(25_000, 1000))}`);
    expect(output('auto', { isTTY: true, columns: 40 })).toBe(`\r\x1b[K${progressBarLine(state(25_000, 1000), 40)}`);
    expect(output('auto', {})).toBe('  model "resnet50": 50% (25,000/50,000 rows, 25,000 rows/s)\n');
    expect(output('lines', { isTTY: true })).toBe('  model "resnet50": 50% (25,000/50,000 rows, 25,000 rows/s)\n');
    expect(output('off', { isTTY: true })).toBe('');
  });
});
