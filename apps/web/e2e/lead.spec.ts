import { DeskItem, type Judgement, LeadQueue, type ReviewItem } from '@bagel/contracts';
import { type APIRequestContext, type Browser, type Page, expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { candidateKeys, expectVerdictsSaved, fetchItem, focusCandidate, gradeMistakesWithKeys, logIn, passwordOf } from './support';

// The demo database is shared by every test of the run (one worker, files in alphabetical order, so this file runs
// before review.spec.ts). These tests work on one item that review.spec.ts never reaches: horse.png, last in every
// expert's queue (one model wrong, with the lowest score), opened directly with ?item=ID. Its panel is complete once
// the three experts have judged it, so no queue hands it out afterwards.

const FILE = 'horse.png';
const MESSAGE = 'Model B says ox: I read the animal as a sorrel horse, but the left edge is cut. Is that a second animal?';
const LEAD_NOTE = 'Sorrel only; the ox is a wrong guess, and the low-ranked class is hard to rule out.';

interface Scenario {
  itemId: number;
  item: ReviewItem;
  /** The original label (sorrel), judged correct by everyone. */
  original: string;
  /** Top-1 of the one model that is wrong before review (ox): the class the panel splits on. */
  disputedKey: string;
  disputedModel: ReviewItem['models'][number];
  /** A class every expert judged wrong, which the lead decides unclear. */
  leadUnclearKey: string;
}

async function signInThroughApi(request: APIRequestContext, username: string): Promise<void> {
  expect((await request.post('/api/auth/login', { data: { username, password: passwordOf(username) } })).status()).toBe(200);
}

async function findScenario(request: APIRequestContext): Promise<Scenario> {
  await signInThroughApi(request, 'lead');
  for (let id = 1; id <= 50; id++) {
    const response = await request.get(`/api/items/${id}`);
    if (response.status() !== 200) continue;
    const item = await fetchItem(request, id);
    if (item.image.file !== FILE) continue;
    const disputedModel = item.models.find((m) => m.top1IsMistake);
    expect(disputedModel, 'one demo model is wrong on horse.png').toBeDefined();
    const disputedKey = disputedModel!.predictions[0]!.key;
    const others = item.candidates.map((c) => c.key).filter((key) => key !== item.originalLabel!.key && key !== disputedKey);
    expect(others.length).toBeGreaterThan(0);
    return { itemId: id, item, original: item.originalLabel!.key, disputedKey, disputedModel: disputedModel!, leadUnclearKey: others.at(-1)! };
  }
  throw new Error(`no demo item shows ${FILE}`);
}

/** Judges the open item with the keyboard: the original label correct, the disputed class as given, the rest wrong. */
async function judgeInBrowser(page: Page, scenario: Scenario, disputedJudgement: 'c' | 'w' | 'u'): Promise<void> {
  await expect(page.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(scenario.itemId));
  const keys = await candidateKeys(page);
  expect(keys[0]).toBe(scenario.original);
  await page.keyboard.press('c');
  await focusCandidate(page, keys.indexOf(scenario.disputedKey));
  await page.keyboard.press(disputedJudgement);
  await page.keyboard.press('W');
  await gradeMistakesWithKeys(page, '1', '7');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(scenario.itemId));
  await expectVerdictsSaved(page);
}

async function newSignedInPage(browser: Browser, username: string, path: string, landing?: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await logIn(page, username, path, landing);
  return page;
}

async function deskRowKeys(page: Page): Promise<string[]> {
  return page.getByTestId('desk-class-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-key') ?? ''));
}

/** Moves the desk's class focus with j/k only. */
async function focusDeskRow(page: Page, target: number): Promise<void> {
  const rows = page.getByTestId('desk-class-row');
  const current = await rows.evaluateAll((els) => els.findIndex((el) => el.getAttribute('data-focused') === 'true'));
  const key = target > current ? 'j' : 'k';
  for (let i = 0; i < Math.abs(target - current); i++) await page.keyboard.press(key);
  await expect(rows.nth(target)).toHaveAttribute('data-focused', 'true');
}

