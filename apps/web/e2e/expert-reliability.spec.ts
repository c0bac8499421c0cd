import { ItemBrowserPage, type Judgement, ProjectList, ReviewItem, type VerdictRequest } from '@bagel/contracts';
import { expect, test } from '@playwright/test';
import { LONG_LIST_ADMIN, LONG_LIST_LEAD, longListURL, newLongListExpert, signedInOnLongList } from './long-list';

// The dashboard's "Expert reliability" card: each expert against the final labels, with intervals, loaded when the
// card is shown and on Refresh (never on the dashboard's 5-second poll), the gold reference empty, the CSV beside the
// other downloads. Three experts of this file agree on one item (the last open one in the queue's order), which makes
// it final. On the long-list server: an item of the demo made final here would be one another file's test expects
// open (the lead's desk scenario, blind review).

function agreeingVerdict(item: ReviewItem): VerdictRequest {
  const labels: Record<string, Judgement> = {};
  for (const c of item.candidates) labels[c.key] = c.key === item.originalLabel!.key ? 'correct' : 'wrong';
  const mistakes = Object.fromEntries(
    item.models.filter((m) => labels[m.predictions[0]!.key] === 'wrong').map((m) => [m.model, { severity: 'Minor' as const, category: item.mistakeCategories[0]! }]),
  );
  return { labels, problematic: null, mistakes, comment: '', baseRevision: 0 };
}

test('the card lists each expert against the final labels with intervals, and asks again only on Refresh', async ({ browser }) => {
  test.setTimeout(60_000);
  const admin = await signedInOnLongList(browser, LONG_LIST_ADMIN);
  const projectId = ProjectList.parse(await (await admin.request.get(longListURL('/api/projects'))).json()).projects[0]!.id;
  const open = await admin.request.get(longListURL(`/api/projects/${projectId}/items?status=open&sort=priority&order=asc&limit=1`));
  const row = ItemBrowserPage.parse(await open.json()).rows[0];
  expect(row, 'the long list has an item nobody judged yet').toBeDefined();
  const experts: string[] = [];
  for (const what of ['rela', 'relb', 'relc']) {
    const account = await newLongListExpert(admin.request, what);
    experts.push(account.username);
    const context = await signedInOnLongList(browser, account);
    const item = ReviewItem.parse(await (await context.request.get(longListURL(`/api/items/${row!.itemId}`))).json());
    const response = await context.request.post(longListURL(`/api/items/${row!.itemId}/verdicts`), { data: agreeingVerdict(item) });
    expect(response.status(), await response.text()).toBe(201);
    await context.close();
  }
  await admin.close();

  const lead = await signedInOnLongList(browser, LONG_LIST_LEAD);
  const page = await lead.newPage();
  const asked: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/expert-reliability')) asked.push(request.url());
  });
  await page.goto(longListURL(`/?project=${projectId}&view=dashboard`));
  const card = page.getByTestId('expert-reliability-card');
  await expect(card.getByRole('heading', { name: 'Expert reliability' })).toBeVisible();
  await expect(card.getByTestId('reliability-summary')).toContainText('Measured against the final labels of');
  await expect(card.getByTestId('reliability-summary')).toContainText('blind verdict counts: their latest revision made before they saw the panel’s verdicts');
  // Each of this file's experts judged the original label correct, which the final labels have present: 1 of 1,
  // whose 95% Wilson interval is [1 / (1 + 1.96²), 1] = [0.21, 1]; and every absent candidate wrong.
  for (const expert of experts) {
    const line = card.locator(`[data-testid="reliability-row"][data-expert="${expert}"]`);
    await expect(line.getByTestId('reliability-sensitivity')).toContainText('1.00 (0.21–1.00)');
    await expect(line.getByTestId('reliability-sensitivity')).toContainText('1 / 1');
    await expect(line.getByTestId('reliability-specificity')).toContainText(/^1\.00 \(0\.\d\d–1\.00\)/);
  }
  // The dashboard polls every 5 s; the card asked once, and asks again only when told to.
  await page.waitForTimeout(6_000);
  expect(asked).toHaveLength(1);
  await card.getByTestId('reliability-refresh').click();
  await expect.poll(() => asked.length).toBe(2);
  await expect(card.getByTestId('reliability-refresh')).toHaveText('Refresh');

  // Gold items: a second reference of the same shape, empty until a lead marks some.
  await card.getByTestId('reliability-reference').selectOption('gold');
  await expect(card.getByTestId('reliability-summary')).toContainText('Measured against gold items: no gold items yet.');
  await expect(card.getByTestId('reliability-empty')).toBeVisible();

  // The CSV, beside the other downloads.
  await expect(page.getByTestId('download-expert-reliability')).toHaveAttribute('href', `/api/projects/${projectId}/exports/expert-reliability`);
  await lead.close();
});
