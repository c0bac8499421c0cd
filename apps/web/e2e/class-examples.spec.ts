import { type ClassImage, ClassImagesPage, ItemBrowserPage, type ItemStatus, ReviewItem } from '@bagel/contracts';
import { type APIRequestContext, type Locator, type Page, expect, test } from '@playwright/test';
import { candidateKeys, demoProjectId, fetchItem, focusCandidate, freshAccounts, signInThroughApi } from './support';

// The examples of a class: other images whose original label is that class, beside the item being judged.
//
// The demo database is shared by every file of the run, and the other files rely on its queues: every test here works
// as a user of its own (added through the admin API, deactivated at the end, which gives back whatever the review
// screen claimed ahead for them), opens an item by its address, and never submits anything. The demo has mostly one
// image per class, so the classes with another image are found through the API: a candidate class of one item that is
// the original label of another image (e.g. rocket.jpg's "space shuttle", the original label of astronaut.png).

const accounts = freshAccounts('examples');
const CLASS_IMAGES = /\/api\/projects\/\d+\/classes\/[^/]+\/images/;
const EMPTY = 'No other image in this project has this original label.';

/** Every image of the class, all pages, as the API lists them (in the project's order). */
async function classImages(request: APIRequestContext, projectId: number, key: string): Promise<ClassImage[]> {
  const rows: ClassImage[] = [];
  for (;;) {
    const response = await request.get(`/api/projects/${projectId}/classes/${encodeURIComponent(key)}/images?offset=${rows.length}&limit=100`);
    expect(response.status(), `images of ${key}`).toBe(200);
    const page = ClassImagesPage.parse(await response.json());
    expect(page.offset).toBe(rows.length);
    rows.push(...page.rows);
    if (page.rows.length === 0 || rows.length >= page.total) {
      expect(rows.length, `every image of ${key} listed`).toBe(page.total);
      return rows;
    }
  }
}

interface ClassCase {
  item: ReviewItem;
  status: ItemStatus;
  key: string;
  /** The class's images without the item's own, in the API's order. */
  others: ClassImage[];
}

/** Every (item, candidate class) of the demo, with the other images of the class, as the admin reads them. */
async function classCases(admin: APIRequestContext, projectId: number): Promise<ClassCase[]> {
  const listed = await admin.get(`/api/projects/${projectId}/items?sort=id&limit=500`);
  expect(listed.status()).toBe(200);
  const rows = ItemBrowserPage.parse(await listed.json()).rows;
  expect(rows.length).toBeGreaterThan(3);
  const byKey = new Map<string, ClassImage[]>();
  const cases: ClassCase[] = [];
  for (const row of rows) {
    const item = await fetchItem(admin, row.itemId);
    for (const candidate of item.candidates) {
      if (!byKey.has(candidate.key)) byKey.set(candidate.key, await classImages(admin, projectId, candidate.key));
      const images = byKey.get(candidate.key)!;
      // The API's own promise: an item's image is among the images of its original label, and of no other class.
      expect(images.some((image) => image.imageId === item.image.id), `item ${item.id}: its image under ${candidate.key}`).toBe(
        candidate.key === item.originalLabel!.key,
      );
      cases.push({ item, status: row.status, key: candidate.key, others: images.filter((image) => image.imageId !== item.image.id) });
    }
  }
  return cases;
}

const isFinal = (status: ItemStatus) => status === 'agreed' || status === 'final';

/** An item of the demo, not final, with a candidate class that other images have as their original label. */
function caseWithOthers(cases: readonly ClassCase[]): ClassCase {
  const found = cases.find((c) => c.others.length > 0 && !isFinal(c.status));
  expect(found, 'a demo item has a candidate class that is the original label of another image').toBeDefined();
  return found!;
}

