import { type Judgement, PROBLEMATIC_REASONS, ProjectList, type VerdictRequest } from '@bagel/contracts';
import { expect, test } from '@playwright/test';
import {
  candidateKeys,
  expectVerdictsSaved,
  fetchItem,
  fetchVerdicts,
  focusCandidate,
  gradeMistakesWithKeys,
  logIn,
  passwordOf,
  shownImageSrc,
  shownItemId,
} from './support';

// The demo database is shared by every test of the run (one worker, in order): each test uses its own accounts or
// opens a given item, so what one test judged does not change what another expects.

const BAGEL = 'n07693725'; // "bagel, beigel": in the vocabulary, in no demo item's candidates

test('an expert reviews an item with the keyboard only; the stored verdict is exactly what was judged and the next item shows', async ({ page }) => {
  await logIn(page, 'expert1');
  const itemId = await shownItemId(page);
  const item = await fetchItem(page.request, itemId);
  // Other spec files of the run may have had expert1 judge items already: count from here.
  const judgedBefore = Number(await page.getByTestId('progress').locator('strong').textContent());
  // The header says how many items are left for this reviewer.
  const leftBefore = Number(/(\d+) left for you/.exec((await page.getByTestId('progress-left').textContent()) ?? '')?.[1]);
  expect(leftBefore).toBeGreaterThan(0);
  const firstImage = await shownImageSrc(page);
  const keys = await candidateKeys(page);
  expect(keys.length).toBeGreaterThanOrEqual(4);
  expect(keys[0]).toBe(item.originalLabel!.key);
  const rows = page.getByTestId('candidate-row');
  await expect(rows.nth(0)).toHaveAttribute('data-focused', 'true');
  const expected: Record<string, Judgement> = {};
  // Nothing judged yet: the verdict asks for judgements, no grade yet, neither under it nor in a model's card.
  await expect(page.getByTestId('submit-blockers')).toContainText(/^Judge .+, the top-1 of /);
  await expect(page.getByTestId('submit-blockers')).not.toContainText('Grade');
  await expect(page.getByTestId('mistake-grader')).toHaveCount(0);

  // From here on, keys only.
  await page.keyboard.press('c'); // judges candidate 0 and moves to 1
  expected[keys[0]!] = 'correct';
  await page.keyboard.press('w'); // candidate 1, moves to 2
  expected[keys[1]!] = 'wrong';
  await page.keyboard.press('j'); // leaves candidate 2 for later
  await page.keyboard.press('u'); // candidate 3, moves to 4
  expected[keys[3]!] = 'unclear';
  await page.keyboard.press('k');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('k');
  await expect(rows.nth(2)).toHaveAttribute('data-focused', 'true');
  await page.keyboard.press('w');
  expected[keys[2]!] = 'wrong';

  // A judgement taken back: x clears it (the focus stays), so does Backspace, and so does a click on the pressed button.
  await page.keyboard.press('k');
  await page.keyboard.press('x');
  await expect(rows.nth(2)).toHaveAttribute('data-judgement', '');
  await expect(rows.nth(2)).toHaveAttribute('data-focused', 'true');
  await page.keyboard.press('u');
  await expect(rows.nth(2)).toHaveAttribute('data-judgement', 'unclear');
  await page.keyboard.press('k');
  await page.keyboard.press('Backspace');
  await expect(rows.nth(2)).toHaveAttribute('data-judgement', '');
  const wrongButton = rows.nth(2).getByRole('button', { name: / wrong$/ });
  await wrongButton.click();
  await expect(rows.nth(2)).toHaveAttribute('data-judgement', 'wrong');
  await expect(wrongButton).toHaveAttribute('aria-pressed', 'true');
  await wrongButton.click();
  await expect(rows.nth(2)).toHaveAttribute('data-judgement', '');
  await expect(wrongButton).toHaveAttribute('aria-pressed', 'false');
  await page.keyboard.press('w');
  await expect(rows.nth(2)).toHaveAttribute('data-judgement', 'wrong');

  // Add a class by one of its synonyms: it joins the candidates, judged correct.
  await page.keyboard.press('a');
  const search = page.getByRole('combobox', { name: 'Search the vocabulary to add a class' });
  await expect(search).toBeFocused();
  await page.keyboard.type('beigel');
  await expect(page.getByTestId('add-class-result').first()).toHaveAttribute('data-key', BAGEL);
  await page.keyboard.press('Enter');
  await expect(search).toBeHidden();
  const added = page.locator(`[data-testid="candidate-row"][data-key="${BAGEL}"]`);
  await expect(added).toHaveAttribute('data-judgement', 'correct');
  await expect(added).toHaveAttribute('data-focused', 'true');
  expected[BAGEL] = 'correct';

  // Problematic, with the second reason picked from the list by keyboard.
  await page.keyboard.press('p');
  await expect(page.getByRole('combobox', { name: 'Reason the image is problematic' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('problematic-reason')).toHaveText(PROBLEMATIC_REASONS[1]);

  // Every model whose top-1 is now a mistake: Minor (2), second category (5).
  const graded = await gradeMistakesWithKeys(page, '2', '5');
  const mistaken = item.models.filter((m) => !['correct', 'unclear'].includes(expected[m.predictions[0]!.key] ?? '')).map((m) => m.model);
  expect(graded.toSorted()).toEqual(mistaken.toSorted());
  await expect(page.getByTestId('submit')).toBeEnabled();

  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
  await expectVerdictsSaved(page);
  const nextImage = await shownImageSrc(page);
  expect(nextImage).not.toBeNull();
  expect(nextImage).not.toBe(firstImage);
  const nextItem = await fetchItem(page.request, await shownItemId(page));
  expect(nextItem.image.file).not.toBe(item.image.file);
  await expect(page.getByTestId('candidate-row').first()).toHaveAttribute('data-judgement', '');

  const stored = (await fetchItem(page.request, itemId)).myVerdict;
  expect(stored).not.toBeNull();
  expect(stored!.revision).toBe(1);
  expect(stored!.labels).toEqual(expected);
  expect(stored!.problematic).toEqual({ reason: PROBLEMATIC_REASONS[1] });
  expect(stored!.mistakes).toEqual(Object.fromEntries(mistaken.map((m) => [m, { severity: 'Minor', category: item.mistakeCategories[1] }])));
  expect(stored!.comment).toBe('');
  await expect(page.getByTestId('progress')).toContainText(`${judgedBefore + 1} / `);
  await expect(page.getByTestId('progress-left')).toHaveText(`· ${leftBefore - 1} left for you`);
});

test('blind review: a second expert sees nothing of the first expert’s verdict, on the page or through the API', async ({ browser }) => {
  const first = await browser.newContext();
  const firstPage = await first.newPage();
  await logIn(firstPage, 'expert1');
  const itemId = await shownItemId(firstPage);
  const secret = 'expert1 private note: looks like a tiger cat to me';
  await firstPage.keyboard.press('W'); // every candidate wrong
  await gradeMistakesWithKeys(firstPage, '1', '4');
  await firstPage.keyboard.press('m');
  await firstPage.keyboard.type(secret);
  await firstPage.keyboard.press('Escape');
  await firstPage.keyboard.press('Enter');
  await expect(firstPage.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
  await expectVerdictsSaved(firstPage);
  expect((await fetchItem(firstPage.request, itemId)).myVerdict?.comment).toBe(secret);
  await first.close();

  const second = await browser.newContext();
  const page = await second.newPage();
  await logIn(page, 'expert2', `/?item=${itemId}`);
  await expect(page.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(itemId));
  const rows = page.getByTestId('candidate-row');
  expect(await rows.count()).toBeGreaterThan(0);
  for (const judgement of await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-judgement')))) expect(judgement).toBe('');
  await expect(page.getByRole('textbox', { name: /Comment/ })).toHaveValue('');
  await expect(page.getByRole('button', { name: /Flag the image problematic/ })).toHaveAttribute('aria-pressed', 'false');
  await expect(page.locator('body')).not.toContainText('expert1');
  await expect(page.locator('body')).not.toContainText(secret);
  await expect(page.getByTestId('item-id')).not.toContainText('revising');

  expect((await fetchVerdicts(page.request, itemId)).verdicts).toEqual([]);
  const asSecond = await fetchItem(page.request, itemId);
  expect(asSecond.myVerdict).toBeNull();
  expect(JSON.stringify(asSecond)).not.toContain(secret);

  // Once expert2 has given their own verdict, the panel's verdicts are theirs to see.
  await page.keyboard.press('W');
  await gradeMistakesWithKeys(page, '2', '4');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
  await expectVerdictsSaved(page);
  const experts = (await fetchVerdicts(page.request, itemId)).verdicts.map((v) => v.expert).toSorted();
  expect(experts).toEqual(['expert1', 'expert2']);
  await second.close();
});

test('the ? overlay lists every shortcut, and every control of the review screen has an accessible name', async ({ page }) => {
  await logIn(page, 'expert2');
  await page.keyboard.press('?');
  const overlay = page.getByTestId('shortcuts-overlay');
  await expect(overlay).toBeVisible();
  const listed = await overlay.locator('dt kbd').allTextContents();
  for (const key of ['j', 'k', '↓', '↑', 'c', 'w', 'u', 'x', 'Backspace', 'a', '/', 'e', 'p', '1', '2', '3', '4', '5', '6', '7', '+', '-', '0', 'Enter', 's', 'g', '?', 'Esc']) {
    expect(listed).toContain(key);
  }
  await expect(overlay).toContainText('Severity Major');
  await expect(overlay).toContainText('Category: Fine-grained error');
  await page.keyboard.press('Escape');
  await expect(overlay).toBeHidden();
  await page.keyboard.press('?');
  await expect(overlay).toBeVisible();
  await page.keyboard.press('?');
  await expect(overlay).toBeHidden();

  // The image keys: + zooms in by a step, - back out, 0 fits again.
  const zoom = page.getByRole('toolbar', { name: 'Image view' }).locator('.image-zoom');
  await expect(zoom).toHaveText('100%');
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  await expect(zoom).toHaveText('156%');
  await page.keyboard.press('-');
  await expect(zoom).toHaveText('125%');
  await page.keyboard.press('0');
  await expect(zoom).toHaveText('100%');

  // Open the popovers too, so their controls are checked as well.
  const expectNamed = async () => {
    for (const role of ['button', 'combobox', 'textbox', 'option'] as const) {
      for (const control of await page.getByRole(role).all()) await expect(control).toHaveAccessibleName(/\S/);
    }
  };
  expect(await page.getByRole('button').count()).toBeGreaterThan(20);
  await expectNamed();
  await page.keyboard.press('a');
  await page.keyboard.type('cat');
  await expect(page.getByRole('option').first()).toBeVisible();
  await expectNamed();
  await page.keyboard.press('Escape');
  await page.keyboard.press('p');
  await expect(page.getByRole('option').first()).toBeVisible();
  await expectNamed();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('button', { name: /Flag the image problematic/ })).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByRole('button', { name: /^Mark .+ correct$/ }).first()).toBeVisible();

  // Every class id (the original label's, each candidate's, the focused row's included) reads at 4.5:1 or more (WCAG AA).
  const ratios = await page.locator('.candidate-key').evaluateAll((ids) => {
    const rgb = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const channel = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
    };
    /** The first opaque background behind the element (the page's white when none is set). */
    const background = (element: Element | null): number[] => {
      for (let e = element; e; e = e.parentElement) {
        const [r, g, b, a] = rgb(getComputedStyle(e).backgroundColor);
        if (a === undefined || a > 0.99) return [r!, g!, b!];
      }
      return [255, 255, 255];
    };
    return ids.map((id) => {
      const fg = luminance(rgb(getComputedStyle(id).color));
      const bg = luminance(background(id));
      return { id: id.textContent, ratio: (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05) };
    });
  });
  expect(ratios.length).toBeGreaterThan(3);
  for (const { id, ratio } of ratios) expect(ratio, `contrast of ${id}`).toBeGreaterThanOrEqual(4.5);

  // At 1024 × 768 the models fit their column, before and after every candidate is judged wrong (a grader open), and
  // the header keeps its end in sight.
  await page.setViewportSize({ width: 1024, height: 768 });
  const modelsOverflow = () => page.locator('.models-panel').evaluate((panel) => panel.scrollHeight - panel.clientHeight);
  await expect.poll(modelsOverflow).toBeLessThanOrEqual(0);
  await page.keyboard.press('W');
  // Only the keys' model shows its grader there; another's opens from its "mistake: grade it".
  await expect(page.getByTestId('mistake-grader').filter({ visible: true })).toHaveCount(1);
  await expect.poll(modelsOverflow).toBeLessThanOrEqual(0);
  const otherModel = await page.locator('[data-testid="model-card"][data-focused="false"]').first().getAttribute('data-model');
  const other = page.locator(`[data-testid="model-card"][data-model="${otherModel}"]`);
  await other.getByRole('button', { name: /^Grade the mistake of / }).click();
  await expect(other).toHaveAttribute('data-focused', 'true');
  await expect(other.getByTestId('mistake-grader')).toBeVisible();
  await expect.poll(modelsOverflow).toBeLessThanOrEqual(0);
  const logOut = (await page.getByRole('button', { name: 'Log out' }).boundingBox())!;
  expect(logOut.x + logOut.width).toBeLessThanOrEqual(1024);
  expect(await page.locator('.app-header').evaluate((header) => header.scrollWidth - header.clientWidth)).toBeLessThanOrEqual(0);
});

test('a verdict with an ungraded mistake cannot be submitted, and nothing is stored', async ({ page }) => {
  await logIn(page, 'expert2');
  const itemId = await shownItemId(page);
  const item = await fetchItem(page.request, itemId);
  await page.keyboard.press('W');
  const submit = page.getByTestId('submit');
  await expect(submit).toBeDisabled();
  const blockers = page.getByTestId('submit-blockers');
  await expect(blockers).toContainText('Grade the mistakes of');
  for (const model of item.models) await expect(blockers).toContainText(model.displayName);
  await page.keyboard.press('Enter');
  await expect(blockers).toHaveAttribute('role', 'alert');
  await expect(page.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(itemId));
  expect((await fetchItem(page.request, itemId)).myVerdict).toBeNull();
  expect((await fetchVerdicts(page.request, itemId)).verdicts).toEqual([]);

  // Grading all but part of one still leaves Submit disabled, naming the model and what it lacks.
  const [lastModel, ...others] = item.models.toReversed();
  for (const model of others.toReversed()) {
    const card = page.locator(`[data-testid="model-card"][data-model="${model.model}"]`);
    await card.getByRole('button', { name: /severity Major/ }).click();
    await card.getByRole('button', { name: /category Non-prototypical/ }).click();
  }
  await page.locator(`[data-testid="model-card"][data-model="${lastModel!.model}"]`).getByRole('button', { name: /severity Major/ }).click();
  await expect(blockers).toHaveText(`Grade the mistake of ${lastModel!.displayName}: category.`);
  await expect(submit).toBeDisabled();
  await submit.click({ force: true });
  expect((await fetchVerdicts(page.request, itemId)).verdicts).toEqual([]);
});

test('a stale revision (409) is shown on its item, the item reloads with the stored verdict, and the revision then goes through', async ({ page }) => {
  await logIn(page, 'expert2');
  const itemId = await shownItemId(page);
  const item = await fetchItem(page.request, itemId);
  expect(item.myVerdict).toBeNull();
  // The expert's verdict, stored from another tab; this page opens it to revise it (revision 1).
  const elsewhere: VerdictRequest = {
    labels: Object.fromEntries(item.models.map((m) => [m.predictions[0]!.key, 'correct'])),
    problematic: null,
    mistakes: {},
    comment: 'stored from another tab',
    baseRevision: 0,
  };
  expect((await page.request.post(`/api/items/${itemId}/verdicts`, { data: elsewhere })).status()).toBe(201);
  await page.goto(`/?item=${itemId}`);
  await expect(page.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(itemId));
  await expect(page.getByTestId('item-id')).toContainText('revising r1');
  // Meanwhile the other tab revises it again (revision 2), while this page still edits revision 1.
  const revisedElsewhere = { ...elsewhere, comment: 'revised in another tab', baseRevision: 1 };
  expect((await page.request.post(`/api/items/${itemId}/verdicts`, { data: revisedElsewhere })).status()).toBe(201);

  await page.keyboard.press('W');
  await gradeMistakesWithKeys(page, '3', '7');
  await page.keyboard.press('Enter');
  const notice = page.getByTestId('stale-notice');
  await expect(notice).toContainText('changed elsewhere');
  await expect(notice).toContainText('revision 2');
  await expect(page.getByTestId('review-screen')).toHaveAttribute('data-item-id', String(itemId));
  await expect(page.getByTestId('item-id')).toContainText('revising r2');
  await expect(page.getByRole('textbox', { name: /Comment/ })).toHaveValue('revised in another tab');
  expect((await fetchItem(page.request, itemId)).myVerdict?.revision).toBe(2);

  // The reloaded verdict (every top-1 correct, so nothing to grade) is revised: one more judgement, then Enter.
  const keys = await candidateKeys(page);
  const unjudged = keys.findIndex((key) => !(key in elsewhere.labels));
  await focusCandidate(page, unjudged);
  await page.keyboard.press('u');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
  await expectVerdictsSaved(page);
  const revised = (await fetchItem(page.request, itemId)).myVerdict;
  expect(revised?.revision).toBe(3);
  expect(revised?.labels).toEqual({ ...elsewhere.labels, [keys[unjudged]!]: 'unclear' });
});

test('a wrong password is refused with the server’s message', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Username').fill('expert3');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('login-error')).toBeVisible();
  await expect(page.getByTestId('login-error')).not.toBeEmpty();
  await page.getByLabel('Password').fill(passwordOf('expert3'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('review-screen')).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByLabel('Username')).toBeVisible();
});

