import fc from 'fast-check';
import type { Severity } from '@bagel/contracts';
import { describe, expect, it } from 'vitest';
import { panelArbitraries } from './panel-test-helpers';
import { aggregatePanel, type PanelConsensus, type PanelInput, type PanelVerdict } from './aggregate-panel';
import { decidePanelNext, type PanelPolicy } from './panel-policy';
import { quorumSize, type PanelQuorum } from './quorum';

// Small pools, as in aggregate-panel.property.test.ts: ties and shared top-1s are frequent.
const CLASS_POOL = ['a', 'b', 'c', 'd'];
const CATEGORIES = ['Fine-grained error', 'Spurious Correlation'];
const REASON = 'Excessively edited';

const { itemShape, validVerdict, quorum } = panelArbitraries({ classes: CLASS_POOL, categories: CATEGORIES, reasons: [REASON], maxModels: 2, unjudgedFreq: 5, problematicFreq: 4 });

const policy: fc.Arbitrary<PanelPolicy> = fc.oneof(
  fc.constant<PanelPolicy>({ mode: 'fixed' }),
  fc.integer({ min: 2, max: 5 }).chain((min) => fc.integer({ min, max: 6 }).map<PanelPolicy>((max) => ({ mode: 'adaptive', min, max }))),
);

const withExperts = (bodies: Omit<PanelVerdict, 'expert'>[]): PanelVerdict[] => bodies.map((body, i) => ({ expert: `expert${i}`, ...body }));

/** Any item under any policy: 0 to 7 verdicts. */
const anyCase = fc
  .record({ shape: itemShape, panelSize: fc.integer({ min: 1, max: 6 }), quorum, policy })
  .chain(({ shape, panelSize, quorum, policy }) =>
    fc.array(validVerdict(shape, false), { maxLength: 7 }).map((bodies) => ({ policy, input: { ...shape, panelSize, quorum, verdicts: withExperts(bodies) } as PanelInput })),
  );

/** A verdict that agrees with every decision of an agreed consensus (and grades each standing mistake as decided). */
function agreeingVerdict(consensus: PanelConsensus, expert: string): PanelVerdict {
  const labels = Object.fromEntries(consensus.classes.map((c) => [c.key, c.decision]));
  const mistakes = Object.fromEntries(
    consensus.models
      .filter((m) => m.mistake === 'yes')
      .map((m) => [m.model, { severity: m.severity.decision as Severity, category: m.category.decision as string }]),
  );
  return { expert, labels, problematic: consensus.problematic.decision ? { reason: REASON } : null, mistakes };
}

describe('decidePanelNext properties', () => {
  it('never asks for more experts than the panel can hold, and never settles an item before its first verdicts', () => {
    fc.assert(
      fc.property(anyCase, ({ policy, input }) => {
        const { next } = decidePanelNext(policy, input);
        const n = input.verdicts.length;
        const [min, max] = policy.mode === 'fixed' ? [input.panelSize, input.panelSize] : [policy.min, policy.max];
        if (n >= max) expect(next).not.toBe('more-experts');
        if (n < min) expect(next).toBe('more-experts');
        // Only a complete panel (fixed) or a panel of max (adaptive) goes to the lead.
        if (next === 'lead') expect(n).toBeGreaterThanOrEqual(max);
      }),
      { numRuns: 2000 },
    );
  });

  it('in fixed mode, says what the aggregate of the panel says', () => {
    fc.assert(
      fc.property(anyCase, ({ input }) => {
        const status = aggregatePanel(input).status;
        const { next } = decidePanelNext({ mode: 'fixed' }, input);
        expect(next).toBe(status === 'agreed' ? 'final' : status === 'disputed' ? 'lead' : 'more-experts');
      }),
      { numRuns: 500 },
    );
  });

  it('settles a unanimous panel of min or more verdicts', () => {
    fc.assert(
      fc.property(
        fc.record({ shape: itemShape, quorum, policy }).chain(({ shape, quorum, policy }) =>
          fc
            .tuple(validVerdict(shape, true), fc.integer({ min: 0, max: 3 }))
            .map(([body, extra]) => {
              const panelSize = policy.mode === 'fixed' ? 3 : policy.min;
              const verdicts = withExperts(Array.from({ length: panelSize + extra }, () => body));
              return { policy, input: { ...shape, panelSize, quorum, verdicts } as PanelInput };
            }),
        ),
        ({ policy, input }) => {
          const decision = decidePanelNext(policy, input);
          expect(decision.next).toBe('final');
          const [first] = input.verdicts;
          for (const c of decision.consensus.classes) expect(c.decision).toBe(first?.labels[c.key]);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never turns a final item back when more agreeing verdicts come in', () => {
    fc.assert(
      fc.property(anyCase, fc.integer({ min: 1, max: 3 }), ({ policy, input }, more) => {
        const decision = decidePanelNext(policy, input);
        if (decision.next !== 'final') return;
        const verdicts = [...input.verdicts];
        for (let i = 0; i < more; i++) {
          verdicts.push(agreeingVerdict(decision.consensus, `agreeing${i}`));
          const later = decidePanelNext(policy, { ...input, verdicts });
          expect(later.next).toBe('final');
          expect(later.consensus.classes.map((c) => [c.key, c.decision])).toEqual(decision.consensus.classes.map((c) => [c.key, c.decision]));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('settles an adaptive item early only on class decisions that one more verdict, whatever it says, could not overturn', () => {
    // Holds when the quorum of n + 1 is more than half of n + 1 (majority, fractions above 1/2) and at most n; otherwise
    // (unanimity, a high fraction of a small panel) the early rule is "every verdict in agrees", which a dissent breaks.
    const strictQuorum = fc.oneof(
      fc.constant<PanelQuorum>({ kind: 'majority' }),
      fc.double({ min: 0.51, max: 1, noNaN: true }).map<PanelQuorum>((value) => ({ kind: 'fraction', value })),
    );
    fc.assert(
      fc.property(
        fc.record({ shape: itemShape, quorum: strictQuorum, min: fc.integer({ min: 2, max: 4 }), max: fc.integer({ min: 5, max: 6 }) }).chain(({ shape, quorum, min, max }) =>
          fc
            .tuple(fc.array(validVerdict(shape, true), { minLength: min, maxLength: max - 1 }), validVerdict(shape, false))
            .map(([bodies, next]) => ({ policy: { mode: 'adaptive', min, max } as PanelPolicy, input: { ...shape, panelSize: 3, quorum, verdicts: withExperts(bodies) } as PanelInput, next })),
        ),
        ({ policy, input, next }) => {
          const decision = decidePanelNext(policy, input);
          const n = input.verdicts.length;
          if (decision.next !== 'final' || quorumSize(input.quorum, n + 1) > n) return;
          const larger = aggregatePanel({ ...input, panelSize: n + 1, verdicts: [...input.verdicts, { expert: 'next', ...next }] });
          decision.consensus.classes.forEach((c, i) => {
            expect(larger.classes[i]).toMatchObject({ key: c.key, decision: c.decision, reached: true });
          });
        },
      ),
      { numRuns: 2000 },
    );
  });
});
