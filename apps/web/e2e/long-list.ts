/** The lead of the long-list server (playwright.config.ts): a generated project of 450 items, in a database of its own. */
export const LONG_LIST_LEAD = { username: 'longlead', password: 'long-list-lead-password' } as const;

/** Its admin, who changes the project's settings there (tests that would change the demo's for every later test). */
export const LONG_LIST_ADMIN = { username: 'longadmin', password: 'long-list-admin-password' } as const;

/** Where the long-list server answers. */
export const longListURL = (path: string) => `${process.env.BAGEL_E2E_LONG_LIST_URL}${path}`;
