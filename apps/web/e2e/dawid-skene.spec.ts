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
    const experts: string[] = [];
    for (const [name, judgement] of [['dsa', 'correct'], ['dsb', 'unclear'], ['dsc', 'wrong']] as const) {
      const created = await newLongListExpert(admin.request, name);
      experts.push(created.username);
      const expert = await signedInOnLongList(browser, created);
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

    // Estimated again on request, each expert's confusion matrix shows on the dashboard as the model gives it.
    const estimate = await admin.request.post(longListURL(`/api/projects/${project.id}/aggregation/estimate`), { data: {} });
    expect(estimate.status(), await estimate.text()).toBe(200);
    await expect
      .poll(async () => {
        const model = AggregationModel.parse(await (await admin.request.get(longListURL(`/api/projects/${project.id}/aggregation`))).json());
        return model.estimation === null && experts.every((name) => model.experts.some((e) => e.expert === name));
      }, { timeout: 15_000 })
      .toBe(true);
    const model = AggregationModel.parse(await (await admin.request.get(longListURL(`/api/projects/${project.id}/aggregation`))).json());
    await page.reload();
    const card = page.getByTestId('confusion-matrices');
    await expect(card.getByRole('heading', { name: 'Experts’ confusion matrices' })).toBeVisible();
    for (const name of experts) {
      const e = model.experts.find((x) => x.expert === name)!;
      const row = card.locator(`[data-testid="confusion-row"][data-expert="${name}"]`);
      const cells = row.locator('td');
      await expect(cells.nth(0)).toHaveText(String(e.judgements));
      await expect(cells.nth(1)).toHaveText(`${(e.present.correct * 100).toFixed(1)}%`);
      await expect(cells.nth(3)).toHaveText(`${(e.present.wrong * 100).toFixed(1)}%`);
      await expect(cells.nth(4)).toHaveText(`${(e.absent.wrong * 100).toFixed(1)}%`);
    }
    // Back to the quorum (below), the split panel is the lead's: no final labels.
  } finally {
    const res = await admin.request.patch(longListURL(`/api/projects/${project.id}/settings`), { data: { aggregation: 'quorum' } });
    expect(res.status(), await res.text()).toBe(200);
    if (itemId !== null) expect(DeskItem.parse(await (await admin.request.get(longListURL(`/api/items/${itemId}/desk`))).json()).final).toBeNull();
    await admin.close();
  }
});
