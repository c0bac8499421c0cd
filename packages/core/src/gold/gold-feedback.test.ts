import { describe, expect, it } from 'vitest';
import { compareWithGold } from './gold-feedback';

const FLAG = { reason: 'Two objects' };

describe('compareWithGold', () => {
  it('matches an answer judged as the gold answer, whatever the grades', () => {
    const answer = { labels: { cup: 'correct', bus: 'wrong' } as const, problematic: null };
    expect(compareWithGold(answer, { labels: { bus: 'wrong', cup: 'correct' }, problematic: null })).toEqual({
      matched: true,
      classes: [],
      problematic: { yours: false, answer: false },
    });
  });

  it('lists the classes judged otherwise, in the answer’s order then the expert’s, each side’s judgement', () => {
    const answer = { labels: { cup: 'correct', bus: 'wrong', fox: 'unclear' } as const, problematic: FLAG };
    const yours = { labels: { fox: 'correct', bus: 'correct', cup: 'correct', dog: 'unclear' } as const, problematic: null };
    expect(compareWithGold(answer, yours)).toEqual({
      matched: false,
      classes: [
        { key: 'bus', yours: 'correct', answer: 'wrong' },
        { key: 'fox', yours: 'correct', answer: 'unclear' },
        { key: 'dog', yours: 'unclear', answer: null },
      ],
      problematic: { yours: false, answer: true },
    });
  });

  it('takes a class one side leaves out as absent: it differs from correct or unclear only', () => {
    const answer = { labels: { cup: 'correct', bus: 'wrong' } as const, problematic: null };
    // The expert left the bus out (absent, as the answer says) and added a fox judged wrong (absent too), but missed the cup.
    const yours = { labels: { fox: 'wrong' } as const, problematic: null };
    expect(compareWithGold(answer, yours).classes).toEqual([{ key: 'cup', yours: null, answer: 'correct' }]);
  });

  it('does not match when only the problematic flag differs', () => {
    const answer = { labels: { cup: 'correct' } as const, problematic: null };
    expect(compareWithGold(answer, { labels: { cup: 'correct' }, problematic: FLAG })).toEqual({
      matched: false,
      classes: [],
      problematic: { yours: true, answer: false },
    });
  });
});
