import {
  ErrorResponse,
  type ItemStatus,
  type Judgement,
  ReviewItem,
  Verdict,
  type VerdictRequest,
} from '@bagel/contracts';
import { type APIRequestContext, type Page, expect, test } from '@playwright/test';
import { demoProjectId, expectVerdictsSaved, fetchItem, focusCandidate, freshAccounts, gradeMistakesWithKeys, logIn, shownItemId, signInThroughApi } from './support';

// The read-only review screen of an agreed or final item.
//
// The demo database is shared by every test of the run, and the other files rely on its items' statuses and queues.
// An item becomes agreed only when its whole panel (three experts) agrees, and final only by the lead's decision on a
// complete panel: doing either for real here would take a demo item out of the demo experts' queues and change the
// statuses, the lead's desk and the figures the other files check. So each test judges as an expert of its own (added
// through the admin API with this run's stamp and the demo's password rule, deactivated at the end, which also gives
// back the items claimed for them), gives a real verdict that the server stores, and only the item's `status` is
// changed on its way from the server to the page (page.route; a refused submit likewise gets the server's own 409
// ITEM_FINAL answer). Everything else the screen shows is the server's, and the server's state is checked through
// the API, which page.route does not touch.

const accounts = freshAccounts('ro');
const addExpert = async (what: string) => (await accounts.add(what)).username;

const BAGEL = 'n07693725'; // "bagel, beigel": in the vocabulary, in no demo item's candidates
const COMMENT = 'The ears and the stripes settle it for me; the corner is cut.';
const REASON = 'Watermark over the subject';
const AGREED_BANNER = 'Agreed: the panel agreed, so this verdict is final unless the lead reopens the item.';
const EDIT_REFUSED = 'Sorry, this item is final (the panel agreed): your verdict can no longer change. Press Enter for the next item.';

/** The next item of the queue for the expert signed in on `request` (claimed for them, as the review screen would). */
async function claimNext(request: APIRequestContext, projectId: number): Promise<ReviewItem> {
  const response = await request.get(`/api/projects/${projectId}/next`);
  expect(response.status(), 'the queue has an item for a new expert').toBe(200);
  return ReviewItem.parse(await response.json());
}

/**
 * The item as `status` on its way to the page (see the note at the top: the shared demo cannot be made to agree
 * for real); `when` says from which moment on.
 */
async function showItemAs(page: Page, itemId: number, status: ItemStatus, when: () => boolean = () => true): Promise<void> {
  await page.route(
    (url) => url.pathname === `/api/items/${itemId}`,
    async (route) => {
      const response = await route.fetch();
      if (!response.ok() || !when()) return route.fulfill({ response });
      const item = ReviewItem.parse(await response.json());
      return route.fulfill({ response, json: { ...item, status } });
    },
  );
}

/** The candidates on screen, in order, with their judgements ('' when not judged). */
const shownJudgements = (page: Page) =>
  page.getByTestId('candidate-row').evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-key') ?? '', row.getAttribute('data-judgement') ?? '']));

async function expectEveryControlNamed(page: Page): Promise<void> {
  for (const role of ['button', 'link', 'textbox', 'combobox'] as const) {
    for (const control of await page.getByRole(role).all()) await expect(control).toHaveAccessibleName(/\S/);
  }
}

const readOnlyScreen = (page: Page, itemId: number) => page.locator(`[data-testid="review-screen"][data-item-id="${itemId}"][data-read-only="true"]`);

