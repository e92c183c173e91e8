#!/usr/bin/python3
"""Per-op CPU time of PyTorch's convolution forward and backward (one thread) on given
shapes, for packages/core/bench/train-conv-op.ts. Reads a JSON list of
{name, n, cin, cout, k, stride, h, w, inputGrad} on stdin; prints a JSON list of
{name, forwardMs, gradientMs} (process CPU ms per call, median of interleaved repeats).
"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def cpu_ms(fn, reps):
    times = []
    for _ in range(reps):
        t = time.process_time()
        fn()
        times.append((time.process_time() - t) * 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    torch.set_num_threads(1)
    shapes = json.load(sys.stdin)
    out = []
    for s in shapes:
        x = torch.randn(s['n'], s['cin'], s['h'], s['w'], requires_grad=s['inputGrad'])
        w = torch.randn(s['cout'], s['cin'], s['k'], s['k'], requires_grad=True)
        pad = (s['k'] - 1) // 2
        y = F.conv2d(x, w, stride=s['stride'], padding=pad)
        g = torch.randn_like(y)

        def fwd():
            with torch.no_grad():
                F.conv2d(x, w, stride=s['stride'], padding=pad)

        def grad():
            yy = F.conv2d(x, w, stride=s['stride'], padding=pad)
            torch.autograd.grad(yy, [x, w] if s['inputGrad'] else [w], g)

        for _ in range(3):
            fwd()
            grad()
        out.append({'name': s['name'], 'forwardMs': cpu_ms(fwd, 15), 'gradientMs': cpu_ms(grad, 15)})
    print(json.dumps(out))


if __name__ == '__main__':
    main()
