import { ClaimResponse, ItemBrowserPage, type Judgement, type ReviewItem, Verdict, type VerdictRequest } from '@bagel/contracts';
import { type APIRequestContext, type Browser, type Page, expect, test } from '@playwright/test';
import { demoProjectId, fetchItem, freshAccounts, gradeMistakesWithKeys, logIn, shownItemId, signInThroughApi } from './support';

// The panel on the review screen: the panel's verdicts beside the discussion once one's own verdict is in (and only
// when asked, since looking is recorded), the message when a verdict finds the panel full (the draft stays on screen),
// and the claim kept while the expert works; and the lead's desk, which decides only on the panel it showed.
//
// The demo database is shared by every file of the run: every expert here is this file's own (added with the run's
// stamp, deactivated at the end, which gives back what the review screen claimed for them). They judge one item, the
// last open one in the queue's order (so that no other file's expert holds it); its panel ends up complete, and the
// lead finalizes it, so no other file's expert is handed it afterwards.

const accounts = freshAccounts('panel');
const E1_COMMENT = 'The ears and the stripes say tabby; the model’s class is a close cousin.';
const DRAFT_COMMENT = 'My careful draft: the second animal at the left edge is a lynx, not a cat.';

/** A signed-in API session in a browser context of its own (the page's cookies stay the page's); close it when done. */
async function apiAs(browser: Browser, username: string): Promise<{ api: APIRequestContext; close(): Promise<void> }> {
  const context = await browser.newContext();
  await signInThroughApi(context.request, username);
  return { api: context.request, close: () => context.close() };
}

/** A complete verdict through the API: the original label correct, every other candidate wrong, each mistake graded. */
function fullVerdict(item: ReviewItem, extra: Partial<VerdictRequest> = {}): VerdictRequest {
  const labels: Record<string, Judgement> = {};
  for (const c of item.candidates) labels[c.key] = c.key === item.originalLabel!.key ? 'correct' : 'wrong';
  const mistakes = Object.fromEntries(
    item.models.filter((m) => labels[m.predictions[0]!.key] === 'wrong').map((m) => [m.model, { severity: 'Minor' as const, category: item.mistakeCategories[0]! }]),
  );
  return { labels, problematic: null, mistakes, comment: '', baseRevision: 0, ...extra };
}

async function post(api: APIRequestContext, itemId: number, body: VerdictRequest): Promise<Verdict> {
  const response = await api.post(`/api/items/${itemId}/verdicts`, { data: body });
  expect(response.status(), await response.text()).toBe(201);
  return Verdict.parse(await response.json());
}

/** The candidates on screen with their judgements ('' when not judged), in order. */
const shownJudgements = (page: Page) =>
  page.getByTestId('candidate-row').evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-key') ?? '', row.getAttribute('data-judgement') ?? '']));

