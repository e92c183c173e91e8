/**
 * `npm run bench:explain-large`: wall time and peak memory of the real `xaiqc explain`
 * command on an 81-megapixel image (9000x9000 PNG, mostly flat so it is small on disk,
 * with one dark scratch). The image is made here, in a temporary folder, before the clock
 * starts. Each run is a fresh `node packages/cli/bin/xaiqc.js explain ...` child process;
 * a preloaded hook prints that process's `process.resourceUsage().maxRSS` (peak resident
 * set size) as it exits, and the script counts the progress lines on its stderr. A
 * reference run on a 512x512 image of the same kind comes first: the difference is what
 * the large image costs (start-up, model load and the methods are the same).
 *
 *   npm run bench:explain-large -- [--model models/surface-classifier/model.onnx]
 *       [--methods gradcam,saliency,ig,occlusion] [--side 9000] [--runs 1]
 *
 * Limits checked (issue 12): under 1 GiB peak RSS and 15 s per run. Exit status 1 when a
 * run fails or exceeds them.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const LIMIT_RSS_MIB = 1024;
const LIMIT_SECONDS = 15;
const RSS_MARK = 'xaiqc-bench-usage=';
/** Printed by the child as it exits: its own peak RSS (KiB) and user and system CPU time (microseconds), from resourceUsage(). */
const RSS_HOOK = `data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\n${RSS_MARK}'+[u.maxRSS,u.userCPUTime,u.systemCPUTime].join(',')+'\\n')})`;

interface RunFigures {
  seconds: number;
  /** User plus system CPU time of the child, seconds: what the run costs whatever the machine's load. */
  cpuSeconds: number;
  peakRssMiB: number;
  progressLines: number;
  exitCode: number;
  stderrTail: string;
}

/** A side x side RGB PNG: flat gray with one dark scratch across the middle. */
async function bigImage(path: string, side: number): Promise<number> {
  const w = Math.round(side * 0.1);
  const svg = `<svg width="${side}" height="${side}" xmlns="http://www.w3.org/2000/svg"><rect x="${Math.round(side * 0.45)}" y="${Math.round(side * 0.47)}" width="${w}" height="${Math.max(2, Math.round(w / 8))}" fill="rgb(35,35,35)"/></svg>`;
  const png = await sharp({ create: { width: side, height: side, channels: 3, background: { r: 150, g: 150, b: 150 } } })
    .composite([{ input: Buffer.from(svg) }])
    .png({ compressionLevel: 6 })
    .toBuffer();
  await writeFile(path, png);
  return png.length;
}

function runExplain(args: readonly string[]): Promise<RunFigures> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', RSS_HOOK, 'packages/cli/bin/xaiqc.js', 'explain', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const mark = stderr.split('\n').find((l) => l.startsWith(RSS_MARK));
      const [rssKiB, userUs, systemUs] = mark ? mark.slice(RSS_MARK.length).split(',').map(Number) : [NaN, NaN, NaN];
      const progressLines = stderr.split('\n').filter((l) => l.startsWith('{"type":"progress"')).length;
      resolvePromise({
        seconds,
        cpuSeconds: (userUs + systemUs) / 1e6,
        peakRssMiB: rssKiB / 1024,
        progressLines,
        exitCode: code ?? 1,
        stderrTail: stderr.trim().split('\n').slice(-3).join('\n'),
      });
    });
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'models/surface-classifier/model.onnx' },
      methods: { type: 'string', default: 'gradcam,saliency,ig,occlusion' },
      side: { type: 'string', default: '9000' },
      runs: { type: 'string', default: '1' },
    },
  });
  const side = Number(values.side);
  const runs = Number(values.runs);
  const dir = await mkdtemp(join(tmpdir(), 'xaiqc-bench-large-'));
  try {
    const image = join(dir, 'large.png');
    const bytes = await bigImage(image, side);
    console.log(`image ${side}x${side} (${((side * side) / 1e6).toFixed(1)} MP), ${(bytes / 1024).toFixed(0)} KiB PNG; model ${values.model}; methods ${values.methods}`);
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()[0].toFixed(2)}, node ${process.version}`);
    const small = join(dir, 'small.png');
    await bigImage(small, 512);
    const ref = await runExplain(['--model', values.model, '--image', small, '--methods', values.methods, '--out', join(dir, 'out-small')]);
    console.log(`reference 512x512: exit ${ref.exitCode}, wall ${ref.seconds.toFixed(2)} s, CPU ${ref.cpuSeconds.toFixed(2)} s, peak RSS ${ref.peakRssMiB.toFixed(0)} MiB`);
    let ok = ref.exitCode === 0;
    for (let r = 0; r < runs; r++) {
      const out = join(dir, `out-${r}`);
      const f = await runExplain(['--model', values.model, '--image', image, '--methods', values.methods, '--out', out]);
      const within = f.exitCode === 0 && f.peakRssMiB < LIMIT_RSS_MIB && f.seconds < LIMIT_SECONDS;
      ok &&= within;
      console.log(
        `run ${r + 1}: exit ${f.exitCode}, wall ${f.seconds.toFixed(2)} s, CPU ${f.cpuSeconds.toFixed(2)} s, peak RSS ${f.peakRssMiB.toFixed(0)} MiB, ${f.progressLines} progress lines on stderr` +
          ` (limits ${LIMIT_SECONDS} s, ${LIMIT_RSS_MIB} MiB: ${within ? 'within' : 'EXCEEDED'})`,
      );
      if (f.exitCode !== 0) console.log(f.stderrTail);
    }
    return ok ? 0 : 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
