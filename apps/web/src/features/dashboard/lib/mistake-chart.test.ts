import { describe, expect, it } from 'vitest';
import { mistakeChart } from './mistake-chart';

describe('mistakeChart', () => {
  it('stacks each category by severity per model, with one scale shared by every model', () => {
    const chart = mistakeChart(
      [
        {
          model: 'A',
          counts: [
            { category: 'Fine-grained error', severity: 'Major', count: 2 },
            { category: 'Fine-grained error', severity: 'Minor', count: 3 },
            { category: 'Spurious Correlation', severity: 'Borderline', count: 1 },
          ],
        },
        { model: 'B', counts: [{ category: 'Made up', severity: 'Major', count: 7 }] },
      ],
      ['Fine-grained error', 'Spurious Correlation'],
    );
    expect(chart.scale).toBe(7);
    expect(chart.models.map((m) => [m.model, m.total])).toEqual([
      ['A', 6],
      ['B', 7],
    ]);
    const [fineGrained, spurious, madeUp] = chart.models[0]!.bars;
    expect(fineGrained!.segments).toEqual([
      { severity: 'Major', count: 2 },
      { severity: 'Minor', count: 3 },
      { severity: 'Borderline', count: 0 },
    ]);
    expect(spurious!.total).toBe(1);
    // A category found only in the data comes after the project's own, for every model.
    expect(madeUp!.category).toBe('Made up');
    expect(madeUp!.total).toBe(0);
    expect(chart.models[1]!.bars.map((b) => b.total)).toEqual([0, 0, 7]);
  });

  it('has a zero scale when nothing is graded', () => {
    expect(mistakeChart([{ model: 'A', counts: [] }], ['x'])).toEqual({
      models: [{ model: 'A', total: 0, bars: [{ category: 'x', total: 0, segments: [{ severity: 'Major', count: 0 }, { severity: 'Minor', count: 0 }, { severity: 'Borderline', count: 0 }] }] }],
      scale: 0,
    });
  });
});
