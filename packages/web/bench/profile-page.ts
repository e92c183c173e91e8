/**
 * Developer aid (not part of `npm run bench:web`): a CPU profile of one page's cold load,
 * signed in, with 100 inspections made first; prints the functions with the most self time
 * and the longest tasks. `npx tsx packages/web/bench/profile-page.ts /history`
 * (E2E_WEB_DIR picks the build, as for the bench).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ADMIN_PASSWORD, apiToken, CHROMIUM, CHROMIUM_ARGS, REPO, startServer } from '../e2e/harness.ts';

const DIST = process.env.E2E_WEB_DIR ?? join(REPO, 'packages/web/dist');
const FIXTURES = ['surface-scratch.png', 'surface-good.png', 'surface-spot.png', 'surface-crack.png'].map((f) => join(REPO, 'packages/web/e2e/fixtures', f));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

async function main(): Promise<void> {
  const path = process.argv[2] ?? '/history';
  const server = await startServer({ XQC_WEB_DIR: DIST });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1350, height: 940 } });
    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('user-name').waitFor();
    const token = await apiToken(server);
    for (let i = 0; i < 100; i += 4)
      await Promise.all([0, 1, 2, 3].map(async (k) => {
        const form = new FormData();
        form.append('image', new Blob([readFileSync(FIXTURES[(i + k) % 4]!)], { type: 'image/png' }), 'image.png');
        await fetch(`${server.url}/api/xai-qc/detect?model=surface-classifier`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
      }));
    await page.goto('about:blank');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
    await page.evaluate(() => undefined);
    await page.goto(`${server.url}${path}`);
    await page.waitForTimeout(4000);
    const long = await page.evaluate(() => performance.getEntriesByType('longtask').map((e) => Math.round(e.duration)));
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
    const self = new Map<number, number>();
    profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    const byFn = new Map<string, number>();
    for (const n of profile.nodes) {
      const t = self.get(n.id) ?? 0;
      const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`;
      byFn.set(key, (byFn.get(key) ?? 0) + t);
    }
    const byFile = new Map<string, number>();
    for (const n of profile.nodes) {
      const key = n.callFrame.url.split('/').pop() || n.callFrame.functionName;
      byFile.set(key, (byFile.get(key) ?? 0) + (self.get(n.id) ?? 0));
    }
    console.log('long tasks (buffered entries may be empty):', long);
    console.log('self time by file (ms):', [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k} ${(v / 1000).toFixed(0)}`).join(', '));
    for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(v / 1000).toFixed(1).padStart(8)} ms  ${k}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
