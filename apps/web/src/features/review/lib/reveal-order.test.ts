import type { ReviewItem } from '@bagel/contracts';
import { describe, expect, it } from 'vitest';
import { keepCandidateOrder } from './reveal-order';

const candidate = (key: string) => ({ key, index: 0, names: [key], gloss: '', sources: [] });
const item = (...keys: string[]) => ({ candidates: keys.map(candidate) }) as unknown as ReviewItem;

describe('keepCandidateOrder', () => {
  it('puts the revealed candidates in the order the expert judged them', () => {
    const revealed = keepCandidateOrder(item('orig', 'a1', 'b1', 'b2'), ['b1', 'orig', 'b2', 'a1']);
    expect(revealed.candidates.map((c) => c.key)).toEqual(['b1', 'orig', 'b2', 'a1']);
  });

  it('leaves out what the hidden list had and the revealed one has not (a decoy), and appends what it lacked in the server’s order', () => {
    const revealed = keepCandidateOrder(item('orig', 'a1', 'x', 'y'), ['decoy', 'a1', 'orig']);
    expect(revealed.candidates.map((c) => c.key)).toEqual(['a1', 'orig', 'x', 'y']);
  });

  it('changes nothing else of the item', () => {
    const source = { ...item('a', 'b'), id: 7, models: [] } as unknown as ReviewItem;
    const revealed = keepCandidateOrder(source, ['b', 'a']);
    expect({ ...revealed, candidates: [] }).toEqual({ ...source, candidates: [] });
  });
});
