// Gold items in the browser (docs/AGGREGATION.md, "Gold items"): the lead marks a final item gold on the desk, an
// admin sets the gold rate on the dashboard, and an expert who did not judge the item gets it in their stream as any
// item to judge, with nothing on screen saying it is gold. On the long-list server (its own database), so that the
// demo's queue stays as every other test expects it.
import { ProjectList, ReviewItem } from '@bagel/contracts';
import { isGoldTurn } from '@bagel/core';
import { expect, test } from '@playwright/test';
import { agreedLongListItem, LONG_LIST_ADMIN, LONG_LIST_LEAD, longListURL, newLongListExpert, signedInOnLongList } from './long-list';
import { expectVerdictsSaved, shownItemId } from './support';

test('the lead marks a final item gold on the desk; an expert who did not judge it gets it as any item to judge', async ({ browser }) => {
  const admin = await signedInOnLongList(browser, LONG_LIST_ADMIN);
  const project = ProjectList.parse(await (await admin.request.get(longListURL('/api/projects'))).json()).projects[0]!;

  // Three experts agree on one item (every candidate correct: no mistake to grade): it is final.
  const item = await agreedLongListItem(browser, admin.request, project.id, ['pa', 'pb', 'pc']);

  const leadContext = await signedInOnLongList(browser, LONG_LIST_LEAD);
  const desk = await leadContext.newPage();
  try {
    await desk.goto(longListURL(`/?project=${project.id}&view=desk&item=${item.id}`));
    const control = desk.getByTestId('gold-control');
    await expect(control).toHaveAttribute('data-gold', 'false');
    await control.getByRole('button', { name: 'Mark as gold' }).click();
    await expect(control).toHaveAttribute('data-gold', 'true');
    await expect(control).toContainText(`Gold marked by ${LONG_LIST_LEAD.username}`);

    // The admin sets the gold rate on the dashboard: half of each expert's items.
    const dashboard = await admin.newPage();
    await dashboard.goto(longListURL(`/?project=${project.id}&view=dashboard`));
    const form = dashboard.getByTestId('gold-rate-form');
    await form.getByRole('spinbutton').fill('50');
    await form.getByRole('button', { name: 'Apply' }).click();
    await expect(form.getByRole('status')).toContainText('Applied: 50% of each expert’s next items are gold items');

    // An expert whose first item is a gold turn at that rate (the queue's draw) gets it, to judge as any other.
    let expert = await newLongListExpert(admin.request, 'gx');
    while (!isGoldTurn(expert.id, 0, 0.5)) expert = await newLongListExpert(admin.request, 'gx');
    const context = await signedInOnLongList(browser, expert);
    const page = await context.newPage();
    await page.goto(longListURL('/'));
    await expect(page.getByTestId('review-screen')).toBeVisible();
    expect(await shownItemId(page)).toBe(item.id);
    await expect(page.getByTestId('review-screen')).toHaveAttribute('data-read-only', 'false');
    expect(await page.locator('body').textContent()).not.toMatch(/gold/i);
    for (let i = 0; i < item.candidates.length; i++) await page.keyboard.press('c');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(item.id));
    await expectVerdictsSaved(page);
    const judged = ReviewItem.parse(await (await context.request.get(longListURL(`/api/items/${item.id}`))).json());
    expect(judged.status).toBe('in_review');
    expect(judged.myVerdict?.revision).toBe(1);
    await context.close();

    // The item stays agreed for the lead; taking the mark off leaves it as it was.
    await desk.reload();
    await expect(desk.getByTestId('desk-status')).toHaveText(/^agreed/);
    await desk.getByTestId('gold-unmark').click();
    await expect(desk.getByTestId('gold-control')).toHaveAttribute('data-gold', 'false');
  } finally {
    await admin.request.patch(longListURL(`/api/projects/${project.id}/settings`), { data: { goldRate: 0.05 } });
    await leadContext.close();
    await admin.close();
  }
});
