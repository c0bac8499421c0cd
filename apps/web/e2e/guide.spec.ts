import { ItemBrowserPage, type ItemStatus, ProjectGuide, ReviewItem } from '@bagel/contracts';
import { type APIRequestContext, type Browser, type BrowserContext, type Locator, type Page, expect, test } from '@playwright/test';
import { candidateKeys, demoProjectId, fetchItem, focusCandidate, freshAccounts, signInThroughApi } from './support';

// The project's labeling guide: its view (everyone reads, leads and admins write, a stale save meets a conflict), and
// its panel beside the item on the review screen and the desk (`g`, or the header's button).
//
// The demo database is shared by every file of the run and the guide is one per project: this file is the only one
// that writes it, always with this run's stamp in the text, and asserts on its own text only. Every reviewer here is a
// user of its own (added through the admin API, deactivated at the end), who opens an item by its address and submits
// nothing.

const accounts = freshAccounts('guide');
const { stamp } = accounts;

let projectId: number;
const guideUrl = () => `/api/projects/${projectId}/guide`;

async function readGuide(request: APIRequestContext): Promise<ProjectGuide> {
  const response = await request.get(guideUrl());
  expect(response.status()).toBe(200);
  return ProjectGuide.parse(await response.json());
}

/** Writes the guide over its current revision (by the demo admin, unless another session is given). */
async function writeGuide(text: string, request: APIRequestContext = accounts.admin): Promise<ProjectGuide> {
  const current = await readGuide(request);
  const response = await request.put(guideUrl(), { data: { text, baseRevision: current.revision } });
  expect(response.status(), await response.text()).toBe(200);
  const guide = ProjectGuide.parse(await response.json());
  expect(guide.revision).toBe(current.revision + 1);
  return guide;
}

/** The blocks of a rendered guide, as the reader sees them: each paragraph's text (line breaks as \n), each list's items. */
type Block = { p: string } | { ul: string[] };
const blocksOf = (text: Locator): Promise<Block[]> =>
  text.evaluate((root) =>
    Array.from(root.children, (child): Block => {
      if (child.tagName === 'UL') return { ul: Array.from(child.children, (li) => li.textContent ?? '') };
      if (child.tagName === 'P') return { p: (child as HTMLElement).innerText };
      return { p: `unexpected <${child.tagName}>` };
    }),
  );

/** A guide of this run: two lines in a paragraph, a paragraph, a list of two, and a last paragraph after two blank lines. */
function sampleGuide(what: string): { text: string; blocks: Block[] } {
  const first = `Guide ${stamp} (${what}): count a uniform jacket as “suit”.`;
  const second = 'A cap is not a "bonnet".';
  const items = [`toys are wrong (${stamp})`, 'drawings: flag them problematic'];
  const text = [first, second, '', 'Always:', ...items.map((item) => `- ${item}`), '', '', 'When unsure, say unclear.'].join('\n');
  return { text, blocks: [{ p: `${first}\n${second}` }, { p: 'Always:' }, { ul: items }, { p: 'When unsure, say unclear.' }] };
}

const isFinal = (status: ItemStatus) => status === 'agreed' || status === 'final';

/** An item a fresh expert can judge (neither agreed nor final), as the admin lists them. */
async function openItem(): Promise<ReviewItem> {
  const listed = await accounts.admin.get(`/api/projects/${projectId}/items?sort=id&limit=500`);
  expect(listed.status()).toBe(200);
  const row = ItemBrowserPage.parse(await listed.json()).rows.find((r) => !isFinal(r.status));
  expect(row, 'an item of the demo is still open to verdicts').toBeDefined();
  return fetchItem(accounts.admin, row!.itemId);
}

/** A fresh user of the role, signed in, in a browser context of their own (closed by the caller). */
async function session(browser: Browser, what: string, role: 'expert' | 'lead'): Promise<{ name: string; context: BrowserContext; page: Page }> {
  const { username } = await accounts.add(what, role);
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInThroughApi(page.request, username);
  return { name: username, context, page };
}

