import { goldPick, isGoldTurn } from '@bagel/core';
import type { Queries } from '../../db/database';
import { lockRows } from '../../db/dialect';
import { createGoldRepository } from './gold.repository';

/** Gold items looked at per serve: the expert gets one of the first of those they may be served. */
const GOLD_CHOICES = 64;

/**
 * The gold step of `next`, before the review queue's (docs/AGGREGATION.md, "Gold items"): a gold item for the expert
 * now, or null to go on with the queue. In `next`'s write.
 *
 * - A gold item the expert holds (served, not answered or skipped, not expired) comes back as a held claim does: on a
 *   reload, unless the item they were on is an older claim of the queue's; when claiming ahead, unless it is `after`.
 * - Otherwise, among a new expert's first goldQualification items (a qualification set), or at a gold turn
 *   (isGoldTurn: about the project's goldRate of the items handed to the expert), one of
 *   the gold items they may be served (never served to them, not judged by them in the panel, its panel not seen by
 *   them), reserved for them as a claim is. A plain `next` while the expert holds a claim of the queue's returns that
 *   claim (a reload), so no gold item is served then.
 *
 * Experts only: leads, who judge too, read the desk and the discussions, where gold shows.
 */
export async function goldStep(
  db: Queries,
  userId: number,
  project: { id: number; goldRate: number; goldQualification: number; claimMs: number },
  now: number,
  after?: number,
): Promise<number | null> {
  const gold = createGoldRepository(db);
  if (!(await gold.projectHasGold(project.id))) return null;
  // PostgreSQL: one `next` of this expert at a time, as the queue's claims are taken (claimNext locks the same row).
  await lockRows(db, 'users', [userId]);
  const afterId = after ?? 0;
  const expiresAt = now + project.claimMs;
  const held = await gold.heldProbe(userId, project.id, now, afterId);
  const heldClaimMs = await gold.oldestHeldClaimMs(userId, project.id, now, afterId);
  if (held) {
    if (heldClaimMs !== null && heldClaimMs < held.servedMs) return null;
    await gold.renew(held.itemId, userId, expiresAt);
    return held.itemId;
  }
  if (after === undefined && heldClaimMs !== null) return null;
  const handed = await gold.itemsHanded(userId, project.id);
  // A new expert's first items are the qualification set, where the project has one; then the rate's draw.
  if (handed >= project.goldQualification && !isGoldTurn(userId, handed, project.goldRate)) return null;
  const servable = await gold.servable(userId, project.id, GOLD_CHOICES);
  if (servable.length === 0) return null;
  const itemId = servable[goldPick(userId, handed, servable.length)]!;
  await gold.serve(itemId, userId, project.id, new Date(now).toISOString(), expiresAt);
  return itemId;
}
