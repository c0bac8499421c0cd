import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { panelArbitraries } from '../consensus/panel-test-helpers';
import {
  addTally,
  emptyTally,
  proportion,
  reliabilityFigures,
  tallyVerdict,
  type JudgedAnswer,
  type ReliabilityTally,
} from './expert-reliability';
import { wilsonInterval } from './proportion';

describe('proportion', () => {
  it('is successes of trials with the Wilson interval, and nothing without trials', () => {
    expect(proportion(0, 0)).toEqual({ successes: 0, trials: 0, rate: null, low: null, high: null });
    const share = wilsonInterval(3, 4);
    expect(proportion(3, 4)).toEqual({ successes: 3, trials: 4, rate: 0.75, low: share.low, high: share.high });
  });
});

describe('tallyVerdict and reliabilityFigures', () => {
  const ref = (labels: JudgedAnswer['labels'], problematic = false, mistakes: JudgedAnswer['mistakes'] = {}): JudgedAnswer => ({
    labels,
    problematic: problematic ? { reason: 'drawing' } : null,
    mistakes,
  });

  it('counts a hand-checked expert over three items', () => {
    // Item 1: reference tabby correct, tiger cat wrong; A graded Minor. The expert: tabby correct, tiger cat wrong,
    //   and adds lynx correct (not in the reference: absent); grades A Minor.
    // Item 2: reference fox correct, wagon unclear, bus wrong, flagged; B graded Major. The expert: fox unclear,
    //   wagon correct (unsettled), bus correct; flags; grades B Minor.
    // Item 3: reference cup correct, bus wrong; nothing graded. The expert: cup wrong, bus wrong; flags.
    const tally = emptyTally();
    tallyVerdict(ref({ tabby: 'correct', tiger: 'wrong', lynx: 'correct' }, false, { A: { severity: 'Minor', category: 'x' } }), ref({ tabby: 'correct', tiger: 'wrong' }, false, { A: { severity: 'Minor', category: 'y' } }), tally);
    tallyVerdict(ref({ fox: 'unclear', wagon: 'correct', bus: 'correct' }, true, { B: { severity: 'Minor', category: 'x' } }), ref({ fox: 'correct', wagon: 'unclear', bus: 'wrong' }, true, { B: { severity: 'Major', category: 'x' } }), tally);
    tallyVerdict(ref({ cup: 'wrong', bus: 'wrong' }, true), ref({ cup: 'correct', bus: 'wrong' }), tally);
    expect(tally).toEqual<ReliabilityTally>({
      items: 3,
      classes: {
        // tabby correct, fox unclear, cup wrong
        present: { correct: 1, wrong: 1, unclear: 1 },
        // tiger wrong, lynx correct, bus (2) correct, bus (3) wrong
        absent: { correct: 2, wrong: 2, unclear: 0 },
        // wagon correct
        unsettled: { correct: 1, wrong: 0, unclear: 0 },
      },
      problematic: { both: 1, expertOnly: 1, referenceOnly: 0, neither: 1 },
      severity: { compared: 2, agreed: 1 },
    });
    const figures = reliabilityFigures(tally);
    // Sensitivity 1 of 2 (the unclear fox apart), specificity 2 of 4, unclear 1 of 8, problematic 2 of 3, severity 1 of 2.
    expect([figures.sensitivity.successes, figures.sensitivity.trials, figures.sensitivity.rate]).toEqual([1, 2, 0.5]);
    expect([figures.specificity.successes, figures.specificity.trials, figures.specificity.rate]).toEqual([2, 4, 0.5]);
    expect([figures.unclearRate.successes, figures.unclearRate.trials]).toEqual([1, 8]);
    expect([figures.problematicAgreement.successes, figures.problematicAgreement.trials]).toEqual([2, 3]);
    expect([figures.severityAgreement.successes, figures.severityAgreement.trials]).toEqual([1, 2]);
    expect(figures.sensitivity.low).toBeCloseTo(wilsonInterval(1, 2).low!, 15);
  });

  const { itemShape, validVerdict } = panelArbitraries({ classes: ['a', 'b', 'c', 'd', 'e'], categories: ['x', 'y'], reasons: ['r'], maxModels: 3, unjudgedFreq: 4, problematicFreq: 3 });
  /** An item's reference answer and one expert's verdict of it. */
  const pair = itemShape.chain((shape) => fc.tuple(validVerdict(shape, false), validVerdict(shape, false)));
  const pairs = fc.array(pair, { minLength: 0, maxLength: 30 });
  const tallyOf = (list: readonly [JudgedAnswer, JudgedAnswer][]) => list.reduce((t, [verdict, reference]) => tallyVerdict(verdict, reference, t), emptyTally());

  it('does not depend on the order of the items, and adds up over any split of them', () => {
    fc.assert(
      fc.property(pairs, fc.nat(), (list, cut) => {
        const whole = tallyOf(list);
        expect(tallyOf([...list].reverse())).toEqual(whole);
        const at = list.length === 0 ? 0 : cut % list.length;
        expect(addTally(tallyOf(list.slice(0, at)), tallyOf(list.slice(at)))).toEqual(whole);
      }),
    );
  });

  it('counts every judgement once, and every item once in the problematic table', () => {
    fc.assert(
      fc.property(pairs, (list) => {
        const tally = tallyOf(list);
        const judgements = list.reduce((n, [verdict]) => n + Object.keys(verdict.labels).length, 0);
        const figures = reliabilityFigures(tally);
        expect(figures.unclearRate.trials).toBe(judgements);
        const { present, absent, unsettled } = tally.classes;
        expect(figures.sensitivity.trials + figures.specificity.trials + present.unclear + absent.unclear + unsettled.correct + unsettled.wrong + unsettled.unclear).toBe(judgements);
        expect(figures.problematicAgreement.trials).toBe(list.length);
        expect(tally.items).toBe(list.length);
        for (const f of [figures.sensitivity, figures.specificity, figures.unclearRate, figures.problematicAgreement, figures.severityAgreement]) {
          if (f.trials === 0) expect([f.rate, f.low, f.high]).toEqual([null, null, null]);
          else expect(f.low! <= f.rate! && f.rate! <= f.high!).toBe(true);
        }
      }),
    );
  });

  it('gives a verdict that is its own reference perfect figures', () => {
    fc.assert(
      fc.property(
        fc.array(itemShape.chain((shape) => validVerdict(shape, false)), { minLength: 1, maxLength: 20 }),
        (verdicts) => {
          const figures = reliabilityFigures(tallyOf(verdicts.map((v) => [v, v])));
          for (const f of [figures.sensitivity, figures.specificity, figures.problematicAgreement, figures.severityAgreement]) {
            if (f.trials > 0) expect(f.successes).toBe(f.trials);
          }
          expect(figures.problematicAgreement.trials).toBe(verdicts.length);
        },
      ),
    );
  });

  it('swapping correct and wrong in a verdict swaps its misses and hits', () => {
    const flip = (v: JudgedAnswer): JudgedAnswer => ({
      ...v,
      labels: Object.fromEntries(Object.entries(v.labels).map(([k, j]) => [k, j === 'correct' ? 'wrong' : j === 'wrong' ? 'correct' : j])),
    });
    fc.assert(
      fc.property(pairs, (list) => {
        const figures = reliabilityFigures(tallyOf(list));
        const flipped = reliabilityFigures(tallyOf(list.map(([v, r]) => [flip(v), r])));
        expect(flipped.sensitivity.successes).toBe(figures.sensitivity.trials - figures.sensitivity.successes);
        expect(flipped.specificity.successes).toBe(figures.specificity.trials - figures.specificity.successes);
        expect(flipped.unclearRate).toEqual(figures.unclearRate);
      }),
    );
  });
});
