import { expect, test } from '@playwright/test';
import { candidateKeys, expectVerdictsSaved, fetchItem, fetchVerdicts, gradeMistakesWithKeys, logIn, shownItemId } from '../e2e/support';

// The review loop on PostgreSQL, through nginx in front of two instances (playwright.postgres.config.ts): the proxy
// hands each request to either instance, so every step below also checks that what one instance wrote (a session, a
// claim, a verdict) holds on the other.

test('two experts review through the proxy: each verdict is stored exactly, the next item shows, and review stays blind', async ({ browser }) => {
  const first = await browser.newPage();
  await logIn(first, 'expert1');
  const itemId = await shownItemId(first);
  const item = await fetchItem(first.request, itemId);
  const keys = await candidateKeys(first);
  // The original label correct, every other candidate wrong, from the keyboard.
  const expected: Record<string, 'correct' | 'wrong'> = {};
  for (const [index, key] of keys.entries()) {
    await first.keyboard.press(index === 0 ? 'c' : 'w');
    expected[key] = index === 0 ? 'correct' : 'wrong';
  }
  const graded = await gradeMistakesWithKeys(first, '1', '4');
  expect(graded.length).toBeGreaterThan(0);
  await first.keyboard.press('Enter');
  await expect(first.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
  await expectVerdictsSaved(first);
  const stored = (await fetchItem(first.request, itemId)).myVerdict;
  expect(stored?.revision).toBe(1);
  expect(stored?.labels).toEqual(expected);
  expect(Object.keys(stored?.mistakes ?? {}).toSorted()).toEqual(graded.toSorted());

  // A reload (its requests spread over both instances) keeps the session and shows the item claimed next.
  const nextId = await shownItemId(first);
  await first.reload();
  await expect(first.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(nextId));

  // The second expert sees nothing of the first one's verdict on the item, until they have given their own.
  const second = await browser.newPage();
  await logIn(second, 'expert2');
  expect((await fetchItem(second.request, itemId)).myVerdict).toBeNull();
  expect((await fetchVerdicts(second.request, itemId)).verdicts).toEqual([]);

  // Signing out on one instance ends the session on both: every later request is refused, whichever instance answers.
  await first.request.post('/api/auth/logout');
  for (let i = 0; i < 4; i++) expect((await first.request.get('/api/auth/me')).status()).toBe(401);
  // The other expert's session is untouched.
  for (let i = 0; i < 4; i++) expect((await second.request.get('/api/auth/me')).status()).toBe(200);
});
