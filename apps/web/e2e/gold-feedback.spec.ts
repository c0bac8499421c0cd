// The qualification count and the feedback after a gold item in the browser (docs/AGGREGATION.md, "Gold items"): the
// admin sets both on the dashboard, beside the gold rate; a new expert's first item is then the gold item, and once
// they have answered it, a notice above the next item says it was gold and where their verdict differs from its
// answer. On the long-list server (its own database), so that the demo's queue and settings stay as every other test
// expects them.
import { ProjectList, ReviewItem } from '@bagel/contracts';
import { expect, test } from '@playwright/test';
import { agreedLongListItem, LONG_LIST_ADMIN, LONG_LIST_LEAD, longListURL, newLongListExpert, signedInOnLongList } from './long-list';
import { expectVerdictsSaved, shownItemId } from './support';

test('the admin sets the qualification count and the feedback; an expert answers a gold item and is told where they differ', async ({ browser }) => {
  const admin = await signedInOnLongList(browser, LONG_LIST_ADMIN);
  const project = ProjectList.parse(await (await admin.request.get(longListURL('/api/projects'))).json()).projects[0]!;

  // Three experts agree on one item (every candidate correct: no mistake to grade); the lead marks it gold.
  const item = await agreedLongListItem(browser, admin.request, project.id, ['fa', 'fb', 'fc']);
  const lead = await signedInOnLongList(browser, LONG_LIST_LEAD);
  expect((await lead.request.post(longListURL(`/api/items/${item.id}/gold`), { data: {} })).status()).toBe(200);

  try {
    // The admin's dashboard: the qualification count (a new expert's first item is gold) and the feedback, beside the rate.
    const dashboard = await admin.newPage();
    await dashboard.goto(longListURL(`/?project=${project.id}&view=dashboard`));
    const card = dashboard.getByTestId('expert-reliability-card');
    await expect(card.getByTestId('gold-rate-form')).toBeVisible();
    const qualification = card.getByTestId('gold-qualification-form');
    await expect(qualification.getByRole('spinbutton')).toHaveValue('0');
    await qualification.getByRole('spinbutton').fill('1');
    await qualification.getByRole('button', { name: 'Apply' }).click();
    await expect(qualification.getByRole('status')).toContainText('Applied: a new expert’s first item is a gold item');
    const feedback = card.getByTestId('gold-feedback-form');
    const checkbox = feedback.getByRole('checkbox', { name: /Tell experts after a gold item/ });
    await expect(checkbox).not.toBeChecked();
    await checkbox.check();
    await feedback.getByRole('button', { name: 'Apply' }).click();
    await expect(feedback.getByRole('status')).toContainText('Applied: an expert who answers a gold item is told now');
    const settings = ProjectList.parse(await (await admin.request.get(longListURL('/api/projects'))).json()).projects.find((p) => p.id === project.id)!;
    expect(settings).toMatchObject({ goldQualification: 1, goldFeedback: true });

    // A new expert's first item is the gold item, shown as any other. They judge the first candidate unclear, the
    // others correct (the answer has every one correct), and go on at once.
    const expert = await newLongListExpert(admin.request, 'fx');
    const context = await signedInOnLongList(browser, expert);
    const page = await context.newPage();
    await page.goto(longListURL('/'));
    await expect(page.getByTestId('review-screen')).toBeVisible();
    expect(await shownItemId(page)).toBe(item.id);
    await expect(page.getByTestId('gold-feedback')).toHaveCount(0);
    expect(await page.locator('body').textContent()).not.toMatch(/gold/i);
    await page.keyboard.press('u');
    for (let i = 1; i < item.candidates.length; i++) await page.keyboard.press('c');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(item.id));
    await expectVerdictsSaved(page);

    // The notice, above the next item: the item was gold, and the one class judged otherwise, by its name.
    const notice = page.getByTestId('gold-feedback');
    await expect(notice).toBeVisible();
    await expect(notice).toHaveAttribute('role', 'status');
    await expect(notice).toHaveAttribute('data-item-id', String(item.id));
    await expect(notice).toContainText(`Item ${item.id}, which you just judged, was a gold item`);
    await expect(notice).toContainText('your verdict differs from its answer');
    const rows = notice.getByTestId('gold-feedback-class');
    await expect(rows).toHaveCount(1);
    const key = await rows.first().getAttribute('data-class-key');
    const judged = item.candidates.find((c) => c.key === key);
    expect(judged, `the class ${key} is one of the item's candidates`).toBeDefined();
    await expect(rows.first()).toHaveText(`${judged!.names[0]}: you: unclear · answer: correct`);
    await expect(notice.getByTestId('gold-feedback-problematic')).toHaveCount(0);
    // The next item is there to judge meanwhile; Esc dismisses the notice.
    await expect(page.getByTestId('review-screen')).toHaveAttribute('data-read-only', 'false');
    await page.keyboard.press('Escape');
    await expect(notice).toHaveCount(0);
    // The expert's claims (the item on screen and the one claimed ahead) go back to the queue, for the tests after.
    const shown = await shownItemId(page);
    await page.close();
    const ahead = ReviewItem.parse(await (await context.request.get(longListURL(`/api/projects/${project.id}/next?after=${shown}`))).json());
    for (const held of [shown, ahead.id]) expect((await context.request.post(longListURL(`/api/items/${held}/skip`))).status()).toBe(200);
    await context.close();
  } finally {
    await admin.request.patch(longListURL(`/api/projects/${project.id}/settings`), { data: { goldQualification: 0, goldFeedback: false } });
    await lead.request.delete(longListURL(`/api/items/${item.id}/gold`));
    await lead.close();
    await admin.close();
  }
});
