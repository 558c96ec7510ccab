// The demo pages (www/) and the built package served as `npm start` serves them, on 127.0.0.1, with a
// fresh headless Chromium to open them in.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStaticServer } from '../../scripts/static-server.mjs';
import { launchChromium } from '../support/chromium.mjs';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/** Starts both; returns { baseUrl, browser, close() }. */
export async function servePages() {
  const server = createStaticServer({ '/pkg/': join(root, 'pkg'), '/': join(root, 'www') });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${server.address().port}/`;
  const browser = await launchChromium().catch((error) => { server.close(); throw error; });
  return {
    baseUrl,
    browser,
    async close() {
      await browser.close();
      server.close();
    },
  };
}
