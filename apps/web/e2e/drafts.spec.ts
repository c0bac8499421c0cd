import { PROBLEMATIC_REASONS, type UserAccount, type VerdictRequest } from '@bagel/contracts';
import { type Browser, type BrowserContext, type Page, expect, test } from '@playwright/test';
import { candidateKeys, expectVerdictsSaved, fetchItem, freshAccounts, gradeMistakesWithKeys, logIn, shownItemId, signInThroughApi } from './support';

// A reviewer's work is never lost: the draft survives a reload, a closed tab, another browser, a session that ends and a
// network that drops; a verdict is sent until the server acknowledges it, and stored once.
//
// The demo database is shared by every file of the run: each test works as an expert of its own (deactivated at the
// end, which gives back their claims), and stores as few verdicts as it can (a revision fills no panel slot).

const accounts = freshAccounts('drafts');
// Several sign-ins, browsers and a network that comes back (with its retries) per test.
test.describe.configure({ timeout: 90_000 });

const COMMENT = 'Whiskers and stripes: a tabby, not a tiger cat.';

const row = (page: Page, key: string) => page.locator(`[data-testid="candidate-row"][data-key="${key}"]`);
const comment = (page: Page) => page.getByRole('textbox', { name: /Comment/ });
const draftState = (page: Page) => page.getByTestId('draft-state');
const saveState = (page: Page) => page.getByTestId('save-state');

/** `m`, then the text at the end of the comment. */
async function typeComment(page: Page, text: string): Promise<void> {
  await page.keyboard.press('m');
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
  await page.keyboard.press('Escape');
}

/** Every candidate wrong, every mistake graded, a comment: a verdict Enter submits. */
async function judgeAllWrong(page: Page, text = COMMENT): Promise<void> {
  await page.keyboard.press('W');
  await gradeMistakesWithKeys(page, '1', '4');
  await typeComment(page, text);
  await expect(page.getByTestId('submit')).toBeEnabled();
}

/**
 * A new expert signed in on a browser of their own, with every candidate of the item on screen judged and its
 * mistakes graded (Enter would submit), once the item after it is claimed ahead.
 */
async function judgedItem(browser: Browser, what: string): Promise<{ username: string; user: UserAccount; context: BrowserContext; page: Page; itemId: number }> {
  const { username, user } = await accounts.add(what);
  const context = await browser.newContext();
  const page = await context.newPage();
  const claimedAhead = page.waitForResponse((response) => response.url().includes('/next?after='));
  await logIn(page, username);
  const itemId = await shownItemId(page);
  await claimedAhead;
  await judgeAllWrong(page);
  return { username, user, context, page, itemId };
}

/** With no network, `typed` added to the comment and Enter: the next item shows at once, the verdict is being retried. */
async function submitOffline(context: BrowserContext, page: Page, itemId: number, typed?: string): Promise<void> {
  await context.setOffline(true);
  if (typed !== undefined) await typeComment(page, typed);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
  await expect(saveState(page)).toHaveAttribute('data-state', 'retrying');
}

test('a draft comes back after a reload, in another browser of the same reviewer, and nobody else ever sees it', async ({ browser }) => {
  const { username } = await accounts.add('reload');
  const context = await browser.newContext();
  const page = await context.newPage();
  await logIn(page, username);
  const itemId = await shownItemId(page);
  const keys = await candidateKeys(page);

  await page.keyboard.press('c'); // candidate 0 correct, then candidate 1
  await page.keyboard.press('w');
  await page.keyboard.press('p');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await typeComment(page, COMMENT);
  await expect(draftState(page)).toHaveAttribute('data-state', 'saved');
  await expect(draftState(page)).toHaveText('Draft saved');

  const expectDraftShown = async (shown: Page) => {
    await expect(shown.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(itemId));
    await expect(row(shown, keys[0]!)).toHaveAttribute('data-judgement', 'correct');
    await expect(row(shown, keys[1]!)).toHaveAttribute('data-judgement', 'wrong');
    await expect(row(shown, keys[2]!)).toHaveAttribute('data-judgement', '');
    await expect(shown.getByTestId('problematic-reason')).toHaveText(PROBLEMATIC_REASONS[1]);
    await expect(comment(shown)).toHaveValue(COMMENT);
  };

  await page.reload();
  await expectDraftShown(page);
  await expect(page.getByTestId('draft-restored')).toHaveAttribute('data-from', 'this-device');

  // Another browser (no copy of its own): the server's copy.
  const otherBrowser = await browser.newContext();
  const elsewhere = await otherBrowser.newPage();
  await logIn(elsewhere, username);
  await expectDraftShown(elsewhere);
  await expect(elsewhere.getByTestId('draft-restored')).toHaveAttribute('data-from', 'server');
  await otherBrowser.close();

  // Blind review: another expert and the lead find no draft, on the item or at its own address.
  const { username: other } = await accounts.add('other');
  for (const who of [other, 'lead']) {
    const theirs = await browser.newContext();
    await signInThroughApi(theirs.request, who);
    expect((await theirs.request.get(`/api/items/${itemId}/draft`)).status(), who).toBe(404);
    const seen = await fetchItem(theirs.request, itemId);
    expect(seen.myDraft, who).toBeNull();
    expect(JSON.stringify(seen)).not.toContain(COMMENT);
    await theirs.close();
  }
  await context.close();
});

