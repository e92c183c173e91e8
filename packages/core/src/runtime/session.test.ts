import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import { loadModel, saveModel } from '../onnx/model-io.ts';
import { tensor, toNumbers } from '../onnx/tensor.ts';
import { emptyModel, singleOpModel } from '../testing/index.ts';
import { SessionCache, createSession, optimizedModel, withSession } from './session.ts';

const leftovers = async (): Promise<string[]> => (await readdir(tmpdir())).filter((n) => n.startsWith('xqc-optimized-'));

describe('optimizedModel', () => {
  it('returns the graph ONNX Runtime runs, with the same inputs and outputs, and cleans up', async () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: ['N', 4] }]);
    // Identity chains are removed by ONNX Runtime's basic optimisations.
    const y = b.op1('Identity', [b.op1('Identity', [b.op1('Relu', ['x'])])]);
    b.op('Identity', [y], {}, { outputNames: ['y'] });
    model.graph.outputs.push({ name: 'y', dtype: 'float32', shape: ['N', 4] });
    const before = await leftovers();
    const runtime = loadModel(await optimizedModel(saveModel(model)));
    expect(runtime.graph.inputs.map((i) => i.name)).toEqual(['x']);
    expect(runtime.graph.outputs.map((o) => o.name)).toEqual(['y']);
    expect(runtime.graph.nodes.length).toBeLessThan(model.graph.nodes.length);
    expect(runtime.graph.nodes.map((n) => n.opType)).toContain('Relu');
    expect(await leftovers()).toEqual(before);
  });

  it('rejects bytes that are not a model with XQC_RUNTIME and leaves no files', async () => {
    const before = await leftovers();
    const err = await optimizedModel(new Uint8Array([1, 2, 3, 4])).catch((e: unknown) => e);
    expect(isXqcError(err) && err.code).toBe('XQC_RUNTIME');
    expect(await leftovers()).toEqual(before);
  });
});

const reluBytes = (): Uint8Array => saveModel(singleOpModel({ op: 'Relu', inputs: [{ name: 'x', dtype: 'float32', shape: [2] }] }));
const x = tensor('float32', [2], [-1, 2]);

describe('session lifetime', () => {
  it('withSession releases the session when its callback throws', async () => {
    let seen: Awaited<ReturnType<typeof createSession>> | undefined;
    const err = await withSession(reluBytes(), async (s) => {
      seen = s;
      await s.run({ x });
      throw new Error('boom');
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('boom');
    expect(seen?.released).toBe(true);
    await expect(seen?.run({ x })).rejects.toMatchObject({ code: 'XQC_RUNTIME', message: expect.stringContaining('released') });
    await seen?.release();
  });

  it('a session without spinning threads (spinning: false) runs and gives the same result', async () => {
    const still = await createSession(reluBytes(), { intraOpThreads: 2, spinning: false });
    const spinning = await createSession(reluBytes(), { intraOpThreads: 2 });
    try {
      const out = Object.values(await still.run({ x }))[0];
      expect(toNumbers(out)).toEqual([0, 2]);
      expect(toNumbers(out)).toEqual(toNumbers(Object.values(await spinning.run({ x }))[0]));
    } finally {
      await still.release();
      await spinning.release();
    }
  });

  it('a cache forgets a session its user released, and compiles a fresh one', async () => {
    const cache = new SessionCache(4);
    const a = await cache.get(reluBytes());
    expect(await cache.get(reluBytes())).toBe(a);
    await a.release();
    expect(cache.size).toBe(0);
    const b = await cache.get(reluBytes());
    expect(b).not.toBe(a);
    expect(toNumbers((await b.run({ x })).y0)).toEqual([0, 2]);
    await cache.clear();
    expect(b.released).toBe(true);
  });
});

describe('runtime logging', () => {
  it("sets ONNX Runtime's process-wide log level to errors only", () => {
    expect(ort.env.logLevel).toBe('error');
  });

  it('prints nothing on stderr when a model with an initializer among its inputs is loaded and run', () => {
    // At its default level ONNX Runtime warns that such an initializer is not treated as a constant.
    const script = `
      import { singleOpModel } from ${JSON.stringify(join(import.meta.dirname, '..', 'testing', 'index.ts'))};
      import { saveModel } from ${JSON.stringify(join(import.meta.dirname, '..', 'onnx', 'model-io.ts'))};
      import { tensor } from ${JSON.stringify(join(import.meta.dirname, '..', 'onnx', 'tensor.ts'))};
      import { createSession } from ${JSON.stringify(join(import.meta.dirname, 'session.ts'))};
      const m = singleOpModel({ op: 'Add', inputs: [{ name: 'x', dtype: 'float32', shape: [2] }, { name: 'w', dtype: 'float32', shape: [2] }] });
      m.graph.initializers.set('w', tensor('float32', [2], [1, 1]));
      const s = await createSession(saveModel(m));
      await s.run({ x: tensor('float32', [2], [1, -1]) });
      await s.release();
      process.stdout.write('ok');
    `;
    const tsx = join(import.meta.dirname, '..', '..', '..', '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const r = spawnSync(process.execPath, [tsx, '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok');
  });
});

describe('profiling through the seam', () => {
  it('writes a trace with the kernel time of each node when the session ends profiling', async () => {
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const dir = await mkdtemp(join(tmpdir(), 'xqc-profile-test-'));
    try {
      const s = await createSession(reluBytes(), { profileFilePrefix: join(dir, 'p') });
      expect(toNumbers((await s.run({ x })).y0!)).toEqual([0, 2]);
      s.endProfiling();
      await s.release();
      const files = await readdir(dir);
      expect(files).toHaveLength(1);
      const events = JSON.parse(await readFile(join(dir, files[0]!), 'utf8')) as { cat: string; name: string; args?: { op_name?: string } }[];
      expect(events.some((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.args?.op_name === 'Relu')).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
