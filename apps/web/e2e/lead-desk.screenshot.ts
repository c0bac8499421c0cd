import { DeskItem, type Judgement, ReviewItem, type VerdictRequest } from '@bagel/contracts';
import { type APIRequestContext, type Page, expect, request as requestFactory, test } from '@playwright/test';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logIn, passwordOf } from './support';

// `npm run screenshots`: docs/lead-desk.png, docs/dashboard.png and docs/users.png from the demo, after a panel of three has judged
// most of it through the API. Chelsea and the espresso stay untouched for review-screen.screenshot.ts.

const docs = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../docs');

interface Plan {
  correct?: string[];
  unclear?: string[];
  /** Grade per model name of each mistake, or one grade for all of them. */
  grade?: Record<string, { severity: 'Major' | 'Minor' | 'Borderline'; category: string }>;
  problematic?: string;
  comment?: string;
}

async function signedIn(baseURL: string, username: string): Promise<APIRequestContext> {
  const context = await requestFactory.newContext({ baseURL });
  expect((await context.post('/api/auth/login', { data: { username, password: passwordOf(username) } })).status()).toBe(200);
  return context;
}

async function itemByFile(api: APIRequestContext, file: string): Promise<ReviewItem> {
  for (let id = 1; id <= 50; id++) {
    const response = await api.get(`/api/items/${id}`);
    if (response.status() !== 200) continue;
    const item = ReviewItem.parse(await response.json());
    if (item.image.file === file) return item;
  }
  throw new Error(`no demo item shows ${file}`);
}

const keyOf = (item: ReviewItem, name: string): string => {
  const found = item.candidates.find((c) => c.names[0] === name);
  if (!found) throw new Error(`${item.image.file} has no candidate "${name}"`);
  return found.key;
};

/** A verdict judging every candidate: the named ones correct or unclear, the rest wrong, and each mistake graded. */
function verdict(item: ReviewItem, plan: Plan): VerdictRequest {
  const labels: Record<string, Judgement> = {};
  for (const c of item.candidates) labels[c.key] = 'wrong';
  for (const name of plan.correct ?? []) labels[keyOf(item, name)] = 'correct';
  for (const name of plan.unclear ?? []) labels[keyOf(item, name)] = 'unclear';
  const mistakes: VerdictRequest['mistakes'] = {};
  for (const model of item.models) {
    if (labels[model.predictions[0]!.key] !== 'wrong') continue;
    const grade = plan.grade?.[model.model] ?? plan.grade?.['*'];
    if (!grade) throw new Error(`${item.image.file}: no grade for ${model.model}`);
    mistakes[model.model] = grade;
  }
  return { labels, problematic: plan.problematic ? { reason: plan.problematic } : null, mistakes, comment: plan.comment ?? '', baseRevision: 0 };
}

async function judge(api: APIRequestContext, file: string, plan: Plan): Promise<ReviewItem> {
  const item = await itemByFile(api, file);
  const response = await api.post(`/api/items/${item.id}/verdicts`, { data: verdict(item, plan) });
  expect(response.status(), await response.text()).toBe(201);
  return item;
}