const openGuideView = async (page: Page) => {
  await page.goto(`/?project=${projectId}&view=guide`);
  await expect(page.getByTestId('guide')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Guide' })).toHaveAttribute('aria-current', 'page');
};

const guidePanel = (page: Page) => page.getByRole('complementary', { name: 'Labeling guide' });
const judgements = (page: Page) => page.getByTestId('candidate-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-judgement') ?? ''));
const activeIsBody = (page: Page) => page.evaluate(() => document.activeElement === document.body);

test.beforeAll(async () => {
  projectId = await demoProjectId(accounts.admin);
});

test('a lead writes the guide: the count against the limit, the live preview, then paragraphs and list items with their name and the revision', async ({
  page,
}) => {
  const { username: lead } = await accounts.add('writer', 'lead');
  await signInThroughApi(page.request, lead);
  const before = await readGuide(page.request);
  await openGuideView(page);

  // The way in: "Write the guide" while there is none, "Edit" once there is one.
  const start = before.text.trim() === '' ? page.getByRole('button', { name: 'Write the guide' }) : page.getByRole('button', { name: 'Edit' });
  await start.click();
  const editor = page.getByTestId('guide-editor');
  await expect(editor).toHaveAttribute('data-base-revision', String(before.revision));
  const box = page.getByRole('textbox', { name: 'Guide text' });
  await expect(box).toBeFocused();
  await expect(box).toHaveValue(before.text);

  // Too long for the server: the count says by how much, and Save is off.
  await box.fill('x'.repeat(50_001));
  await expect(page.getByTestId('guide-count')).toHaveText('50,001 / 50,000 characters: 1 too many');
  await expect(page.getByTestId('guide-save-blocker')).toHaveText('The guide is one character too long: shorten it to save it.');
  await expect(page.getByRole('button', { name: 'Save' })).toBeDisabled();
  await expect(box).toHaveAttribute('aria-invalid', 'true');

  const { text, blocks } = sampleGuide('written');
  await box.fill(text);
  await expect(page.getByTestId('guide-count')).toHaveText(`${text.length} / 50,000 characters`);
  await expect(page.getByTestId('guide-save-blocker')).toHaveCount(0);
  // The preview follows the box as it is typed.
  const preview = page.getByTestId('guide-preview-text');
  expect(await blocksOf(preview)).toEqual(blocks);
  await box.press('End');
  await box.pressSequentially(' Ask the lead.');
  await expect(preview.locator('p').last()).toHaveText('When unsure, say unclear. Ask the lead.');
  await box.fill(text);
  for (const control of await editor.getByRole('button').all()) await expect(control).toHaveAccessibleName(/\S/);

  const put = page.waitForRequest((request) => request.method() === 'PUT' && new URL(request.url()).pathname === guideUrl());
  await page.getByRole('button', { name: 'Save' }).click();
  expect((await put).postDataJSON()).toEqual({ text, baseRevision: before.revision });
  const revision = before.revision + 1;
  await expect(page.getByTestId('guide-saved')).toHaveText(`Saved: revision ${revision}.`);
  await expect(page.getByTestId('guide-byline')).toHaveText(new RegExp(`^revision ${revision}, by ${lead}, today \\d\\d:\\d\\d$`));
  expect(await blocksOf(page.getByTestId('guide-text'))).toEqual(blocks);
  await expect(page.getByTestId('guide-text').locator('li')).toHaveCount(2);
  // Back from the editor, the focus is on the button that opened it.
  await expect(page.getByRole('button', { name: 'Edit' })).toBeFocused();
  expect(await readGuide(page.request)).toMatchObject({ text, revision, updatedBy: lead });

  // Cancel forgets a draft: nothing is sent, the guide stays as saved.
  await page.getByRole('button', { name: 'Edit' }).click();
  await box.fill(`A draft to forget ${stamp}`);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(editor).toHaveCount(0);
  expect(await blocksOf(page.getByTestId('guide-text'))).toEqual(blocks);
  // Nothing changed, nothing to save.
  await page.getByRole('button', { name: 'Edit' }).click();
  await expect(page.getByRole('button', { name: 'Save' })).toBeDisabled();
  await expect(page.getByTestId('guide-save-blocker')).toHaveText('Nothing changed yet.');
  await page.getByRole('button', { name: 'Cancel' }).click();
  expect((await readGuide(page.request)).revision).toBe(revision);
});