test('a draft made with no network survives the tab closing at once, and reaches the server when the network is back', async ({ browser }) => {
  const { username } = await accounts.add('crash');
  const context = await browser.newContext();
  const page = await context.newPage();
  await logIn(page, username);
  const itemId = await shownItemId(page);
  const [firstKey] = await candidateKeys(page);

  await context.setOffline(true);
  await page.keyboard.press('c');
  await typeComment(page, 'typed with no network');
  await expect(draftState(page)).toHaveAttribute('data-state', 'offline');
  await expect(draftState(page)).toContainText('kept in this browser');
  await page.close({ runBeforeUnload: false });
  await context.setOffline(false);
  expect((await context.request.get(`/api/items/${itemId}/draft`)).status()).toBe(404);

  const again = await context.newPage();
  await again.goto('/');
  await expect(again.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(itemId));
  await expect(comment(again)).toHaveValue('typed with no network');
  await expect(row(again, firstKey!)).toHaveAttribute('data-judgement', 'correct');
  await expect(again.getByTestId('draft-restored')).toHaveAttribute('data-from', 'this-device');
  // What the closed page could not send is sent now.
  await expect.poll(async () => (await context.request.get(`/api/items/${itemId}/draft`)).status()).toBe(200);
  expect(await (await context.request.get(`/api/items/${itemId}/draft`)).json()).toMatchObject({ comment: 'typed with no network' });
  await context.close();
});

test('the session ends mid-draft: Enter asks for the password over the review screen, then the verdict is submitted', async ({ browser }) => {
  const { username, user, context, page, itemId } = await judgedItem(browser, 'session');
  await expect(draftState(page)).toHaveAttribute('data-state', 'saved');

  // An admin resets the expert's password: their session ends on the server.
  const reset = await accounts.admin.post(`/api/users/${user.id}/password`);
  expect(reset.status()).toBe(200);
  const { password } = (await reset.json()) as { password: string };

  // Enter moves on to the item reserved next (a first verdict on a reserved item does not wait for its answer); the
  // answer is 401, so the verdict waits in this browser's outbox and the password is asked for over the screen.
  await page.keyboard.press('Enter');
  const dialog = page.getByTestId('session-ended-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Your session has ended');
  await expect(dialog.getByLabel('Password')).toBeFocused();
  // Behind it, the review screen; the verdict kept, not sent, and said so; nothing stored yet.
  await expect(page.locator('.login-card')).toHaveCount(0);
  await expect(page.getByTestId('review-screen')).toBeVisible();
  await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
  await expect(saveState(page)).toHaveAttribute('data-state', 'session');
  await expect(saveState(page)).toHaveAttribute('data-pending', '1');
  await expect(saveState(page)).toHaveText('Not saved: sign in again');
  const panel = (await (await accounts.admin.get(`/api/items/${itemId}/verdicts`)).json()) as { verdicts: { expert: string }[] };
  expect(panel.verdicts.map((v) => v.expert)).not.toContain(username);

  // A wrong password is said there; the right one signs in, and the verdict goes.
  await dialog.getByLabel('Password').fill('not-the-password');
  await dialog.getByLabel('Password').press('Enter');
  await expect(dialog.getByTestId('session-ended-error')).toContainText('Wrong user name or password');
  await expect(saveState(page)).toHaveAttribute('data-state', 'session');
  await dialog.getByLabel('Password').fill(password);
  await dialog.getByLabel('Password').press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
  await expect(saveState(page)).toHaveAttribute('data-state', 'saved');
  const stored = (await fetchItem(page.request, itemId)).myVerdict;
  expect(stored).toMatchObject({ revision: 1, comment: COMMENT, expert: username });
  expect((await page.request.get(`/api/items/${itemId}/draft`)).status()).toBe(404);

  // The cookie gone (cleared by the browser) while revising: the same, with the same password. The item's discussion,
  // beside it once judged, asks the server every 3 s: once it has answered, it is kept out of the rest, whose every
  // key must reach the screen (on a slow machine, its 401 asked for the password while the comment was being typed).
  const discussed = page.waitForResponse((response) => new URL(response.url()).pathname === `/api/items/${itemId}/discussion`);
  await page.getByTestId('previous-item').click();
  // The header names the item from the cache at once; the screen takes keys once the item is fetched again and shown.
  await expect(page.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(itemId));
  await expect(page.getByTestId('item-id')).toContainText('revising r1');
  await discussed;
  await page.route(`**/api/items/${itemId}/discussion`, (route) => route.abort());
  await context.clearCookies();
  await typeComment(page, ' Checked again.');
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await expect(comment(page)).toHaveValue(`${COMMENT} Checked again.`);
  await dialog.getByLabel('Password').fill(password);
  await dialog.getByLabel('Password').press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
  expect((await fetchItem(page.request, itemId)).myVerdict).toMatchObject({ revision: 2, comment: `${COMMENT} Checked again.` });
  await context.close();
});

