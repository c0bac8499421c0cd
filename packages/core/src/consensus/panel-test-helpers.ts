import fc from 'fast-check';
import type { Judgement, Severity } from '@bagel/contracts';
import { isMistakeUnderJudgements } from '../mistakes';
import type { PanelVerdict } from './aggregate-panel';
import type { PanelQuorum } from './quorum';

// Generators of panels for the property tests of aggregation and of the panel policy (a test helper: no-io.test.ts
// leaves it out of the sources).

export interface ItemShape {
  candidates: string[];
  models: { name: string; top1Key: string }[];
}

/**
 * Items, verdicts and quorums drawn from small pools, which make collisions (equal votes, ties, shared top-1s)
 * frequent: where aggregation can go wrong. `unjudgedFreq` and `problematicFreq`: one verdict in that many leaves a
 * given class unjudged, flags the image.
 */
export function panelArbitraries(pools: { classes: string[]; categories: string[]; reasons: string[]; maxModels: number; unjudgedFreq: number; problematicFreq: number }) {
  const { classes: CLASS_POOL, categories: CATEGORIES, reasons: REASONS } = pools;
  const judgement = fc.constantFrom<Judgement>('correct', 'wrong', 'unclear');
  const grade = fc.record({ severity: fc.constantFrom<Severity>('Major', 'Minor', 'Borderline'), category: fc.constantFrom(...CATEGORIES) });

  const itemShape: fc.Arbitrary<ItemShape> = fc
    .uniqueArray(fc.constantFrom(...CLASS_POOL), { minLength: 1, maxLength: CLASS_POOL.length })
    .chain((candidates) =>
      fc
        // Mostly a candidate (as on a real item), sometimes a class outside them, to cover the unjudged top-1.
        .array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...candidates) }, { weight: 1, arbitrary: fc.constant('outside') }), {
          minLength: 0,
          maxLength: pools.maxModels,
        })
        .map((top1s) => ({ candidates, models: top1s.map((top1Key, i) => ({ name: `model${i}`, top1Key })) })),
    );

  /**
   * A verdict that would pass the server's validation: the mistake of every model whose top-1 it does not judge
   * correct or unclear is graded, and only those. `judgeAll` makes it judge every candidate.
   */
  function validVerdict(shape: ItemShape, judgeAll: boolean): fc.Arbitrary<Omit<PanelVerdict, 'expert'>> {
    const labelEntry = judgeAll ? judgement : fc.option(judgement, { nil: undefined, freq: pools.unjudgedFreq });
    return fc
      .record({
        judgements: fc.tuple(...shape.candidates.map(() => labelEntry)),
        problematic: fc.option(fc.record({ reason: fc.constantFrom(...REASONS) }), { nil: null, freq: pools.problematicFreq }),
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

  return { judgement, grade, itemShape, validVerdict, quorum };
}