test.describe.serial('the panel on the review screen', () => {
  let projectId: number;
  let itemId: number;
  let first: string;
  let second: string;

  test('the panel’s verdicts show beside the discussion once one’s own is in, when asked; a revision after that is marked', async ({ browser, page }) => {
    test.setTimeout(60_000);
    // The item: the last open one in the queue's order that nobody has judged (the queue hands out the first ones,
    // which other files' experts may hold). A first expert of this file judges it through the API.
    projectId = await demoProjectId(accounts.admin);
    const open = await accounts.admin.get(`/api/projects/${projectId}/items?status=open&sort=priority&order=asc&limit=1`);
    expect(open.status()).toBe(200);
    const row = ItemBrowserPage.parse(await open.json()).rows[0];
    expect(row, 'the demo has an item nobody judged yet').toBeDefined();
    itemId = row!.itemId;
    first = (await accounts.add('one')).username;
    const session = await apiAs(browser, first);
    const one = session.api;
    await post(one, itemId, fullVerdict(await fetchItem(one, itemId), { comment: E1_COMMENT }));

    // A second expert opens it, and sees nothing of the panel.
    second = (await accounts.add('two')).username;
    const asked: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === `/api/items/${itemId}/verdicts` && r.method() === 'GET') asked.push(r.url());
    });
    await logIn(page, second, `/?project=${projectId}&item=${itemId}`);
    expect(await shownItemId(page)).toBe(itemId);
    await expect(page.getByTestId('panel-verdicts')).toHaveCount(0);
    await expect(page.locator('body')).not.toContainText(E1_COMMENT);

    // Judged with the keys; the screen moves on, and comes back to the item to revise it.
    await page.keyboard.press('c');
    await page.keyboard.press('Shift+W');
    await gradeMistakesWithKeys(page, '1', '4');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
    await page.getByTestId('previous-item').click();
    await expect(page.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(itemId));
    await expect(page.getByTestId('item-id')).toContainText('revising r1');

    // Beside the discussion, the panel's verdicts wait to be asked for: nothing was fetched yet.
    const panel = page.getByTestId('panel-verdicts');
    await expect(panel).toHaveAttribute('data-open', 'false');
    await expect(page.getByTestId('discussion')).toBeVisible();
    expect(asked).toEqual([]);
    await panel.getByRole('button', { name: 'Show the panel’s verdicts' }).click();
    const rows = panel.getByTestId('panel-verdict');
    await expect(rows).toHaveCount(2);
    await expect(panel.locator(`[data-testid="panel-verdict"][data-expert="${first}"]`)).toContainText(E1_COMMENT);
    await expect(panel.locator(`[data-testid="panel-verdict"][data-expert="${second}"]`)).toContainText(`${second} (you)`);
    await expect(panel.getByTestId('panel-seen-note')).toContainText('marked as made after seeing it');
    // Read-only: nothing in it to press but the list.
    await expect(panel.getByRole('button')).toHaveCount(0);
    expect(asked.length).toBeGreaterThan(0);

    // A revision now is stored, and marked as made after seeing the panel.
    await page.keyboard.press('m');
    await page.keyboard.type('Same as the panel after all.');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
    const revised = await fetchItem(page.request, itemId);
    expect(revised.myVerdict).toMatchObject({ revision: 2, afterSeeingPanel: true, comment: 'Same as the panel after all.' });
    expect(revised.panelSeenAt).not.toBeNull();
    await session.close();
  });

  test('a verdict that finds the panel full is refused with a message, and the draft stays on screen until the expert goes on', async ({ browser, page }) => {
    test.setTimeout(60_000);
    // A third expert opens the item by its address (never handed it by the queue) and drafts a verdict.
    const third = (await accounts.add('three')).username;
    await logIn(page, third, `/?project=${projectId}&item=${itemId}`);
    await expect(page.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(itemId));
    await page.keyboard.press('c');
    await page.keyboard.press('Shift+W');
    await gradeMistakesWithKeys(page, '2', '5');
    await page.keyboard.press('m');
    await page.keyboard.type(DRAFT_COMMENT);
    await page.keyboard.press('Escape');
    const drafted = await shownJudgements(page);
    expect(drafted.every(([, judgement]) => judgement !== '')).toBe(true);

    // Meanwhile a fourth expert takes the item's last place and flags the image: the panel is complete, and disputed
    // (one flag of three).
    const fourthSession = await apiAs(browser, (await accounts.add('four')).username);
    const fourth = fourthSession.api;
    await post(fourth, itemId, fullVerdict(await fetchItem(fourth, itemId), { problematic: { reason: 'Drawing, painting, cartoon or rendering' } }));
    await fourthSession.close();

    // The third expert's Enter: refused, said so, and nothing of the draft is lost.
    const answer = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/items/${itemId}/verdicts` && r.request().method() === 'POST');
    await page.keyboard.press('Enter');
    expect((await answer).status()).toBe(409);
    const notice = page.getByTestId('panel-full-notice');
    await expect(notice).toContainText('Your verdict was not stored: the panel of this item is full (all 3 of its verdicts are in)');
    await expect(notice).toContainText('Your draft is still on screen');
    await expect(notice).toHaveRole('status');
    await expect(page.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(itemId));
    await expect(page.getByRole('textbox', { name: /Comment/ })).toHaveValue(DRAFT_COMMENT);
    expect(await shownJudgements(page)).toEqual(drafted);
    await expect(page.getByTestId('submit-error')).toHaveCount(0);
    expect((await fetchItem(page.request, itemId)).myVerdict).toBeNull();

    // Then on to the next item, when the expert says so.
    await notice.getByRole('button', { name: 'Go on to the next item' }).click();
    await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
  });

  test('the lead’s desk refuses to finalize on a panel that changed since it was loaded, reloads and says why', async ({ browser, page }) => {
    test.setTimeout(60_000);
    await logIn(page, 'lead', `/?view=desk&item=${itemId}`, 'lead-desk');
    const desk = page.getByTestId('desk-item');
    await expect(desk).toHaveAttribute('data-item-id', String(itemId));
    await expect(desk).toHaveAttribute('data-status', 'disputed');
    const firstColumn = page.locator(`th[data-after-seeing-panel]`, { hasText: first });
    await expect(firstColumn).toHaveAttribute('title', new RegExp(`^${first}: revision 1,`));
    await expect(page.getByTestId('finalize')).toBeEnabled();

    // While the lead looks, the first expert revises (a comment): the panel the desk shows is no longer current.
    const session = await apiAs(browser, first);
    const own = await fetchItem(session.api, itemId);
    await post(session.api, itemId, fullVerdict(own, { comment: `${E1_COMMENT} Checked again.`, baseRevision: 1 }));
    await session.close();

    const answer = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/items/${itemId}/decisions`);
    await page.getByTestId('finalize').click();
    const refused = await answer;
    expect(refused.status()).toBe(409);
    expect(((await refused.json()) as { code: string }).code).toBe('STALE_DESK');
    await expect(page.getByTestId('desk-notice')).toContainText('a verdict on this item was written after you opened it');
    await expect(page.getByTestId('desk-notice')).toContainText('reloaded');
    // Reloaded: the revision is on the desk, the item still disputed; deciding again goes through.
    await expect(firstColumn).toHaveAttribute('title', new RegExp(`^${first}: revision 2,`));
    await expect(desk).toHaveAttribute('data-status', 'disputed');
    await page.getByTestId('finalize').click();
    await expect(page.getByTestId('desk-notice')).toContainText(`Item ${itemId} finalized`);

    // The dashboard counts the second expert's revision made after seeing the panel (left out of the agreement).
    await page.getByTestId('nav-dashboard').click();
    await expect(page.getByTestId('dashboard')).toBeVisible();
    await expect(page.locator(`[data-testid="expert-row"][data-expert="${second}"]`).getByTestId('expert-after-seeing-panel')).toHaveText('1');
    await expect(page.getByTestId('revisions-after-seeing-panel')).toContainText('made after seeing the panel');
  });
});