test('the session ends with a verdict and a draft unsent, and the page is reloaded: the sign-in form says why and what it keeps, and signing in sends both, the verdict once', async ({
  browser,
}) => {
  const { username, user, context, page, itemId } = await judgedItem(browser, 'reloaded');
  await expect(draftState(page)).toHaveAttribute('data-state', 'saved');
  const verdictKeys: string[] = [];
  const draftPuts: number[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (request.method() === 'POST' && path === `/api/items/${itemId}/verdicts`) verdictKeys.push(request.headers()['idempotency-key'] ?? '');
    const draftOf = /^\/api\/items\/(\d+)\/draft$/.exec(path);
    if (request.method() === 'PUT' && draftOf) draftPuts.push(Number(draftOf[1]));
  });

  // Offline: the last words of the comment stay in this browser, the verdict waits in the outbox, and the next item
  // gets a draft of its own that the server has not got either.
  await submitOffline(context, page, itemId, ' Typed offline.');
  const nextItemId = await shownItemId(page);
  await page.keyboard.press('c');
  await typeComment(page, 'draft of the next item');
  await expect(draftState(page)).toHaveAttribute('data-state', 'offline');

  // Meanwhile an admin resets the expert's password: the session ends on the server. Back online, the outbox finds it
  // gone and asks for the password over the screen; the expert reloads instead.
  const reset = await accounts.admin.post(`/api/users/${user.id}/password`);
  expect(reset.status()).toBe(200);
  const { password } = (await reset.json()) as { password: string };
  await context.setOffline(false);
  await expect(page.getByTestId('session-ended-dialog')).toBeVisible();
  await page.reload();

  const notice = page.getByTestId('session-ended-notice');
  await expect(notice).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sign in again' })).toBeVisible();
  await expect(notice).toContainText('Your session has ended');
  await expect(page.getByTestId('kept-work')).toHaveText(
    'This browser keeps 1 verdict and 1 draft not yet saved on the server; they are sent once you sign in again with the same account.',
  );
  const before = (await (await accounts.admin.get(`/api/items/${itemId}/verdicts`)).json()) as { verdicts: { expert: string }[] };
  expect(before.verdicts.map((v) => v.expert)).not.toContain(username);
  const putsBeforeSignIn = draftPuts.length;

  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Password').press('Enter');
  await expect(page.getByTestId('review-screen')).toBeVisible();
  await expect(page.getByTestId('session-ended-dialog')).toHaveCount(0);
  await expect.poll(async () => (await fetchItem(page.request, itemId)).myVerdict?.revision ?? 0).toBe(1);
  expect((await fetchItem(page.request, itemId)).myVerdict).toMatchObject({ revision: 1, comment: `${COMMENT} Typed offline.`, expert: username });
  await expect.poll(async () => (await page.request.get(`/api/items/${nextItemId}/draft`)).status()).toBe(200);
  expect(await (await page.request.get(`/api/items/${nextItemId}/draft`)).json()).toMatchObject({ comment: 'draft of the next item' });

  // Stored once: every attempt carried the one key, across the reload; the panel lists the expert once; the verdict's
  // own draft was not sent as a draft after the sign-in.
  await expect(saveState(page)).not.toHaveAttribute('data-state', 'retrying');
  expect(verdictKeys.length).toBeGreaterThanOrEqual(2);
  expect(new Set(verdictKeys).size).toBe(1);
  const after = (await (await accounts.admin.get(`/api/items/${itemId}/verdicts`)).json()) as { verdicts: { expert: string; revision: number }[] };
  expect(after.verdicts.filter((v) => v.expert === username)).toEqual([expect.objectContaining({ revision: 1 })]);
  expect(draftPuts.slice(putsBeforeSignIn)).not.toContain(itemId);

  // Signed out on purpose, the form has nothing to say of an ended session, nor of unsent work.
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.locator('.login-card')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in to review' })).toBeVisible();
  await expect(page.getByTestId('session-ended-notice')).toHaveCount(0);
  await expect(page.getByTestId('kept-work')).toHaveCount(0);
  await context.close();
});

