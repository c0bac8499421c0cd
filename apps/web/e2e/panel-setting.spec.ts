// The panel policy in the browser (docs/AGGREGATION.md, "Adaptive panels"): an admin switches the project to an
// adaptive panel on the dashboard, beside the quorum, the form refuses min and max the server would refuse, and the
// dashboard says which panel is in force. On the long-list server (its own database), so that the demo's setting stays
// as every other test expects it; the panel is put back to fixed at the end.
import { ProjectList } from '@bagel/contracts';
import { type APIRequestContext, expect, test } from '@playwright/test';
import { LONG_LIST_ADMIN, LONG_LIST_LEAD, longListURL, signedInOnLongList } from './long-list';

async function panelInForce(api: APIRequestContext) {
  return ProjectList.parse(await (await api.get(longListURL('/api/projects'))).json()).projects[0]!.panel;
}

test('an admin makes the panel adaptive on the dashboard and back to fixed; min and max are checked as the server does', async ({ browser }) => {
  const admin = await signedInOnLongList(browser, LONG_LIST_ADMIN);
  const project = ProjectList.parse(await (await admin.request.get(longListURL('/api/projects'))).json()).projects[0]!;
  expect(project.panel).toEqual({ mode: 'fixed' });
  const page = await admin.newPage();
  try {
    await page.goto(longListURL(`/?project=${project.id}&view=dashboard`));
    const setting = page.getByTestId('panel-setting');
    const group = setting.getByRole('group', { name: 'Panel', exact: true });
    const fixed = group.getByRole('radio', { name: `Fixed: ${project.panelSize} experts per item` });
    const adaptive = group.getByRole('radio', { name: 'Adaptive: min to max experts per item' });
    await expect(fixed).toBeChecked();
    await expect(page.getByTestId('adaptive-panel')).toHaveCount(0);
    await expect(page.getByTestId('progress-card')).toContainText(`a panel of ${project.panelSize} per item`);
    await expect(setting.getByTestId('panel-hint')).toContainText('2.29 per item');
    const apply = setting.getByRole('button', { name: 'Apply' });
    await expect(apply).toBeDisabled();

    // Adaptive: min and max appear with 2 and 5.
    await adaptive.check();
    const min = group.getByRole('spinbutton', { name: 'Min' });
    const max = group.getByRole('spinbutton', { name: 'Max' });
    await expect(min).toHaveValue('2');
    await expect(max).toHaveValue('5');

    // What the server would refuse is refused here, with the rule: Apply stays off, Enter asks nothing.
    const rule = group.getByTestId('panel-rule');
    for (const [minValue, maxValue, message] of [
      ['5', '3', 'Min (5) must be at most max (3) (2 ≤ min ≤ max ≤ 50).'],
      ['1', '4', 'Min must be at least 2 (2 ≤ min ≤ max ≤ 50).'],
      ['2', '51', 'Max must be at most 50 (2 ≤ min ≤ max ≤ 50).'],
    ] as const) {
      await min.fill(minValue);
      await max.fill(maxValue);
      await expect(rule).toHaveText(message);
      await expect(rule).toHaveClass('error');
      await expect(apply).toBeDisabled();
      await max.press('Enter');
      await expect(setting.getByTestId('panel-confirm')).toHaveCount(0);
    }
    await expect(max).toHaveAttribute('aria-invalid', 'true');

    // 2–4: it asks first (every judged item is re-aggregated); Esc keeps the policy and gives Apply the focus back.
    await min.fill('2');
    await max.fill('4');
    await expect(rule).toHaveText('Whole numbers, 2 ≤ min ≤ max ≤ 50.');
    await expect(max).toHaveAttribute('aria-invalid', 'false');
    await apply.click();
    const confirm = setting.getByTestId('panel-confirm');
    await expect(confirm).toContainText(`Change from a fixed panel of ${project.panelSize} to an adaptive panel of 2–4?`);
    await expect(confirm.getByRole('button', { name: 'Yes, change the panel' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(confirm).toHaveCount(0);
    await expect(apply).toBeFocused();
    expect(await panelInForce(admin.request)).toEqual({ mode: 'fixed' });

    await page.keyboard.press('Enter');
    await confirm.getByRole('button', { name: 'Yes, change the panel' }).click();
    await expect(setting.getByRole('status')).toContainText('Applied: an adaptive panel of 2–4;');
    expect(await panelInForce(admin.request)).toEqual({ mode: 'adaptive', min: 2, max: 4 });
    // The dashboard says so.
    await expect(page.getByTestId('adaptive-panel')).toContainText('panel adaptive, 2–4: each item gets 2 verdicts, and more up to 4');
    await expect(apply).toBeDisabled();

    // Back to fixed, from the keyboard: the dashboard's fixed panel again.
    await adaptive.focus();
    await page.keyboard.press('ArrowUp');
    await expect(fixed).toBeChecked();
    await expect(min).toHaveCount(0);
    await apply.click();
    await expect(confirm).toContainText(`Change from an adaptive panel of 2–4 to a fixed panel of ${project.panelSize}?`);
    await confirm.getByRole('button', { name: 'Yes, change the panel' }).click();
    await expect(setting.getByRole('status')).toContainText(`Applied: a fixed panel of ${project.panelSize};`);
    await expect(page.getByTestId('adaptive-panel')).toHaveCount(0);
    await expect(page.getByTestId('progress-card')).toContainText(`a panel of ${project.panelSize} per item`);
    expect(await panelInForce(admin.request)).toEqual({ mode: 'fixed' });

    // A lead sees the policy in force on the dashboard, not the control.
    const lead = await signedInOnLongList(browser, LONG_LIST_LEAD);
    const leadPage = await lead.newPage();
    await leadPage.goto(longListURL(`/?project=${project.id}&view=dashboard`));
    await expect(leadPage.getByTestId('agreement-card')).toBeVisible();
    await expect(leadPage.getByTestId('quorum-setting')).toHaveCount(0);
    await expect(leadPage.getByTestId('panel-setting')).toHaveCount(0);
    await lead.close();
  } finally {
    const res = await admin.request.patch(longListURL(`/api/projects/${project.id}/settings`), { data: { panel: { mode: 'fixed' } } });
    expect(res.status(), await res.text()).toBe(200);
    await admin.close();
  }
});
