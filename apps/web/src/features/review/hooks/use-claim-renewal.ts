import type { ReviewItem } from '@bagel/contracts';
import { useEffect, useState } from 'react';
import { ApiError, errorMessage } from '../../../lib/api-client';
import { renewClaim } from '../api/renew-claim';
import { type ClaimWarning, claimWarningOf, renewalDelay, RETRY_AFTER_ERROR_MS } from '../lib/claim-renewal';

/**
 * Keeps this expert's claim on the item they are judging while they work on it. The queue reserves an item for a
 * while (the project's claim time, 20 minutes by default); past that, its slot may go to another expert and the
 * verdict would be refused (409 PANEL_FULL). So, halfway through the claim, the claim is renewed, provided the expert
 * did something on the page (a key, a click) since the last renewal: a tab left open does not hold a slot for ever.
 * Past halfway without activity, their next key or click renews it at once; when it runs out unrenewed, the expert is
 * warned, and their next key or click takes the claim again if the panel still has room (or warns that it is full).
 * Returns the warning to show, if any.
 *
 * `item` is the item on screen when the expert is judging it for the first time (null otherwise: a revision, a final
 * item, nothing shown); items without a claim (opened by their address) are left alone: their verdict is taken while
 * the panel has room.
 */
export function useClaimRenewal(item: ReviewItem | null): ClaimWarning | null {
  const itemId = item?.id ?? null;
  const initialExpiry = item?.claimExpiresAt ?? null;
  const [warning, setWarning] = useState<ClaimWarning | null>(null);

  useEffect(() => {
    setWarning(null);
    if (itemId === null || initialExpiry === null) return;
    // Times by this browser's clock (ms): when the claim was granted or last renewed, when it runs out, and the
    // expert's last key or click on the page.
    let grantedAt = Date.now();
    let expiresAt = Date.parse(initialExpiry);
    let lastActivity = grantedAt;
    let disposed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let renewing = false;
    let idle = false;
    let lapsed = false;

    const plan = (delay: number) => {
      clearTimeout(timer);
      timer = setTimeout(tick, delay);
    };
    const renew = async () => {
      if (renewing) return;
      renewing = true;
      try {
        const claim = await renewClaim(itemId);
        if (disposed) return;
        const now = Date.now();
        // Timed by the claim's length as the server counts it, not by its clock: the two clocks may differ.
        grantedAt = now;
        expiresAt = now + claim.expiresInSeconds * 1000;
        lapsed = false;
        setWarning(null);
        plan(renewalDelay(claim.expiresInSeconds * 1000));
      } catch (error) {
        if (disposed) return;
        const refused = error instanceof ApiError && error.status === 409 ? error : null;
        if (refused && refused.code !== 'PANEL_FULL' && refused.code !== 'TOO_MANY_CLAIMS') {
          // Judged meanwhile (another tab), final, seen: nothing to hold any more, and the submit will say why.
          return;
        }
        setWarning(claimWarningOf(refused?.code ?? null, expiresAt, errorMessage(error)));
        if (!refused) plan(RETRY_AFTER_ERROR_MS);
      } finally {
        renewing = false;
      }
    };
    function tick() {
      if (disposed) return;
      const now = Date.now();
      if (lastActivity > grantedAt) {
        void renew();
      } else if (now < expiresAt) {
        // Nobody at the page since the claim was granted: renew at the expert's next key or click, else let it
        // run out and say so then.
        idle = true;
        plan(expiresAt - now + 1);
      } else {
        lapsed = true;
        setWarning(claimWarningOf('EXPIRED', expiresAt, ''));
      }
    }
    const onActivity = () => {
      lastActivity = Date.now();
      // Back after the halfway mark passed unrenewed, or at a lapsed claim: renew (or take it again) at once.
      if (idle || lapsed) {
        idle = false;
        lapsed = false;
        void renew();
      }
    };
    window.addEventListener('keydown', onActivity, true);
    window.addEventListener('pointerdown', onActivity, true);
    plan(renewalDelay(expiresAt - grantedAt));
    return () => {
      disposed = true;
      clearTimeout(timer);
      window.removeEventListener('keydown', onActivity, true);
      window.removeEventListener('pointerdown', onActivity, true);
    };
  }, [itemId, initialExpiry]);

  return warning;
}