/** A candidate class of the same item that no other image has as its original label (its own original label, in the demo). */
function emptyCaseOf(cases: readonly ClassCase[], item: ReviewItem): ClassCase {
  const found = cases.find((c) => c.item.id === item.id && c.others.length === 0);
  expect(found, `item ${item.id} has a candidate class with no other image`).toBeDefined();
  return found!;
}

const nameOf = (item: ReviewItem, key: string) => item.candidates.find((c) => c.key === key)!.names[0]!;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const examplesDialog = (page: Page, name: string) => page.getByRole('dialog', { name: new RegExp(`^Examples of ${escapeRegExp(name)}(\\s|$)`) });
const row = (page: Page, key: string) => page.locator(`[data-testid="candidate-row"][data-key="${key}"]`);
const shownIds = (dialog: Locator) => dialog.getByTestId('class-example').evaluateAll((thumbs) => thumbs.map((t) => Number(t.getAttribute('data-image-id'))));
const judgements = (page: Page) => page.getByTestId('candidate-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-judgement') ?? ''));
const activeIsBody = (page: Page) => page.evaluate(() => document.activeElement === document.body);

/** A fresh expert, signed in, on the review screen of the item (opened by its address). */
async function openAsExpert(page: Page, projectId: number, item: ReviewItem, readOnly = false): Promise<void> {
  const { username } = await accounts.add('expert');
  await signInThroughApi(page.request, username);
  await page.goto(`/?project=${projectId}&item=${item.id}`);
  await expect(page.locator(`[data-testid="review-screen"][data-item-id="${item.id}"][data-read-only="${readOnly}"]`)).toBeVisible();
}

let projectId: number;
let cases: ClassCase[];

test.beforeAll(async () => {
  projectId = await demoProjectId(accounts.admin);
  cases = await classCases(accounts.admin, projectId);
});

