// Headless Debian Chromium through playwright-core (which never downloads a browser of its own).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * A fresh browser with its own empty profile; the background-networking flags stop Chromium from
 * dialling out (there is no network here). Returns { browser, close }.
 */
export async function launchChromium() {
  const profile = mkdtempSync(join(tmpdir(), 'leadscore-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens `url`, waits for `selector` to match `count` elements; returns { page, errors } (page errors + console errors). */
export async function openPage(context, url, selector, count, timeout = 30_000) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(`console: ${message.text()}`); });
  await page.goto(url, { timeout });
  await page.waitForFunction(([s, n]) => document.querySelectorAll(s).length >= n, [selector, count], { timeout })
    .catch((error) => { throw new Error(`${error.message}\npage errors: ${errors.join('\n') || 'none'}`); });
  return { page, errors };
}