test('an expert reads the guide on its view, without any way to edit it, and the API refuses their PUT (403)', async ({ page }) => {
  const { text, blocks } = sampleGuide('for the panel');
  const written = await writeGuide(text);
  const { username } = await accounts.add('reader');
  await signInThroughApi(page.request, username);
  await openGuideView(page);
  await expect(page.getByRole('navigation', { name: 'Views' }).getByRole('link')).toHaveText(['Review', 'My verdicts', 'Guide']);
  expect(await blocksOf(page.getByTestId('guide-text'))).toEqual(blocks);
  await expect(page.getByTestId('guide-byline')).toHaveText(new RegExp(`^revision ${written.revision}, by admin, today \\d\\d:\\d\\d$`));
  await expect(page.getByRole('button', { name: /Edit|Write/ })).toHaveCount(0);
  await expect(page.getByRole('textbox')).toHaveCount(0);

  const refused = await page.request.put(guideUrl(), { data: { text: `An expert rewrites the rules ${stamp}`, baseRevision: written.revision } });
  expect(refused.status()).toBe(403);
  expect(await readGuide(page.request)).toEqual(written);
  await page.reload();
  expect(await blocksOf(page.getByTestId('guide-text'))).toEqual(blocks);
});

test('on the review screen, g opens the guide in a panel beside the item, fetched only then; the keys still act on the item; g or Esc closes it', async ({
  page,
}) => {
  const { text, blocks } = sampleGuide('beside the item');
  const written = await writeGuide(text);
  const item = await openItem();
  const { username } = await accounts.add('reviewer');
  await signInThroughApi(page.request, username);
  const fetched: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === guideUrl()) fetched.push(request.method());
  });
  await page.goto(`/?project=${projectId}&item=${item.id}`);
  const screen = page.locator(`[data-testid="review-screen"][data-item-id="${item.id}"][data-read-only="false"]`);
  await expect(screen).toBeVisible();

  // The `?` list names the key.
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts-overlay').locator('.shortcut', { has: page.locator('kbd', { hasText: /^g$/ }) })).toContainText(
    'Guide: the project’s labeling guide, beside the item',
  );
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts-overlay')).toHaveCount(0);
  // Nothing is asked for before the guide is opened.
  expect(fetched).toEqual([]);

  const keys = await candidateKeys(page);
  expect(keys.length).toBeGreaterThan(2);
  await focusCandidate(page, 0);

  await page.keyboard.press('g');
  const panel = guidePanel(page);
  await expect(panel).toBeVisible();
  expect(await blocksOf(panel.getByTestId('guide-text'))).toEqual(blocks);
  await expect(panel.getByTestId('guide-byline')).toHaveText(new RegExp(`^revision ${written.revision}, by admin, `));
  expect(fetched).toEqual(['GET']);
  await expect(page.getByRole('button', { name: 'Guide (g)', exact: true })).toHaveAttribute('aria-expanded', 'true');
  // Not a dialog: nothing of the screen is inert, and the focus stays where it was.
  await expect(page.getByRole('dialog')).toHaveCount(0);
  expect(await activeIsBody(page)).toBe(true);
  // Beside the item, which it does not cover: the image, the candidates and the models all end left of it.
  const panelBox = (await panel.boundingBox())!;
  for (const part of [page.getByTestId('review-image'), page.getByTestId('candidate-row').first(), page.getByTestId('model-card').first()]) {
    const box = (await part.boundingBox())!;
    expect(box.width).toBeGreaterThan(0);
    expect(box.x + box.width).toBeLessThanOrEqual(panelBox.x + 1);
  }
  for (const control of await panel.getByRole('button').all()) await expect(control).toHaveAccessibleName(/\S/);

  // The review screen's keys act on the item while the guide is open: judge, move, zoom.
  await page.keyboard.press('u');
  await expect(page.getByTestId('candidate-row').nth(0)).toHaveAttribute('data-judgement', 'unclear');
  await expect(page.getByTestId('candidate-row').nth(1)).toHaveAttribute('data-focused', 'true');
  await page.keyboard.press('j');
  await expect(page.getByTestId('candidate-row').nth(2)).toHaveAttribute('data-focused', 'true');
  await page.keyboard.press('+');
  await expect(page.locator('.image-zoom')).not.toHaveText('100%');
  await page.keyboard.press('0');
  await expect(panel).toBeVisible();

  // g again closes it; g reopens it, from the cache; Esc closes it.
  await page.keyboard.press('g');
  await expect(page.getByTestId('guide-panel')).toHaveCount(0);
  await page.keyboard.press('g');
  await expect(panel).toBeVisible();
  expect(fetched).toEqual(['GET']);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('guide-panel')).toHaveCount(0);
  await page.keyboard.press('w');
  await expect(page.getByTestId('candidate-row').nth(2)).toHaveAttribute('data-judgement', 'wrong');

  // With the mouse: the header's button opens and closes it, and so does the panel's close button; Enter still acts
  // on the item afterwards (it asks for what the verdict lacks), never on the buttons clicked.
  const button = page.getByRole('button', { name: 'Guide (g)', exact: true });
  await button.click();
  await expect(panel).toBeVisible();
  await button.click();
  await expect(page.getByTestId('guide-panel')).toHaveCount(0);
  await button.click();
  await page.getByRole('button', { name: 'Close the guide (g)' }).click();
  await expect(page.getByTestId('guide-panel')).toHaveCount(0);
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-testid="submit-blockers"][role="alert"]')).toHaveCount(1);
  await expect(screen).toBeVisible();
  expect((await fetchItem(page.request, item.id)).myVerdict).toBeNull();
});