test('e opens the examples of the focused candidate: the other images of its original label, fetched only then; keys inside judge nothing; Esc gives the candidate back its keys', async ({
  page,
}) => {
  const { item, key, others } = caseWithOthers(cases);
  const candidate = item.candidates.find((c) => c.key === key)!;
  const requested: string[] = [];
  page.on('request', (request) => {
    if (CLASS_IMAGES.test(new URL(request.url()).pathname)) requested.push(request.url());
  });
  await openAsExpert(page, projectId, item);

  // The `?` list names the key.
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts-overlay').locator('.shortcut', { has: page.locator('kbd', { hasText: /^e$/ }) })).toContainText(
    'Examples: other images of the focused class',
  );
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts-overlay')).toBeHidden();

  const index = (await candidateKeys(page)).indexOf(key);
  expect(index).toBeGreaterThanOrEqual(0);
  await focusCandidate(page, index);
  // Nothing is fetched before the examples are opened: the review screen stays as fast as it was.
  expect(requested).toEqual([]);
  const judgedBefore = await judgements(page);

  await page.keyboard.press('e');
  const dialog = examplesDialog(page, candidate.names[0]!);
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('heading', { level: 2 })).toHaveText(`Examples of ${candidate.names[0]} ${key}`);
  if (candidate.gloss) await expect(dialog.getByTestId('class-examples-gloss')).toHaveText(candidate.gloss);
  if (candidate.names.length > 1) await expect(dialog).toContainText(candidate.names.slice(1).join(', '));

  // The thumbnails are the API's images of the class, in its order, without the item's own image, and they load.
  const thumbs = dialog.getByTestId('class-example');
  await expect(thumbs).toHaveCount(others.length);
  expect(await shownIds(dialog)).toEqual(others.map((image) => image.imageId));
  expect(await shownIds(dialog)).not.toContain(item.image.id);
  await expect(thumbs.first().locator('img')).toHaveAttribute('src', others[0]!.thumbnailUrl);
  await expect.poll(() => thumbs.first().locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  await expect(dialog.getByTestId('class-examples-summary')).toContainText(
    `${others.length} other image${others.length === 1 ? '' : 's'} with this original label.`,
  );
  await expect(dialog.getByTestId('class-examples-more')).toHaveCount(0);
  expect(requested).toHaveLength(1);
  expect(new URL(requested[0]!).searchParams.get('offset')).toBe('0');
  expect(new URL(requested[0]!).searchParams.get('limit')).toBe('24');
  // The keyboard is in the dialog, on the first thumbnail; every control has a name.
  await expect(thumbs.first()).toBeFocused();
  for (const control of await dialog.getByRole('button').all()) await expect(control).toHaveAccessibleName(/\S/);

  // The review screen's keys typed here do nothing to the item: no judgement, no focus move, no overlay, no skip.
  for (const key of ['c', 'w', 'u', 'Shift+W', 'j', 'k', 'x', '1', '4', 'p', 'a', '/', 'm', 's', '?', '+', 'o']) await page.keyboard.press(key);
  await expect(dialog).toBeVisible();
  expect(await judgements(page)).toEqual(judgedBefore);
  await expect(row(page, key)).toHaveAttribute('data-focused', 'true');
  await expect(page.getByTestId('shortcuts-overlay')).toHaveCount(0);
  await expect(page.getByRole('combobox')).toHaveCount(0);
  // Nor Ctrl+Enter, which submits from anywhere on the review screen (a text box too).
  await dialog.focus();
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(dialog).toBeVisible();
  await expect(page.locator('[data-testid="submit-blockers"][role="alert"]')).toHaveCount(0);

  // Enter enlarges the focused thumbnail, in the dialog; the keys still do nothing behind it.
  await thumbs.first().focus();
  await page.keyboard.press('Enter');
  const large = dialog.getByTestId('class-example-large');
  await expect(large).toHaveAttribute('data-image-id', String(others[0]!.imageId));
  await expect(large.locator('img')).toHaveAttribute('src', others[0]!.previewUrl);
  await expect.poll(() => large.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  await expect(dialog.getByTestId('class-example-back')).toBeFocused();
  for (const key of ['c', 'w', 'j']) await page.keyboard.press(key);
  expect(await judgements(page)).toEqual(judgedBefore);
  // Esc from the enlarged image: back to the grid, on the same thumbnail; Esc again closes the dialog.
  await page.getByTestId('class-example-back').focus();
  await page.keyboard.press('Escape');
  await expect(large).toHaveCount(0);
  await expect(dialog).toBeVisible();
  await expect(thumbs.first()).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('class-examples')).toHaveCount(0);

  // Nothing behind it changed: not the flag, not the image view.
  await expect(page.getByRole('button', { name: /Flag the image problematic/ })).toHaveAttribute('aria-pressed', 'false');
  await expect(page.locator('.image-zoom')).toHaveText('100%');
  await expect(page.locator('.image-file .tag')).toHaveCount(0);
  // The focus is back on the review screen, on the same candidate: its keys act on it again.
  await expect(row(page, key)).toHaveAttribute('data-focused', 'true');
  expect(await activeIsBody(page)).toBe(true);
  await page.keyboard.press('u');
  await expect(row(page, key)).toHaveAttribute('data-judgement', 'unclear');
  await expect(page.locator(`[data-testid="review-screen"][data-item-id="${item.id}"]`)).toBeVisible();

  // Opened again, the class's images come from the cache.
  await focusCandidate(page, index);
  await page.keyboard.press('e');
  await expect(examplesDialog(page, candidate.names[0]!).getByTestId('class-example')).toHaveCount(others.length);
  expect(requested).toHaveLength(1);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('class-examples')).toHaveCount(0);
  // Nothing was stored.
  expect((await fetchItem(page.request, item.id)).myVerdict).toBeNull();
});

