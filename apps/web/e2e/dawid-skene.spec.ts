// Dawid–Skene aggregation in the browser (docs/AGGREGATION.md, "Dawid–Skene aggregation of the panel"): an admin
// switches the project's aggregation on the dashboard, next to the quorum, and the lead's desk shows each class's
// posterior P(present) beside its votes. On the long-list server (its own database), so that the demo's setting stays
// as every other test expects it; the setting is put back to the quorum at the end.
import { AggregationModel, DeskItem, ProjectList, ReviewItem } from '@bagel/contracts';
import { expect, test } from '@playwright/test';
import { LONG_LIST_ADMIN, LONG_LIST_LEAD, longListURL, newLongListExpert, signedInOnLongList } from './long-list';

test('an admin aggregates by Dawid–Skene on the dashboard, and the desk shows each posterior beside the votes', async ({ browser }) => {
  const admin = await signedInOnLongList(browser, LONG_LIST_ADMIN);
  const project = ProjectList.parse(await (await admin.request.get(longListURL('/api/projects'))).json()).projects[0]!;
  const page = await admin.newPage();
  let itemId: number | null = null;
  try {
    await page.goto(longListURL(`/?project=${project.id}&view=dashboard`));
    const setting = page.getByTestId('aggregation-setting');
    await setting.getByRole('combobox', { name: 'Aggregation' }).selectOption('dawid-skene');
    await setting.getByRole('button', { name: 'Apply' }).click();
    // It asks first: every judged item is re-aggregated.
    await expect(setting.getByTestId('aggregation-confirm')).toContainText('correct at 0.80 or above, wrong at 0.20 or below');
    await setting.getByRole('button', { name: 'Yes, aggregate by Dawid–Skene' }).click();
    // The estimation of the matrices runs in the background; the setting says where it stands, then what it found.
    await expect(setting.getByTestId('aggregation-status')).toBeVisible();
    await expect
      .poll(async () => AggregationModel.parse(await (await admin.request.get(longListURL(`/api/projects/${project.id}/aggregation`))).json()).estimation, { timeout: 15_000 })
      .toBeNull();
    const listed = ProjectList.parse(await (await admin.request.get(longListURL('/api/projects'))).json()).projects[0]!;
    expect(listed.aggregation).toBe('dawid-skene');

    // Three experts judge the item the queue hands them (one panel fills before the next), each every candidate one
    // way: correct, unclear, wrong (grading every model's mistake). Split so, the item has no final labels under the
    // quorum either, and stays as the other specs on this server expect it (the item browser's wrong-model filter).
    for (const [name, judgement] of [['dsa', 'correct'], ['dsb', 'unclear'], ['dsc', 'wrong']] as const) {
      const expert = await signedInOnLongList(browser, await newLongListExpert(admin.request, name));
      const item = ReviewItem.parse(await (await expert.request.get(longListURL(`/api/projects/${project.id}/next`))).json());
      itemId ??= item.id;
      expect(item.id).toBe(itemId);
      const labels = Object.fromEntries(item.candidates.map((c) => [c.key, judgement]));
      const mistakes = judgement === 'wrong' ? Object.fromEntries(item.models.map((m) => [m.model, { severity: 'Minor', category: 'Fine-grained error' }])) : {};
      const res = await expert.request.post(longListURL(`/api/items/${item.id}/verdicts`), { data: { labels, problematic: null, mistakes, comment: '', baseRevision: 0 } });
      expect(res.status(), await res.text()).toBe(201);
      await expert.close();
    }

    // The lead's desk: each judged class shows P(present) beside its votes, as the desk's answer gives it.
    const lead = await signedInOnLongList(browser, LONG_LIST_LEAD);
    const desk = DeskItem.parse(await (await lead.request.get(longListURL(`/api/items/${itemId}/desk`))).json());
    const classes = desk.consensus.classes.filter((c) => c.posterior !== undefined);
    expect(classes.length).toBeGreaterThan(0);
    const leadPage = await lead.newPage();
    await leadPage.goto(longListURL(`/?project=${project.id}&view=desk&item=${itemId}`));
    await expect(leadPage.getByRole('columnheader', { name: /P\(present\)/ })).toBeVisible();
    for (const c of classes) {
      const row = leadPage.locator(`[data-testid="desk-class-row"][data-key="${c.key}"]`);
      await expect(row.getByTestId('desk-posterior')).toHaveText(`P ${c.posterior!.toFixed(2)}`);
      await expect(row.locator('.votes')).toContainText(`${c.votes.correct}C ${c.votes.wrong}W ${c.votes.unclear}U`);
    }
    await lead.close();
    // Back to the quorum (below), the split panel is the lead's: no final labels.
  } finally {
    const res = await admin.request.patch(longListURL(`/api/projects/${project.id}/settings`), { data: { aggregation: 'quorum' } });
    expect(res.status(), await res.text()).toBe(200);
    if (itemId !== null) expect(DeskItem.parse(await (await admin.request.get(longListURL(`/api/items/${itemId}/desk`))).json()).final).toBeNull();
    await admin.close();
  }
});
