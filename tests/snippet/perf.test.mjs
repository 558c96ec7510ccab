// Start-up cost of the tag in Chromium, with the Performance API (issue 6): from the loader's first line to
// the first score (wall time, includes fetching and compiling the wasm), the main-thread time of the
// loader's own run and of starting the collector, and long tasks (> 50 ms) during start-up and browsing.
// Reported, not asserted (timings on a shared machine): written to target/snippet-perf.json for BENCHMARKS.md.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openPage, qualify, ready, root, suite } from './support.mjs';

const { test, server } = suite();

// Long tasks, and long animation frames (Chromium's LoAF API) for what ran in them: a script of the tag
// (leadscore*.js, the wasm it calls) taking part in a long frame is reported with its own duration.
const observeLongTasks = () => {
  window.__longTasks = [];
  window.__tagInLongFrames = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: Math.round(e.startTime), duration: Math.round(e.duration) });
    }).observe({ type: 'longtask', buffered: true });
    new PerformanceObserver((list) => {
      for (const frame of list.getEntries()) {
        for (const script of frame.scripts ?? []) {
          if (/leadscore/.test(script.sourceURL ?? '')) {
            window.__tagInLongFrames.push({ frame: Math.round(frame.duration), script: Math.round(script.duration), source: script.sourceURL.split('/').pop(), invoker: script.invoker });
          }
        }
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {}
};

const timings = (page) => page.evaluate(() => {
  const measure = (name) => performance.getEntriesByName(name, 'measure')[0]?.duration;
  return {
    scriptToFirstScore: measure('leadscore:start-to-score'),
    loaderRun: measure('leadscore:script'),
    startCollector: measure('leadscore:first-score'),
    longTasks: window.__longTasks,
    tagInLongFrames: window.__tagInLongFrames,
  };
});

test('script start to first score, main-thread time and long tasks', async () => {
  const browser = await launch();
  const runs = [];
  const longTasks = [];
  const tagInLongFrames = [];
  try {
    const { page } = await openPage(browser.context, { init: observeLongTasks });
    // Warm the HTTP cache once, as a returning visitor's browser would be; then measure cold (new page) runs.
    for (let i = 0; i < 6; i++) {
      await page.goto(`${server.url}/${i % 2 ? 'pricing' : ''}`);
      await ready(page);
      await page.waitForTimeout(100);
      const t = await timings(page);
      if (i > 0) runs.push(t);
      longTasks.push(...t.longTasks);
      tagInLongFrames.push(...t.tagInLongFrames);
    }
    await qualify(page, server.url); // browsing: pages, a download, a form
    await page.waitForTimeout(500);
    const browsing = await timings(page);
    longTasks.push(...browsing.longTasks);
    tagInLongFrames.push(...browsing.tagInLongFrames);
  } finally {
    await browser.close();
  }
  const median = (key) => {
    const values = runs.map((r) => r[key]).filter(Number.isFinite).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)];
  };
  const result = {
    runs: runs.length,
    median_ms: { script_to_first_score: median('scriptToFirstScore'), loader_run: median('loaderRun'), start_collector: median('startCollector') },
    max_ms: { script_to_first_score: Math.max(...runs.map((r) => r.scriptToFirstScore)) },
    long_tasks_over_50ms: longTasks,
    tag_scripts_in_long_frames: tagInLongFrames,
    chromium: browser.context.browser()?.version() ?? 'see /usr/bin/chromium --version',
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(join(root, 'target'), { recursive: true });
  writeFileSync(join(root, 'target', 'snippet-perf.json'), `${JSON.stringify(result, null, 2)}\n`);
  assert.ok(runs.every((r) => Number.isFinite(r.scriptToFirstScore)), 'every run reached a first score');
});