test('each candidate row has an examples button; a class no other image has says so; the close button and a click beside the dialog close it', async ({
  page,
}) => {
  const { item, key: withOthers, others } = caseWithOthers(cases);
  const empty = emptyCaseOf(cases, item);
  await openAsExpert(page, projectId, item);
  await expect(page.getByTestId('candidate-examples')).toHaveCount(item.candidates.length);
  for (const button of await page.getByTestId('candidate-examples').all()) await expect(button).toHaveAccessibleName(/^Examples of .+ \(e\)$/);

  // The button opens the examples of its own row, and that row takes the candidate focus.
  const emptyIndex = (await candidateKeys(page)).indexOf(empty.key);
  await focusCandidate(page, emptyIndex === 0 ? 1 : 0);
  await row(page, empty.key).getByTestId('candidate-examples').click();
  const dialog = examplesDialog(page, nameOf(item, empty.key));
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('class-examples-empty')).toHaveText(EMPTY);
  await expect(dialog.getByTestId('class-example')).toHaveCount(0);
  await expect(row(page, empty.key)).toHaveAttribute('data-focused', 'true');
  await dialog.getByRole('button', { name: 'Close the examples (Esc)' }).click();
  await expect(page.getByTestId('class-examples')).toHaveCount(0);
  await expect(row(page, empty.key)).toHaveAttribute('data-judgement', '');

  // Another row's button: its class, its images. A click on the backdrop closes the dialog.
  await row(page, withOthers).getByTestId('candidate-examples').click();
  const other = examplesDialog(page, nameOf(item, withOthers));
  await expect(other.getByTestId('class-example')).toHaveCount(others.length);
  expect(await shownIds(other)).toEqual(others.map((image) => image.imageId));
  await page.mouse.click(4, 4);
  await expect(page.getByTestId('class-examples')).toHaveCount(0);
  await expect(row(page, withOthers)).toHaveAttribute('data-focused', 'true');
  await expect(row(page, withOthers)).toHaveAttribute('data-judgement', '');
});

test('the read-only screen of a final item opens the examples too, and its refused keys stay silent while they are open', async ({ page }) => {
  const { item, key, others } = caseWithOthers(cases);
  // The item is shown as final on its way to the page (the shared demo cannot be made final here: see review-read-only.spec.ts).
  await page.route(
    (url) => url.pathname === `/api/items/${item.id}`,
    async (route) => {
      const response = await route.fetch();
      if (!response.ok()) return route.fulfill({ response });
      return route.fulfill({ response, json: { ...ReviewItem.parse(await response.json()), status: 'final' } });
    },
  );
  await openAsExpert(page, projectId, item, true);
  await expect(page.getByTestId('candidate-examples')).toHaveCount(item.candidates.length);

  await page.keyboard.press('?');
  const listed = await page.getByTestId('shortcuts-overlay').locator('dt kbd').allTextContents();
  expect(listed).toContain('e');
  await page.keyboard.press('?');

  await focusCandidate(page, (await candidateKeys(page)).indexOf(key));
  await page.keyboard.press('e');
  const dialog = examplesDialog(page, nameOf(item, key));
  await expect(dialog.getByTestId('class-example')).toHaveCount(others.length);
  expect(await shownIds(dialog)).toEqual(others.map((image) => image.imageId));
  // A key the read-only screen refuses (and would answer with a message) does not reach it.
  for (const refused of ['c', 's', 'p']) await page.keyboard.press(refused);
  await dialog.focus();
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(dialog).toBeVisible();
  // Read once, not awaited: a refused key's message goes away by itself after a few seconds.
  expect(await page.getByTestId('locked-key-message').textContent()).toBe('');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('class-examples')).toHaveCount(0);
  await expect(row(page, key)).toHaveAttribute('data-focused', 'true');
  // Back on the screen, the same key is refused politely, as ever.
  await page.keyboard.press('c');
  await expect(page.getByTestId('locked-key-message')).toContainText('Sorry, this item is final');
});