test('the read-only review screen of a final item opens the guide too, and its keys keep answering while it is open', async ({ page }) => {
  const { text, blocks } = sampleGuide('read-only');
  await writeGuide(text);
  const item = await openItem();
  // The item is shown as final on its way to the page (the shared demo cannot be made final here: see review-read-only.spec.ts).
  await page.route(
    (url) => url.pathname === `/api/items/${item.id}`,
    async (route) => {
      const response = await route.fetch();
      if (!response.ok()) return route.fulfill({ response });
      return route.fulfill({ response, json: { ...ReviewItem.parse(await response.json()), status: 'final' } });
    },
  );
  const { username } = await accounts.add('final-reader');
  await signInThroughApi(page.request, username);
  await page.goto(`/?project=${projectId}&item=${item.id}`);
  await expect(page.locator(`[data-testid="review-screen"][data-item-id="${item.id}"][data-read-only="true"]`)).toBeVisible();

  await page.keyboard.press('?');
  expect(await page.getByTestId('shortcuts-overlay').locator('dt kbd').allTextContents()).toContain('g');
  await page.keyboard.press('?');

  await page.keyboard.press('g');
  const panel = guidePanel(page);
  expect(await blocksOf(panel.getByTestId('guide-text'))).toEqual(blocks);
  // A key the read-only screen refuses is refused politely, the guide still open beside the item.
  await page.keyboard.press('c');
  await expect(page.getByTestId('locked-key-message')).toContainText('Sorry, this item is final');
  await expect(panel).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('guide-panel')).toHaveCount(0);
  await expect(page.locator(`[data-testid="review-screen"][data-item-id="${item.id}"]`)).toBeVisible();
});

