import type { Judgement } from '@bagel/contracts';
import { describe, expect, it } from 'vitest';
import type { PanelInput, PanelVerdict } from './aggregate-panel';
import { adaptiveQuorum, decidePanelNext, panelBounds, type PanelPolicy } from './panel-policy';

const CANDIDATES = ['tabby', 'tiger_cat'];

/** A verdict judging tabby and tiger_cat; `flag` marks the image problematic. */
function verdict(expert: string, tabby: Judgement, tigerCat: Judgement, flag = false): PanelVerdict {
  return {
    expert,
    labels: { tabby, tiger_cat: tigerCat },
    problematic: flag ? { reason: 'Excessively edited' } : null,
    mistakes: {},
  };
}

function input(verdicts: PanelVerdict[], fields: Partial<PanelInput> = {}): PanelInput {
  return { candidates: CANDIDATES, models: [], panelSize: 3, quorum: { kind: 'majority' }, verdicts, ...fields };
}

const adaptive: PanelPolicy = { mode: 'adaptive', min: 2, max: 5 };
const agree = (expert: string) => verdict(expert, 'correct', 'wrong');
const dissent = (expert: string) => verdict(expert, 'correct', 'correct');

describe('decidePanelNext, fixed panel', () => {
  const fixed: PanelPolicy = { mode: 'fixed' };

  it('asks for experts until the panel size is reached', () => {
    expect(decidePanelNext(fixed, input([])).next).toBe('more-experts');
    expect(decidePanelNext(fixed, input([agree('a'), agree('b')])).next).toBe('more-experts');
  });

  it('is final when the complete panel agrees, and goes to the lead when it disputes', () => {
    expect(decidePanelNext(fixed, input([agree('a'), agree('b'), dissent('c')])).next).toBe('final');
    expect(decidePanelNext(fixed, input([agree('a'), dissent('b'), verdict('c', 'correct', 'unclear')])).next).toBe('lead');
  });

  it('follows the project quorum', () => {
    const panel = input([agree('a'), agree('b'), dissent('c')], { quorum: { kind: 'unanimity' } });
    expect(decidePanelNext(fixed, panel).next).toBe('lead');
  });
});

describe('adaptiveQuorum', () => {
  it('under majority, asks the answer to lead all others together by two', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => adaptiveQuorum({ kind: 'majority' }, n))).toEqual([1, 2, 3, 3, 4, 4]);
  });

  it('under unanimity, asks for every verdict in', () => {
    expect([2, 3, 4].map((n) => adaptiveQuorum({ kind: 'unanimity' }, n))).toEqual([2, 3, 4]);
  });

  it('under a fraction, is the fraction of one more expert', () => {
    expect(adaptiveQuorum({ kind: 'fraction', value: 0.6 }, 4)).toBe(3); // ceil(0.6 × 5)
    expect(adaptiveQuorum({ kind: 'fraction', value: 0.3 }, 2)).toBe(1); // ceil(0.3 × 3)
  });
});

describe('decidePanelNext, adaptive panel 2–5', () => {
  it('asks for experts until min verdicts are in', () => {
    const decision = decidePanelNext(adaptive, input([agree('a')]));
    expect(decision.next).toBe('more-experts');
    expect(decision.consensus).toMatchObject({ status: 'incomplete', panelSize: 2 });
  });

  it('is final when the first two verdicts agree on every class and the flag', () => {
    const decision = decidePanelNext(adaptive, input([agree('a'), agree('b')]));
    expect(decision.next).toBe('final');
    expect(decision.consensus).toMatchObject({ status: 'agreed', quorum: 2, panelSize: 2 });
    expect(decision.consensus.classes.map((c) => c.decision)).toEqual(['correct', 'wrong']);
  });

  it('asks for another expert when two verdicts differ on one class', () => {
    const decision = decidePanelNext(adaptive, input([agree('a'), dissent('b')]));
    expect(decision.next).toBe('more-experts');
    expect(decision.consensus.disputes).toEqual([expect.objectContaining({ kind: 'class', classKey: 'tiger_cat' })]);
  });

  it('asks for another expert when only one expert flags the image', () => {
    expect(decidePanelNext(adaptive, input([agree('a'), verdict('b', 'correct', 'wrong', true)])).next).toBe('more-experts');
  });

  it('does not stop on a 2-of-3 majority: one more dissent would tie it', () => {
    expect(decidePanelNext(adaptive, input([agree('a'), dissent('b'), agree('c')])).next).toBe('more-experts');
  });

  it('stops on 3 of 4: a fifth verdict could not overturn it', () => {
    const decision = decidePanelNext(adaptive, input([agree('a'), dissent('b'), agree('c'), agree('d')]));
    expect(decision.next).toBe('final');
    expect(decision.consensus.classes.find((c) => c.key === 'tiger_cat')).toMatchObject({ decision: 'wrong', reached: true });
  });

  it('counts an unclear or a missing judgement against the answer, as the quorum does', () => {
    const skipped: PanelVerdict = { expert: 'd', labels: { tabby: 'correct' }, problematic: null, mistakes: {} };
    expect(decidePanelNext(adaptive, input([agree('a'), dissent('b'), agree('c'), skipped])).next).toBe('more-experts');
    const unclear = verdict('d', 'correct', 'unclear');
    expect(decidePanelNext(adaptive, input([agree('a'), dissent('b'), agree('c'), unclear])).next).toBe('more-experts');
  });

  it('at max, decides by the quorum of a panel of max: a 3-of-5 majority is final, a split goes to the lead', () => {
    const majority = decidePanelNext(adaptive, input([agree('a'), dissent('b'), agree('c'), dissent('d'), agree('e')]));
    expect(majority.next).toBe('final');
    expect(majority.consensus).toMatchObject({ quorum: 3, panelSize: 5 });
    const split = decidePanelNext(adaptive, input([agree('a'), dissent('b'), agree('c'), dissent('d'), verdict('e', 'correct', 'unclear')]));
    expect(split.next).toBe('lead');
  });

  it('ignores the project panel size', () => {
    expect(decidePanelNext(adaptive, input([agree('a'), agree('b')], { panelSize: 7 })).next).toBe('final');
  });

  it('under unanimity, settles early only on unanimous verdicts', () => {
    const unanimity = { quorum: { kind: 'unanimity' } as const };
    expect(decidePanelNext(adaptive, input([agree('a'), agree('b'), agree('c')], unanimity)).next).toBe('final');
    expect(decidePanelNext(adaptive, input([agree('a'), agree('b'), agree('c'), dissent('d')], unanimity)).next).toBe('more-experts');
  });

  it('refuses bounds that are not integers with 2 <= min <= max', () => {
    expect(() => decidePanelNext({ mode: 'adaptive', min: 3, max: 2 }, input([]))).toThrow(RangeError);
    expect(() => decidePanelNext({ mode: 'adaptive', min: 1, max: 2 }, input([]))).toThrow(RangeError);
    expect(() => decidePanelNext({ mode: 'adaptive', min: 2, max: 4.5 }, input([]))).toThrow(RangeError);
  });
});

describe('panelBounds', () => {
  it('is the panel size for a fixed panel and min to max for an adaptive one', () => {
    expect(panelBounds({ mode: 'fixed' }, 3)).toEqual({ min: 3, max: 3 });
    expect(panelBounds(adaptive, 3)).toEqual({ min: 2, max: 5 });
  });
});
