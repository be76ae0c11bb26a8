/**
 * The benchmark chart's legend stays inside the picture: with the soak's three series and four kinds
 * of marker, the entries wrap onto a second row instead of running off the right edge (as they once
 * did). Measured on the rendered text in a real browser, not on the estimate the layout uses.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { renderChartSvg } from '../../bench/lib/chart.js';

const CHROMIUM = '/usr/bin/chromium';

test('every legend entry of a busy chart is drawn inside the chart', async (t) => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
    t.skip(`needs Debian chromium at ${CHROMIUM} (apt-get install chromium)`);
    return;
  }
  const points = Array.from({ length: 60 }, (_, i) => ({ t: i * 10, mb: 200 + (i % 7) * 20 }));
  const labels = ['worker recycled', 'backstop kill', 'worker SIGKILLed (fault)', 'server SIGKILLed + restarted'];
  const svg = renderChartSvg({
    title: 'soak',
    subtitle: 'legend layout',
    series: [
      { name: 'tree RSS (server + workers + their children)', color: '#1d4ed8', points },
      { name: 'server process', color: '#0f766e', points },
      { name: 'workers and their children', color: '#9333ea', points },
    ],
    markers: labels.map((label, i) => ({ t: 100 + i * 50, label, color: '#dc2626' })),
    limitMb: 512,
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 560 } });
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    const names = [...labels, 'tree RSS (server + workers + their children)', 'server process', 'workers and their children'];
    // Runs in the page (the project's TypeScript has no DOM types, so the page code is a string).
    const boxes = (await page.evaluate(`(() => {
      const names = ${JSON.stringify(names)};
      const svg = document.querySelector('svg');
      return {
        width: svg.width.baseVal.value,
        height: svg.height.baseVal.value,
        entries: [...document.querySelectorAll('text')]
          .filter((node) => names.includes(node.textContent))
          .map((node) => {
            const box = node.getBBox();
            return { label: node.textContent, right: box.x + box.width, bottom: box.y + box.height };
          }),
      };
    })()`)) as { width: number; height: number; entries: Array<{ label: string; right: number; bottom: number }> };
    assert.equal(boxes.entries.length, 7, 'all seven legend entries are drawn');
    for (const entry of boxes.entries) {
      assert.ok(entry.right <= boxes.width, `"${entry.label}" ends at x=${entry.right.toFixed(0)}, inside the ${boxes.width}-pixel width`);
      assert.ok(entry.bottom <= boxes.height, `"${entry.label}" ends at y=${entry.bottom.toFixed(0)}, inside the ${boxes.height}-pixel height`);
    }
  } finally {
    await browser.close();
  }
});