test('two leads edit the same revision: the second save meets the conflict (who, when, their text), keeps the draft, and puts it over the new revision; or discards it', async ({
  browser,
}) => {
  await writeGuide(`Starting point ${stamp}.`);
  const first = await session(browser, 'lead-a', 'lead');
  const second = await session(browser, 'lead-b', 'lead');
  try {
    const base = await readGuide(first.page.request);
    for (const { page } of [first, second]) {
      await openGuideView(page);
      await expect(page.getByTestId('guide-byline')).toHaveText(new RegExp(`^revision ${base.revision}, `));
      await page.getByRole('button', { name: 'Edit' }).click();
      await expect(page.getByTestId('guide-editor')).toHaveAttribute('data-base-revision', String(base.revision));
    }

    // The first lead saves.
    const theirs = sampleGuide('first lead');
    await first.page.getByRole('textbox', { name: 'Guide text' }).fill(theirs.text);
    await first.page.getByRole('button', { name: 'Save' }).click();
    await expect(first.page.getByTestId('guide-saved')).toHaveText(`Saved: revision ${base.revision + 1}.`);

    // The second lead saves from the same revision: refused, and told so.
    const mine = `Second lead ${stamp}: toys are wrong.\n\n- drawings too`;
    const box = second.page.getByRole('textbox', { name: /text/ });
    await box.fill(mine);
    await second.page.getByRole('button', { name: 'Save' }).click();
    const conflict = second.page.getByTestId('guide-conflict');
    await expect(conflict).toBeVisible();
    await expect(conflict).toHaveAttribute('role', 'alert');
    await expect(conflict).toContainText('Someone else saved the guide meanwhile.');
    await expect(conflict).toContainText(
      new RegExp(`Revision ${base.revision + 1} was saved by ${first.name}, today \\d\\d:\\d\\d, while you were editing revision ${base.revision}\\.`),
    );
    await expect(conflict).toContainText('Your text is not saved: it is kept below.');
    expect(await blocksOf(conflict.getByTestId('guide-conflict-text'))).toEqual(theirs.blocks);
    // The draft is kept, in a box that says so; nothing of it was stored.
    await expect(second.page.getByRole('textbox', { name: 'Your text (not saved)' })).toHaveValue(mine);
    expect((await readGuide(second.page.request)).text).toBe(theirs.text);

    // The draft may still change; then it goes over the new revision.
    await box.press('End');
    await box.pressSequentially(' (merged)');
    const merged = `${mine} (merged)`;
    const reapply = second.page.getByRole('button', { name: `Use my text over revision ${base.revision + 1}` });
    const put = second.page.waitForRequest((request) => request.method() === 'PUT' && new URL(request.url()).pathname === guideUrl());
    await reapply.click();
    expect((await put).postDataJSON()).toEqual({ text: merged, baseRevision: base.revision + 1 });
    await expect(second.page.getByTestId('guide-saved')).toHaveText(`Saved: revision ${base.revision + 2}.`);
    await expect(second.page.getByTestId('guide-conflict')).toHaveCount(0);
    await expect(second.page.getByTestId('guide-byline')).toHaveText(new RegExp(`^revision ${base.revision + 2}, by ${second.name}, `));
    expect(await blocksOf(second.page.getByTestId('guide-text'))).toEqual([{ p: `Second lead ${stamp}: toys are wrong.` }, { ul: ['drawings too (merged)'] }]);
    expect(await readGuide(second.page.request)).toMatchObject({ text: merged, revision: base.revision + 2, updatedBy: second.name });

    // The first lead, still reading their own revision, edits it again: refused in turn, and discards their draft.
    const puts: unknown[] = [];
    first.page.on('request', (request) => {
      if (request.method() === 'PUT') puts.push(request.postDataJSON());
    });
    await first.page.getByRole('button', { name: 'Edit' }).click();
    await expect(first.page.getByTestId('guide-editor')).toHaveAttribute('data-base-revision', String(base.revision + 1));
    await first.page.getByRole('textbox', { name: 'Guide text' }).fill(`A draft to discard ${stamp}`);
    await first.page.getByRole('button', { name: 'Save' }).click();
    await expect(first.page.getByTestId('guide-conflict')).toContainText(`Revision ${base.revision + 2} was saved by ${second.name}`);
    await first.page.getByRole('button', { name: 'Discard my text' }).click();
    await expect(first.page.getByTestId('guide-editor')).toHaveCount(0);
    await expect(first.page.getByTestId('guide-byline')).toHaveText(new RegExp(`^revision ${base.revision + 2}, by ${second.name}, `));
    expect(await blocksOf(first.page.getByTestId('guide-text'))).toEqual([{ p: `Second lead ${stamp}: toys are wrong.` }, { ul: ['drawings too (merged)'] }]);
    expect(puts).toEqual([{ text: `A draft to discard ${stamp}`, baseRevision: base.revision + 1 }]);
    expect(await readGuide(first.page.request)).toMatchObject({ text: merged, revision: base.revision + 2 });
  } finally {
    await first.context.close();
    await second.context.close();
  }
});