async function expectEveryControlNamed(page: Page): Promise<void> {
  for (const role of ['button', 'link', 'textbox', 'checkbox', 'combobox'] as const) {
    for (const control of await page.getByRole(role).all()) await expect(control).toHaveAccessibleName(/\S/);
  }
}

test.describe.serial('panel consensus: three experts disagree, the lead decides, the export carries it', () => {
  let scenario: Scenario;
  let decided: Record<string, Judgement>;

  test('three experts split on the same item in the browser; the discussion opens to each only after their own verdict', async ({ browser, request }) => {
    test.setTimeout(60_000);
    scenario = await findScenario(request);
    const link = `/?item=${scenario.itemId}`;

    // expert1 judges the model's top-1 correct, then comes back to the item and writes to the panel.
    const first = await newSignedInPage(browser, 'expert1', link);
    await expect(first.getByTestId('discussion')).toHaveCount(0);
    await judgeInBrowser(first, scenario, 'c');
    await first.getByTestId('previous-item').click();
    await expect(first.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(scenario.itemId));
    await expect(first.getByTestId('item-id')).toContainText('revising r1');
    const thread = first.getByTestId('discussion');
    await expect(thread.getByTestId('discussion-empty')).toBeVisible();
    await thread.getByRole('textbox', { name: 'Message to the panel and the lead' }).fill(MESSAGE);
    await thread.getByRole('button', { name: 'Post' }).click();
    await expect(thread.getByTestId('discussion-message')).toHaveCount(1);
    await expect(thread.getByTestId('discussion-message')).toContainText(MESSAGE);
    await first.context().close();

    // expert2 has no verdict on it yet: nothing of the thread, and the page does not even ask for it.
    const asked: string[] = [];
    const second = await (await browser.newContext()).newPage();
    second.on('request', (r) => {
      if (r.url().includes('/discussion')) asked.push(r.url());
    });
    await logIn(second, 'expert2', link);
    await expect(second.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(scenario.itemId));
    await expect(second.getByTestId('discussion')).toHaveCount(0);
    await expect(second.locator('body')).not.toContainText(MESSAGE);
    expect(asked).toEqual([]);
    expect((await second.request.get(`/api/items/${scenario.itemId}/discussion`)).status()).toBe(403);
    // expert2 judges it wrong (so grades model B's mistake), then the thread is theirs to read.
    await judgeInBrowser(second, scenario, 'w');
    await second.goto(link);
    await expect(second.getByTestId('discussion').getByTestId('discussion-message')).toContainText(MESSAGE);
    await second.context().close();

    // expert3 cannot tell: the class has one vote of each, and the item is disputed.
    const third = await newSignedInPage(browser, 'expert3', link);
    await judgeInBrowser(third, scenario, 'u');
    await third.context().close();

    await signInThroughApi(request, 'lead');
    const desk = DeskItem.parse(await (await request.get(`/api/items/${scenario.itemId}/desk`)).json());
    expect(desk.item.status).toBe('disputed');
    expect(desk.verdicts.map((v) => v.expert).toSorted()).toEqual(['expert1', 'expert2', 'expert3']);
    expect(desk.consensus.disputes).toContainEqual(expect.objectContaining({ kind: 'class', classKey: scenario.disputedKey }));
  });

  test('the lead lands on the desk, finds the item in its queue, sees the verdicts side by side and the discussion, and finalizes a decision of their own', async ({ page }) => {
    await logIn(page, 'lead', '/', 'lead-desk');
    await expect(page.getByTestId('nav-desk')).toHaveAttribute('aria-current', 'page');
    const entry = page.locator(`[data-testid="queue-entry"][data-item-id="${scenario.itemId}"]`);
    await expect(entry).toBeVisible();
    await expect(entry).toContainText(FILE);
    await expect(entry).toContainText('disputed');
    await entry.click();
    const desk = page.getByTestId('desk-item');
    await expect(desk).toHaveAttribute('data-item-id', String(scenario.itemId));
    await expect(page).toHaveURL(new RegExp(`view=desk.*item=${scenario.itemId}`));

    // Every verdict side by side, the disputed class highlighted with its votes, the panel's reasons, the message.
    const table = page.getByTestId('panel-table');
    for (const expert of ['expert1', 'expert2', 'expert3']) await expect(table.locator('thead')).toContainText(expert);
    const disputedRow = page.locator(`[data-testid="desk-class-row"][data-key="${scenario.disputedKey}"]`);
    await expect(disputedRow).toHaveAttribute('data-disputed', 'true');
    await expect(disputedRow.locator('[data-expert="expert1"]')).toHaveAttribute('data-judgement', 'correct');
    await expect(disputedRow.locator('[data-expert="expert2"]')).toHaveAttribute('data-judgement', 'wrong');
    await expect(disputedRow.locator('[data-expert="expert3"]')).toHaveAttribute('data-judgement', 'unclear');
    await expect(disputedRow).toContainText('1C 1W 1U');
    // The decision starts from the aggregate: the agreed classes decided, the disputed one waiting.
    await expect(page.locator(`[data-testid="desk-class-row"][data-key="${scenario.original}"]`)).toHaveAttribute('data-decision', 'correct');
    await expect(disputedRow).toHaveAttribute('data-decision', '');
    await expect(page.getByTestId('disputes')).toBeVisible();
    await expect(page.getByTestId('decision-blockers')).toContainText('Decide the class');
    await expect(page.getByTestId('finalize')).toBeDisabled();
    await expect(page.getByTestId('discussion').getByTestId('discussion-message')).toContainText(MESSAGE);
    await expectEveryControlNamed(page);

    // From here on the keyboard decides: the disputed class wrong, a class all three said wrong unclear.
    const keys = await deskRowKeys(page);
    await focusDeskRow(page, keys.indexOf(scenario.disputedKey));
    await page.keyboard.press('w');
    await expect(disputedRow).toHaveAttribute('data-decision', 'wrong');
    await focusDeskRow(page, keys.indexOf(scenario.leadUnclearKey));
    await page.keyboard.press('u');
    // The disputed class decided wrong makes model B's top-1 a mistake: its grade starts from expert2's, the lead
    // lowers the severity.
    const modelName = scenario.disputedModel.displayName;
    await expect(page.getByRole('button', { name: `${modelName}: severity Major` })).toHaveAttribute('aria-pressed', 'true');
    await page.getByRole('button', { name: `${modelName}: severity Minor` }).click();
    await expect(page.getByRole('combobox', { name: `Category of the mistake of ${modelName}` })).toHaveValue('Non-prototypical');
    await page.keyboard.press('m');
    await page.keyboard.type(LEAD_NOTE);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('finalize')).toBeEnabled();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('desk-notice')).toContainText(`Item ${scenario.itemId} finalized`);
    await expect(entry).toHaveCount(0);

    const stored = DeskItem.parse(await (await page.request.get(`/api/items/${scenario.itemId}/desk`)).json());
    expect(stored.item.status).toBe('final');
    expect(stored.decisions).toHaveLength(1);
    expect(stored.decisions[0]).toMatchObject({ sequence: 1, kind: 'finalize', lead: 'lead', note: LEAD_NOTE });
    decided = Object.fromEntries(keys.map((key) => [key, key === scenario.original ? 'correct' : key === scenario.leadUnclearKey ? 'unclear' : 'wrong']));
    expect(stored.final).toEqual({
      labels: decided,
      problematic: null,
      mistakes: { [scenario.disputedModel.model]: { severity: 'Minor', category: 'Non-prototypical' } },
    });

    // The decided item is in the lead's "Final" list, with its history.
    await page.getByTestId('queue-filter-final').click();
    await entry.click();
    await expect(desk).toHaveAttribute('data-status', 'final');
    await expect(page.getByTestId('history-entry')).toHaveCount(1);
    await expect(page.getByTestId('history-entry')).toContainText('lead finalized');
    await expect(page.getByTestId('history-entry')).toContainText(LEAD_NOTE);
    // Every judgement of the decision, the class decided unclear included.
    const nameOf = (key: string) => scenario.item.candidates.find((c) => c.key === key)?.names[0] ?? key;
    const judgements = page.getByTestId('history-entry').getByTestId('history-judgement');
    await expect(judgements.and(page.locator('[data-judgement="correct"]'))).toContainText(nameOf(scenario.original));
    await expect(judgements.and(page.locator('[data-judgement="unclear"]'))).toContainText(nameOf(scenario.leadUnclearKey));
    await expect(judgements.and(page.locator('[data-judgement="wrong"]'))).toContainText(nameOf(scenario.disputedKey));
    await expect(page.getByTestId('override')).toBeDisabled();
    await expect(page.getByTestId('reopen')).toBeEnabled();
  });

  test('the human-accuracy-v3 file downloaded from the dashboard carries the lead’s decision', async ({ page }) => {
    await logIn(page, 'lead', '/?view=dashboard', 'dashboard');
    await expect(page.getByTestId('count-final').locator('dd')).not.toHaveText('0');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-human-accuracy-v3').click()]);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8')) as {
      initial_annots: Record<string, Partial<Record<Judgement, string[]>>>;
      problematic_images: Record<string, unknown>;
      imagenet_m: string[];
    };
    const byJudgement = (j: Judgement) => Object.keys(decided).filter((key) => decided[key] === j).toSorted();
    const annots = exported.initial_annots[FILE];
    expect(annots).toBeDefined();
    expect(annots!.correct?.toSorted()).toEqual(byJudgement('correct'));
    expect(annots!.wrong?.toSorted()).toEqual(byJudgement('wrong'));
    expect(annots!.unclear?.toSorted()).toEqual(byJudgement('unclear'));
    expect(annots!.correct).not.toContain(scenario.disputedKey);
    expect(exported.problematic_images[FILE]).toBeUndefined();
    // The whole corrected set: every image of the demo, judged or not; the scoreboard counts those each model ranks
    // (not the two copies of the cat photograph, which no demo model ranks).
    await expect(page.getByTestId('ranked-images')).toHaveText(Array(3).fill('11 of 13 images'));
    expect(Object.keys(exported.initial_annots)).toHaveLength(13);

    // Only the reviewed images, on request.
    const [reviewed] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-human-accuracy-v3-reviewed').click()]);
    expect(reviewed.suggestedFilename()).toMatch(/-human-accuracy-v3-reviewed\.json$/);
    const subset = JSON.parse(await readFile(await reviewed.path(), 'utf8')) as { initial_annots: Record<string, unknown> };
    expect(subset.initial_annots[FILE]).toEqual(annots);
    expect(Object.keys(subset.initial_annots).length).toBeLessThan(13);
  });

  test('a decision taken meanwhile is never overwritten: the desk shows the 409 and reloads; the lead then reopens and decides again', async ({ page }) => {
    await logIn(page, 'lead', `/?view=desk&item=${scenario.itemId}`, 'lead-desk');
    const desk = page.getByTestId('desk-item');
    await expect(desk).toHaveAttribute('data-status', 'final');
    await expect(page.getByTestId('history-entry')).toHaveCount(1);

    // Another tab of the lead overrides first: the class decided unclear goes back to wrong.
    const model = scenario.disputedModel.model;
    const elsewhere = {
      labels: { ...decided, [scenario.leadUnclearKey]: 'wrong' },
      problematic: null,
      mistakes: { [model]: { severity: 'Minor', category: 'Non-prototypical' } },
      note: 'from another tab',
      baseDecision: 1,
      basePanelVersion: DeskItem.parse(await (await page.request.get(`/api/items/${scenario.itemId}/desk`)).json()).panelVersion,
    };
    expect((await page.request.post(`/api/items/${scenario.itemId}/decisions`, { data: elsewhere })).status()).toBe(201);

    // This page still stands on decision 1: its override is refused, said so, and the desk reloads with decision 2.
    const keys = await deskRowKeys(page);
    await focusDeskRow(page, keys.indexOf(scenario.disputedKey));
    await page.keyboard.press('c');
    await page.getByTestId('override').click();
    await expect(page.getByTestId('desk-notice')).toContainText('reloaded');
    await expect(page.getByTestId('history-entry')).toHaveCount(2);
    await expect(page.getByTestId('history-entry').first()).toContainText('from another tab');
    // The override took the class decided unclear back to wrong: the history says so.
    await expect(page.getByTestId('history-entry').first().locator('[data-judgement="unclear"]')).toHaveCount(0);
    await expect(page.getByTestId('history-entry').nth(1).locator('[data-judgement="unclear"]')).toHaveCount(1);
    await expect(page.locator(`[data-testid="desk-class-row"][data-key="${scenario.disputedKey}"]`)).toHaveAttribute('data-decision', 'wrong');
    await expect(page.locator(`[data-testid="desk-class-row"][data-key="${scenario.leadUnclearKey}"]`)).toHaveAttribute('data-decision', 'wrong');

    // Reopened, the item is disputed again and its draft starts from the panel: the split class waits for the lead.
    await page.getByTestId('reopen').click();
    await expect(page.getByTestId('desk-notice')).toContainText(`Item ${scenario.itemId} reopened`);
    await expect(desk).toHaveAttribute('data-status', 'disputed');
    await expect(page.getByTestId('history-entry').first()).toHaveAttribute('data-kind', 'reopen');
    const disputedRow = page.locator(`[data-testid="desk-class-row"][data-key="${scenario.disputedKey}"]`);
    await expect(disputedRow).toHaveAttribute('data-decision', '');
    // It is in the "All" list too, disputed items included; on every list the header counts the disputed items.
    const entry = page.locator(`[data-testid="queue-entry"][data-item-id="${scenario.itemId}"]`);
    const projectId = scenario.item.projectId;
    const disputedTotal = LeadQueue.parse(await (await page.request.get(`/api/projects/${projectId}/lead/queue?status=disputed`)).json()).total;
    expect(disputedTotal).toBeGreaterThan(0);
    const counter = `${disputedTotal} disputed item${disputedTotal === 1 ? '' : 's'} to decide`;
    await page.getByTestId('queue-filter-all').click();
    await expect(entry).toHaveAttribute('data-status', 'disputed');
    await expect(page.getByTestId('desk-progress')).toHaveText(counter);
    await page.getByTestId('queue-filter-final').click();
    await expect(entry).toHaveCount(0);
    await expect(page.getByTestId('desk-progress')).toHaveText(counter);
    await page.getByTestId('queue-filter-disputed').click();
    // Back in the queue; opened from there with the mouse, the keys still decide and Enter finalizes (the queue's
    // button clicked does not take Enter for itself).
    await entry.click();
    await expect(entry).toHaveAttribute('aria-current', 'true');
    await focusDeskRow(page, keys.indexOf(scenario.disputedKey));
    await page.keyboard.press('w');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('desk-notice')).toContainText(`Item ${scenario.itemId} finalized`);

    const stored = DeskItem.parse(await (await page.request.get(`/api/items/${scenario.itemId}/desk`)).json());
    expect(stored.item.status).toBe('final');
    expect(stored.decisions.map((d) => d.kind)).toEqual(['finalize', 'override', 'reopen', 'finalize']);
    expect(stored.final?.labels[scenario.disputedKey]).toBe('wrong');
    // expert2's grade, the panel's only one, was the starting point of the new decision.
    expect(stored.final?.mistakes).toEqual({ [model]: { severity: 'Major', category: 'Non-prototypical' } });
  });
});

