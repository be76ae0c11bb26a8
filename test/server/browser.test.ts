import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { fixturePath } from '../fixtures/paths.js';
import { repoRoot } from '../helpers/shared.js';
import { startServer } from '../helpers/server-process.js';

const CHROMIUM = '/usr/bin/chromium';
const artifacts = join(repoRoot, 'test-artifacts');

test('the web page uploads a deed, shows live progress and the result table, and charts memory', async (t) => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
    t.skip(`needs Debian chromium at ${CHROMIUM} (apt-get install chromium)`);
    return;
  }
  const server = await startServer();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/#key=key-alice`);
    assert.equal(new URL(page.url()).hash, '', 'the key is taken out of the address bar');

    await page.selectOption('#mode-select', 'multi_deed');
    await page.setInputFiles('#file-input', fixturePath('multi-deed.pdf'));
    await page.click('#upload-button');

    const row = page.locator('tr.job-row[data-job-id]');
    await row.first().waitFor({ timeout: 15_000 });
    // Live progress: the row shows pages done out of the total while the job runs.
    await page.waitForFunction(`/\\d+\\s*\\/\\s*5 pages/.test(document.querySelector('#jobs')?.textContent ?? '')`, undefined, { timeout: 30_000 });
    await page.locator('tr.job-row[data-status="done"]').waitFor({ timeout: 90_000 });

    const table = page.locator('.result-table');
    await table.waitFor({ timeout: 10_000 });
    const deeds = table.locator('tbody tr[data-row^="deed-"]');
    assert.equal(await deeds.count(), 2, 'two deeds found in the file');
    assert.equal(await deeds.nth(0).getAttribute('data-reservation'), 'no');
    assert.equal(await deeds.nth(1).getAttribute('data-reservation'), 'yes');
    assert.match((await deeds.nth(1).textContent()) ?? '', /reserv/i);
    assert.match((await deeds.nth(1).textContent()) ?? '', /4/, 'the evidence page is shown');

    const csvHref = await page.locator('[data-action="download-csv"]').first().getAttribute('href');
    assert.ok(csvHref?.includes('format=csv'));

    await page.waitForFunction(`(document.querySelector('#memory-chart')?.querySelectorAll('path, polyline').length ?? 0) > 0`, undefined, { timeout: 10_000 });
    assert.ok(Number(await page.locator('#memory-current').textContent()) > 0);

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'web-page-result.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