test('the guide is Markdown: headings, bold and links render, links open in a new tab without an opener; <script>, HTML tags and javascript: links never run, in the preview, on the view and in the panel of the lead’s desk', async ({
  page,
}) => {
  const lines = [
    `# Rules ${stamp}`,
    `Toys are **wrong ${stamp}**; see [the WordNet entry](https://wordnet.princeton.edu/).`,
    '',
    `<script>window.__guideInjected = 'script ${stamp}'</script>`,
    `<b>bold ${stamp}</b> & <i>it</i> &amp; <img src="x" onerror="window.__guideInjected = 'img'">`,
    '',
    `- [a bad link ${stamp}](javascript:window.__guideInjected='a')`,
    '- <h1>not a heading</h1>',
  ];
  const text = lines.join('\n');
  const markup = 'script, b, i, img, h1, iframe';
  /** What every rendering of this guide shows (the preview, the view, the panel). */
  const expectRendered = async (shown: Locator) => {
    await expect(shown.getByRole('heading', { level: 3 })).toHaveText(`Rules ${stamp}`);
    await expect(shown.locator('strong')).toHaveText(`wrong ${stamp}`);
    const link = shown.getByRole('link', { name: 'the WordNet entry' });
    await expect(link).toHaveAttribute('href', 'https://wordnet.princeton.edu/');
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    // Raw HTML shows as typed; the javascript: link keeps its text and loses its address.
    await expect(shown.locator(markup)).toHaveCount(0);
    await expect(shown).toContainText(`<script>window.__guideInjected = 'script ${stamp}'</script>`);
    // (`&amp;` is Markdown's way of writing `&`.)
    await expect(shown).toContainText(`<b>bold ${stamp}</b> & <i>it</i> & <img src="x" onerror="window.__guideInjected = 'img'">`);
    await expect(shown.locator('li').last()).toHaveText('<h1>not a heading</h1>');
    const bad = shown.locator('a', { hasText: `a bad link ${stamp}` });
    await expect(bad).toHaveCount(1);
    await expect(bad).not.toHaveAttribute('href', /.*/);
  };
  const item = await openItem();
  const { username: lead } = await accounts.add('markup', 'lead');
  await signInThroughApi(page.request, lead);
  await openGuideView(page);
  await page.getByRole('button', { name: /^(Edit|Write the guide)$/ }).click();
  await page.getByRole('textbox', { name: 'Guide text' }).fill(text);
  await expectRendered(page.getByTestId('guide-preview-text'));
  await page.getByRole('button', { name: 'Save' }).click();
  await expectRendered(page.getByTestId('guide-text'));
  expect(await readGuide(page.request)).toMatchObject({ text, updatedBy: lead });

  // The lead's desk: `g` (and the header's button) open the same panel beside the item; the desk's keys still act.
  await page.goto(`/?project=${projectId}&view=desk&item=${item.id}`);
  await expect(page.locator(`[data-testid="desk-item"][data-item-id="${item.id}"]`)).toBeVisible();
  await expect(page.locator('.desk-keys')).toContainText('the labeling guide');
  const rows = page.getByTestId('desk-class-row');
  const focusedRow = () => rows.evaluateAll((all) => all.findIndex((r) => r.getAttribute('data-focused') === 'true'));
  expect(await focusedRow()).toBe(0);
  await page.keyboard.press('g');
  const panel = guidePanel(page);
  await expectRendered(panel.getByTestId('guide-text'));
  await page.keyboard.press('j');
  expect(await focusedRow()).toBe(1);
  await page.keyboard.press('w');
  await expect(rows.nth(1)).toHaveAttribute('data-decision', 'wrong');
  await expect(panel).toBeVisible();
  // Beside the item: the class table ends left of the panel.
  const panelBox = (await panel.boundingBox())!;
  const rowBox = (await rows.nth(1).boundingBox())!;
  expect(rowBox.x + rowBox.width).toBeLessThanOrEqual(panelBox.x + 1);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('guide-panel')).toHaveCount(0);
  await page.getByRole('button', { name: 'Guide (g)', exact: true }).click();
  await expect(panel).toBeVisible();
  await page.keyboard.press('g');
  await expect(page.getByTestId('guide-panel')).toHaveCount(0);
  // Nothing typed in the guide ran.
  expect(await page.evaluate(() => (window as { __guideInjected?: unknown }).__guideInjected)).toBeUndefined();
});

