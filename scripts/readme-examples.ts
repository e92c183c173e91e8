/**
 * Runs every example of README.md, in order, in a fresh clone of this repository, and
 * fails on the first one that does not work as written (`npm run readme:check`).
 *
 * An example is every command in a ```sh block of README.md, except the blocks of the
 * "Set up" section (`npm ci && npm start`, `npm ci && npm test`: they install packages
 * and run the whole test suite; `--setup` runs them too). Lines ending in `\` continue on
 * the next line; `#` lines are comments.
 *
 * An example fails when it exits with a non-zero status or when it prints anything on
 * stderr other than JSON lines (the CLI's progress off a terminal): a warning on every
 * call counts as a failure.
 *
 * The clone is `git clone` of the committed HEAD, so uncommitted changes are not seen
 * (`--readme PATH` takes the examples from another README, e.g. the working tree's).
 * Instead of `npm ci`, the clone's node_modules link to this checkout's installed
 * packages, and its workspace links point at the clone's own packages (`--npm-ci` runs
 * `npm ci` in the clone instead).
 *
 * Usage: tsx scripts/readme-examples.ts [--readme PATH] [--npm-ci] [--setup] [--keep] [--timeout SECONDS]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** One README command and the section it sits in. */
interface ReadmeExample {
  section: string;
  command: string;
  /** 1-based line of README.md where the command starts. */
  line: number;
}

/** The commands of every ```sh block of `markdown`, in order, with their section heading. */
function readmeExamples(markdown: string): ReadmeExample[] {
  const out: ReadmeExample[] = [];
  let section = '';
  let inSh = false;
  let inOther = false;
  let pending: { text: string; line: number } | undefined;
  markdown.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (!inSh && !inOther) {
      const heading = /^#{1,6}\s+(.*)$/.exec(line);
      if (heading) section = heading[1].trim();
      if (/^```sh\s*$/.test(line)) inSh = true;
      else if (/^```/.test(line)) inOther = true;
      return;
    }
    if (/^```\s*$/.test(line)) {
      if (pending) throw new Error(`README.md:${pending.line}: a command ends in '\\' at the end of its block`);
      inSh = false;
      inOther = false;
      return;
    }
    if (inOther) return;
    const text = line.trim();
    if (!pending && (text === '' || text.startsWith('#'))) return;
    const joined = pending ? `${pending.text} ${text}` : text;
    const start = pending?.line ?? i + 1;
    if (joined.endsWith('\\')) pending = { text: joined.slice(0, -1).trimEnd(), line: start };
    else {
      pending = undefined;
      out.push({ section, command: joined, line: start });
    }
  });
  if (inSh || inOther) throw new Error('README.md: a code block is not closed');
  return out;
}

/**
 * Recreates the `node_modules` folder `from` at `to`: relative links (workspace packages,
 * `.bin` entries) are copied as they are, so they resolve inside the clone; scope folders
 * are recreated; installed packages are linked by absolute path.
 */
function linkModules(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const dst = join(to, name);
    const st = lstatSync(src);
    if (st.isSymbolicLink()) {
      symlinkSync(readlinkSync(src), dst);
    } else if (st.isDirectory() && (name.startsWith('@') || name === '.bin')) {
      linkModules(src, dst);
    } else {
      symlinkSync(src, dst);
    }
  }
}

function run(command: string, cwd: string, timeoutS: number): { status: number | null; stdout: string; stderr: string; seconds: number; error?: Error } {
  const t0 = performance.now();
  const r = spawnSync('bash', ['-eo', 'pipefail', '-c', command], { cwd, encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', seconds: (performance.now() - t0) / 1000, error: r.error };
}

/** Lines of `stderr` that are not JSON objects (progress is JSON lines off a terminal). */
function unexpectedStderr(stderr: string): string[] {
  return stderr.split('\n').filter((l) => {
    if (l.trim() === '') return false;
    try {
      const v: unknown = JSON.parse(l);
      return v === null || typeof v !== 'object' || Array.isArray(v);
    } catch {
      return true;
    }
  });
}

function tail(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).map((l) => `    ${l}`).join('\n');
}

function main(): number {
  const { values } = parseArgs({
    options: {
      readme: { type: 'string' },
      'npm-ci': { type: 'boolean' },
      setup: { type: 'boolean' },
      keep: { type: 'boolean' },
      timeout: { type: 'string' },
    },
    strict: true,
  });
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const timeoutS = values.timeout === undefined ? 600 : Number(values.timeout);
  if (!(timeoutS > 0)) throw new Error(`--timeout must be a positive number of seconds, got '${values.timeout}'`);

  const work = mkdtempSync(join(tmpdir(), 'xaiqc-readme-'));
  const clone = join(work, 'xai-qc');
  const t0 = performance.now();
  try {
    const cloned = spawnSync('git', ['clone', '--quiet', repo, clone], { encoding: 'utf8' });
    if (cloned.status !== 0) throw new Error(`git clone failed: ${cloned.stderr.trim()}`);
    const head = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: clone, encoding: 'utf8' }).stdout.trim();
    const readmePath = values.readme ? resolve(values.readme) : join(clone, 'README.md');
    const all = readmeExamples(readFileSync(readmePath, 'utf8'));
    const examples = values.setup ? all : all.filter((e) => e.section !== 'Set up');
    if (examples.length === 0) throw new Error(`${readmePath} has no examples`);
    if (values['npm-ci']) {
      const ci = run('npm ci', clone, timeoutS);
      if (ci.status !== 0) throw new Error(`npm ci failed in the clone:\n${tail(ci.stderr, 20)}`);
    } else if (!values.setup) {
      linkModules(join(repo, 'node_modules'), join(clone, 'node_modules'));
      // Workspaces keep their own copies of packages whose versions clash with the root's.
      for (const pkg of readdirSync(join(repo, 'packages'))) {
        const nested = join(repo, 'packages', pkg, 'node_modules');
        if (existsSync(nested) && existsSync(join(clone, 'packages', pkg))) linkModules(nested, join(clone, 'packages', pkg, 'node_modules'));
      }
    }
    console.log(`README examples of ${readmePath} in a clone of ${head} at ${clone}`);
    for (const [i, ex] of examples.entries()) {
      const label = `[${i + 1}/${examples.length}] README.md:${ex.line}`;
      const r = run(ex.command, clone, timeoutS);
      const noise = unexpectedStderr(r.stderr);
      if (r.status !== 0 || noise.length > 0) {
        const why = r.error ? `did not finish: ${r.error.message}` : r.status !== 0 ? `exited with status ${r.status}` : 'printed on stderr what is not progress';
        console.error(`${label} FAILED (${why}, ${r.seconds.toFixed(1)} s):\n  ${ex.command}`);
        if (r.stdout.trim()) console.error(`  stdout (last lines):\n${tail(r.stdout, 15)}`);
        const shown = noise.length ? noise.join('\n') : r.stderr;
        if (shown.trim()) console.error(`  stderr (last lines):\n${tail(shown, 15)}`);
        return 1;
      }
      console.log(`${label} ok ${r.seconds.toFixed(1)} s: ${ex.command}`);
    }
    console.log(`all ${examples.length} README examples passed in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return 0;
  } finally {
    if (values.keep) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = main();
