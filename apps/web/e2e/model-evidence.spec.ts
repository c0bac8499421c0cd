// Anchoring control in the browser (docs/AGGREGATION.md, "Anchoring control"): with the models hidden until judged, the
// review screen shows the candidates alone, asks for the models once every one is judged, and the verdict records
// it; on the dashboard, an admin switches the project to the experiment and the card measures it. On the long-list
// server (its own database), so that the demo's setting and queue stay as every other test expects them.
import { ModelEvidenceEffectReport, ProjectList, ReviewItem } from '@bagel/contracts';
import { type APIRequestContext, expect, test } from '@playwright/test';
import { LONG_LIST_ADMIN, LONG_LIST_LEAD, longListURL, newLongListExpert, signedInOnLongList } from './long-list';
import { candidateKeys, expectVerdictsSaved, gradeMistakesWithKeys, shownItemId } from './support';

async function setModelEvidence(api: APIRequestContext, projectId: number, modelEvidence: string) {
  const res = await api.patch(longListURL(`/api/projects/${projectId}/settings`), { data: { modelEvidence } });
  expect(res.status(), await res.text()).toBe(200);
}

test('models hidden until judged: the candidates alone, the models once every one is judged, and the verdict says so', async ({ browser }) => {
  const admin = await signedInOnLongList(browser, LONG_LIST_ADMIN);
  const project = ProjectList.parse(await (await admin.request.get(longListURL('/api/projects'))).json()).projects[0]!;
  const expert = await newLongListExpert(admin.request, 'hider');
  await setModelEvidence(admin.request, project.id, 'hidden-until-judged');
  try {
    const context = await signedInOnLongList(browser, expert);
    const page = await context.newPage();
    await page.goto(longListURL('/'));
    await expect(page.getByTestId('review-screen')).toBeVisible();
    const itemId = await shownItemId(page);

    // Nothing says where a candidate comes from: no original label, no model, no source badge, no file name.
    await expect(page.getByTestId('models-hidden')).toBeVisible();
    await expect(page.getByTestId('original-label')).toHaveCount(0);
    await expect(page.getByTestId('model-card')).toHaveCount(0);
    const keys = await candidateKeys(page);
    await expect(page.getByTestId('models-hidden-note')).toHaveText(`The models appear once every candidate is judged: ${keys.length} left.`);
    const panelText = (await page.getByRole('region', { name: 'Labels and candidates' }).textContent()) ?? '';
    for (const model of project.models) expect(panelText).not.toContain(model.displayName);
    // The same classes as the admin sees with their sources, in another order than theirs (original label first).
    const full = ReviewItem.parse(await (await admin.request.get(longListURL(`/api/items/${itemId}`))).json());
    expect(keys.toSorted()).toEqual(full.candidates.map((c) => c.key).toSorted());

    // Judge them all from the keyboard: the first correct, the others wrong. The models then appear.
    await page.keyboard.press('c');
    for (let i = 1; i < keys.length; i++) await page.keyboard.press('w');
    await expect(page.getByTestId('model-card')).toHaveCount(full.models.length);
    await expect(page.getByTestId('models-hidden')).toHaveCount(0);
    await expect(page.getByTestId('original-label')).toContainText(full.originalLabel!.key);
    // The list stays in the order it was judged in: nothing moves under the focus when the models appear.
    expect(await candidateKeys(page)).toEqual(keys);
    // The judgements stay as they were, and the mistakes can now be graded.
    for (const [i, key] of keys.entries()) {
      await expect(page.locator(`[data-testid="candidate-row"][data-key="${key}"]`)).toHaveAttribute('data-judgement', i === 0 ? 'correct' : 'wrong');
    }
    await gradeMistakesWithKeys(page, '2', '5');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('review-screen')).not.toHaveAttribute('data-item-id', String(itemId));
    await expectVerdictsSaved(page);

    const judged = ReviewItem.parse(await (await context.request.get(longListURL(`/api/items/${itemId}`))).json());
    expect(judged.myVerdict!.modelsHidden).toBe(true);
    expect(judged.modelEvidence.revealedAt).not.toBeNull();
    expect(judged.myVerdict!.labels).toEqual(Object.fromEntries(keys.map((key, i) => [key, i === 0 ? 'correct' : 'wrong'])));
    await context.close();
  } finally {
    await setModelEvidence(admin.request, project.id, 'shown');
    await admin.request.patch(longListURL(`/api/projects/${project.id}/settings`), { data: { decoys: 0 } });
    await admin.close();
  }
});