test('no guide yet: the expert is told so, on the view and beside the item; a lead is offered to write it', async ({ page, browser }) => {
  const none = { text: '', revision: 0, updatedAt: null, updatedBy: null };
  // The shared demo has a guide by now: the page is told there is none (what the server answers before the first save).
  const noGuide = async (target: Page) =>
    target.route(
      (url) => url.pathname === guideUrl(),
      (route) => (route.request().method() === 'GET' ? route.fulfill({ json: ProjectGuide.parse(none) }) : route.fallback()),
    );
  const item = await openItem();
  const { username } = await accounts.add('no-guide');
  await signInThroughApi(page.request, username);
  await noGuide(page);
  await openGuideView(page);
  await expect(page.getByTestId('guide-empty')).toContainText('No guide yet');
  await expect(page.getByTestId('guide-empty')).toContainText('The lead has not written a labeling guide for this project yet.');
  await expect(page.getByTestId('guide-byline')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Write|Edit/ })).toHaveCount(0);

  await page.goto(`/?project=${projectId}&item=${item.id}`);
  await expect(page.locator(`[data-testid="review-screen"][data-item-id="${item.id}"]`)).toBeVisible();
  await page.keyboard.press('g');
  await expect(guidePanel(page).getByTestId('guide-empty')).toContainText('No guide yet');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('guide-panel')).toHaveCount(0);

  const lead = await session(browser, 'no-guide-lead', 'lead');
  try {
    await noGuide(lead.page);
    await openGuideView(lead.page);
    await expect(lead.page.getByTestId('guide-empty')).toContainText('No guide yet');
    await lead.page.getByRole('button', { name: 'Write the guide' }).click();
    await expect(lead.page.getByRole('heading', { name: 'Write the guide' })).toBeVisible();
    await expect(lead.page.getByRole('textbox', { name: 'Guide text' })).toHaveValue('');
    await expect(lead.page.getByRole('button', { name: 'Save' })).toBeDisabled();
    await lead.page.getByRole('button', { name: 'Cancel' }).click();
    await expect(lead.page.getByRole('button', { name: 'Write the guide' })).toBeFocused();
  } finally {
    await lead.context.close();
  }
});
