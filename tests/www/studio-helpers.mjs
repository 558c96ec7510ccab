// Helpers of tests/www/studio.test.mjs: controls of the studio found by the path they edit, the text
// contrast check, a generated CRM export, and the exported edge function run in Node.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The error shown next to the control whose data-path is `path`. */
export const errorNextTo = (page, path) => page.locator(`[data-error-for="${path}"]`).first();
export const field = (page, path) => page.locator(`[data-path="${path}"]`).first();
/** Replaces the JSON view's text, as a paste does (one input event). */
export async function pasteJson(page, doc) {
  await page.focus('#json');
  await page.$eval('#json', (textarea, text) => {
    textarea.value = text;
    textarea.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
  }, JSON.stringify(doc, null, 2));
}

/** Opens rule `i` of the editor by its summary, as a user would, unless it is open. */
export async function openRule(page, i) {
  if (!(await page.$eval(`[data-rule="${i}"]`, (details) => details.open))) await page.click(`[data-rule="${i}"] summary`);
}

/**
 * Runs in the page: visible text whose contrast with its background is below WCAG AA (4.5:1, or 3:1 for
 * large text). The background is the first ancestor's opaque one; colours are read as rgb(a).
 */
export function lowContrastText() {
  const rgb = (text) => text.match(/[\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map((v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const color = rgb(getComputedStyle(node).backgroundColor);
      if (color.length < 4 || color[3] === 1) return color.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const el of document.querySelectorAll('body *')) {
    const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!hasText || !el.checkVisibility() || el.closest('svg')) continue;
    const style = getComputedStyle(el);
    const [a, b] = [luminance(rgb(style.color)), luminance(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) failures.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}": ${ratio.toFixed(2)}`);
  }
  return failures;
}

/** A CRM export whose conversion follows company size and job title (columns read as traits). */
export function crmExport(rows) {
  let state = 11;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = ['Lead ID,company_size,job_title,email,Converted'];
  for (let i = 0; i < rows; i++) {
    const size = Math.floor(10 ** (1 + random() * 2.5));
    const title = ['Head of Sales', 'Director of Operations', 'Intern', 'Engineer'][Math.floor(random() * 4)];
    const email = random() < 0.3 ? `p${i}@gmail.com` : `p${i}@company${i}.com`;
    const logit = -2 + (size >= 50 && size <= 200 ? 2 : 0) + (/Head|Director/.test(title) ? 1 : 0) - (email.includes('gmail') ? 0.5 : 0);
    lines.push(`L${i},${size},${title},${email},${random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** Runs the exported edge function in Node with the exported model: a qualified and an unqualified submission. */
export async function runQualifySnippet(snippet, model) {
  // Inside the repository, so that `leadscore/edge` resolves to the built package through node_modules.
  const dir = mkdtempSync(join(root, 'tests', 'www', '.studio-snippet-'));
  try {
    writeFileSync(join(dir, 'leadscore-model.json'), JSON.stringify(model));
    writeFileSync(join(dir, 'worker.mjs'), snippet);
    const { default: worker } = await import(pathToFileURL(join(dir, 'worker.mjs')).href);
    const submit = async (fields) => {
      const response = await worker.fetch(new Request('https://www.example.com/forms/webinar', { method: 'POST', body: new URLSearchParams(fields) }),
        { FORWARD_URL: undefined }, { waitUntil() {} });
      assert.equal(response.status, 200);
      return response.json();
    };
    const good = await submit({ email: 'dana@acme-logistics.com', company_size: '120', job_title: 'Head of Sales' });
    assert.equal(good.model, 'textbook');
    assert.equal(good.engagement, 20, 'the submission counts as the webinar form');
    const bad = await submit({ email: 'sam@gmail.com', company_size: '8', score: '100' });
    assert.equal(bad.qualified, false);
    assert.deepEqual(bad.ignored_fields, ['score']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
