import type { PlaywrightTestConfig } from '@playwright/test';

/** The browser of every Playwright run (playwright.config.ts, playwright.postgres.config.ts): Debian's chromium, headless. */
export const browserUse: PlaywrightTestConfig['use'] = {
  browserName: 'chromium',
  viewport: { width: 1440, height: 900 },
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  },
  trace: 'retain-on-failure',
  screenshot: 'only-on-failure',
};
