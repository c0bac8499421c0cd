import { type UserAccount, UserList } from '@bagel/contracts';
import { type Locator, type Page, expect, test } from '@playwright/test';
import { freshAccounts, logIn, signInThroughApi } from './support';

// The demo database is shared by every test of the run: these tests never touch the demo accounts' passwords, roles
// or active state. Each works on users of its own, named with this run's stamp, and every user they add is
// deactivated at the end (which also gives back any item the review screen claimed for them).

const accounts = freshAccounts('users');
const { stamp } = accounts;
const freshName = accounts.name;

async function findUser(username: string): Promise<UserAccount> {
  const response = await accounts.admin.get('/api/users');
  expect(response.status()).toBe(200);
  const user = UserList.parse(await response.json()).users.find((u) => u.username === username);
  expect(user, `${username} is in the list`).toBeDefined();
  return user!;
}

/** The review view of a project: an item to judge, or the message that nothing is left (the demo queue may be done). */
const reviewView = (page: Page) => page.getByTestId('review-screen').or(page.getByTestId('nothing-left'));

/** Signs in through the login form, typing only. */
async function signInOnPage(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Password').press('Enter');
}

/** Opens the account menu from the keyboard: the name in the header, Enter; the first entry takes the focus. */
async function openAccountMenu(page: Page): Promise<Locator> {
  await page.getByTestId('account-button').focus();
  await page.keyboard.press('Enter');
  const menu = page.getByTestId('account-menu');
  await expect(menu).toBeVisible();
  await expect(page.getByTestId('account-button')).toHaveAttribute('aria-expanded', 'true');
  await expect(menu.getByRole('button', { name: 'Change password' })).toBeFocused();
  return menu;
}

