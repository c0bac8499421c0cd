import fc from 'fast-check';
import type { Judgement } from '@bagel/contracts';
import { describe, expect, it } from 'vitest';
import { aggregatePanel, type PanelInput } from '../consensus/aggregate-panel';
import { panelArbitraries } from '../consensus/panel-test-helpers';
import {
  classPosterior,
  DEFAULT_POSTERIOR_BAND,
  emptyConfusionTally,
  initialPanelModel,
  maximise,
  panelClassPosteriors,
  tallyItem,
  type PanelConfusionModel,
  type PanelItemJudgements,
} from './panel-model';

const EXPERTS = ['e0', 'e1', 'e2', 'e3', 'e4', 'e5'];
const CLASS_POOL = ['a', 'b', 'c', 'd'];
const { itemShape, validVerdict, quorum } = panelArbitraries({
  classes: CLASS_POOL,
  categories: ['Fine-grained error', 'Non-prototypical'],
  reasons: ['Excessively edited'],
  maxModels: 2,
  unjudgedFreq: 4,
  problematicFreq: 3,
});

/** Rows of an expert better than chance: sensitivity and specificity in [0.5, 1), an unclear rate below 0.5. */
const betterThanChance = fc
  .record({ sensitivity: fc.double({ min: 0.5, max: 0.99, noNaN: true }), specificity: fc.double({ min: 0.5, max: 0.99, noNaN: true }), unclear: fc.double({ min: 0.01, max: 0.5, noNaN: true }) })
  .map(({ sensitivity: s, specificity: t, unclear: u }) => [t * (1 - u), u, (1 - t) * (1 - u), (1 - s) * (1 - u), u, s * (1 - u)]);

const model: fc.Arbitrary<PanelConfusionModel> = fc
  .record({
    priors: fc.tuple(fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.double({ min: 0.01, max: 0.99, noNaN: true })),
    rows: fc.array(betterThanChance, { minLength: EXPERTS.length, maxLength: EXPERTS.length }),
    estimated: fc.array(fc.boolean(), { minLength: EXPERTS.length, maxLength: EXPERTS.length }),
  })
  // Some experts estimated, the others at the prior's rows.
  .map(({ priors, rows, estimated }) => ({ priors, experts: new Map(EXPERTS.flatMap((e, i) => (estimated[i] ? [[e, rows[i]!] as const] : []))) }));

/** A panel of 0 to 6 distinct experts with valid verdicts, and its original label among the candidates. */
const panel: fc.Arbitrary<PanelInput & { originalKey: string }> = fc
  .record({ shape: itemShape, panelSize: fc.integer({ min: 1, max: 6 }), quorum })
  .chain(({ shape, panelSize, quorum }) =>
    fc
      .array(validVerdict(shape, false), { minLength: 0, maxLength: EXPERTS.length })
      .map((bodies) => ({ ...shape, panelSize, quorum, originalKey: shape.candidates[0]!, verdicts: bodies.map((body, i) => ({ expert: EXPERTS[i]!, ...body })) })),
  );

const judgement = fc.constantFrom<Judgement>('correct', 'wrong', 'unclear');
const rank: Record<Judgement, number> = { wrong: 0, unclear: 1, correct: 2 };

