/**
 * Per-op CPU time of a convolution's forward and gradient (dx and dW, as the training
 * graph computes them) in ONNX Runtime with XAI-QC's autodiff rules, against PyTorch's
 * (scripts/peers/conv_op_peer.py), one thread each, on every convolution shape of
 * `xaiqc train`'s default network (compactResNet width 16 depth 3, 64x64, batch 32).
 * CPU time, not wall time: on the shared 2-core machine other processes' load inflates
 * wall time far more. Needs the peer runtime (scripts/peers/install-torch.sh).
 *
 * Run: `npx tsx packages/core/bench/train-conv-op.ts`.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defaultRegistry } from '../src/autodiff/register-all.ts';
import { buildGradient } from '../src/autodiff/vjp.ts';
import type { Model } from '../src/onnx/ir.ts';
import { saveModel } from '../src/onnx/model-io.ts';
import { tensor } from '../src/onnx/tensor.ts';
import type { Tensor } from '../src/onnx/tensor.ts';
import { createSession } from '../src/runtime/session.ts';
import { keyedRng } from '../src/util/random.ts';
import { cpuClock, formatTable, round, timeInterleaved } from './harness.ts';

interface ConvShape {
  name: string;
  /** Convolutions of this shape in the network. */
  count: number;
  n: number;
  cin: number;
  cout: number;
  k: number;
  stride: number;
  h: number;
  w: number;
  /** Whether the network needs dx (not for the stem, whose input is the image). */
  inputGrad: boolean;
}

const N = 32;
const SHAPES: ConvShape[] = [
  { name: 'conv1 3->16 3x3/2 @64', count: 1, n: N, cin: 3, cout: 16, k: 3, stride: 2, h: 64, w: 64, inputGrad: false },
  { name: 'layer1 16->16 3x3 @32', count: 4, n: N, cin: 16, cout: 16, k: 3, stride: 1, h: 32, w: 32, inputGrad: true },
  { name: 'layer2.0.conv1 16->32 3x3/2 @32', count: 1, n: N, cin: 16, cout: 32, k: 3, stride: 2, h: 32, w: 32, inputGrad: true },
  { name: 'layer2.0.downsample 16->32 1x1/2 @32', count: 1, n: N, cin: 16, cout: 32, k: 1, stride: 2, h: 32, w: 32, inputGrad: true },
  { name: 'layer2 32->32 3x3 @16', count: 3, n: N, cin: 32, cout: 32, k: 3, stride: 1, h: 16, w: 16, inputGrad: true },
  { name: 'layer3.0.conv1 32->64 3x3/2 @16', count: 1, n: N, cin: 32, cout: 64, k: 3, stride: 2, h: 16, w: 16, inputGrad: true },
  { name: 'layer3.0.downsample 32->64 1x1/2 @16', count: 1, n: N, cin: 32, cout: 64, k: 1, stride: 2, h: 16, w: 16, inputGrad: true },
  { name: 'layer3 64->64 3x3 @8', count: 3, n: N, cin: 64, cout: 64, k: 3, stride: 1, h: 8, w: 8, inputGrad: true },
];

function convModel(s: ConvShape): Model {
  const pad = (s.k - 1) / 2;
  const ho = Math.floor((s.h + 2 * pad - s.k) / s.stride) + 1;
  const wo = Math.floor((s.w + 2 * pad - s.k) / s.stride) + 1;
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'bench', producerVersion: '', domain: '', modelVersion: 1, docString: '', metadata: {}, extra: [],
    graph: {
      name: 'conv',
      nodes: [{ name: 'conv', opType: 'Conv', domain: '', inputs: ['x', 'w'], outputs: ['y'], attributes: {
        kernel_shape: { type: 'ints', value: [s.k, s.k] }, pads: { type: 'ints', value: [pad, pad, pad, pad] }, strides: { type: 'ints', value: [s.stride, s.stride] },
      } }],
      inputs: [{ name: 'x', dtype: 'float32', shape: [s.n, s.cin, s.h, s.w] }, { name: 'w', dtype: 'float32', shape: [s.cout, s.cin, s.k, s.k] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [s.n, s.cout, ho, wo] }],
      initializers: new Map(),
      valueInfo: [],
    },
  };
}

async function main(): Promise<void> {
  const rng = keyedRng(9);
  const rand = (dims: number[]): Tensor => tensor('float32', dims, Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng() * 2 - 1));
  const ours: { forwardMs: number; gradientMs: number }[] = [];
  for (const s of SHAPES) {
    const m = convModel(s);
    const grad = buildGradient(m, defaultRegistry(), { of: 'y', wrt: s.inputGrad ? ['x', 'w'] : ['w'], cotangentName: 'dy' });
    const fwd = await createSession(saveModel(m), { intraOpThreads: 1 });
    const bwd = await createSession(saveModel(grad.model), { intraOpThreads: 1 });
    const x = rand([s.n, s.cin, s.h, s.w]);
    const w = rand([s.cout, s.cin, s.k, s.k]);
    const y = (await fwd.run({ x, w }, ['y'])).y;
    const dy = rand(y.dims as number[]);
    const fetch = Object.values(grad.grads);
    const [f, g] = await timeInterleaved([() => fwd.run({ x, w }, ['y']), () => bwd.run({ x, w, [grad.cotangent]: dy }, fetch)], 15, 3, 0, cpuClock);
    ours.push({ forwardMs: f.median, gradientMs: g.median });
    await fwd.release();
    await bwd.release();
  }
  const python = process.env.XAIQC_PEER_PYTHON ?? '/usr/bin/python3';
  const peerScript = fileURLToPath(new URL('../../../scripts/peers/conv_op_peer.py', import.meta.url));
  const peer = JSON.parse(execFileSync(python, [peerScript], { input: JSON.stringify(SHAPES) }).toString()) as { forwardMs: number; gradientMs: number }[];
  const rows = SHAPES.map((s, i) => [s.name, String(s.count), ours[i].forwardMs, peer[i].forwardMs, ours[i].gradientMs, peer[i].gradientMs, round(ours[i].gradientMs / peer[i].gradientMs)]);
  const tot = (xs: { forwardMs: number; gradientMs: number }[], key: 'forwardMs' | 'gradientMs'): number => round(xs.reduce((a, x, i) => a + SHAPES[i].count * x[key], 0));
  rows.push(['whole network (x count)', '', tot(ours, 'forwardMs'), tot(peer, 'forwardMs'), tot(ours, 'gradientMs'), tot(peer, 'gradientMs'), round(tot(ours, 'gradientMs') / tot(peer, 'gradientMs'))]);
  console.log(`convolutions of compactResNet w16 d3 at 64x64, batch ${N}: process CPU ms per call, one thread, median of 15 interleaved`);
  console.log(formatTable(['conv', 'count', 'ORT forward', 'torch forward', 'ORT fwd+dx+dW', 'torch fwd+dx+dW', 'ORT / torch'], rows as (string | number)[][]));
}

await main();