/** The admin opens the users page from the account menu, with the keyboard. */
async function openUsersPage(page: Page): Promise<void> {
  const menu = await openAccountMenu(page);
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('link', { name: 'Users' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('users-page')).toBeVisible();
  expect(new URL(page.url()).searchParams.get('page')).toBe('users');
}

const userRow = (page: Page, username: string) => page.locator(`[data-testid="user-row"][data-username="${username}"]`);

async function expectEveryControlNamed(page: Page): Promise<void> {
  for (const role of ['button', 'link', 'textbox', 'combobox'] as const) {
    for (const control of await page.getByRole(role).all()) await expect(control).toHaveAccessibleName(/\S/);
  }
}

test('an admin adds an expert with a generated password shown once; the expert signs in with it; deactivated, their session ends and they cannot sign in', async ({
  page,
  browser,
}) => {
  // Two browsers, five sign-ins (one in the dialog that asks for the password again).
  test.setTimeout(60_000);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await logIn(page, 'admin', '/', 'dashboard');
  await openUsersPage(page);
  await expectEveryControlNamed(page);

  // The admin's own row: every control off, and why (the server would answer 409 OWN_ACCOUNT).
  const own = userRow(page, 'admin');
  await expect(own).toContainText('you');
  await expect(own.getByRole('combobox', { name: 'Role of admin' })).toBeDisabled();
  await expect(own.getByRole('button', { name: 'Deactivate admin' })).toBeDisabled();
  await expect(own.getByRole('button', { name: 'Reset password of admin' })).toBeDisabled();
  await expect(own.getByTestId('own-account-note')).toContainText('cannot change your own role or deactivate yourself');
  await expect(own.getByRole('combobox', { name: 'Role of admin' })).toHaveAccessibleDescription(/cannot change your own role/);
  // The server's own rule, asked with a change that would change nothing if it were let through.
  const ownChange = await page.request.patch(`/api/users/${(await findUser('admin')).id}`, { data: { role: 'admin' } });
  expect(ownChange.status()).toBe(409);
  expect(((await ownChange.json()) as { code?: string }).code).toBe('OWN_ACCOUNT');
  await expect(userRow(page, 'expert1')).toHaveAttribute('data-role', 'expert');
  await expect(userRow(page, 'expert1').getByRole('button', { name: 'Deactivate expert1' })).toBeEnabled();

  // Typed only: the name (the field has the focus), the default role (expert), no password, Enter.
  const username = freshName('expert');
  const form = page.getByTestId('add-user-form');
  await expect(form.getByLabel('Username')).toBeFocused();
  await page.keyboard.type(username);
  await expect(form.getByLabel('Role')).toHaveValue('expert');
  await page.keyboard.press('Enter');

  const box = page.getByTestId('one-time-password');
  await expect(box).toBeVisible();
  await expect(box).toBeFocused();
  await expect(box).toContainText(`Password of the new user ${username}`);
  await expect(box).toContainText('will not be shown again');
  const password = (await box.getByTestId('one-time-password-value').textContent()) ?? '';
  expect(password).toHaveLength(20);
  await box.getByRole('button', { name: `Copy the password of ${username}` }).click();
  await expect(box.getByRole('status')).toHaveText('Copied to the clipboard.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(password);

  const row = userRow(page, username);
  await expect(row).toHaveAttribute('data-role', 'expert');
  await expect(row).toHaveAttribute('data-active', 'true');
  await expect(row.locator('td.num')).toHaveText('0');
  accounts.track(await findUser(username));

  // Done: the password is gone, and the page (reloaded at its own address) has no way to show it again.
  await box.getByRole('button', { name: `Done: hide the password of ${username}` }).click();
  await expect(box).toHaveCount(0);
  await page.reload();
  await expect(userRow(page, username)).toBeVisible();
  await expect(page.getByText(password)).toHaveCount(0);
  expect(JSON.stringify(await (await page.request.get('/api/users')).json())).not.toContain(password);

  // The new expert, in a browser of their own, signs in with the generated password and lands on the review.
  const expertContext = await browser.newContext();
  const expertPage = await expertContext.newPage();
  await expertPage.goto('/');
  await signInOnPage(expertPage, username, password);
  await expect(reviewView(expertPage)).toBeVisible();
  await expect(expertPage.getByTestId('user-name')).toContainText(username);
  await expect(expertPage.getByTestId('user-name')).toContainText('expert');

  // Deactivated: the row says so at once.
  await row.getByRole('button', { name: `Deactivate ${username}` }).click();
  await expect(row).toHaveAttribute('data-active', 'false');
  await expect(row).toContainText('deactivated');
  await expect(row.getByRole('button', { name: `Reactivate ${username}` })).toBeVisible();

  // The expert's next request is refused (401): the app says the session has ended, over the screen they were on, and
  // asks for the password there.
  const refused = expertPage.waitForResponse((response) => response.url().includes('/api/') && response.status() === 401);
  if (await expertPage.getByTestId('review-screen').isVisible()) await expertPage.keyboard.press('s');
  else await expertPage.getByRole('button', { name: 'Check again' }).click();
  await refused;
  const ended = expertPage.getByTestId('session-ended-dialog');
  await expect(ended).toBeVisible();
  await expect(ended).toContainText('Your session has ended');

  // Signing in again there, with the right password: the account is deactivated, and the dialog says so.
  await ended.getByLabel('Password').fill(password);
  await ended.getByLabel('Password').press('Enter');
  await expect(ended.getByTestId('session-ended-error')).toContainText(/deactivated/i);
  // Signing out leaves the screen for the sign-in form, which says the same.
  await ended.getByRole('button', { name: 'Sign out' }).click();
  await expect(expertPage.getByLabel('Username')).toBeVisible();
  await expect(expertPage.getByTestId('review-screen')).toHaveCount(0);
  await signInOnPage(expertPage, username, password);
  await expect(expertPage.getByTestId('login-error')).toContainText(/deactivated/i);
  await expect(expertPage.getByLabel('Username')).toBeVisible();

  // Reactivated, the same password works again.
  await row.getByRole('button', { name: `Reactivate ${username}` }).click();
  await expect(row).toHaveAttribute('data-active', 'true');
  await expertPage.getByLabel('Password').press('Enter');
  await expect(reviewView(expertPage)).toBeVisible();
  await expertContext.close();
});

test('an admin changes a role, types a password for a new user, and resets it after confirming: the old password and its sessions stop working', async ({
  page,
  browser,
}) => {
  await logIn(page, 'admin', '/', 'dashboard');
  await openUsersPage(page);

  // A password typed by the admin: nothing is shown once, the form says the user was added with it.
  const username = freshName('reset');
  const typed = `typed-${stamp}-secret`;
  const form = page.getByTestId('add-user-form');
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Role').selectOption('lead');
  await form.getByLabel('Password').fill(typed);
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(form.getByTestId('add-user-status')).toHaveText(`Added ${username} (lead) with the password you typed.`);
  await expect(page.getByTestId('one-time-password')).toHaveCount(0);
  const row = userRow(page, username);
  await expect(row).toHaveAttribute('data-role', 'lead');
  accounts.track(await findUser(username));

  // The server's refusals show beside the form: the name is taken (names compare without case), a password is short.
  await form.getByLabel('Username').fill(username.toUpperCase());
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(form.getByTestId('add-user-error')).toContainText('taken');
  await form.getByLabel('Username').fill(freshName('short'));
  await form.getByLabel('Password').fill('short');
  await form.getByRole('button', { name: 'Add user' }).click();
  // In words, without the request's field path (no "body.password").
  await expect(form.getByTestId('add-user-error')).toContainText('A password needs at least 10 characters');
  await expect(form.getByTestId('add-user-error')).not.toContainText('body.');
  await expect(page.getByTestId('user-row').filter({ hasText: `short-${stamp}` })).toHaveCount(0);

  // The role, from the row's select with the keyboard (admin, lead, expert): stored at once, and the focus stays.
  const roleSelect = row.getByRole('combobox', { name: `Role of ${username}` });
  await roleSelect.focus();
  await page.keyboard.press('ArrowDown');
  await expect(row).toHaveAttribute('data-role', 'expert');
  await expect(roleSelect).toBeFocused();
  expect((await findUser(username)).role).toBe('expert');

  // The user has a session elsewhere (through the API: no item is claimed for them).
  const userContext = await browser.newContext();
  await signInThroughApi(userContext.request, username, typed, 200);
  expect((await userContext.request.get('/api/auth/me')).status()).toBe(200);

  // Reset asks first: Esc keeps the password (and gives the focus back), Enter on the button asks again.
  const reset = row.getByRole('button', { name: `Reset password of ${username}` });
  await reset.focus();
  await page.keyboard.press('Enter');
  const confirm = row.getByRole('button', { name: `Yes, reset the password of ${username}` });
  await expect(confirm).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);
  await expect(reset).toBeFocused();
  expect((await userContext.request.get('/api/auth/me')).status()).toBe(200);
  await page.keyboard.press('Enter');
  await expect(confirm).toBeFocused();
  await page.keyboard.press('Enter');

  const box = page.getByTestId('one-time-password');
  await expect(box).toContainText(`New password of ${username}`);
  await expect(box).toContainText('will not be shown again');
  const generated = (await box.getByTestId('one-time-password-value').textContent()) ?? '';
  expect(generated).toHaveLength(20);
  expect(generated).not.toBe(typed);

  // The user's session is over, the old password is refused, the new one works.
  expect((await userContext.request.get('/api/auth/me')).status()).toBe(401);
  await signInThroughApi(userContext.request, username, typed, 401);
  await signInThroughApi(userContext.request, username, generated, 200);
  expect((await userContext.request.get('/api/auth/me')).status()).toBe(200);

  // Reset again: the page shows the new password only, not the one that no longer works.
  await reset.click();
  await confirm.click();
  await expect(box).toHaveCount(1);
  await expect(box.getByTestId('one-time-password-value')).not.toHaveText(generated);
  const newest = (await box.getByTestId('one-time-password-value').textContent()) ?? '';
  expect(newest).toHaveLength(20);
  await signInThroughApi(userContext.request, username, generated, 401);
  await signInThroughApi(userContext.request, username, newest, 200);
  await userContext.close();
});

test('a user changes their own password from the user menu; the server’s refusals show in the form; their other sessions end', async ({ browser }) => {
  const first = `first-${stamp}-password`;
  const second = `second-${stamp}-password`;
  const { username } = await accounts.add('own', 'expert', first);

  // Another session of the same user, which the change must end (through the API: no item is claimed).
  const otherContext = await browser.newContext();
  await signInThroughApi(otherContext.request, username, first, 200);

  const context = await browser.newContext();
  const page = await context.newPage();
  let posts = 0;
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/auth/password') posts++;
  });
  await page.goto('/');
  await signInOnPage(page, username, first);
  await expect(reviewView(page)).toBeVisible();

  // From the keyboard, on the review screen: the menu, then the dialog; Esc closes it, the focus is back on the name.
  await openAccountMenu(page);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Change your password' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Current password')).toBeFocused();
  // The hint under the new password is whole: it wraps inside the dialog, nothing cut off.
  const hint = dialog.getByText(/^At least 10 characters \(12 for an admin\)/);
  await expect(hint).toBeVisible();
  expect(await hint.evaluate((e) => e.scrollWidth - e.clientWidth)).toBeLessThanOrEqual(0);
  const hintBox = (await hint.boundingBox())!;
  const dialogBox = (await dialog.boundingBox())!;
  expect(hintBox.x + hintBox.width).toBeLessThanOrEqual(dialogBox.x + dialogBox.width);
  await page.keyboard.type('half-typed');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('account-button')).toBeFocused();
  await expect(reviewView(page)).toBeVisible();

  await page.keyboard.press('Enter');
  await expect(page.getByTestId('account-menu')).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(dialog.getByLabel('Current password')).toBeFocused();
  await expect(dialog.getByLabel('Current password')).toHaveValue('');
  const error = dialog.getByTestId('change-password-error');

  // A wrong current password: the server's WRONG_PASSWORD message, and the session is still there.
  await page.keyboard.type('not-my-password');
  await page.keyboard.press('Tab');
  await page.keyboard.type(second);
  await page.keyboard.press('Tab');
  await page.keyboard.type(second);
  await page.keyboard.press('Enter');
  await expect(error).toContainText(/wrong/i);
  await expect(dialog.getByLabel('Current password')).toHaveAttribute('aria-invalid', 'true');
  expect(posts).toBe(1);
  expect((await page.request.get('/api/auth/me')).status()).toBe(200);

  // A confirmation that differs: said at once, nothing sent.
  await dialog.getByLabel('Current password').fill(first);
  await dialog.getByLabel('New password again').fill(`${second}x`);
  await dialog.getByLabel('New password again').press('Enter');
  await expect(error).toContainText('The confirmation differs from the new password.');
  expect(posts).toBe(1);

  // Too short: the server's message names the length, in words (no "body.newPassword").
  await dialog.getByLabel('New password', { exact: true }).fill('short');
  await dialog.getByLabel('New password again').fill('short');
  await dialog.getByLabel('New password again').press('Enter');
  await expect(error).toContainText('at least 10 characters');
  await expect(error).not.toContainText('body.');
  expect(posts).toBe(2);

  // Right: the dialog closes and says so; this session stays, the other one has ended.
  await dialog.getByLabel('New password', { exact: true }).fill(second);
  await dialog.getByLabel('New password again').fill(second);
  await dialog.getByLabel('New password again').press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('user-menu-notice')).toContainText('Password changed');
  expect(posts).toBe(3);
  await expect(reviewView(page)).toBeVisible();
  expect((await page.request.get('/api/auth/me')).status()).toBe(200);
  expect((await otherContext.request.get('/api/auth/me')).status()).toBe(401);
  await otherContext.close();

  // Signed out, the old password is refused and the new one lets them in.
  await page.getByRole('button', { name: 'Log out' }).click();
  await signInOnPage(page, username, first);
  await expect(page.getByTestId('login-error')).toBeVisible();
  await signInOnPage(page, username, second);
  await expect(reviewView(page)).toBeVisible();
  await expect(page.getByTestId('user-name')).toContainText(username);
  await context.close();
});

