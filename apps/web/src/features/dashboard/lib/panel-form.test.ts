import { PanelPolicy } from '@bagel/contracts';
import { describe, expect, it } from 'vitest';
import { panelForm, panelHint, panelPolicyFromForm, panelPolicyText, samePanelPolicy } from './panel-form';

const adaptive = (min: string, max: string) => panelPolicyFromForm({ mode: 'adaptive', min, max });

describe('panelForm', () => {
  it('starts from the adaptive policy in force, or from 2–5', () => {
    expect(panelForm({ mode: 'adaptive', min: 3, max: 7 })).toEqual({ mode: 'adaptive', min: '3', max: '7' });
    expect(panelForm({ mode: 'fixed' })).toEqual({ mode: 'fixed', min: '2', max: '5' });
  });
});

describe('panelPolicyFromForm', () => {
  it('asks for a fixed panel whatever min and max say', () => {
    expect(panelPolicyFromForm({ mode: 'fixed', min: '', max: '99' })).toEqual({ policy: { mode: 'fixed' } });
  });

  it('asks for an adaptive panel with 2 <= min <= max <= 50', () => {
    expect(adaptive('2', '4')).toEqual({ policy: { mode: 'adaptive', min: 2, max: 4 } });
    expect(adaptive('3', '3')).toEqual({ policy: { mode: 'adaptive', min: 3, max: 3 } });
    expect(adaptive('2', '50')).toEqual({ policy: { mode: 'adaptive', min: 2, max: 50 } });
  });

  it('refuses the rest with a message that states the rule, on the field at fault', () => {
    expect(adaptive('1', '4')).toEqual({ problem: 'Min must be at least 2 (2 ≤ min ≤ max ≤ 50).', field: 'min' });
    expect(adaptive('5', '3')).toEqual({ problem: 'Min (5) must be at most max (3) (2 ≤ min ≤ max ≤ 50).', field: 'max' });
    expect(adaptive('2', '51')).toEqual({ problem: 'Max must be at most 50 (2 ≤ min ≤ max ≤ 50).', field: 'max' });
    expect(adaptive('60', '70')).toEqual({ problem: 'Min must be at most 50 (2 ≤ min ≤ max ≤ 50).', field: 'min' });
    expect(adaptive('', '4')).toEqual({ problem: 'Min must be a whole number (2 ≤ min ≤ max ≤ 50).', field: 'min' });
    expect(adaptive('2', '4.5')).toEqual({ problem: 'Max must be a whole number (2 ≤ min ≤ max ≤ 50).', field: 'max' });
  });

  it('accepts exactly what the server accepts', () => {
    const typed = ['', ' ', 'x', '-1', '0', '1', '2', '2.5', '3', '5', '49', '50', '51', '100'];
    for (const min of typed) {
      for (const max of typed) {
        const form = adaptive(min, max);
        const server = PanelPolicy.safeParse({ mode: 'adaptive', min: Number(min), max: Number(max) });
        expect('policy' in form, `min ${JSON.stringify(min)}, max ${JSON.stringify(max)}`).toBe(min.trim() !== '' && max.trim() !== '' && server.success);
        if ('policy' in form && server.success) expect(form.policy).toEqual(server.data);
      }
    }
  });
});

describe('samePanelPolicy', () => {
  it('compares the mode and the bounds', () => {
    expect(samePanelPolicy({ mode: 'fixed' }, { mode: 'fixed' })).toBe(true);
    expect(samePanelPolicy({ mode: 'adaptive', min: 2, max: 5 }, { mode: 'adaptive', min: 2, max: 5 })).toBe(true);
    expect(samePanelPolicy({ mode: 'adaptive', min: 2, max: 5 }, { mode: 'adaptive', min: 2, max: 4 })).toBe(false);
    expect(samePanelPolicy({ mode: 'fixed' }, { mode: 'adaptive', min: 2, max: 5 })).toBe(false);
    expect(samePanelPolicy({ mode: 'adaptive', min: 2, max: 5 }, { mode: 'fixed' })).toBe(false);
  });
});

describe('panelPolicyText', () => {
  it('says the panel size of a fixed panel and the bounds of an adaptive one', () => {
    expect(panelPolicyText({ mode: 'fixed' }, 3)).toBe('a fixed panel of 3');
    expect(panelPolicyText({ mode: 'adaptive', min: 2, max: 4 }, 3)).toBe('an adaptive panel of 2–4');
  });
});

describe('panelHint', () => {
  it('gives the simulation’s figures, and says when the project aggregates by the quorum', () => {
    expect(panelHint('dawid-skene')).toContain('spent the fewest verdicts under Dawid–Skene aggregation: 2.29 per item');
    expect(panelHint('dawid-skene')).toContain('under the quorum it spent 3.67.');
    expect(panelHint('quorum')).toContain('under the quorum, this project’s aggregation, it spent 3.67.');
  });
});