test('an agreed item opens read-only: the verdict as judged, every control off, the editing keys inert with a polite word; Enter goes on to the queue', async ({
  page,
}) => {
  const expert = await addExpert('agreed');
  await signInThroughApi(page.request, expert);
  const projectId = await demoProjectId(page.request);
  const item = await claimNext(page.request, projectId);

  // A full verdict, given through the API: the original label correct, one class unclear, the rest wrong, a class
  // added from the vocabulary, every mistake graded, flagged problematic, a comment.
  const top1s = new Set(item.models.map((m) => m.predictions[0]!.key));
  const others = item.candidates.map((c) => c.key).filter((key) => key !== item.originalLabel!.key);
  const unclear = others.findLast((key) => !top1s.has(key));
  const labels: Record<string, Judgement> = { [item.originalLabel!.key]: 'correct', [BAGEL]: 'correct' };
  for (const key of others) labels[key] = key === unclear ? 'unclear' : 'wrong';
  const category = item.mistakeCategories[1]!;
  const mistakes = Object.fromEntries(
    item.models.filter((m) => labels[m.predictions[0]!.key] === 'wrong').map((m) => [m.model, { severity: 'Minor' as const, category }]),
  );
  expect(Object.keys(mistakes).length, 'the demo item has a model mistake to grade').toBeGreaterThan(0);
  const request: VerdictRequest = { labels, problematic: { reason: REASON }, mistakes, comment: COMMENT, baseRevision: 0 };
  const stored = await page.request.post(`/api/items/${item.id}/verdicts`, { data: request });
  expect(stored.status()).toBe(201);
  expect(Verdict.parse(await stored.json()).revision).toBe(1);

  await showItemAs(page, item.id, 'agreed');
  await page.goto(`/?project=${projectId}&item=${item.id}`);
  await expect(readOnlyScreen(page, item.id)).toBeVisible();

  // The banner, and the header: the expert's own verdict, the item agreed.
  const banner = page.getByTestId('final-banner');
  await expect(banner).toHaveText(AGREED_BANNER);
  await expect(banner).toHaveRole('note');
  await expect(page.getByTestId('item-id')).toContainText('your verdict r1');
  await expect(page.getByTestId('item-id')).toContainText('agreed');
  await expect(page.getByTestId('item-id')).not.toContainText('revising');

  // The verdict as judged: every judgement (the added class too, without its "remove"), shown by pressed buttons that are off.
  const judged = await shownJudgements(page);
  expect(Object.fromEntries(judged)).toEqual(labels);
  expect(judged.map(([key]) => key)).toContain(BAGEL);
  const judgeButtons = page.getByRole('button', { name: /^Mark .+ (correct|wrong|unclear)$/ });
  expect(await judgeButtons.count()).toBe(3 * judged.length);
  for (const button of await judgeButtons.all()) await expect(button).toBeDisabled();
  await expect(page.getByRole('button', { name: /^Mark .+ unclear$/, pressed: true })).toHaveCount(unclear ? 1 : 0);
  await expect(page.getByRole('button', { name: /^Mark .+ correct$/, pressed: true })).toHaveCount(2);
  await expect(page.getByRole('group', { name: /^Judgement of .+: correct$/ })).toHaveCount(2);
  await expect(page.getByRole('button', { name: /^Remove / })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Add a class/ })).toHaveCount(0);

  // The grades: each graded model's card says its grade (no button to change it).
  for (const model of Object.keys(mistakes)) {
    const card = page.locator(`[data-testid="model-card"][data-model="${model}"]`);
    await expect(card).toHaveAttribute('data-graded', 'true');
    await expect(card).toContainText(`Minor · ${category}`);
    await expect(card.getByRole('button', { name: /change the grade/ })).toHaveCount(0);
  }

  // The flag and its reason, the comment: shown, and off.
  const flag = page.getByRole('button', { name: 'Problematic', exact: true });
  await expect(flag).toBeDisabled();
  await expect(flag).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('problematic-reason')).toHaveText(`Reason: ${REASON}`);
  const comment = page.getByRole('textbox', { name: /Comment/ });
  await expect(comment).toHaveValue(COMMENT);
  await expect(comment).not.toBeEditable();

  // No Submit and no Skip: the way on is the next item.
  await expect(page.getByTestId('submit')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Skip/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Next item/ })).toBeEnabled();
  await expectEveryControlNamed(page);

  // The keys that would judge, grade, add, flag, comment, skip or submit do nothing but say why, politely.
  const message = page.getByTestId('locked-key-message');
  await expect(message).toHaveRole('status');
  await expect(message).toBeEmpty();
  await page.keyboard.press('c');
  await expect(message).toHaveText(EDIT_REFUSED);
  for (const key of ['w', 'u', 'Shift+W', '1', '4', 'x', 'p', 'a', '/', 'm']) await page.keyboard.press(key);
  await expect(message).toHaveText(EDIT_REFUSED);
  await page.keyboard.press('s');
  await expect(message).toHaveText('Sorry, this item is final (the panel agreed): there is nothing to skip. Press Enter for the next item.');
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(message).toContainText('there is nothing to submit');
  expect(await shownJudgements(page)).toEqual(judged);
  await expect(page.getByRole('combobox')).toHaveCount(0);
  await expect(comment).not.toBeFocused();
  await expect(comment).toHaveValue(COMMENT);
  await expect(flag).toHaveAttribute('aria-pressed', 'true');
  await expect(readOnlyScreen(page, item.id)).toBeVisible();
  // Brief: it goes away by itself.
  await expect(message).toBeEmpty({ timeout: 8_000 });
  // Nothing reached the server: the stored verdict is still revision 1, as given.
  const after = (await fetchItem(page.request, item.id)).myVerdict;
  expect(after?.revision).toBe(1);
  expect(after?.labels).toEqual(labels);

  // The candidate keys still move the focus, which shows the focused model's grade (its chips off).
  const [gradedModel] = Object.keys(mistakes);
  const gradedTop1 = item.models.find((m) => m.model === gradedModel)!.predictions[0]!.key;
  await focusCandidate(page, judged.findIndex(([key]) => key === gradedTop1));
  const grader = page.locator(`[data-testid="model-card"][data-model="${gradedModel}"]`).getByTestId('mistake-grader');
  await expect(grader).toBeVisible();
  await expect(grader.getByRole('button', { name: /severity Minor$/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(grader.getByRole('button', { name: new RegExp(`category ${category}$`) })).toHaveAttribute('aria-pressed', 'true');
  for (const chip of await grader.getByRole('button').all()) await expect(chip).toBeDisabled();

  // The image keys work as ever.
  const zoom = page.getByRole('toolbar', { name: 'Image view' }).locator('.image-zoom');
  await page.keyboard.press('+');
  await expect(zoom).toHaveText('125%');
  await page.keyboard.press('0');
  await expect(zoom).toHaveText('100%');

  // `?` lists the keys that still act, Enter as the next item, and says why the others are off.
  await page.keyboard.press('?');
  const overlay = page.getByTestId('shortcuts-overlay');
  await expect(overlay).toBeVisible();
  const listed = await overlay.locator('dt kbd').allTextContents();
  for (const key of ['j', 'k', '↓', '↑', 'e', '+', '-', '0', 'o', 'Enter', 'g', '?', 'Esc']) expect(listed).toContain(key);
  for (const key of ['c', 'w', 'u', 'a', '/', 'x', 'p', 'm', 's', '1', '2', '3', '4', '5', '6', '7']) expect(listed).not.toContain(key);
  await expect(overlay.locator('.shortcut', { hasText: 'Enter' })).toContainText('Next item: back to the review queue');
  await expect(overlay.getByTestId('shortcuts-read-only-note')).toContainText('This item is final');
  await expectEveryControlNamed(page);
  await page.keyboard.press('?');
  await expect(overlay).toBeHidden();

  // Enter: the next item of the queue, editable (or nothing left), and the address no longer names the item.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-screen').or(page.getByTestId('nothing-left'))).toBeVisible();
  await expect(page.locator(`[data-testid="review-screen"][data-item-id="${item.id}"]`)).toHaveCount(0);
  await expect(page.getByTestId('final-banner')).toHaveCount(0);
  if (await page.getByTestId('review-screen').isVisible()) {
    await expect(page.getByTestId('review-screen')).toHaveAttribute('data-read-only', 'false');
    await expect(page.getByTestId('submit')).toBeVisible();
  }
  expect(new URL(page.url()).searchParams.get('item')).toBeNull();
});

test('a revision refused with 409 ITEM_FINAL (the panel agreed meanwhile) reloads the item read-only, with the stored verdict and why; “← item N” still leads back to it', async ({
  page,
}) => {
  const expert = await addExpert('refused');
  await logIn(page, expert);
  const itemId = await shownItemId(page);
  // A verdict from the keyboard: the original label correct, the rest wrong, graded, a comment.
  await page.keyboard.press('c');
  await page.keyboard.press('Shift+W');
  await gradeMistakesWithKeys(page, '3', '6');
  await page.keyboard.press('m');
  await page.keyboard.type(COMMENT);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
  await expectVerdictsSaved(page);
  const stored = (await fetchItem(page.request, itemId)).myVerdict!;
  expect(stored.revision).toBe(1);

  // From now on, the server is made to answer a verdict on the item as it does once the item is final, and then
  // (and only then) to say that the item is agreed.
  let refused = false;
  await page.route(
    (url) => url.pathname === `/api/items/${itemId}/verdicts`,
    async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      refused = true;
      const body = ErrorResponse.parse({
        statusCode: 409,
        error: 'Conflict',
        message: `Item ${itemId} is final (agreed or decided); its verdicts can no longer change unless the lead reopens it`,
        code: 'ITEM_FINAL',
      });
      return route.fulfill({ status: 409, json: body });
    },
  );
  await showItemAs(page, itemId, 'agreed', () => refused);

  // Back to the item (it is not agreed yet): editable, the stored verdict to revise.
  const back = page.getByRole('button', { name: `Back to item ${itemId}, the one you judged last (revise it, read its discussion)` });
  await back.click();
  const screen = page.locator(`[data-testid="review-screen"][data-item-id="${itemId}"]`);
  await expect(screen).toHaveAttribute('data-read-only', 'false');
  await expect(page.getByTestId('item-id')).toContainText('revising r1');
  const judged = await shownJudgements(page);
  expect(Object.fromEntries(judged.filter(([, j]) => j))).toEqual(stored.labels);

  // A revision: one more class unclear and a new comment; Enter. The panel agreed meanwhile: 409 ITEM_FINAL.
  // (Unclear never adds a mistake to grade, so nothing keeps the revision from being sent.)
  const wrongIndex = judged.findIndex(([, judgement]) => judgement === 'wrong');
  expect(wrongIndex).toBeGreaterThanOrEqual(0);
  await focusCandidate(page, wrongIndex);
  await page.keyboard.press('u');
  await page.keyboard.press('m');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('A revision the server will refuse.');
  await page.keyboard.press('Escape');
  expect(await shownJudgements(page)).not.toEqual(judged);
  await page.keyboard.press('Enter');

  // The item, reloaded, shows read-only: the stored verdict (not the refused edits), the banner, and why.
  await expect(screen).toHaveAttribute('data-read-only', 'true');
  expect(refused).toBe(true);
  const notice = page.getByTestId('final-notice');
  await expect(notice).toContainText('Your revision was not stored: this item became final while you were revising it');
  await expect(notice).toHaveRole('status');
  await expect(page.getByTestId('submit-error')).toHaveCount(0);
  await expect(page.getByTestId('final-banner')).toHaveText(AGREED_BANNER);
  expect(await shownJudgements(page)).toEqual(judged);
  await expect(page.getByRole('textbox', { name: /Comment/ })).toHaveValue(COMMENT);
  await expect(page.getByRole('textbox', { name: /Comment/ })).not.toBeEditable();
  await expect(page.getByTestId('submit')).toHaveCount(0);
  await page.keyboard.press('w');
  await expect(page.getByTestId('locked-key-message')).toHaveText(EDIT_REFUSED);
  expect(await shownJudgements(page)).toEqual(judged);
  expect((await fetchItem(page.request, itemId)).myVerdict?.revision).toBe(1);
  await expectEveryControlNamed(page);

  // "Next item" goes on to the queue; "← item N" still leads back to the item, read-only, without the old message.
  await page.getByRole('button', { name: /^Next item/ }).click();
  await expect(page.getByTestId('review-screen').or(page.getByTestId('nothing-left'))).toBeVisible();
  await expect(screen).toHaveCount(0);
  await back.click();
  await expect(readOnlyScreen(page, itemId)).toBeVisible();
  await expect(page.getByTestId('final-banner')).toHaveText(AGREED_BANNER);
  await expect(page.getByTestId('final-notice')).toHaveCount(0);
  expect(await shownJudgements(page)).toEqual(judged);
});

