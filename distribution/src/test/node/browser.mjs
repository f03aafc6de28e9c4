// Opens the exported page in headless Chromium (the system's, through playwright-core), feeds it known latent
// vectors and reports what it drew, for the browser test against the Java decode.
//   node browser.mjs URL Z.json RESULT.json GRID.png SCREENSHOT.png
// Z.json: {"z": [...], "n": N, "label": K (a class-conditional model only: the page opens with ?label=K)}.
// RESULT.json: {"state", "summary", "raw": decoder output for z (as class K), "runtime", "columns", "scale",
// "count", "classes": the class selector's entries, "classSelector": whether it is shown}; GRID.png: the #samples canvas as drawn; SCREENSHOT.png: the whole page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [url, zPath, resultPath, gridPath, screenshotPath] = process.argv.slice(2);
const { z, label } = JSON.parse(fs.readFileSync(zPath, 'utf8'));
const executablePath = process.env.TOOLKIT_CHROMIUM || '/usr/bin/chromium';
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'toolkit-chromium-'));
const messages = [];
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  viewport: { width: 1200, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await context.newPage();
  page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
  await page.goto(`${url}?z=${z.map(String).join(',')}${label === undefined ? '' : `&label=${label}`}`);
  await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 60000 });
  const state = await page.evaluate(() => document.body.dataset.state);
  const summary = await page.evaluate(() => document.getElementById('summary').textContent);
  const result = { state, summary, messages };
  if (state === 'ready') {
    result.raw = await page.evaluate(([values, k]) => window.toolkit.decode(values, k), [z, label]);
    Object.assign(result, await page.evaluate(() => {
      const c = document.getElementById('samples');
      return { columns: Number(c.dataset.columns), scale: Number(c.dataset.scale), count: Number(c.dataset.count),
        runtime: document.getElementById('runtime').textContent,
        classes: Array.from(document.querySelectorAll('#class option'), (o) => o.textContent),
        classSelector: !document.getElementById('class-control').hidden };
    }));
    const png = await page.evaluate(() => document.getElementById('samples').toDataURL('image/png'));
    fs.writeFileSync(gridPath, Buffer.from(png.slice(png.indexOf(',') + 1), 'base64'));
  }
  await page.screenshot({ path: screenshotPath, fullPage: true });
  fs.writeFileSync(resultPath, JSON.stringify(result));
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