test('an expert has no desk: the app shows none, and the API refuses the lead’s routes', async ({ page }) => {
  await logIn(page, 'expert3', '/?view=desk');
  await expect(page.getByTestId('lead-desk')).toHaveCount(0);
  await expect(page.getByTestId('nav-desk')).toHaveCount(0);
  // The expert's views: the review, their own verdicts and the guide, nothing of the lead's.
  await expect(page.getByRole('navigation', { name: 'Views' }).getByRole('link')).toHaveText(['Review', 'My verdicts', 'Guide']);
  const projectId = (await fetchItem(page.request, 1)).projectId;
  expect((await page.request.get(`/api/projects/${projectId}/lead/queue`)).status()).toBe(403);
  expect((await page.request.get('/api/items/1/desk')).status()).toBe(403);
  expect((await page.request.get(`/api/projects/${projectId}/dashboard`)).status()).toBe(403);
  expect((await page.request.get(`/api/projects/${projectId}/exports/human-accuracy-v3`)).status()).toBe(403);
  const decision = { labels: {}, problematic: null, mistakes: {}, note: '', baseDecision: 0, basePanelVersion: 0 };
  expect((await page.request.post('/api/items/1/decisions', { data: decision })).status()).toBe(403);
});

test('an admin lands on the dashboard, sets the quorum, and reads the desk without deciding', async ({ page }) => {
  await logIn(page, 'admin', '/', 'dashboard');
  await expect(page.getByTestId('nav-review')).toHaveCount(0);
  // Unanimity and back: Apply asks first (Cancel, or Esc, changes nothing); then the server re-aggregates with each,
  // and the dashboard says what q is now.
  const quorum = page.getByTestId('quorum-setting');
  const settings: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'PATCH' && r.url().endsWith('/settings')) settings.push(r.url());
  });
  await quorum.getByRole('combobox', { name: 'Quorum rule' }).selectOption('unanimity');
  await quorum.getByRole('button', { name: 'Apply' }).click();
  const confirm = quorum.getByTestId('quorum-confirm');
  await expect(confirm).toContainText('Change the quorum from a strict majority (2 of 3) to unanimity (3 of 3)?');
  await expect(confirm.getByRole('button', { name: 'Yes, change the quorum' })).toBeFocused();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toHaveCount(0);
  await quorum.getByRole('button', { name: 'Apply' }).click();
  await page.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);
  await expect(page.getByTestId('agreement-card')).toContainText('strict majority (2 of 3)');
  expect(settings).toEqual([]);
  await quorum.getByRole('button', { name: 'Apply' }).click();
  await confirm.getByRole('button', { name: 'Yes, change the quorum' }).click();
  await expect(quorum.getByRole('status')).toContainText('q = 3 of 3');
  expect(settings).toHaveLength(1);
  await expect(page.getByTestId('agreement-card')).toContainText('unanimity (3 of 3)');
  await quorum.getByRole('combobox', { name: 'Quorum rule' }).selectOption('majority');
  await quorum.getByRole('button', { name: 'Apply' }).click();
  await confirm.getByRole('button', { name: 'Yes, change the quorum' }).click();
  await expect(quorum.getByRole('status')).toContainText('q = 2 of 3');
  await expect(page.getByTestId('agreement-card')).toContainText('strict majority (2 of 3)');
  await page.getByTestId('nav-desk').click();
  await expect(page.getByTestId('lead-desk')).toBeVisible();
  await page.getByTestId('queue-filter-all').click();
  await page.getByTestId('queue-entry').first().click();
  await expect(page.getByTestId('desk-item')).toBeVisible();
  await expect(page.getByTestId('desk-read-only')).toBeVisible();
  await expect(page.getByTestId('finalize')).toHaveCount(0);
  await expect(page.getByTestId('override')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Decide / })).toHaveCount(0);
  await page.getByTestId('nav-major-slice').click();
  await expect(page.getByTestId('major-slice')).toBeVisible();
  await expect(page.getByRole('checkbox')).toHaveCount(3);
  await expectEveryControlNamed(page);
});
