import fc from 'fast-check';
import type { Judgement, Severity } from '@bagel/contracts';
import { describe, expect, it } from 'vitest';
import { isMistakeUnderJudgements } from '../mistakes';
import { aggregatePanel, type PanelInput, type PanelVerdict } from './aggregate-panel';
import type { PanelQuorum } from './quorum';

// Small pools make collisions (equal votes, ties, shared top-1s) frequent, which is where aggregation can go wrong.
const CLASS_POOL = ['a', 'b', 'c', 'd', 'e'];
const CATEGORIES = ['Fine-grained error', 'Spurious Correlation', 'Non-prototypical'];
const REASONS = ['Drawing, painting, cartoon or rendering', 'Excessively edited'];

const judgement = fc.constantFrom<Judgement>('correct', 'wrong', 'unclear');
const grade = fc.record({ severity: fc.constantFrom<Severity>('Major', 'Minor', 'Borderline'), category: fc.constantFrom(...CATEGORIES) });

interface ItemShape {
  candidates: string[];
  models: { name: string; top1Key: string }[];
}

const itemShape: fc.Arbitrary<ItemShape> = fc
  .uniqueArray(fc.constantFrom(...CLASS_POOL), { minLength: 1, maxLength: CLASS_POOL.length })
  .chain((candidates) =>
    fc
      // Mostly a candidate (as on a real item), sometimes a class outside them, to cover the unjudged top-1.
      .array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...candidates) }, { weight: 1, arbitrary: fc.constant('outside') }), {
        minLength: 0,
        maxLength: 3,
      })
      .map((top1s) => ({ candidates, models: top1s.map((top1Key, i) => ({ name: `model${i}`, top1Key })) })),
  );

/**
 * A verdict that would pass the server's validation: the mistake of every model whose top-1 it does not judge
 * correct or unclear is graded, and only those. `judgeAll` makes it judge every candidate.
 */
function validVerdict(shape: ItemShape, judgeAll: boolean): fc.Arbitrary<Omit<PanelVerdict, 'expert'>> {
  const labelEntry = judgeAll ? judgement : fc.option(judgement, { nil: undefined, freq: 4 });
  return fc
    .record({
      judgements: fc.tuple(...shape.candidates.map(() => labelEntry)),
      problematic: fc.option(fc.record({ reason: fc.constantFrom(...REASONS) }), { nil: null, freq: 3 }),
      grades: fc.tuple(...shape.models.map(() => grade)),
    })
    .map(({ judgements, problematic, grades }) => {
      const labels: Record<string, Judgement> = {};
      shape.candidates.forEach((key, i) => {
        const j = judgements[i];
        if (j !== undefined) labels[key] = j;
      });
      const mistakes: PanelVerdict['mistakes'] = Object.fromEntries(
        shape.models.flatMap((m, i) => (isMistakeUnderJudgements(m.top1Key, labels) ? [[m.name, grades[i] as (typeof grades)[number]]] : [])),
      );
      return { labels, problematic, mistakes };
    });
}

const quorum: fc.Arbitrary<PanelQuorum> = fc.oneof(
  fc.constant<PanelQuorum>({ kind: 'majority' }),
  fc.constant<PanelQuorum>({ kind: 'unanimity' }),
  fc.double({ min: 0.05, max: 1, noNaN: true }).map<PanelQuorum>((value) => ({ kind: 'fraction', value })),
);

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
