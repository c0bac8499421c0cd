import { CreatedUser, ReviewItem } from '@bagel/contracts';
import { type APIRequestContext, type Browser, type BrowserContext, expect } from '@playwright/test';

/** The lead of the long-list server (playwright.config.ts): a generated project of 450 items, in a database of its own. */
export const LONG_LIST_LEAD = { username: 'longlead', password: 'long-list-lead-password' } as const;

/** Its admin, who changes the project's settings there (tests that would change the demo's for every later test). */
export const LONG_LIST_ADMIN = { username: 'longadmin', password: 'long-list-admin-password' } as const;

/** Where the long-list server answers. */
export const longListURL = (path: string) => `${process.env.BAGEL_E2E_LONG_LIST_URL}${path}`;

/** A browser context signed in on the long-list server as `account`. */
export async function signedInOnLongList(browser: Browser, account: { username: string; password: string }): Promise<BrowserContext> {
  const context = await browser.newContext();
  expect((await context.request.post(longListURL('/api/auth/login'), { data: account })).status()).toBe(200);
  return context;
}

/** A new expert on the long-list server, added by its admin (`api`): a name of its own per run, the password generated. */
export async function newLongListExpert(api: APIRequestContext, name: string): Promise<{ username: string; password: string; id: number }> {
  const username = `${name}${Date.now().toString(36)}`;
  const res = await api.post(longListURL('/api/users'), { data: { username, role: 'expert' } });
  expect(res.status(), await res.text()).toBe(201);
  const created = CreatedUser.parse(await res.json());
  return { username, password: created.password!, id: created.user.id };
}

/**
 * An item of the long-list project that three new experts (named from `names`) agree on, every candidate correct (no
 * mistake to grade): the item the queue hands the first of them, final once the three verdicts are in.
 */
export async function agreedLongListItem(browser: Browser, admin: APIRequestContext, projectId: number, names: readonly [string, string, string]): Promise<ReviewItem> {
  const panel = await Promise.all(names.map((name) => newLongListExpert(admin, name)));
  const first = await signedInOnLongList(browser, panel[0]!);
  const item = ReviewItem.parse(await (await first.request.get(longListURL(`/api/projects/${projectId}/next`))).json());
  const agreed = { labels: Object.fromEntries(item.candidates.map((c) => [c.key, 'correct'])), problematic: null, mistakes: {}, comment: '', baseRevision: 0 };
  for (const expert of panel) {
    const context = expert === panel[0] ? first : await signedInOnLongList(browser, expert);
    const res = await context.request.post(longListURL(`/api/items/${item.id}/verdicts`), { data: agreed });
    expect(res.status(), await res.text()).toBe(201);
    await context.close();
  }
  return item;
}
