import { drawFromIds } from '../id-draw';

/**
 * Whether the `handed`-th item handed to an expert (their first verdicts and the gold items served to them so far)
 * is a gold item, at the project's gold rate: a draw per expert and position, so about `rate` of each expert's items
 * are gold, at no fixed interval (every 20th item would be a pattern an expert could notice).
 */
export function isGoldTurn(userId: number, handed: number, rate: number): boolean {
  return rate > 0 && drawFromIds(userId ^ 0x2545f491, handed) < rate;
}

/** Which of the `count` gold items the expert may be served comes at that position: spread over them, not the first. */
export function goldPick(userId: number, handed: number, count: number): number {
  return Math.floor(drawFromIds(handed ^ 0x68e31da4, userId) * count);
}