test('the claim on the item is renewed while the expert works on it, not while the page is left alone', async ({ page }) => {
  const expert = (await accounts.add('renew')).username;
  await page.clock.install();
  await logIn(page, expert);
  const itemId = await shownItemId(page);
  const before = (await fetchItem(page.request, itemId)).claimExpiresAt;
  expect(before).not.toBeNull();
  const renewals: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === `/api/items/${itemId}/claim`) renewals.push(r.method());
  });
  const nextRenewal = () => page.waitForResponse((r) => new URL(r.url()).pathname === `/api/items/${itemId}/claim`);

  // Left alone past halfway through the 20-minute claim: no renewal.
  await page.clock.runFor('11:00');
  expect(renewals).toEqual([]);
  await expect(page.getByTestId('claim-warning')).toHaveCount(0);

  // The expert is back (a key): the claim is renewed at once.
  let renewed = nextRenewal();
  await page.keyboard.press('j');
  let response = await renewed;
  expect(response.status()).toBe(200);
  const claim = ClaimResponse.parse(await response.json());
  expect(claim).toMatchObject({ itemId, expiresInSeconds: 20 * 60 });
  expect(Date.parse(claim.claimExpiresAt)).toBeGreaterThan(Date.parse(before!));
  expect((await fetchItem(page.request, itemId)).claimExpiresAt).toBe(claim.claimExpiresAt);

  // Working on (a key now and then), it is renewed again halfway through the new claim.
  await page.keyboard.press('k');
  renewed = nextRenewal();
  await page.clock.runFor('10:01');
  response = await renewed;
  expect(response.status()).toBe(200);
  expect(renewals).toEqual(['POST', 'POST']);
  await expect(page.getByTestId('claim-warning')).toHaveCount(0);
});
