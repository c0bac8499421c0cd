import { type ItemStatus, MyVerdictsPage, ReviewItem } from '@bagel/contracts';
import { type APIRequestContext, type Locator, type Page, expect, test } from '@playwright/test';
import { candidateKeys, demoProjectId, expectVerdictsSaved, fetchItem, focusCandidate, freshAccounts, gradeMistakesWithKeys, logIn, shownItemId } from './support';

// The demo database is shared by every test of the run, and the demo experts' histories depend on what the other
// files judged: so these tests judge as experts of their own, added through the API with this run's stamp and the
// demo's password rule (`bagel-<name>`, so logIn works for them), and deactivated at the end (which also gives back
// the items the review screen claimed for them). Their items come from the queue, as any expert's would.

const accounts = freshAccounts('mv');
const addExpert = async (what: string) => (await accounts.add(what)).username;

const STATUS_TEXT: Record<ItemStatus, string> = { open: 'Open', in_review: 'In review', disputed: 'Disputed', agreed: 'Agreed', final: 'Final' };
const LONG_COMMENT =
  'The stripes say one class, but the left edge is cut and the light is poor: I would like a second look before this is settled for good.';
const REVISED_COMMENT = 'Revised: the second class is visible too.';

async function apiMyVerdicts(request: APIRequestContext, projectId: number): Promise<MyVerdictsPage> {
  const response = await request.get(`/api/projects/${projectId}/my-verdicts`);
  expect(response.status()).toBe(200);
  return MyVerdictsPage.parse(await response.json());
}

const isMyVerdicts = (url: URL) => /^\/api\/projects\/\d+\/my-verdicts$/.test(url.pathname);
const rows = (page: Page) => page.getByTestId('my-verdict-row');
const row = (page: Page, itemId: number) => page.locator(`[data-testid="my-verdict-row"][data-item-id="${itemId}"]`);
const shownRowIds = async (page: Page) => rows(page).evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-item-id'))));
const correctKeys = async (rowLocator: Locator) =>
  (await rowLocator.getByTestId('verdict-correct').evaluateAll((els) => els.map((el) => el.getAttribute('data-key') ?? ''))).toSorted();

async function expectEveryControlNamed(page: Page): Promise<void> {
  for (const role of ['button', 'link'] as const) {
    for (const control of await page.getByRole(role).all()) await expect(control).toHaveAccessibleName(/\S/);
  }
}

/** Submits the draft on screen with Enter and waits for the review screen to leave the item. */
async function submitAndLeave(page: Page, itemId: number): Promise<void> {
  await expect(page.getByTestId('submit')).toBeEnabled();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-screen').or(page.getByTestId('nothing-left'))).toBeVisible();
  await expect(page.locator(`[data-testid="review-screen"][data-item-id="${itemId}"]`)).toHaveCount(0);
  await expectVerdictsSaved(page);
}