test('offline at Enter: the next item shows at once, the verdict is retried with one Idempotency-Key and stored once back online; a lost answer stores one revision too', async ({
  browser,
}) => {
  const { context, page, itemId } = await judgedItem(browser, 'offline');
  const keysSent: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === `/api/items/${itemId}/verdicts`) {
      keysSent.push(request.headers()['idempotency-key'] ?? '');
    }
  });

  await submitOffline(context, page, itemId);
  await expect(saveState(page)).toContainText('Not saved: retrying');
  await expect(page.getByTestId('previous-item')).toBeDisabled();
  // The expert works on meanwhile.
  await page.keyboard.press('c');
  await expect(page.getByTestId('candidate-row').first()).toHaveAttribute('data-judgement', 'correct');

  await context.setOffline(false);
  await expect(saveState(page)).toHaveAttribute('data-state', 'saved', { timeout: 35_000 });
  await expect(saveState(page)).toHaveText('Saved');
  const stored = (await fetchItem(page.request, itemId)).myVerdict;
  expect(stored).toMatchObject({ revision: 1, comment: COMMENT });
  expect(keysSent.length).toBeGreaterThanOrEqual(1);
  expect(new Set(keysSent).size).toBe(1);
  expect(keysSent[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

  // A revision whose first answer is lost on the way back (the server stored it): the retry, with the same key, is
  // answered as the first request was, and no second revision is stored.
  await page.getByTestId('previous-item').click();
  // The header names the item from the cache at once; the screen takes keys once the item is fetched again and shown.
  await expect(page.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(itemId));
  await expect(page.getByTestId('item-id')).toContainText('revising r1');
  const attempts: { key: string; status: number | null }[] = [];
  await page.route(
    (url) => url.pathname === `/api/items/${itemId}/verdicts`,
    async (route) => {
      const key = route.request().headers()['idempotency-key'] ?? '';
      if (attempts.length === 0) {
        const response = await route.fetch();
        attempts.push({ key, status: response.status() });
        return route.abort('connectionreset');
      }
      attempts.push({ key, status: null });
      return route.continue();
    },
  );
  await typeComment(page, ' Revised once.');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
  await expect(saveState(page)).toHaveAttribute('data-state', 'saved', { timeout: 15_000 });
  await expect(page.getByTestId('refused-verdict')).toHaveCount(0);
  expect(attempts.length).toBe(2);
  expect(attempts[0]!.status).toBe(201);
  expect(attempts[1]!.key).toBe(attempts[0]!.key);
  expect((await fetchItem(page.request, itemId)).myVerdict).toMatchObject({ revision: 2, comment: `${COMMENT} Revised once.` });
  await context.close();
});

