import {
  CreatedUser,
  type ItemVerdicts,
  ItemVerdicts as ItemVerdictsSchema,
  ProjectList,
  type ReviewItem,
  ReviewItem as ReviewItemSchema,
  type UserAccount,
} from '@bagel/contracts';
import { type APIRequestContext, type BrowserContext, type Page, expect, test } from '@playwright/test';

/** The demo's accounts (`bagel demo` prints them): the password is `bagel-<username>`. */
export const passwordOf = (username: string) => `bagel-${username}`;

/** Signs in through the login form, typing only, and waits for the screen it lands on (the review screen by default). */
export async function logIn(page: Page, username: string, path = '/', landing = 'review-screen'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(passwordOf(username));
  await page.getByLabel('Password').press('Enter');
  await expect(page.getByTestId(landing)).toBeVisible();
}

/** The id of the item on screen. */
export async function shownItemId(page: Page): Promise<number> {
  return Number(await page.getByTestId('review-screen').getAttribute('data-item-id'));
}

/** The item as the signed-in user sees it through the API (same cookies as the page). */
/**
 * Waits until the server has acknowledged every verdict this page submitted (the header says "Saved"): Enter moves on
 * to the next item before a first verdict's answer, so what the server stored is read only after this.
 */
export async function expectVerdictsSaved(page: Page): Promise<void> {
  const state = page.getByTestId('save-state');
  await expect(state).toHaveAttribute('data-pending', '0');
  await expect(state).toHaveAttribute('data-state', 'saved');
}

export async function fetchItem(request: APIRequestContext, itemId: number): Promise<ReviewItem> {
  const response = await request.get(`/api/items/${itemId}`);
  expect(response.status()).toBe(200);
  return ReviewItemSchema.parse(await response.json());
}

export async function fetchVerdicts(request: APIRequestContext, itemId: number): Promise<ItemVerdicts> {
  const response = await request.get(`/api/items/${itemId}/verdicts`);
  expect(response.status()).toBe(200);
  return ItemVerdictsSchema.parse(await response.json());
}

/** Class keys of the candidate rows, in screen order. */
export async function candidateKeys(page: Page): Promise<string[]> {
  return page.getByTestId('candidate-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-key') ?? ''));
}

export async function focusedCandidateIndex(page: Page): Promise<number> {
  return page.getByTestId('candidate-row').evaluateAll((rows) => rows.findIndex((row) => row.getAttribute('data-focused') === 'true'));
}

/** Moves the candidate focus with j/k only. */
export async function focusCandidate(page: Page, targetIndex: number): Promise<void> {
  const current = await focusedCandidateIndex(page);
  const key = targetIndex > current ? 'j' : 'k';
  for (let i = 0; i < Math.abs(targetIndex - current); i++) await page.keyboard.press(key);
  await expect(page.getByTestId('candidate-row').nth(targetIndex)).toHaveAttribute('data-focused', 'true');
}

/**
 * Grades every model whose top-1 is a mistake under the current judgements, with the keyboard: focus its top-1
 * candidate (j/k), then the severity key and the category key. Returns the models graded, in order.
 */
export async function gradeMistakesWithKeys(page: Page, severityKey: '1' | '2' | '3', categoryKey: '4' | '5' | '6' | '7'): Promise<string[]> {
  const graded: string[] = [];
  for (;;) {
    const ungraded = page.locator('[data-testid="model-card"][data-graded="false"]').first();
    if ((await ungraded.count()) === 0) return graded;
    const top1 = (await ungraded.getAttribute('data-top1')) ?? '';
    const keys = await candidateKeys(page);
    await focusCandidate(page, keys.indexOf(top1));
    const focusedModel = page.locator('[data-testid="model-card"][data-focused="true"]');
    const model = (await focusedModel.getAttribute('data-model')) ?? '';
    await page.keyboard.press(severityKey);
    await page.keyboard.press(categoryKey);
    await expect(page.locator(`[data-testid="model-card"][data-model="${model}"]`)).toHaveAttribute('data-graded', 'true');
    graded.push(model);
  }
}

/** The source of the image on screen, or null while the item has none (missing file). */
export async function shownImageSrc(page: Page): Promise<string | null> {
  const image = page.getByTestId('review-image');
  return (await image.count()) > 0 ? image.getAttribute('src') : null;
}

/** Signs in through the API alone (no page), and checks the answer's status (200 unless said). */
export async function signInThroughApi(request: APIRequestContext, username: string, password = passwordOf(username), status = 200): Promise<void> {
  const response = await request.post('/api/auth/login', { data: { username, password } });
  expect(response.status(), `signing in as ${username}`).toBe(status);
}

/** The demo's project. */
export async function demoProjectId(request: APIRequestContext): Promise<number> {
  const response = await request.get('/api/projects');
  expect(response.status()).toBe(200);
  return ProjectList.parse(await response.json()).projects[0]!.id;
}

/**
 * Accounts of a spec file's own. The demo database is shared by every file of the run, so no test changes a demo
 * account: each adds users named with this run's stamp, through the demo admin's API session, and every user added is
 * deactivated once the file is done (which also gives back the items the review screen claimed for them). Call it at
 * the top level of a spec file: it registers the file's beforeAll and afterAll.
 */
export function freshAccounts(prefix: string) {
  const stamp = Date.now().toString(36);
  let serial = 0;
  let adminContext: BrowserContext | undefined;
  let adminApi: APIRequestContext | undefined;
  const added: UserAccount[] = [];

  test.beforeAll(async ({ browser }) => {
    adminContext = await browser.newContext();
    adminApi = adminContext.request;
    await signInThroughApi(adminApi, 'admin');
  });
  test.afterAll(async () => {
    for (const user of added) {
      const response = await adminApi!.patch(`/api/users/${user.id}`, { data: { active: false } });
      expect(response.status(), `deactivating ${user.username}`).toBe(200);
    }
    await adminContext?.close();
  });

  const name = (what: string) => `e2e-${prefix}-${what}-${stamp}-${++serial}`;
  const admin = (): APIRequestContext => {
    if (!adminApi) throw new Error('freshAccounts: the admin session opens in beforeAll');
    return adminApi;
  };

  return {
    /** This run's stamp, in every name made here. */
    stamp,
    /** A user name of this run, unique within it. */
    name,
    /** The demo admin's API session. */
    get admin(): APIRequestContext {
      return admin();
    },
    /** To deactivate at the end a user added some other way (through the page). */
    track(user: UserAccount): void {
      added.push(user);
    },
    /** Adds a user through the API; with the demo's password rule (`bagel-<name>`) unless a password is given. */
    async add(what: string, role: UserAccount['role'] = 'expert', password?: string): Promise<{ username: string; user: UserAccount }> {
      const username = name(what);
      const response = await admin().post('/api/users', { data: { username, role, password: password ?? passwordOf(username) } });
      expect(response.status(), `adding ${username}`).toBe(201);
      const created = CreatedUser.parse(await response.json());
      expect(created.password).toBeNull();
      added.push(created.user);
      return { username, user: created.user };
    },
  };
}