test('a class with many images: pages of 24, Load more, the arrows across the grid and the enlarged images, the next page fetched from the enlarged last one', async ({
  page,
}) => {
  const { item } = caseWithOthers(cases);
  const key = item.originalLabel!.key;
  // The demo has one image per class: the server's pages are made bigger on their way to the page, with the item's own
  // image among them (it is left out) and real previews of the demo's images, so the page's paging is what is tested.
  const realIds = [...new Set(cases.map((c) => c.item.image.id))];
  const TOTAL = 31;
  const rows: ClassImage[] = Array.from({ length: TOTAL }, (_, i) => {
    const imageId = i === 5 ? item.image.id : 900_000 + i;
    const shownId = i === 5 ? item.image.id : realIds[i % realIds.length]!;
    const base = `/api/projects/${projectId}/images/${shownId}`;
    return { imageId, file: `example-${i}.jpg`, thumbnailUrl: `${base}/preview?width=256`, previewUrl: `${base}/preview` };
  });
  const others = rows.filter((r) => r.imageId !== item.image.id);
  const offsets: number[] = [];
  await page.route(
    (url) => url.pathname === `/api/projects/${projectId}/classes/${key}/images`,
    async (route) => {
      const url = new URL(route.request().url());
      const offset = Number(url.searchParams.get('offset'));
      const limit = Number(url.searchParams.get('limit'));
      offsets.push(offset);
      await route.fulfill({ json: ClassImagesPage.parse({ total: TOTAL, offset, limit, rows: rows.slice(offset, offset + limit) }) });
    },
  );
  await openAsExpert(page, projectId, item);
  await focusCandidate(page, (await candidateKeys(page)).indexOf(key));
  await page.keyboard.press('e');
  const dialog = examplesDialog(page, item.originalLabel!.names[0]!);
  const thumbs = dialog.getByTestId('class-example');

  // The first page: 24 images asked for, 23 shown (the item's own is left out), of 30.
  await expect(thumbs).toHaveCount(23);
  expect(offsets).toEqual([0]);
  expect(await shownIds(dialog)).toEqual(others.slice(0, 23).map((r) => r.imageId));
  await expect(dialog.getByTestId('class-examples-summary')).toContainText('Showing 23 of 30 other images with this original label.');
  await expect(thumbs.first()).toBeFocused();

  // The arrows: → the next thumbnail, ↓ the one right below it, End the last, Home the first.
  await page.keyboard.press('ArrowRight');
  await expect(thumbs.nth(1)).toBeFocused();
  const box = async (i: number) => (await thumbs.nth(i).boundingBox())!;
  const columns = await thumbs.evaluateAll((all) => all.filter((t) => Math.abs(t.getBoundingClientRect().top - all[0]!.getBoundingClientRect().top) < 1).length);
  expect(columns).toBeGreaterThan(1);
  await page.keyboard.press('ArrowDown');
  await expect(thumbs.nth(1 + columns)).toBeFocused();
  expect((await box(1 + columns)).x).toBeCloseTo((await box(1)).x, 0);
  expect((await box(1 + columns)).y).toBeGreaterThan((await box(1)).y);
  await page.keyboard.press('ArrowUp');
  await expect(thumbs.nth(1)).toBeFocused();
  await page.keyboard.press('End');
  await expect(thumbs.nth(22)).toBeFocused();
  await page.keyboard.press('Home');
  await expect(thumbs.nth(0)).toBeFocused();

  // Enlarged, the arrows go from image to image; past the last one loaded, the next page comes.
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  const large = dialog.getByTestId('class-example-large');
  await expect(large).toHaveAttribute('data-image-id', String(others[22]!.imageId));
  await expect(large).toContainText('23 of 30');
  await page.keyboard.press('ArrowLeft');
  await expect(large).toHaveAttribute('data-image-id', String(others[21]!.imageId));
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(large).toHaveAttribute('data-image-id', String(others[23]!.imageId));
  await expect(large).toContainText('24 of 30');
  expect(offsets).toEqual([0, 24]);
  await expect(large.locator('img')).toHaveAttribute('src', others[23]!.previewUrl);
  // Esc: back to the grid, now every image, on the one that was enlarged; nothing more to load.
  await page.keyboard.press('Escape');
  await expect(thumbs).toHaveCount(30);
  await expect(thumbs.nth(23)).toBeFocused();
  expect(await shownIds(dialog)).toEqual(others.map((r) => r.imageId));
  await expect(dialog.getByTestId('class-examples-more')).toHaveCount(0);
  await expect(dialog.getByTestId('class-examples-summary')).toContainText('30 other images with this original label.');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('class-examples')).toHaveCount(0);
  expect(await judgements(page)).toEqual((await candidateKeys(page)).map(() => ''));

  // After a reload (nothing cached), "Load more" fetches the second page, and the focus goes to its first image.
  await page.reload();
  await expect(page.locator(`[data-testid="review-screen"][data-item-id="${item.id}"]`)).toBeVisible();
  await focusCandidate(page, (await candidateKeys(page)).indexOf(key));
  await page.keyboard.press('e');
  await expect(thumbs).toHaveCount(23);
  const more = dialog.getByTestId('class-examples-more');
  await expect(more).toHaveText('Load more');
  await more.click();
  await expect(thumbs).toHaveCount(30);
  expect(offsets).toEqual([0, 24, 0, 24]);
  await expect(thumbs.nth(23)).toBeFocused();
  await expect(more).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('class-examples')).toHaveCount(0);
});