test.describe.serial('a reviewer’s own verdicts', () => {
  let expert: string;
  let projectId: number;
  /** The first item judged (original label correct, the rest wrong, a long comment), then revised. */
  let first: { id: number; file: string; keys: string[] };
  /** The second (the first two candidates correct, the rest wrong, flagged problematic). */
  let second: { id: number; file: string; keys: string[] };

  test('the list shows the judged items most recent first, with the classes judged correct; Revise opens the stored verdict, and the revision shows as r2', async ({
    page,
  }) => {
    expert = await addExpert('judge');
    await logIn(page, expert);
    projectId = await demoProjectId(page.request);
    // On the review screen an expert has several views (the review, their verdicts, the guide), so the navigation shows.
    const nav = page.getByRole('navigation', { name: 'Views' });
    await expect(nav.getByRole('link')).toHaveText(['Review', 'My verdicts', 'Guide']);

    // The first item, from the keyboard: the original label correct, every other candidate wrong, graded, a comment.
    const firstId = await shownItemId(page);
    first = { id: firstId, file: (await fetchItem(page.request, firstId)).image.file, keys: await candidateKeys(page) };
    expect(first.keys.length).toBeGreaterThanOrEqual(3);
    await page.keyboard.press('c');
    await page.keyboard.press('W');
    await gradeMistakesWithKeys(page, '2', '5');
    await page.keyboard.press('m');
    await page.keyboard.type(LONG_COMMENT);
    await page.keyboard.press('Escape');
    await submitAndLeave(page, first.id);

    // The second: the first two candidates correct, the rest wrong, flagged problematic.
    const secondId = await shownItemId(page);
    second = { id: secondId, file: (await fetchItem(page.request, secondId)).image.file, keys: await candidateKeys(page) };
    expect(second.id).not.toBe(first.id);
    await page.keyboard.press('c');
    await page.keyboard.press('c');
    await page.keyboard.press('W');
    await gradeMistakesWithKeys(page, '1', '4');
    await page.keyboard.press('p');
    await expect(page.getByRole('combobox', { name: 'Reason the image is problematic' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('problematic-reason')).not.toBeEmpty();
    await submitAndLeave(page, second.id);

    // The API: these two, the latest first, each with the classes judged correct (nobody else's verdict).
    const api = await apiMyVerdicts(page.request, projectId);
    expect(api.total).toBe(2);
    expect(api.rows.map((r) => r.itemId)).toEqual([second.id, first.id]);
    expect(api.rows.map((r) => r.correct.map((c) => c.key).toSorted())).toEqual([second.keys.slice(0, 2).toSorted(), [first.keys[0]]]);

    // The list, from the navigation.
    await nav.getByRole('link', { name: 'My verdicts' }).click();
    await expect(page.getByTestId('my-verdicts')).toBeVisible();
    await expect(nav.getByRole('link', { name: 'My verdicts' })).toHaveAttribute('aria-current', 'page');
    expect(new URL(page.url()).searchParams.get('view')).toBe('my-verdicts');
    await expect(page.getByTestId('my-verdicts-count')).toHaveText('2 items judged in this project');
    await expect(rows(page)).toHaveCount(2);
    expect(await shownRowIds(page)).toEqual([second.id, first.id]);

    const secondRow = row(page, second.id);
    const firstRow = row(page, first.id);
    expect(await correctKeys(secondRow)).toEqual(second.keys.slice(0, 2).toSorted());
    expect(await correctKeys(firstRow)).toEqual([first.keys[0]]);
    for (const [r, item, apiRow] of [
      [secondRow, second, api.rows[0]!],
      [firstRow, first, api.rows[1]!],
    ] as const) {
      await expect(r).toContainText(item.file);
      await expect(r).toContainText(apiRow.originalLabel.name);
      await expect(r.getByTestId('verdict-revision')).toHaveText('r1');
      await expect(r.getByTestId('verdict-status')).toHaveText(STATUS_TEXT[(await fetchItem(page.request, item.id)).status]);
      await expect(r.locator('time')).toHaveAttribute('datetime', apiRow.submittedAt);
      await expect(r.locator('time')).not.toBeEmpty();
      // The thumbnail is the server's 128 px preview, and it loads.
      const thumbnail = r.locator('img');
      await expect(thumbnail).toHaveAttribute('src', apiRow.previewUrl);
      expect(apiRow.previewUrl).toContain('width=128');
      await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))).toBeGreaterThan(0);
    }
    await expect(secondRow.getByTestId('verdict-problematic')).toContainText('problematic');
    await expect(firstRow.getByTestId('verdict-problematic')).not.toContainText('problematic');
    // The long comment is cut, whole in the tooltip; none shows a dash.
    const comment = firstRow.getByTestId('verdict-comment');
    await expect(comment).toHaveAttribute('title', LONG_COMMENT);
    const shownComment = (await comment.textContent()) ?? '';
    expect(shownComment.endsWith('…')).toBe(true);
    expect(shownComment.length).toBeLessThan(LONG_COMMENT.length);
    expect(LONG_COMMENT.startsWith(shownComment.slice(0, -1))).toBe(true);
    await expect(secondRow.getByTestId('verdict-comment')).not.toHaveAttribute('title');
    await expect(secondRow.getByTestId('verdict-comment')).toContainText('–');
    await expectEveryControlNamed(page);

    // Each action is a real link to the review on the item (`?project=P&item=ID`), so it opens in a new tab too.
    const reviseSecond = secondRow.getByRole('link', { name: `Revise your verdict on item ${second.id} (${second.file})` });
    const href = new URL((await reviseSecond.getAttribute('href')) ?? '', page.url());
    expect([...href.searchParams.entries()]).toEqual([
      ['project', String(projectId)],
      ['item', String(second.id)],
    ]);
    const tab = await page.context().newPage();
    await tab.goto(href.toString());
    await expect(tab.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(second.id));
    await expect(tab.getByTestId('item-id')).toContainText('revising r1');
    await tab.close();

    // Revise from the keyboard: Tab reaches the first item's link, Enter opens it on the review screen.
    const reviseFirst = firstRow.getByRole('link', { name: `Revise your verdict on item ${first.id} (${first.file})` });
    for (let presses = 0; presses < 60 && !(await reviseFirst.evaluate((el) => el === document.activeElement)); presses++) await page.keyboard.press('Tab');
    await expect(reviseFirst).toBeFocused();
    await page.keyboard.press('Enter');

    // The stored verdict, prefilled: the original label correct, the rest wrong, the comment.
    await expect(page.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(first.id));
    expect(new URL(page.url()).searchParams.get('item')).toBe(String(first.id));
    await expect(page.getByTestId('item-id')).toContainText('revising r1');
    expect(await page.getByTestId('candidate-row').evaluateAll((els) => els.map((el) => el.getAttribute('data-judgement')))).toEqual(
      first.keys.map((_, i) => (i === 0 ? 'correct' : 'wrong')),
    );
    await expect(page.getByRole('textbox', { name: /Comment/ })).toHaveValue(LONG_COMMENT);

    // The revision: the second candidate correct too (which removes a mistake, never adds one), a new comment.
    await focusCandidate(page, 1);
    await page.keyboard.press('c');
    await page.keyboard.press('m');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(REVISED_COMMENT);
    await page.keyboard.press('Escape');
    await submitAndLeave(page, first.id);
    const stored = (await fetchItem(page.request, first.id)).myVerdict;
    expect(stored?.revision).toBe(2);

    // Back in the list: the revised item first, at revision 2, with its new classes and comment.
    await nav.getByRole('link', { name: 'My verdicts' }).click();
    await expect(page.getByTestId('my-verdicts-count')).toHaveText('2 items judged in this project');
    await expect(rows(page).first()).toHaveAttribute('data-item-id', String(first.id));
    expect(await shownRowIds(page)).toEqual([first.id, second.id]);
    await expect(firstRow.getByTestId('verdict-revision')).toHaveText('r2');
    await expect(firstRow).toHaveAttribute('data-revision', '2');
    await expect(firstRow.getByTestId('verdict-comment')).toHaveText(REVISED_COMMENT);
    expect(await correctKeys(firstRow)).toEqual(first.keys.slice(0, 2).toSorted());
    await expect(secondRow.getByTestId('verdict-revision')).toHaveText('r1');
  });

  test('“Load more” brings the next page (here of one row) and gives it the focus', async ({ page }) => {
    // The server's own pages, made one row long on their way, so that two items need two pages.
    const asked: string[] = [];
    await page.route(isMyVerdicts, async (route) => {
      const url = new URL(route.request().url());
      asked.push(`${url.searchParams.get('offset')}/${url.searchParams.get('limit')}`);
      url.searchParams.set('limit', '1');
      await route.continue({ url: url.toString() });
    });
    await logIn(page, expert, '/?view=my-verdicts', 'my-verdicts');
    await expect(page.getByTestId('my-verdicts-count')).toHaveText('2 items judged in this project');
    expect(await shownRowIds(page)).toEqual([first.id]);
    await expect(page.getByTestId('my-verdicts-shown')).toHaveText('1 of 2 shown');
    const more = page.getByRole('button', { name: 'Load more' });
    await more.focus();
    await page.keyboard.press('Enter');
    await expect(rows(page)).toHaveCount(2);
    expect(await shownRowIds(page)).toEqual([first.id, second.id]);
    await expect(row(page, second.id).getByRole('rowheader')).toBeFocused();
    await expect(page.getByTestId('my-verdicts-shown')).toHaveText('All 2 shown');
    await expect(more).toHaveCount(0);
    // The app asked for pages of 50 (the API's default), from where the list ended.
    expect(asked).toEqual(['0/50', '1/50']);
  });

  test('an agreed or final item offers a View link instead of Revise, says why, and opens read-only on the review screen', async ({ page }) => {
    // The shared demo cannot be brought to agree on an item of this expert without changing what the other files
    // expect: so the server's answers are changed on their way to say that the first item is agreed and the second
    // final, both in the list and, for the review screen, in the item itself (GET /api/items/:itemId).
    await page.route(isMyVerdicts, async (route) => {
      const response = await route.fetch();
      const body = MyVerdictsPage.parse(await response.json());
      const statuses: ItemStatus[] = ['agreed', 'final'];
      body.rows = body.rows.map((r, i) => ({ ...r, status: statuses[i] ?? r.status, revisable: false }));
      await route.fulfill({ response, json: body });
    });
    const statusOf = new Map<number, ItemStatus>([
      [first.id, 'agreed'],
      [second.id, 'final'],
    ]);
    await page.route(
      (url) => /^\/api\/items\/\d+$/.test(url.pathname),
      async (route) => {
        const response = await route.fetch();
        const item = ReviewItem.parse(await response.json());
        await route.fulfill({ response, json: { ...item, status: statusOf.get(item.id) ?? item.status } });
      },
    );
    await logIn(page, expert, '/?view=my-verdicts', 'my-verdicts');
    await expect(rows(page)).toHaveCount(2);
    expect(await shownRowIds(page)).toEqual([first.id, second.id]);
    await expect(page.getByTestId('revise-link')).toHaveCount(0);
    await expect(page.getByRole('button', { name: /can no longer be revised/ })).toHaveCount(0);

    // A real link each, to the item's review address, named for the item, its reason kept as its description.
    const agreed = row(page, first.id);
    await expect(agreed.getByTestId('verdict-status')).toHaveText('Agreed');
    const agreedView = agreed.getByRole('link', { name: `View your verdict on item ${first.id} (${first.file}), which can no longer be revised` });
    await expect(agreedView).toHaveText('View');
    await expect(agreedView).toHaveAccessibleDescription('The panel agreed: final unless the lead reopens it.');
    await expect(agreed).toContainText('unless the lead reopens it');
    const href = new URL((await agreedView.getAttribute('href')) ?? '', page.url());
    expect([...href.searchParams.entries()]).toEqual([
      ['project', String(projectId)],
      ['item', String(first.id)],
    ]);

    const final = row(page, second.id);
    await expect(final.getByTestId('verdict-status')).toHaveText('Final');
    const finalView = final.getByRole('link', { name: `View your verdict on item ${second.id} (${second.file}), which can no longer be revised` });
    await expect(finalView).toHaveText('View');
    await expect(finalView).toHaveAccessibleDescription('The lead decided: final unless the lead reopens it.');
    expect(new URL((await finalView.getAttribute('href')) ?? '', page.url()).searchParams.get('item')).toBe(String(second.id));
    await expectEveryControlNamed(page);

    // View opens the agreed item read-only: the revised verdict as judged, nothing to submit.
    await agreedView.click();
    await expect(page.locator(`[data-testid="review-screen"][data-item-id="${first.id}"]`)).toHaveAttribute('data-read-only', 'true');
    expect(new URL(page.url()).searchParams.get('item')).toBe(String(first.id));
    await expect(page.getByTestId('final-banner')).toHaveText('Agreed: the panel agreed, so this verdict is final unless the lead reopens the item.');
    await expect(page.getByTestId('item-id')).toContainText('your verdict r2');
    await expect(page.getByRole('textbox', { name: /Comment/ })).toHaveValue(REVISED_COMMENT);
    await expect(page.getByTestId('submit')).toHaveCount(0);

    // And the final one, from the list again, with the keyboard: its flag as given.
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'My verdicts' }).click();
    await expect(rows(page)).toHaveCount(2);
    await finalView.focus();
    await page.keyboard.press('Enter');
    await expect(page.locator(`[data-testid="review-screen"][data-item-id="${second.id}"]`)).toHaveAttribute('data-read-only', 'true');
    await expect(page.getByTestId('final-banner')).toHaveText('Final: the lead decided, so this verdict is final unless the lead reopens the item.');
    await expect(page.getByTestId('item-id')).toContainText('your verdict r1');
    await expect(page.getByRole('button', { name: 'Problematic', exact: true })).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByRole('button', { name: 'Problematic', exact: true })).toBeDisabled();
  });
});

