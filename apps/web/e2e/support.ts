import { type ItemVerdicts, ItemVerdicts as ItemVerdictsSchema, type ReviewItem, ReviewItem as ReviewItemSchema } from '@bagel/contracts';
import { type APIRequestContext, type Page, expect } from '@playwright/test';

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