test('when nothing is left for the reviewer, the screen says so with their count', async ({ page }) => {
  // The lead judges every item through the API (every top-1 correct: nothing to grade), then opens the app.
  const login = await page.request.post('/api/auth/login', { data: { username: 'lead', password: passwordOf('lead') } });
  expect(login.status()).toBe(200);
  const projects = (await (await page.request.get('/api/projects')).json()) as { projects: { id: number }[] };
  const projectId = projects.projects[0]!.id;
  let judged = 0;
  for (;;) {
    const next = await page.request.get(`/api/projects/${projectId}/next`);
    if (next.status() === 204) break;
    const item = (await next.json()) as { id: number; models: { predictions: { key: string }[] }[] };
    const labels = Object.fromEntries(item.models.map((m) => [m.predictions[0]!.key, 'correct']));
    const stored = await page.request.post(`/api/items/${item.id}/verdicts`, { data: { labels, problematic: null, mistakes: {}, comment: '', baseRevision: 0 } });
    expect(stored.status()).toBe(201);
    judged++;
    expect(judged).toBeLessThan(100);
  }
  expect(judged).toBeGreaterThan(0);
  // The lead lands on the desk; the review is one view away.
  await page.goto('/');
  await expect(page.getByTestId('lead-desk')).toBeVisible();
  await page.getByTestId('nav-review').click();
  await expect(page.getByTestId('nothing-left')).toContainText('Nothing left to review in this project');
  await expect(page.getByTestId('nothing-left')).toContainText(`You have judged ${judged} of the`);
  // Why: every other panel is complete, or other experts hold the items still open (their claims), as the counts say.
  const { leftForMe } = ProjectList.parse(await (await page.request.get('/api/projects')).json()).projects[0]!.counts;
  await expect(page.getByTestId('progress-left')).toHaveText(`· ${leftForMe} left for you`);
  await expect(page.getByTestId('nothing-left-why')).toHaveText(
    leftForMe === 0
      ? 'Every other item has its full panel of verdicts: none is waiting for you.'
      : `${leftForMe === 1 ? 'One more item still needs verdicts' : `${leftForMe} more items still need verdicts`}, but other experts are reviewing ${leftForMe === 1 ? 'it' : 'them'} right now: check again in a while.`,
  );
  await expect(page.getByTestId('nothing-left')).not.toContainText('being reviewed by other experts right now');

  // From there, a link to the items the reviewer judged (My verdicts), to revise them.
  const judgedLink = page.getByTestId('nothing-left').getByRole('link', { name: 'See the items you judged' });
  expect(new URL((await judgedLink.getAttribute('href')) ?? '', page.url()).search).toBe(`?project=${projectId}&view=my-verdicts`);
  await judgedLink.click();
  await expect(page.getByTestId('my-verdicts-count')).toHaveText(`${judged} item${judged === 1 ? '' : 's'} judged in this project`);
  await expect(page.getByTestId('my-verdict-row')).toHaveCount(Math.min(judged, 50));
});
