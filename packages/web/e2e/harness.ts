/**
 * End-to-end harness (`E2E_WEB_DIR` points the server at another build of the app, default
 * packages/web/dist): the real server started as a user starts it (`xaiqc serve`, the
 * embedded mode with the demo models, a fresh data folder, the built web app), Debian's
 * Chromium driven by playwright-core (never a downloaded browser), axe-core for
 * accessibility, and API helpers for setting up users.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Repository root. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** Debian's Chromium. */
export const CHROMIUM = '/usr/bin/chromium';
/** The admin password the test server starts with. */
export const ADMIN_PASSWORD = 'e2e-admin-password-0001';
/** Chromium's flags on this machine (no sandbox as root; no calls out of the closed network). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A started server. */
export interface E2eServer {
  url: string;
  dataDir: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `xaiqc serve` on a free port with a fresh data folder and the demo models.
 * @throws when the web app is not built or the server prints no start line in time.
 */
export async function startServer(env: Record<string, string> = {}): Promise<E2eServer> {
  const webDir = process.env.E2E_WEB_DIR ?? join(REPO, 'packages/web/dist');
  if (!existsSync(join(webDir, 'index.html'))) throw new Error(`the web app is not built in ${webDir}: run \`npm run build:web\` first (npm run test:e2e does)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'xqc-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [join(REPO, 'packages/cli/bin/xaiqc.js'), 'serve'], {
    cwd: REPO,
    env: { ...process.env, DATABASE_URL: undefined, REDIS_URL: undefined, PORT: '0', XQC_DATA_DIR: dataDir, XQC_ADMIN_PASSWORD: ADMIN_PASSWORD, XQC_LOG_LEVEL: 'warn', XQC_JOB_CONCURRENCY: '1', XQC_WEB_DIR: webDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server printed no start line within 120 s:\n${out}`)), 120_000);
    const onData = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening:\n${out}`));
    });
  });
  // ready = database, blobs and the demo models loaded
  for (let i = 0; i < 240; i++) {
    const r = await fetch(`${url}/api/xai-qc/ready`).catch(() => undefined);
    if (r?.ok) break;
    await new Promise((res) => setTimeout(res, 250));
  }
  return {
    url,
    dataDir,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Launches Debian's Chromium headless (`extraArgs` after the defaults, e.g. a fake camera). @throws naming the install script when it is missing. */
export async function launchBrowser(options: { extraArgs?: string[] } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`bash scripts/ensure-chromium.sh\` (npm run test:e2e does)`);
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])], headless: true });
}

/** A new browser context at the desktop size (1440x900) or the tablet size (1024x768). */
export async function newContext(browser: Browser, size: 'desktop' | 'tablet' = 'desktop', options: { colorScheme?: 'light' | 'dark' } = {}): Promise<BrowserContext> {
  const viewport = size === 'desktop' ? { width: 1440, height: 900 } : { width: 1024, height: 768 };
  return browser.newContext({ viewport, colorScheme: options.colorScheme ?? 'light', hasTouch: size === 'tablet', acceptDownloads: true });
}

/** Signs in through the sign-in page and waits for the app shell. */
export async function signIn(page: Page, server: E2eServer, username = 'admin', password = ADMIN_PASSWORD): Promise<void> {
  await page.goto(`${server.url}/sign-in`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('user-name').waitFor();
}

/** An access token for `username` through the API. */
export async function apiToken(server: E2eServer, username = 'admin', password = ADMIN_PASSWORD): Promise<string> {
  const r = await fetch(`${server.url}/api/xai-qc/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!r.ok) throw new Error(`login of ${username} failed: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { accessToken: string }).accessToken;
}

/** Creates a user with `role` through the API (as admin); returns the password. */
export async function createUser(server: E2eServer, username: string, role: 'viewer' | 'operator' | 'engineer' | 'admin'): Promise<string> {
  const password = `${username}-password-0001`;
  const token = await apiToken(server);
  const r = await fetch(`${server.url}/api/xai-qc/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ username, role, password }),
  });
  if (!r.ok) throw new Error(`creating ${username} failed: ${r.status} ${await r.text()}`);
  return password;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** An accessibility violation as axe-core reports it. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe-core (WCAG 2 A and AA rules) on the page; returns the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  // evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays in force for the app
  await page.evaluate(AXE_SOURCE);
  // Colours mid-transition (a button just pressed, a dialog fading in) are not the page's
  // colours: wait for running CSS transitions and animations to end before measuring contrast.
  // Infinite ones (spinners) are left out, and the wait is bounded at 2 s.
  await page.evaluate(() =>
    Promise.race([
      Promise.all(
        document
          .getAnimations()
          .filter((a) => Number.isFinite(Number(a.effect?.getComputedTiming().endTime)))
          .map((a) => a.finished.catch(() => undefined)),
      ),
      new Promise((resolve) => setTimeout(resolve, 2000)),
    ]),
  );
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A readable list of violations for an assertion message. */
export function formatViolations(vs: AxeViolation[]): string {
  return vs.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`).join('\n');
}

/** A demo image of the surface model (a PNG the server accepts), made in the browser-free way: from the repository's sample. */
export function sampleImagePath(): string {
  return join(REPO, 'packages/web/e2e/fixtures/surface-scratch.png');
}
