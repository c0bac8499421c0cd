import { ItemBrowserPage, ProjectList } from '@bagel/contracts';
import { type APIRequestContext, expect, test } from '@playwright/test';
import { LONG_LIST_LEAD, longListURL } from './long-list';
import { logIn, passwordOf } from './support';

// The demo database is shared by every test of the run (one worker, files in alphabetical order, so this file runs
// first, on a demo nobody has judged yet). The browser only reads: it changes nothing the other files rely on.

async function demoProject(request: APIRequestContext) {
  const response = await request.get('/api/projects');
  expect(response.status()).toBe(200);
  const [project] = ProjectList.parse(await response.json()).projects;
  return project!;
}

async function apiItems(request: APIRequestContext, projectId: number, query: Record<string, string>, origin = ''): Promise<ItemBrowserPage> {
  const response = await request.get(`${origin}/api/projects/${projectId}/items?${new URLSearchParams({ ...query, limit: '500' })}`);
  expect(response.status()).toBe(200);
  return ItemBrowserPage.parse(await response.json());
}

const shownItemIds = async (page: import('@playwright/test').Page) =>
  (await page.getByTestId('item-row').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-item-id'))))).sort((a, b) => a - b);

test('the lead lists every item, filters by status and wrong model, and opens one on the desk', async ({ page }) => {
  // Straight to the browser: the review screen would claim an item for the lead.
  await logIn(page, 'lead', '/?view=items', 'item-browser');
  const project = await demoProject(page.request);

  // All 11 demo items, in the queue's priority order (the server's), none judged yet.
  await expect(page.getByTestId('item-count')).toHaveText('11 items');
  await expect(page.getByTestId('item-row')).toHaveCount(11);
  const everything = await apiItems(page.request, project.id, {});
  expect(everything.total!).toBe(11);
  expect(await page.getByTestId('item-row').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-item-id'))))).toEqual(
    everything.rows.map((row) => row.itemId),
  );

  // Every control of the filter bar has a name.
  for (const name of ['Status', 'Disputed on', 'Wrong model', 'Severity', 'Category', 'Expert', 'Sort by', 'Order']) {
    await expect(page.getByRole('combobox', { name, exact: true })).toBeVisible();
  }
  await expect(page.getByRole('button', { name: 'Class Any class' })).toBeVisible();
  await expect(page.getByRole('listbox', { name: 'Items' })).toBeVisible();

  // A status and a model wrong on some items but not all: the rows are the API's for the same filters.
  const model = project.models.find((m) => {
    const wrong = everything.rows.filter((row) => row.wrongModels.includes(m.name)).length;
    return wrong > 0 && wrong < everything.total!;
  })!;
  expect(model, 'a demo model wrong on some items but not all').toBeDefined();
  await page.getByRole('combobox', { name: 'Status', exact: true }).selectOption('open');
  await page.getByRole('combobox', { name: 'Wrong model', exact: true }).selectOption(model.name);
  const filtered = await apiItems(page.request, project.id, { status: 'open', wrongModel: model.name });
  expect(filtered.total!).toBeGreaterThan(0);
  expect(filtered.total!).toBeLessThan(11);
  await expect(page.getByTestId('item-count')).toHaveText(`${filtered.total!} item${filtered.total! === 1 ? '' : 's'}`);
  await expect(page.getByTestId('item-row')).toHaveCount(filtered.total!);
  expect(await shownItemIds(page)).toEqual(filtered.rows.map((row) => row.itemId).sort((a, b) => a - b));
  // Each row names the models wrong on it (shown as their letters).
  for (const row of filtered.rows) {
    const name = await page.locator(`[data-testid="item-row"][data-item-id="${row.itemId}"]`).getAttribute('aria-label');
    expect(name).toContain(`Item ${row.itemId}: ${row.file}`);
    expect(name?.slice(name.indexOf('wrong: '))).toContain(model.displayName);
  }

  // The filters are in the address bar: the same view opens from a link.
  await expect(page).toHaveURL(new RegExp(`[?&]status=open(&|$)`));
  expect(new URL(page.url()).searchParams.get('wrongModel')).toBe(model.name);
  const shared = await page.context().newPage();
  await shared.goto(page.url());
  await expect(shared.getByTestId('item-count')).toHaveText(`${filtered.total!} item${filtered.total! === 1 ? '' : 's'}`);
  await expect(shared.getByRole('combobox', { name: 'Wrong model', exact: true })).toHaveValue(model.name);
  await shared.close();

  // j moves to the second row, Enter opens it on the lead's desk.
  const second = filtered.total! > 1 ? filtered.rows[1]! : filtered.rows[0]!;
  await page.getByRole('listbox', { name: 'Items' }).focus();
  if (filtered.total! > 1) await page.keyboard.press('j');
  await expect(page.locator(`[data-testid="item-row"][data-item-id="${second.itemId}"]`)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('desk-item')).toHaveAttribute('data-item-id', String(second.itemId));
  expect(new URL(page.url()).searchParams.get('view')).toBe('desk');
  expect(new URL(page.url()).searchParams.get('item')).toBe(String(second.itemId));

  // Back to the browser: the filters are as they were left.
  await page.getByTestId('nav-items').click();
  await expect(page.getByTestId('item-count')).toHaveText(`${filtered.total!} item${filtered.total! === 1 ? '' : 's'}`);
  await expect(page.getByRole('combobox', { name: 'Status', exact: true })).toHaveValue('open');

  // A click opens a row too.
  const first = filtered.rows[0]!;
  await page.locator(`[data-testid="item-row"][data-item-id="${first.itemId}"]`).click();
  await expect(page.getByTestId('desk-item')).toHaveAttribute('data-item-id', String(first.itemId));
});

test('the class filter searches the vocabulary and keeps the items labelled or predicted as that class', async ({ page }) => {
  await logIn(page, 'lead', '/?view=items', 'item-browser');
  const project = await demoProject(page.request);
  const everything = await apiItems(page.request, project.id, {});
  const label = everything.rows[0]!.originalLabel;

  await page.getByRole('button', { name: 'Class Any class' }).click();
  await page.getByRole('combobox', { name: 'Search the vocabulary for a class' }).fill(label.name);
  await expect(page.getByTestId('class-filter-result').first()).toBeVisible();
  await page.locator(`[data-testid="class-filter-result"][data-key="${label.key}"]`).click();
  const filtered = await apiItems(page.request, project.id, { class: label.key });
  expect(filtered.rows.map((row) => row.itemId)).toContain(everything.rows[0]!.itemId);
  await expect(page.getByTestId('item-count')).toHaveText(`${filtered.total!} item${filtered.total! === 1 ? '' : 's'}`);
  expect(await shownItemIds(page)).toEqual(filtered.rows.map((row) => row.itemId).sort((a, b) => a - b));
  expect(new URL(page.url()).searchParams.get('class')).toBe(label.key);

  await page.getByRole('button', { name: 'Clear the class filter' }).click();
  await expect(page.getByTestId('item-count')).toHaveText('11 items');
});

test('an expert gets 403 from the item browser API', async ({ request }) => {
  // Through the API only: signing in on the page would claim an item for the expert.
  expect((await request.post('/api/auth/login', { data: { username: 'expert1', password: passwordOf('expert1') } })).status()).toBe(200);
  const project = await demoProject(request);
  expect((await request.get(`/api/projects/${project.id}/items`)).status()).toBe(403);
  expect((await request.get(`/api/projects/${project.id}/items/experts`)).status()).toBe(403);
});

test('scrolling a long list asks for each page after the cursor of the one before; a jump asks by offset', async ({ page }) => {
  // The long-list server's project: 450 items (playwright.config.ts).
  expect((await page.request.post(longListURL('/api/auth/login'), { data: LONG_LIST_LEAD })).status()).toBe(200);
  const long = ProjectList.parse(await (await page.request.get(longListURL('/api/projects'))).json()).projects[0]!;
  const everything = await apiItems(page.request, long.id, {}, longListURL(''));
  expect(everything.total).toBe(450);
  const asked: URLSearchParams[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === `/api/projects/${long.id}/items`) asked.push(url.searchParams);
  });
  await page.goto(longListURL(`/?view=items&project=${long.id}`));
  await expect(page.getByTestId('item-browser')).toBeVisible();
  await expect(page.getByTestId('item-count')).toHaveText('450 items');

  // Down the list a screen at a time, to its end: every row is the API's, in its order.
  const list = page.getByRole('listbox', { name: 'Items' });
  const rowAt = (index: number) => page.locator(`[role="option"][aria-posinset="${index + 1}"]`);
  for (let index = 0; index < 450; index += 25) {
    await list.evaluate((element, top) => element.scrollTo({ top }), index * 56);
    await expect(rowAt(index)).toHaveAttribute('data-item-id', String(everything.rows[index]!.itemId));
  }
  await list.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
  await expect(rowAt(449)).toHaveAttribute('data-item-id', String(everything.rows[449]!.itemId));
  const pages = asked.filter((params) => params.get('offset') !== '0');
  expect(pages.length, 'pages 2 to 5 were asked for').toBeGreaterThanOrEqual(4);
  for (const params of pages) expect(params.get('after'), `${params}`).toBeTruthy();

  // Straight to the end of a fresh list (a new tab: this one would come back to where it was): the last page is asked
  // for by its offset.
  const fresh = await page.context().newPage();
  const askedFresh: URLSearchParams[] = [];
  fresh.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === `/api/projects/${long.id}/items`) askedFresh.push(url.searchParams);
  });
  await fresh.goto(longListURL(`/?view=items&project=${long.id}&sort=id&order=desc`));
  await expect(fresh.getByTestId('item-count')).toHaveText('450 items');
  const byId = await apiItems(page.request, long.id, { sort: 'id', order: 'desc' }, longListURL(''));
  await fresh.getByRole('listbox', { name: 'Items' }).focus();
  await fresh.keyboard.press('End');
  await expect(fresh.locator('[role="option"][aria-posinset="450"]')).toHaveAttribute('data-item-id', String(byId.rows[449]!.itemId));
  expect(askedFresh.map(String)).toContain(new URLSearchParams({ sort: 'id', order: 'desc', limit: '100', offset: '400' }).toString());

  // A broad filter's first page comes uncounted (at a million items its count reads every item): the list asks for the
  // count on its own, and shows the first rows meanwhile.
  askedFresh.length = 0;
  // As many as the API counts (other browser tests judge a few of the long list's items, which may settle a model's top-1).
  const wrongModel0 = (await apiItems(page.request, long.id, { wrongModel: 'model-0', count: 'exact' }, longListURL(''))).total!;
  expect(wrongModel0).toBeGreaterThan(440);
  await fresh.goto(longListURL(`/?view=items&project=${long.id}&wrongModel=model-0`));
  await expect(fresh.getByTestId('item-count')).toHaveText(`${wrongModel0} items`);
  expect(askedFresh.filter((params) => params.get('count') === 'exact' && params.get('wrongModel') === 'model-0')).toHaveLength(1);
  await fresh.close();
});
