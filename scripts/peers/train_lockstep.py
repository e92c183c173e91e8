#!/usr/bin/python3
"""Replays an XAI-QC lockstep run (packages/core/bench/train-lockstep.ts) in PyTorch: the
peer's network (train_peer.py) with XAI-QC's initial weights, the same batches in the same
order, no augmentation or dropout, AdamW and the warm-up cosine schedule of train_peer.py.
Prints per-step losses of both sides, per-epoch mean training loss and validation
accuracy, and the step-0 gradients of both against a float64 PyTorch reference.
Run with Debian's python3-torch (scripts/peers/install-torch.sh); not used by the tests.
"""
import argparse
import importlib.util
import json
import os
import re

import numpy as np
import torch

spec = importlib.util.spec_from_file_location('train_peer', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'train_peer.py'))
peer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peer)


def torch_name(name):
    """XAI-QC's `layer2.0.conv1.weight` is the peer's `layers.1.0.conv1.weight`."""
    return re.sub(r'^layer(\d)\.', lambda m: 'layers.%d.' % (int(m.group(1)) - 1), name)


def model_with(run, flat, dtype=torch.float32):
    model = peer.CompactResNet(len(set(label for _, label in run['train'])), 16, 3, 0.0)
    state, off = model.state_dict(), 0
    for name, dims in run['index']:
        n = int(np.prod(dims))
        state[torch_name(name)].copy_(torch.from_numpy(flat[off:off + n].reshape(dims).copy()))
        off += n
    model.load_state_dict(state)
    return model.to(dtype)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', required=True)
    p.add_argument('--run', required=True, help='folder with ours.json and weights.bin')
    a = p.parse_args()
    torch.set_num_threads(1)
    run = json.load(open(os.path.join(a.run, 'ours.json')))
    flat = np.fromfile(os.path.join(a.run, 'weights.bin'), dtype=np.float32)
    tx, ty = peer.load(a.data, run['train'], 64)
    vx, vy = peer.load(a.data, run['val'], 64)
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=run['labelSmoothing'])

    # Step-0 gradients: XAI-QC (float32, ONNX Runtime) and PyTorch float32 against PyTorch float64.
    first = np.array(run['orders'][0][:32])
    grads = {}
    for dtype in (torch.float32, torch.float64):
        m = model_with(run, flat, dtype)
        m.train()
        loss = loss_fn(m(peer.to_tensor(tx[first]).to(dtype)), torch.from_numpy(ty[first]))
        loss.backward()
        grads[dtype] = ({n: q.grad.double().numpy().ravel() for n, q in m.named_parameters()}, float(loss))
    errs = {'XAI-QC': [], 'PyTorch float32': []}
    for name, g in run['grads0'].items():
        ref = grads[torch.float64][0][torch_name(name)]
        scale = np.abs(ref).max() + 1e-30
        errs['XAI-QC'].append(np.abs(np.array(g) - ref).max() / scale)
        errs['PyTorch float32'].append(np.abs(grads[torch.float32][0][torch_name(name)] - ref).max() / scale)
    print('step-0 loss: XAI-QC %.7f, PyTorch float32 %.7f, float64 %.7f' % (run['loss0'], grads[torch.float32][1], grads[torch.float64][1]))
    for k, v in errs.items():
        print('step-0 gradients, max |g - g64| / max |g64| per tensor over %d tensors: %s mean %.2e, worst %.2e' % (len(v), k, np.mean(v), np.max(v)))

    # The run replayed.
    model = model_with(run, flat)
    opt = torch.optim.AdamW(model.parameters(), lr=run['lr'], betas=(0.9, 0.999), eps=1e-8, weight_decay=run['weightDecay'])
    steps = len(ty) // 32
    epochs = len(run['orders'])
    total = steps * epochs
    losses, accs = [], []
    vt = peer.to_tensor(vx)
    for e in range(epochs):
        model.train()
        order = np.array(run['orders'][e])
        for s in range(steps):
            idx = order[s * 32:(s + 1) * 32]
            for g in opt.param_groups:
                g['lr'] = peer.learning_rate(run['lr'], e * steps + s, total, run['warmup'])
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(peer.to_tensor(tx[idx])), torch.from_numpy(ty[idx]))
            loss.backward()
            opt.step()
            losses.append(float(loss))
        model.eval()
        with torch.no_grad():
            accs.append(float((model(vt).argmax(1).numpy() == vy).mean()))
    ours = run['losses']
    print('\nstep   XAI-QC loss  PyTorch loss  difference')
    for i in sorted(set(list(range(min(6, total))) + list(range(0, total, max(1, total // 8))) + [total - 1])):
        print('%4d   %11.5f  %12.5f  %10.2e' % (i, ours[i], losses[i], ours[i] - losses[i]))
    print('\nepoch  XAI-QC train loss  PyTorch train loss  XAI-QC val accuracy  PyTorch val accuracy')
    for e in range(epochs):
        print('%5d  %17.4f  %18.4f  %19.3f  %20.3f' % (e + 1, run['trainLoss'][e], np.mean(losses[e * steps:(e + 1) * steps]), run['valAccuracy'][e], accs[e]))


if __name__ == '__main__':
    main()
