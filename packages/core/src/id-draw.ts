/**
 * murmur3's 32-bit finalizer over two ids: every bit of each input moves about half of the output's, so neighbouring
 * ids (items imported in order, experts added one after another, an expert's n-th and n+1-th item) land
 * independently. The same ids always give the same number: a draw made from it is the same on every device, after
 * every reload and on every server instance, with nothing to store.
 */
export function mixIds(a: number, b: number): number {
  let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ Math.imul(b >>> 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A number in [0, 1) drawn from two ids (mixIds). */
export const drawFromIds = (a: number, b: number): number => mixIds(a, b) / 4294967296;