describe('Dawid–Skene over a panel: properties', () => {
  it('gives posteriors within (0, 1) that do not depend on the order of the verdicts', () => {
    fc.assert(
      fc.property(model, panel.chain((p) => fc.shuffledSubarray([...p.verdicts], { minLength: p.verdicts.length, maxLength: p.verdicts.length }).map((s) => ({ p, s }))), (m, { p, s }) => {
        const posteriors = panelClassPosteriors(m, p);
        for (const value of posteriors.values()) expect(value > 0 && value < 1).toBe(true);
        expect(panelClassPosteriors(m, { ...p, verdicts: s })).toEqual(posteriors);
      }),
    );
  });

  it('never lowers a posterior when a judgement moves towards correct (experts better than chance)', () => {
    fc.assert(
      fc.property(model, fc.array(fc.record({ expert: fc.constantFrom(...EXPERTS), judgement }), { maxLength: 6 }), fc.constantFrom(...EXPERTS), judgement, judgement, fc.integer({ min: 0, max: 1 }), (m, others, expert, from, to, group) => {
        const answers = others.filter((a) => a.expert !== expert);
        const [low, high] = rank[from] <= rank[to] ? [from, to] : [to, from];
        const before = classPosterior(m, group, [...answers, { expert, judgement: low }]);
        const after = classPosterior(m, group, [...answers, { expert, judgement: high }]);
        expect(after).toBeGreaterThanOrEqual(before - 1e-12);
      }),
    );
  });

  it('decides each judged class by the band, and never against it', () => {
    fc.assert(
      fc.property(model, panel, (m, p) => {
        const posteriors = panelClassPosteriors(m, p);
        const consensus = aggregatePanel({ ...p, posteriors: { of: posteriors, ...DEFAULT_POSTERIOR_BAND } });
        for (const c of consensus.classes) {
          const value = posteriors.get(c.key);
          expect(c.posterior).toBe(value);
          if (value === undefined) expect(c.reached).toBe(false);
          else if (value >= DEFAULT_POSTERIOR_BAND.high) expect([c.decision, c.reached]).toEqual(['correct', true]);
          else if (value <= DEFAULT_POSTERIOR_BAND.low) expect([c.decision, c.reached]).toEqual(['wrong', true]);
          else expect(c.reached).toBe(false);
          // Every class not reached is a dispute, and only those.
          expect(consensus.disputes.some((d) => d.kind === 'class' && d.classKey === c.key)).toBe(!c.reached);
        }
        // The flag keeps the quorum: the same as without posteriors.
        expect(consensus.problematic).toEqual(aggregatePanel(p).problematic);
      }),
    );
  });

  it('decides a unanimous panel of three or more under the prior rows as it judged', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 6 }), fc.constantFrom<Judgement>('correct', 'wrong'), fc.boolean(), (n, said, original) => {
        const item: PanelItemJudgements = { originalKey: original ? 'x' : 'o', verdicts: EXPERTS.slice(0, n).map((expert) => ({ expert, labels: { x: said } })) };
        const value = panelClassPosteriors(initialPanelModel(), item).get('x')!;
        if (said === 'correct') expect(value).toBeGreaterThanOrEqual(DEFAULT_POSTERIOR_BAND.high);
        else expect(value).toBeLessThanOrEqual(DEFAULT_POSTERIOR_BAND.low);
      }),
    );
  });

  it('estimates rows that sum to 1, whatever order the items of a pass come in', () => {
    fc.assert(
      fc.property(
        fc.option(model, { nil: null }),
        fc.array(panel, { maxLength: 8 }).chain((items) => fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length }).map((shuffled) => ({ items, shuffled }))),
        (m, { items, shuffled }) => {
          const tally = emptyConfusionTally();
          for (const it of items) tallyItem(tally, m, it);
          const other = emptyConfusionTally();
          for (const it of shuffled) tallyItem(other, m, it);
          const a = maximise(tally).model;
          const b = maximise(other).model;
          expect([...a.experts.keys()]).toEqual([...b.experts.keys()]);
          for (const [expert, rows] of a.experts) {
            expect(rows[0]! + rows[1]! + rows[2]!).toBeCloseTo(1, 12);
            expect(rows[3]! + rows[4]! + rows[5]!).toBeCloseTo(1, 12);
            for (const x of rows) expect(x > 0 && x < 1).toBe(true);
            b.experts.get(expert)!.forEach((x, i) => expect(x).toBeCloseTo(rows[i]!, 12));
          }
          a.priors.forEach((x, i) => expect(x).toBeCloseTo(b.priors[i]!, 12));
        },
      ),
    );
  });
});