test('the lead’s desk shows the examples of a class row too (e, or its button), and keys inside decide nothing', async ({ page }) => {
  const { item, key, others } = caseWithOthers(cases);
  const empty = emptyCaseOf(cases, item);
  const { username } = await accounts.add('lead', 'lead');
  await signInThroughApi(page.request, username);
  await page.goto(`/?project=${projectId}&view=desk&item=${item.id}`);
  await expect(page.locator(`[data-testid="desk-item"][data-item-id="${item.id}"]`)).toBeVisible();
  await expect(page.getByTestId('lead-desk')).toContainText('examples of the class');

  const rows = page.getByTestId('desk-class-row');
  const keys = await rows.evaluateAll((all) => all.map((r) => r.getAttribute('data-key') ?? ''));
  const index = keys.indexOf(key);
  expect(index).toBeGreaterThanOrEqual(0);
  for (let i = 0; i < index; i++) await page.keyboard.press('j');
  const target = page.locator(`[data-testid="desk-class-row"][data-key="${key}"]`);
  await expect(target).toHaveAttribute('data-focused', 'true');
  const decisions = () => rows.evaluateAll((all) => all.map((r) => r.getAttribute('data-decision') ?? ''));
  const before = await decisions();

  await page.keyboard.press('e');
  const dialog = examplesDialog(page, nameOf(item, key));
  await expect(dialog.getByTestId('class-example')).toHaveCount(others.length);
  expect(await shownIds(dialog)).toEqual(others.map((image) => image.imageId));
  for (const pressed of ['c', 'w', 'u', 'Shift+W', 'j', 'm']) await page.keyboard.press(pressed);
  expect(await decisions()).toEqual(before);
  await expect(target).toHaveAttribute('data-focused', 'true');
  await expect(page.getByTestId('decision-note')).not.toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('class-examples')).toHaveCount(0);
  await expect(target).toHaveAttribute('data-focused', 'true');

  const emptyRow = page.locator(`[data-testid="desk-class-row"][data-key="${empty.key}"]`);
  await emptyRow.getByRole('button', { name: /^Examples of .+ \(e\)$/ }).click();
  await expect(examplesDialog(page, nameOf(item, empty.key)).getByTestId('class-examples-empty')).toHaveText(EMPTY);
  await expect(emptyRow).toHaveAttribute('data-focused', 'true');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('class-examples')).toHaveCount(0);
  expect(await decisions()).toEqual(before);
});
