import { type Page, type Request, expect, test } from '@playwright/test';
import { freshAccounts, logIn, passwordOf, signInThroughApi } from './support';

// A reviewer's first load: the requests the review screen starts from travel together and each once, the item's image
// comes before the vocabulary, only the review's code runs before the item, and the vocabulary is kept by the browser.

const accounts = freshAccounts('first-load');

/** Every script and API request of a page: when each was sent and when it finished, in one sequence. */
function recordRequests(page: Page) {
  const events: { kind: 'sent' | 'finished'; method: string; path: string }[] = [];
  const record = (kind: 'sent' | 'finished') => (request: Request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/api/') || url.pathname.endsWith('.js')) events.push({ kind, method: request.method(), path: url.pathname + url.search });
  };
  page.on('request', record('sent'));
  page.on('requestfinished', record('finished'));
  const sent = () => events.filter((e) => e.kind === 'sent');
  return {
    /** Where in the sequence `path` was first sent or finished (-1: not yet). */
    at: (kind: 'sent' | 'finished', path: string) => events.findIndex((e) => e.kind === kind && e.path === path),
    paths: (method = 'GET') => sent().filter((r) => r.method === method).map((r) => r.path),
    scripts: () => sent().filter((r) => r.path.endsWith('.js')).map((r) => r.path.replace(/^\/assets\//, '')),
  };
}

async function imagePainted(page: Page): Promise<void> {
  const image = page.getByTestId('review-image');
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
}

test('a cold load asks for each thing once, the image before the vocabulary, and runs none of the lead’s and admin’s code', async ({ browser }) => {
  const { username } = await accounts.add('cold');
  const context = await browser.newContext();
  await signInThroughApi(context.request, username);
  const page = await context.newPage();
  const log = recordRequests(page);
  await page.goto('/');
  await imagePainted(page);
  // The script the page had asked for by the time the image arrived.
  const bytesBeforeImage = await page.evaluate(() => {
    const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const image = entries.find((r) => /\/images\/\d+\/preview$/.test(new URL(r.name).pathname))!;
    return entries.filter((r) => r.name.endsWith('.js') && r.startTime < image.responseEnd).reduce((sum, r) => sum + r.decodedBodySize, 0);
  });
  await expect.poll(() => log.paths().filter((path) => /^\/api\/projects\/\d+\/classes$/.test(path)).length).toBe(1);
  // The add-class search works once the vocabulary is in.
  await page.keyboard.press('a');
  await page.keyboard.type('espresso');
  await expect(page.getByTestId('add-class-result').first()).toHaveAttribute('data-key', 'n07920052');
  await page.keyboard.press('Escape');

  // Each request of the first screen once.
  const gets = log.paths();
  for (const path of ['/api/auth/me', '/api/projects']) expect(gets.filter((p) => p === path), path).toHaveLength(1);
  const next = gets.filter((p) => /^\/api\/projects\/\d+\/next$/.test(p));
  expect(next).toHaveLength(1);
  const preview = gets.find((p) => /\/images\/\d+\/preview$/.test(p));
  expect(preview).toBeDefined();
  expect(gets.filter((p) => p === preview)).toHaveLength(1);
  // The vocabulary is asked for once the item's image has arrived.
  const classes = gets.find((p) => /\/classes$/.test(p))!;
  expect(log.at('finished', preview!)).toBeGreaterThanOrEqual(0);
  expect(log.at('finished', preview!)).toBeLessThan(log.at('sent', classes));

  // Only the review's code before the image: no screen of the lead's or the admin's, before or after, nor the schemas
  // of their answers (contracts' consensus.ts: building them was about 25 ms of a cold load's script).
  for (const screen of ['LeadDesk', 'DashboardScreen', 'DownloadLinks', 'MajorSliceScreen', 'ItemBrowser', 'UsersScreen', 'GuideScreen', 'MyVerdictsScreen', 'consensus']) {
    expect(log.scripts().some((file) => file.startsWith(`${screen}-`)), screen).toBe(false);
  }
  // The panels beside an item (guide, examples, discussion) are loaded once the image has arrived, and the Markdown
  // renderer with them.
  for (const panel of ['GuidePanel', 'ClassExamplesDialog', 'DiscussionPanel', 'GuideText']) {
    const file = log.scripts().find((script) => script.startsWith(`${panel}-`));
    expect(file, panel).toBeDefined();
    expect(log.at('sent', `/assets/${file}`), panel).toBeGreaterThan(log.at('finished', preview!));
  }
  // All of it was 710 kB in one file; the review's part is about 460 kB.
  expect(bytesBeforeImage).toBeGreaterThan(100_000);
  expect(bytesBeforeImage).toBeLessThan(550_000);
  await context.close();
});

test('the vocabulary is kept by the browser: a reload asks again with its ETag and gets the same classes', async ({ browser }) => {
  const { username } = await accounts.add('reload');
  const context = await browser.newContext();
  await signInThroughApi(context.request, username);
  const page = await context.newPage();
  const classes = () => page.waitForResponse((response) => /\/api\/projects\/\d+\/classes$/.test(new URL(response.url()).pathname));
  let answer = classes();
  await page.goto('/');
  const first = await answer;
  expect(first.status()).toBe(200);
  const etag = (await first.allHeaders()).etag;
  expect(etag).toMatch(/^"[0-9a-f]{32}-(br|gzip)"$/);
  expect((await first.allHeaders())['cache-control']).toBe('private, no-cache');
  // The browser keeps a copy once its body has been read through: reloading earlier (1 run in about 20 on a busy
  // machine) finds nothing kept and asks without a tag. The search answering means the vocabulary was read.
  await first.finished();
  await imagePainted(page);
  await searchFinds(page, 'espresso', 'n07920052');

  answer = classes();
  await page.reload();
  await imagePainted(page);
  const again = await answer;
  // Asked again with the tag of the copy the browser kept (answered 304: the browser's copy is used).
  expect((await again.request().allHeaders())['if-none-match']).toBe(etag);
  await searchFinds(page, 'espresso', 'n07920052');
  await context.close();
});

/** Opens the add-class search, types `query` and expects `wnid` first; closes the search again. */
async function searchFinds(page: Page, query: string, wnid: string) {
  await page.keyboard.press('a');
  await page.keyboard.type(query);
  await expect(page.getByTestId('add-class-result').first()).toHaveAttribute('data-key', wnid);
  await page.keyboard.press('Escape');
}

test('signed out: the sign-in form, and once signed in the projects and the item are asked for again, not taken from before', async ({ browser }) => {
  const { username } = await accounts.add('signed-out');
  const context = await browser.newContext();
  const page = await context.newPage();
  const log = recordRequests(page);
  await logIn(page, username);
  await imagePainted(page);
  const gets = log.paths();
  // Asked once before signing in (refused) and once after.
  expect(gets.filter((p) => p === '/api/projects')).toHaveLength(2);
  expect(gets.filter((p) => /^\/api\/projects\/\d+\/next$/.test(p))).toHaveLength(1);
  await context.close();
});

test('the dashboard’s figures show while the downloads’ code is still on its way, and the header keeps the focus', async ({ page }) => {
  // The downloads card's code is held back until the figures are on screen (on a slow network it arrives after them).
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/assets\/DownloadLinks-[^/]+\.js$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto('/');
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(passwordOf('admin'));
  await page.getByLabel('Password').press('Enter');
  const accountButton = page.getByTestId('account-button');
  await expect(accountButton).toBeVisible();
  await accountButton.focus();

  // The figures arrive, the downloads' code does not: the screen stays, with the card saying it is loading.
  await expect(page.getByTestId('major-slice-count')).toBeVisible();
  await expect(page.getByTestId('downloads-loading')).toBeVisible();
  await expect(accountButton).toBeFocused();

  release();
  await expect(page.getByTestId('downloads')).toBeVisible();
  await expect(page.getByTestId('downloads-loading')).toHaveCount(0);
  await expect(accountButton).toBeFocused();
  // Enter on the name opens the account menu (what a screen hidden behind the shell's Suspense broke).
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('account-menu')).toBeVisible();
});
