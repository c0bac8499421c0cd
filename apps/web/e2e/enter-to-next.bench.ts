import { type Page, expect, test } from '@playwright/test';
import { round, summary } from './bench-stats';
import { gradeMistakesWithKeys, logIn } from './support';

const ITEMS = 8;

declare global {
  interface Window {
    /** Resolves with the milliseconds from the Enter keydown to the frame after the next item's image is shown. */
    enterToNextImage?: Promise<number>;
    /** Resolves with the milliseconds from a `j` keydown to the frame painted with the focus moved (the baseline). */
    keyToPaint?: Promise<number>;
  }
}

/** Arms the page to time the next Enter: from its keydown to the first frame painted with the new item's image. */
function armMeasurement(previousSrc: string): void {
  window.enterToNextImage = new Promise<number>((resolve) => {
    let start = 0;
    document.addEventListener('keydown', (event) => event.key === 'Enter' && (start = event.timeStamp), { capture: true, once: true });
    const painted = () => requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start), 0));
    const check = () => {
      const image = document.querySelector<HTMLImageElement>('[data-testid="review-image"]');
      if (!image || image.getAttribute('src') === previousSrc) return false;
      observer.disconnect();
      if (image.complete && image.naturalWidth > 0) painted();
      else image.addEventListener('load', painted, { once: true });
      return true;
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['src'] });
  });
}

/**
 * Baseline measured in the same run: the cheapest keypress the screen has (`j`, focus the next candidate), from its
 * keydown to the frame painted after the DOM changed. Enter's figure over this one is what showing a new item costs
 * beyond any keypress in this browser on this machine.
 */
function armBaseline(): void {
  window.keyToPaint = new Promise<number>((resolve) => {
    let start = 0;
    document.addEventListener('keydown', (event) => event.key === 'j' && (start = event.timeStamp), { capture: true, once: true });
    const observer = new MutationObserver(() => {
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start), 0));
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

/** Judges up to `count` items with the keyboard and times each Enter; stops early when the queue is empty. */
async function measure(page: Page, count: number, baseline: number[]): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const image = page.getByTestId('review-image');
    await expect(image).toBeVisible();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await page.evaluate(armBaseline);
    await page.keyboard.press('j');
    baseline.push(await page.evaluate(() => window.keyToPaint!));
    await page.keyboard.press('W');
    await gradeMistakesWithKeys(page, '2', '4');
    await page.evaluate(armMeasurement, (await image.getAttribute('src')) ?? '');
    await page.keyboard.press('Enter');
    const nothingLeft = page.getByTestId('nothing-left');
    const ms = await Promise.race([page.evaluate(() => window.enterToNextImage!), nothingLeft.waitFor().then(() => null)]);
    if (ms === null) break;
    samples.push(ms);
  }
  return samples;
}

// `npx playwright test -c apps/web/playwright.config.ts --project=bench`: Enter to the next image painted, on the
// demo. "cold": the first expert to see each image (the server renders its preview on that first request); "warm": a
// second expert on the same items, whose previews are rendered already.
test('Enter to the next item’s image painted', async ({ browser }, testInfo) => {
  const result: Record<string, unknown> = { measure: 'keydown Enter to the next item image painted (ms)' };
  const baseline: number[] = [];
  const medians: Record<string, number> = {};
  for (const [phase, username] of [['cold', 'expert3'], ['warm', 'expert2']] as const) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await logIn(page, username);
    const samples = await measure(page, ITEMS, baseline);
    expect(samples.length).toBeGreaterThan(2);
    const s = summary(samples);
    result[phase] = s;
    medians[phase] = s.median;
    await context.close();
  }
  const base = summary(baseline);
  result.baseline = { measure: 'keydown j (focus the next candidate) to the frame painted (ms)', ...base };
  result.ratioToBaseline = { cold: round(medians.cold! / base.median), warm: round(medians.warm! / base.median) };
  result.target = { medianBelowMs: 50, met: medians.cold! < 50 && medians.warm! < 50 };
  console.log(JSON.stringify(result));
  await testInfo.attach('enter-to-next.json', { body: JSON.stringify(result, null, 2), contentType: 'application/json' });
});