test('the dashboard: an admin starts the experiment, and the card measures each model shown and hidden', async ({ browser }) => {
  const admin = await signedInOnLongList(browser, LONG_LIST_ADMIN);
  const project = ProjectList.parse(await (await admin.request.get(longListURL('/api/projects'))).json()).projects[0]!;
  const page = await admin.newPage();
  try {
    await page.goto(longListURL(`/?project=${project.id}&view=dashboard`));
    const card = page.getByTestId('model-evidence-card');
    await expect(card.getByTestId('model-evidence-setting')).toHaveText('Experts see the models’ predictions and the original label before judging.');
    await expect(card.getByTestId('model-evidence-empty')).toBeVisible();
    await card.getByRole('combobox', { name: 'What experts see of the models' }).selectOption('experiment');
    await card.getByTestId('model-evidence-form').getByRole('button', { name: 'Apply' }).click();
    await expect(card.getByTestId('model-evidence-form').getByRole('status')).toHaveText('Applied: experts see the models this way on the items they open from now on.');
    await expect(card.getByTestId('model-evidence-setting')).toHaveText(/^Each item is shown or hidden at random/);
    const listed = ProjectList.parse(await (await admin.request.get(longListURL('/api/projects'))).json()).projects[0]!;
    expect(listed.modelEvidence).toBe('experiment');

    // Two experts judge through the API, each item as they are served it: with the models hidden, they send every
    // candidate's judgement for the models first (the top-1 of every model judged correct), then the verdict.
    for (const name of ['exa', 'exb']) {
      const expert = await signedInOnLongList(browser, await newLongListExpert(admin.request, name));
      for (let n = 0; n < 3; n++) {
        let item = ReviewItem.parse(await (await expert.request.get(longListURL(`/api/projects/${project.id}/next`))).json());
        const labels = Object.fromEntries(item.candidates.map((c) => [c.key, 'correct' as const]));
        if (item.modelEvidence.hidden) {
          const revealed = await expert.request.post(longListURL(`/api/items/${item.id}/reveal`), { data: { labels } });
          expect(revealed.status(), await revealed.text()).toBe(200);
          item = ReviewItem.parse(await revealed.json());
        }
        const res = await expert.request.post(longListURL(`/api/items/${item.id}/verdicts`), { data: { labels, problematic: null, mistakes: {}, comment: '', baseRevision: 0 } });
        expect(res.status(), await res.text()).toBe(201);
      }
      await expert.close();
    }
    const report = ModelEvidenceEffectReport.parse(await (await admin.request.get(longListURL(`/api/projects/${project.id}/model-evidence-effect`))).json());
    expect(report.verdicts.shown + report.verdicts.hidden).toBe(6);

    // The card counts them on Refresh: one row pair per model, the shares as the API gives them, and the readings.
    await card.getByRole('button', { name: 'Refresh' }).click();
    await expect(card.getByTestId('model-evidence-table')).toBeVisible();
    for (const model of report.models) {
      const accept = card.getByTestId(`evidence-${model.model}-accept`);
      await expect(accept).toContainText(model.displayName);
      await expect(accept.locator('td').nth(1)).toHaveText(new RegExp(`of ${model.acceptTop1.shown.n}$`));
      await expect(accept.locator('td').nth(2)).toHaveText(new RegExp(`of ${model.acceptTop1.hidden.n}$`));
    }
    await expect(card.getByTestId('model-evidence-readings').locator('li')).toHaveCount(report.models.length * 2);
    await expect(card.getByTestId('model-evidence-readings')).toContainText(report.models[0]!.acceptTop1.reading);
    // The admin adds one decoy per item (while the models are hidden): the report then says so.
    const decoyForm = card.getByTestId('decoy-form');
    await decoyForm.getByRole('combobox', { name: 'Decoys per item while the models are hidden' }).selectOption('1');
    await decoyForm.getByRole('button', { name: 'Apply' }).click();
    await expect(decoyForm.getByRole('button', { name: 'Apply' })).toBeDisabled();
    await expect
      .poll(async () => ModelEvidenceEffectReport.parse(await (await admin.request.get(longListURL(`/api/projects/${project.id}/model-evidence-effect`))).json()).decoys)
      .toBe(1);
    // A lead reads the card too, without the setting.
    const lead = await signedInOnLongList(browser, LONG_LIST_LEAD);
    const leadPage = await lead.newPage();
    await leadPage.goto(longListURL(`/?project=${project.id}&view=dashboard`));
    await expect(leadPage.getByTestId('model-evidence-table')).toBeVisible();
    await expect(leadPage.getByTestId('model-evidence-form')).toHaveCount(0);
    await lead.close();
  } finally {
    await setModelEvidence(admin.request, project.id, 'shown');
    await admin.request.patch(longListURL(`/api/projects/${project.id}/settings`), { data: { decoys: 0 } });
    await admin.close();
  }
});
