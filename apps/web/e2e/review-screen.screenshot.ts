import { type APIRequestContext, expect, test } from '@playwright/test';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { focusCandidate, gradeMistakesWithKeys, passwordOf } from './support';

const output = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../docs/review-screen.png');
const WANTED = ['chelsea.png', 'coffee.png'];

/** The id of the demo item showing one of the wanted photos (ids are small: the demo has thirteen images). */
async function findItem(request: APIRequestContext): Promise<number> {
  expect((await request.post('/api/auth/login', { data: { username: 'expert3', password: passwordOf('expert3') } })).status()).toBe(200);
  for (const file of WANTED) {
    for (let id = 1; id <= 50; id++) {
      const response = await request.get(`/api/items/${id}`);
      if (response.status() === 200 && ((await response.json()) as { image: { file: string } }).image.file === file) return id;
    }
  }
  throw new Error(`no demo item shows ${WANTED.join(' or ')}`);
}

// `npm run screenshots`: the review screen of the demo as the README shows it, mid-review of the cat (or the espresso).
test('docs/review-screen.png shows the demo review screen mid-review', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  // Signed in through the API: the page shares its cookies.
  const itemId = await findItem(page.request);
  await page.goto(`/?item=${itemId}`);
  await expect(page.getByTestId('review-screen')).toBeVisible();
  const image = page.getByTestId('review-image');
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

  // The original label is right; the next two candidates are judged wrong, and the models whose top-1 that makes a
  // mistake are graded Minor, fine-grained; one class is left unclear, the rest not judged yet.
  await page.keyboard.press('c');
  await page.keyboard.press('w');
  await page.keyboard.press('w');
  await gradeMistakesWithKeys(page, '2', '4');
  await page.keyboard.press('u');
  await focusCandidate(page, 1);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: output });
});