test('the verdict that completes an agreeing panel: “← item N” then shows the item read-only, not as it was before', async ({ page }) => {
  const expert = await addExpert('third');
  await logIn(page, expert);
  const itemId = await shownItemId(page);
  await page.keyboard.press('Shift+W');
  await gradeMistakesWithKeys(page, '1', '4');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
  await expectVerdictsSaved(page);
  // As if this verdict had been the panel's third and the panel had agreed (see the note at the top).
  await showItemAs(page, itemId, 'agreed');
  await page.getByTestId('previous-item').click();
  await expect(readOnlyScreen(page, itemId)).toBeVisible();
  await expect(page.getByTestId('final-banner')).toHaveText(AGREED_BANNER);
  await expect(page.getByTestId('item-id')).toContainText('your verdict r1');
  for (const [, judgement] of await shownJudgements(page)) expect(judgement).toBe('wrong');
});

test('a final item the expert never judged shows read-only too, saying so, with nothing judged', async ({ page }) => {
  const expert = await addExpert('never');
  await signInThroughApi(page.request, expert);
  const projectId = await demoProjectId(page.request);
  const item = await claimNext(page.request, projectId);
  await showItemAs(page, item.id, 'final');
  await page.goto(`/?project=${projectId}&item=${item.id}`);
  await expect(readOnlyScreen(page, item.id)).toBeVisible();
  await expect(page.getByTestId('final-banner')).toHaveText(
    'Final: the lead decided without a verdict of yours, so this item is final unless the lead reopens it.',
  );
  for (const [, judgement] of await shownJudgements(page)) expect(judgement).toBe('');
  await expect(page.getByRole('textbox', { name: /Comment/ })).toHaveValue('');
  await expect(page.getByRole('textbox', { name: /Comment/ })).toHaveAttribute('placeholder', 'No comment.');
  await expect(page.getByRole('button', { name: 'Problematic', exact: true })).toHaveAttribute('aria-pressed', 'false');
  // Blind review holds: without a verdict of their own, no discussion.
  await expect(page.getByTestId('discussion')).toHaveCount(0);
  await page.keyboard.press('c');
  await expect(page.getByTestId('locked-key-message')).toHaveText(
    'Sorry, this item is final (the lead decided): it takes no more verdicts. Press Enter for the next item.',
  );
  for (const [, judgement] of await shownJudgements(page)) expect(judgement).toBe('');
  expect((await fetchItem(page.request, item.id)).myVerdict).toBeNull();
});