test('a verdict refused after the expert moved on (stored meanwhile from another browser) is shown, and its draft is kept to put back', async ({
  browser,
}) => {
  const { username, context, page, itemId } = await judgedItem(browser, 'refused');
  await submitOffline(context, page, itemId);

  // Meanwhile the same expert stores a verdict on the item from another browser.
  const otherBrowser = await browser.newContext();
  await signInThroughApi(otherBrowser.request, username);
  const item = await fetchItem(otherBrowser.request, itemId);
  // It flags the image, which keeps the item disputed whatever the panel's other verdicts (earlier tests of this file
  // judged the same items): the verdict waiting offline is then refused for being stale, not for a final item.
  const elsewhere: VerdictRequest = {
    labels: Object.fromEntries(item.models.map((m) => [m.predictions[0]!.key, 'correct'])),
    problematic: { reason: PROBLEMATIC_REASONS[0] },
    mistakes: {},
    comment: 'stored from another browser',
    baseRevision: 0,
  };
  expect((await otherBrowser.request.post(`/api/items/${itemId}/verdicts`, { data: elsewhere })).status()).toBe(201);
  expect(['agreed', 'final']).not.toContain((await fetchItem(otherBrowser.request, itemId)).status);
  await otherBrowser.close();

  await context.setOffline(false);
  const banner = page.getByTestId('refused-verdict');
  await expect(banner).toBeVisible({ timeout: 35_000 });
  await expect(banner).toHaveAttribute('data-code', 'STALE_REVISION');
  await expect(banner).toContainText(`Your verdict on item ${itemId} was not saved`);
  await expect(banner).toContainText('Your draft is kept.');
  await expect(saveState(page)).not.toHaveAttribute('data-state', 'retrying');
  expect((await fetchItem(page.request, itemId)).myVerdict).toMatchObject({ revision: 1, comment: 'stored from another browser' });

  await banner.getByRole('button', { name: `Open item ${itemId}` }).click();
  await expect(banner).toHaveCount(0);
  await expect(page.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(itemId));
  await expect(page.getByTestId('item-id')).toContainText('revising r1');
  await expect(comment(page)).toHaveValue('stored from another browser');
  const kept = page.getByTestId('kept-draft');
  await expect(kept).toContainText('made before revision 1 was stored');
  await kept.getByRole('button', { name: 'Put it back' }).click();
  await expect(comment(page)).toHaveValue(COMMENT);
  await expect(kept).toHaveCount(0);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
  expect((await fetchItem(page.request, itemId)).myVerdict).toMatchObject({ revision: 2, comment: COMMENT });
  await context.close();
});

test('Enter shows the item reserved next before the server answers a first verdict; a revision waits for its answer on its item', async ({ browser }) => {
  const { context, page, itemId } = await judgedItem(browser, 'at-once');
  // The verdicts on the item are held in the browser until the test lets them go on to the server.
  let holding: Promise<void> = Promise.resolve();
  let letGo = () => {};
  const hold = () => (holding = new Promise<void>((resolve) => (letGo = resolve)));
  let posts = 0;
  await page.route(
    (url) => url.pathname === `/api/items/${itemId}/verdicts`,
    async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posts++;
      await holding;
      return route.continue();
    },
  );

  hold();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
  await expect(page.getByTestId('review-image')).toBeVisible();
  await expect(saveState(page)).toHaveAttribute('data-state', 'saving');
  await expect(saveState(page)).toHaveText('Saving…');
  await expect(page.getByTestId('previous-item')).toBeDisabled();
  expect(posts).toBe(1);
  expect((await fetchItem(context.request, itemId)).myVerdict).toBeNull();
  letGo();
  await expectVerdictsSaved(page);
  expect((await fetchItem(context.request, itemId)).myVerdict).toMatchObject({ revision: 1, comment: COMMENT });

  // A revision: the screen stays on its item until the server has answered.
  await page.getByTestId('previous-item').click();
  // The header names the item from the cache at once; the screen takes keys once the item is fetched again and shown.
  await expect(page.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(itemId));
  await expect(page.getByTestId('item-id')).toContainText('revising r1');
  hold();
  await typeComment(page, ' Revised.');
  await page.keyboard.press('Enter');
  await expect(draftState(page)).toHaveAttribute('data-state', 'submitting');
  await expect(draftState(page)).toHaveText('Sending the verdict…');
  await expect(page.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(itemId));
  expect(posts).toBe(2);
  letGo();
  await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
  await expectVerdictsSaved(page);
  expect((await fetchItem(context.request, itemId)).myVerdict).toMatchObject({ revision: 2, comment: `${COMMENT} Revised.` });
  await context.close();
});