async function waitForImages(page: Page): Promise<void> {
  await expect
    .poll(() => page.locator('img').evaluateAll((images) => images.every((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0)))
    .toBe(true);
}

test('docs/lead-desk.png, docs/dashboard.png and docs/users.png show the desk mid-decision, the live dashboard and the accounts', async ({ page, browser, baseURL }) => {
  test.setTimeout(90_000);
  const url = baseURL ?? '';
  const experts = await Promise.all(['expert1', 'expert2', 'expert3'].map((name) => signedIn(url, name)));
  const [e1, e2, e3] = experts as [APIRequestContext, APIRequestContext, APIRequestContext];
  const M = (severity: 'Major' | 'Minor' | 'Borderline', category: string) => ({ severity, category });

  // Agreed panels: the same verdict three times.
  for (const api of experts) {
    await judge(api, 'rocket.jpg', { correct: ['missile', 'projectile'], grade: { '*': M('Major', 'Spurious Correlation') } });
    await judge(api, 'clock_motion.png', { correct: ['wall clock', 'analog clock'] });
    await judge(api, 'hubble_deep_field.jpg', {
      grade: {
        'Demo model A (illustrative)': M('Major', 'Non-prototypical'),
        'Demo model B (illustrative)': M('Major', 'Non-prototypical'),
        'Demo model C (illustrative)': M('Major', 'Fine-grained error'),
      },
    });
    await judge(api, 'astronaut.png', { correct: ['space shuttle', 'oxygen mask'], grade: { '*': M('Minor', 'Fine-grained error') } });
  }
  // A disputed camera, which the lead decides.
  await judge(e1, 'camera.png', { correct: ['tripod', 'reflex camera'] });
  await judge(e2, 'camera.png', { correct: ['tripod'], grade: { '*': M('Minor', 'Fine-grained error') } });
  const camera = await judge(e3, 'camera.png', { correct: ['tripod'], unclear: ['reflex camera'] });
  // Half a panel on the palace.
  await judge(e1, 'china.jpg', { correct: ['palace', 'tile roof'], grade: { '*': M('Minor', 'Fine-grained error') } });
  await judge(e2, 'china.jpg', { correct: ['palace', 'monastery'] });
  // Grace Hopper, for the desk: the suit splits the panel, and so does the severity of model B's bow tie.
  await judge(e1, 'grace_hopper.jpg', {
    correct: ['military uniform', 'Windsor tie'],
    unclear: ['suit'],
    grade: { '*': M('Minor', 'Fine-grained error') },
    comment: 'A plain dark tie, not a bow tie. Jacket of a uniform, so “suit” is a stretch.',
  });
  await judge(e2, 'grace_hopper.jpg', { correct: ['military uniform', 'Windsor tie'], grade: { '*': M('Major', 'Fine-grained error') } });
  const grace = await judge(e3, 'grace_hopper.jpg', {
    correct: ['military uniform', 'Windsor tie', 'suit'],
    grade: { '*': M('Borderline', 'Spurious Correlation') },
    comment: 'Uniform jacket over a shirt and tie: suit counts to me.',
  });
  for (const [api, body] of [
    [e1, 'Is a uniform jacket a “suit” for ImageNet? I left it unclear.'],
    [e3, 'The synset gloss says “a set of garments … of the same fabric”: a uniform qualifies.'],
  ] as const) {
    expect((await api.post(`/api/items/${grace.id}/discussion`, { data: { body } })).status()).toBe(201);
  }
  for (const api of experts) await api.dispose();

  const lead = page.request;
  expect((await lead.post('/api/auth/login', { data: { username: 'lead', password: passwordOf('lead') } })).status()).toBe(200);
  const cameraFinal = {
    labels: Object.fromEntries(camera.candidates.map((c) => [c.key, c.names[0] === 'tripod' || c.names[0] === 'reflex camera' ? 'correct' : 'wrong'])),
    problematic: null,
    mistakes: {},
    note: 'The camera on the tripod is a reflex camera: both labels hold.',
    baseDecision: 0,
    // Decided on the panel as the desk shows it.
    basePanelVersion: DeskItem.parse(await (await lead.get(`/api/items/${camera.id}/desk`)).json()).panelVersion,
  };
  const decided = await lead.post(`/api/items/${camera.id}/decisions`, { data: cameraFinal });
  expect(decided.status(), await decided.text()).toBe(201);

  // The desk, mid-decision: the suit decided correct, the focus on it.
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`/?view=desk&item=${grace.id}`);
  await expect(page.getByTestId('desk-item')).toHaveAttribute('data-item-id', String(grace.id));
  await expect(page.getByTestId('discussion-message')).toHaveCount(2);
  const rows = page.getByTestId('desk-class-row');
  const keys = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-key') ?? ''));
  const suit = keys.indexOf(keyOf(grace, 'suit'));
  for (let i = 0; i < suit; i++) await page.keyboard.press('j');
  await page.keyboard.press('c');
  await page.keyboard.press('k');
  await waitForImages(page);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: resolve(docs, 'lead-desk.png') });

  await page.getByTestId('nav-dashboard').click();
  await expect(page.getByTestId('scoreboard-row')).toHaveCount(3);
  await expect(page.getByTestId('count-final').locator('dd')).toHaveText('1');
  await page.mouse.move(0, 0);
  await page.screenshot({ path: resolve(docs, 'dashboard.png'), fullPage: true });

  // The admin's accounts page, once the panel has judged: who is active and how much each has judged.
  const admin = await browser.newPage({ baseURL, viewport: { width: 1440, height: 720 } });
  await logIn(admin, 'admin', '/', 'dashboard');
  await admin.goto('/?page=users');
  await expect(admin.getByTestId('user-row')).toHaveCount(5);
  await admin.mouse.move(0, 0);
  await admin.screenshot({ path: resolve(docs, 'users.png') });
  await admin.close();
});