test('an expert who has judged nothing is told so, with a way to the review', async ({ page }) => {
  const expert = await addExpert('new');
  // Straight to the list: the review screen would claim an item.
  await logIn(page, expert, '/?view=my-verdicts', 'my-verdicts');
  const projectId = await demoProjectId(page.request);
  expect((await apiMyVerdicts(page.request, projectId)).total).toBe(0);
  const empty = page.getByTestId('my-verdicts-empty');
  await expect(empty.getByRole('heading')).toHaveText('You have not judged any item of this project yet');
  await expect(page.getByTestId('my-verdicts-table')).toHaveCount(0);
  await expectEveryControlNamed(page);
  const start = empty.getByRole('link', { name: 'Go to the review' });
  expect(new URL((await start.getAttribute('href')) ?? '', page.url()).search).toBe(`?project=${projectId}`);
  await start.click();
  await expect(page.getByTestId('review-screen').or(page.getByTestId('nothing-left'))).toBeVisible();
  expect(new URL(page.url()).searchParams.get('view')).toBeNull();
  await expect(page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Review' })).toHaveAttribute('aria-current', 'page');
});

test('the lead has My verdicts; an admin, who judges nothing, has no entry, lands on the dashboard from its address, and gets 403', async ({
  page,
  browser,
}) => {
  // The lead, straight to the dashboard (the review screen would claim an item for them).
  await logIn(page, 'lead', '/?view=dashboard', 'dashboard');
  await expect(page.getByTestId('nav-my-verdicts')).toHaveText('My verdicts');
  const projectId = await demoProjectId(page.request);
  await apiMyVerdicts(page.request, projectId);

  const context = await browser.newContext();
  const admin = await context.newPage();
  await logIn(admin, 'admin', '/?view=my-verdicts', 'dashboard');
  await expect(admin.getByTestId('my-verdicts')).toHaveCount(0);
  await expect(admin.getByTestId('nav-my-verdicts')).toHaveCount(0);
  await expect(admin.getByRole('navigation', { name: 'Views' }).getByRole('link')).toHaveText(['Lead desk', 'Dashboard', 'Major slice', 'Items', 'Guide']);
  const refused = await admin.request.get(`/api/projects/${projectId}/my-verdicts`);
  expect(refused.status()).toBe(403);
  await context.close();
});