test('nobody but an admin sees the Users entry or opens the page, and the API refuses them', async ({ page, browser }) => {
  // The lead, straight to the dashboard (the review screen would claim an item for them).
  await logIn(page, 'lead', '/?view=dashboard', 'dashboard');
  const menu = await openAccountMenu(page);
  await expect(menu.getByRole('button', { name: 'Change password' })).toBeVisible();
  await expect(menu.getByRole('link')).toHaveCount(0);
  await expect(page.getByTestId('page-users')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await expect(page.getByTestId('account-button')).toBeFocused();
  expect((await page.request.get('/api/users')).status()).toBe(403);
  expect((await page.request.post('/api/users', { data: { username: freshName('nope'), role: 'admin' } })).status()).toBe(403);
  const leadId = (await findUser('lead')).id;
  expect((await page.request.patch(`/api/users/${leadId}`, { data: { role: 'admin' } })).status()).toBe(403);
  expect((await page.request.post(`/api/users/${leadId}/password`)).status()).toBe(403);
  expect((await findUser('lead')).role).toBe('lead');

  // An expert who follows a link to the users page lands on the review instead.
  const password = `link-${stamp}-password`;
  const { username } = await accounts.add('link', 'expert', password);
  const context = await browser.newContext();
  const expertPage = await context.newPage();
  await expertPage.goto('/?page=users');
  await signInOnPage(expertPage, username, password);
  await expect(reviewView(expertPage)).toBeVisible();
  await expect(expertPage.getByTestId('users-page')).toHaveCount(0);
  await context.close();
});

test('the users page opens with no project chosen, and its back button returns to where the admin was', async ({ page }) => {
  await logIn(page, 'admin', '/?view=major-slice', 'major-slice');
  await openUsersPage(page);
  await expect(page.getByTestId('users-table')).toBeVisible();
  await expect(page.getByTestId('users-summary')).toContainText(/\d+ users: \d+ admins?, \d+ leads?, \d+ experts/);
  await page.getByTestId('users-back').click();
  await expect(page.getByTestId('major-slice')).toBeVisible();
  expect(new URL(page.url()).searchParams.get('view')).toBe('major-slice');

  // Opened by its address (a link, a new tab): the page needs no project.
  await page.goto('/?page=users');
  await expect(page.getByTestId('users-page')).toBeVisible();
  await expect(page.getByTestId('users-back')).toContainText('Back to');
  await page.getByTestId('users-back').click();
  await expect(page.getByTestId('dashboard')).toBeVisible();
});
