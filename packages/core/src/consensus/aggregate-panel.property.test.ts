import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { panelArbitraries } from './panel-test-helpers';
import { aggregatePanel, type PanelInput } from './aggregate-panel';

// Small pools make collisions (equal votes, ties, shared top-1s) frequent, which is where aggregation can go wrong.
const CLASS_POOL = ['a', 'b', 'c', 'd', 'e'];
const CATEGORIES = ['Fine-grained error', 'Spurious Correlation', 'Non-prototypical'];
const REASONS = ['Drawing, painting, cartoon or rendering', 'Excessively edited'];

const { itemShape, validVerdict, quorum } = panelArbitraries({ classes: CLASS_POOL, categories: CATEGORIES, reasons: REASONS, maxModels: 3, unjudgedFreq: 4, problematicFreq: 3 });

/** Any panel: 0 to panelSize + 1 verdicts (a panel can hold more verdicts than its size if the setting was lowered). */
const anyPanel: fc.Arbitrary<PanelInput> = fc.record({ shape: itemShape, panelSize: fc.integer({ min: 1, max: 6 }), quorum }).chain(({ shape, panelSize, quorum }) =>
  fc
    .array(validVerdict(shape, false), { minLength: 0, maxLength: panelSize + 1 })
    .map((bodies) => ({ ...shape, panelSize, quorum, verdicts: bodies.map((body, i) => ({ expert: `expert${i}`, ...body })) })),
);

/** A complete panel whose experts all give the same verdict, judging every candidate. */
const unanimousPanel: fc.Arbitrary<PanelInput> = fc.record({ shape: itemShape, panelSize: fc.integer({ min: 1, max: 6 }), quorum }).chain(({ shape, panelSize, quorum }) =>
  validVerdict(shape, true).map((body) => ({
    ...shape,
    panelSize,
    quorum,
    verdicts: Array.from({ length: panelSize }, (_, i) => ({ expert: `expert${i}`, ...body })),
  })),
);

describe('aggregatePanel properties', () => {
  it('does not depend on the order of the experts', () => {
    fc.assert(
      fc.property(
        anyPanel.chain((panel) =>
          fc.shuffledSubarray([...panel.verdicts], { minLength: panel.verdicts.length, maxLength: panel.verdicts.length }).map((shuffled) => ({ panel, shuffled })),
        ),
        ({ panel, shuffled }) => {
          const original = aggregatePanel(panel);
          const permuted = aggregatePanel({ ...panel, verdicts: shuffled });
          // Classes, models, reasons, category votes and disputes are lists: toEqual checks their order too.
          expect(permuted).toEqual(original);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('always agrees when the whole panel gives the same verdict', () => {
    fc.assert(
      fc.property(unanimousPanel, (panel) => {
        const result = aggregatePanel(panel);
        expect(result.disputes).toEqual([]);
        expect(result.status).toBe('agreed');
        const [first] = panel.verdicts;
        for (const consensus of result.classes) expect(consensus.decision).toBe(first?.labels[consensus.key]);
        expect(result.problematic.decision).toBe(first?.problematic !== null);
      }),
      { numRuns: 500 },
    );
  });

  it('never contradicts a unanimous class vote', () => {
    fc.assert(
      fc.property(anyPanel, (panel) => {
        const result = aggregatePanel(panel);
        for (const consensus of result.classes) {
          const given = panel.verdicts.map((v) => v.labels[consensus.key]);
          const [firstGiven] = given;
          if (firstGiven === undefined || !given.every((j) => j === firstGiven)) continue;
          // Everyone judged this class the same way: no other judgement can be decided, and with enough of them
          // for the quorum it is the decision.
          if (consensus.reached) expect(consensus.decision).toBe(firstGiven);
          if (given.length >= result.quorum) expect(consensus).toMatchObject({ decision: firstGiven, reached: true });
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never agrees under unanimity where a majority disputes', () => {
    fc.assert(
      fc.property(anyPanel, (panel) => {
        const unanimity = aggregatePanel({ ...panel, quorum: { kind: 'unanimity' } });
        const majority = aggregatePanel({ ...panel, quorum: { kind: 'majority' } });
        if (unanimity.status === 'agreed') expect(majority.status).toBe('agreed');
        // Stronger: every answer reached under the stricter quorum is reached, with the same decision, under the other.
        unanimity.classes.forEach((strict, i) => {
          if (strict.reached) expect(majority.classes[i]).toEqual(strict);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('never agrees under a larger quorum where a smaller one disputes', () => {
    fc.assert(
      fc.property(anyPanel, fc.double({ min: 0.05, max: 1, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true }), (panel, f1, f2) => {
        const [low, high] = f1 <= f2 ? [f1, f2] : [f2, f1];
        const strict = aggregatePanel({ ...panel, quorum: { kind: 'fraction', value: high } });
        const lenient = aggregatePanel({ ...panel, quorum: { kind: 'fraction', value: low } });
        if (strict.status === 'agreed') expect(lenient.status).toBe('agreed');
      }),
      { numRuns: 1000 },
    );
  });
});
