#!/usr/bin/python3
"""The PyTorch peer of `xaiqc train --task classify` with its defaults, for side-by-side
training throughput (`npm run bench -- train`). Run with Debian's python3-torch 1.13
(scripts/peers/install-torch.sh); not used by the tests.

Same as XAI-QC's defaults (packages/core/src/train: run-training.ts makeConfig,
zoo/compact-resnet.ts, zoo/layers.ts, augment.ts, optimizers.ts, schedules.ts):
- network: compactResNet width 16 depth 3: conv1 3x3/2 (no bias) -> BN -> ReLU ->
  layer1..3 of 2 BasicBlocks (16, 32, 64 channels; stride 2 and a 1x1/2 conv + BN
  downsample at the start of layer2 and layer3) -> global average and global max pool
  concatenated -> flatten -> Dropout 0.2 -> Linear(128, K); BatchNorm eps 1e-5, momentum
  0.1 (ONNX 0.9), weight 1, bias 0; convs He-normal fan_out; Linear U(+-1/sqrt(fan_in)),
  bias 0;
- loss: softmax cross-entropy with label smoothing 0.05 (t = 0.95 onehot + 0.05 / K);
- optimiser: AdamW lr 3e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-4 on every
  parameter; learning rate per step: linear warm-up over 20 steps, then cosine to 0 over
  the remaining steps of the run;
- batch 32, the last partial batch dropped, a new permutation each epoch;
- input: RGB, (pixel / 255 - 0.5) / 0.25, the images of the split file at the model size;
- augmentation per image (DEFAULT_AUGMENT): h-flip 0.5, v-flip 0.5, quarter turn 0.5, an
  affine warp with p 0.3 (rotation +-10 deg, scale +-0.1, translation +-5 %; bilinear,
  reflected borders), colour jitter with p 0.5 (brightness +-0.1, contrast +-0.15,
  gamma +-0.15), Gaussian noise with p 0.2 (sigma up to 6), a 1-2-1 blur with p 0.1.
  The same distributions, drawn from numpy's generator (not XAI-QC's stream);
- validation: accuracy of the eval-mode network on the validation split after each epoch.

Prints one JSON object: images/s and CPU utilisation (process CPU time / wall time) over
the training steps of all epochs (batch making included, as XAI-QC's figure), peak RSS,
validation accuracy per epoch.
"""
import argparse
import json
import math
import os
import resource
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', required=True, help='dataset root (ROOT/<class>/*.png)')
    p.add_argument('--split', required=True, help='JSON {labels, train: [[path, label]], val: [[path, label]]}, paths relative to --data')
    p.add_argument('--epochs', type=int, default=20)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--size', type=int, default=64)
    p.add_argument('--lr', type=float, default=3e-3)
    p.add_argument('--weight-decay', type=float, default=1e-4)
    p.add_argument('--warmup', type=int, default=20)
    p.add_argument('--label-smoothing', type=float, default=0.05)
    p.add_argument('--width', type=int, default=16)
    p.add_argument('--depth', type=int, default=3)
    p.add_argument('--dropout', type=float, default=0.2)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--no-augment', action='store_true')
    return p.parse_args()


class BasicBlock(nn.Module):
    def __init__(self, cin, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or cin != planes:
            self.downsample = nn.Sequential(nn.Conv2d(cin, planes, 1, stride, 0, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class CompactResNet(nn.Module):
    def __init__(self, num_classes, width=16, depth=3, dropout=0.2):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 3, 2, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        layers, cin = [], width
        for i in range(depth):
            planes = width << i
            stride = 1 if i == 0 else 2
            layers.append(nn.Sequential(BasicBlock(cin, planes, stride), BasicBlock(planes, planes, 1)))
            cin = planes
        self.layers = nn.Sequential(*layers)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(2 * cin, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        bound = 1 / math.sqrt(2 * cin)
        nn.init.uniform_(self.fc.weight, -bound, bound)
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        x = self.layers(F.relu(self.bn1(self.conv1(x))))
        pooled = torch.cat([F.adaptive_avg_pool2d(x, 1), F.adaptive_max_pool2d(x, 1)], 1).flatten(1)
        return self.fc(self.dropout(pooled))


def reflect(i, n):
    if n == 1:
        return np.zeros_like(i)
    period = 2 * (n - 1)
    m = np.mod(i, period)
    return np.where(m >= n, period - m, m)


def augment(img, rng):
    """XAI-QC's DEFAULT_AUGMENT on an HWC uint8 image (augment.ts), numpy's stream."""
    h, w, _ = img.shape
    flip_x = rng.random() < 0.5
    flip_y = rng.random() < 0.5
    k = 1 + int(rng.random() * 3) if w == h and rng.random() < 0.5 else 0
    affine = rng.random() < 0.3
    theta = (rng.random() * 2 - 1) * 10 * math.pi / 180 if affine else 0.0
    scale = 1 + (rng.random() * 2 - 1) * 0.1 if affine else 1.0
    tx = (rng.random() * 2 - 1) * 0.05 * w if affine else 0.0
    ty = (rng.random() * 2 - 1) * 0.05 * h if affine else 0.0
    out = img
    if flip_x or flip_y or k or affine:
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
        cos, sin = math.cos(theta) / scale, math.sin(theta) / scale
        cx, cy = (w - 1) / 2, (h - 1) / 2
        u = cos * (xs - cx - tx) + sin * (ys - cy - ty) + cx
        v = -sin * (xs - cx - tx) + cos * (ys - cy - ty) + cy
        for _ in range(k):
            u, v = v, w - 1 - u
        if flip_x:
            u = w - 1 - u
        if flip_y:
            v = h - 1 - v
        if not affine:
            out = img[np.rint(v).astype(np.int64), np.rint(u).astype(np.int64)]
        else:
            x0, y0 = np.floor(u).astype(np.int64), np.floor(v).astype(np.int64)
            fx, fy = (u - x0)[..., None], (v - y0)[..., None]
            xa, xb, ya, yb = reflect(x0, w), reflect(x0 + 1, w), reflect(y0, h), reflect(y0 + 1, h)
            f = img.astype(np.float64)
            s = (f[ya, xa] * (1 - fx) + f[ya, xb] * fx) * (1 - fy) + (f[yb, xa] * (1 - fx) + f[yb, xb] * fx) * fy
            out = np.rint(s).astype(np.uint8)
    out = out.copy()
    do_color = rng.random() < 0.5
    bright = (rng.random() * 2 - 1) * 0.1 * 255 if do_color else 0.0
    contrast = 1 + (rng.random() * 2 - 1) * 0.15 if do_color else 1.0
    gamma = 1 + (rng.random() * 2 - 1) * 0.15 if do_color else 1.0
    do_noise = rng.random() < 0.2
    sigma = rng.random() * 6 if do_noise else 0.0
    do_blur = rng.random() < 0.1
    if do_color:
        i = np.arange(256, dtype=np.float64)
        g = 255 * np.power(i / 255, gamma)
        lut = np.clip(np.rint((g - 128) * contrast + 128 + bright), 0, 255).astype(np.uint8)
        out = lut[out]
    if do_noise and sigma > 0:
        out = np.clip(np.rint(out + sigma * rng.standard_normal(out.shape)), 0, 255).astype(np.uint8)
    if do_blur:
        p = out.astype(np.uint16)
        l, r = np.concatenate([p[:, :1], p[:, :-1]], 1), np.concatenate([p[:, 1:], p[:, -1:]], 1)
        t = l + 2 * p + r
        u_, d_ = np.concatenate([t[:1], t[:-1]], 0), np.concatenate([t[1:], t[-1:]], 0)
        out = ((u_ + 2 * t + d_ + 8) >> 4).astype(np.uint8)
    return out


def load(root, items, size):
    imgs = np.empty((len(items), size, size, 3), np.uint8)
    for i, (path, _) in enumerate(items):
        im = Image.open(os.path.join(root, path)).convert('RGB')
        if im.size != (size, size):
            im = im.resize((size, size), Image.BILINEAR)
        imgs[i] = np.asarray(im)
    return imgs, np.array([label for _, label in items], np.int64)


def to_tensor(batch_u8):
    x = torch.from_numpy(np.ascontiguousarray(batch_u8)).permute(0, 3, 1, 2).float()
    return (x / 255 - 0.5) / 0.25


def learning_rate(lr0, step, total, warm):
    if step < warm:
        return lr0 * (step + 1) / warm
    span = max(1, total - warm)
    s = min(step - warm, span)
    return lr0 * (1 + math.cos(math.pi * s / span)) / 2


def main():
    a = parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    with open(a.split) as f:
        split = json.load(f)
    labels = split['labels']
    train_x, train_y = load(a.data, split['train'], a.size)
    val_x, val_y = load(a.data, split['val'], a.size)
    model = CompactResNet(len(labels), a.width, a.depth, a.dropout)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=a.weight_decay)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=a.label_smoothing)
    n = len(train_y)
    steps = max(1, n // a.batch)
    total = steps * a.epochs
    val_tensor = to_tensor(val_x)
    history = []
    step_wall = step_cpu = 0.0
    for epoch in range(a.epochs):
        model.train()
        order = rng.permutation(n)
        w0, c0 = time.perf_counter(), time.process_time()
        loss_sum = 0.0
        for s in range(steps):
            idx = order[s * a.batch:(s + 1) * a.batch]
            batch = np.stack([augment(train_x[i], rng) for i in idx]) if not a.no_augment else train_x[idx]
            x, y = to_tensor(batch), torch.from_numpy(train_y[idx])
            for g in opt.param_groups:
                g['lr'] = learning_rate(a.lr, epoch * steps + s, total, a.warmup)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            loss_sum += float(loss)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        step_wall += wall
        step_cpu += cpu
        model.eval()
        with torch.no_grad():
            pred = torch.cat([model(val_tensor[i:i + 64]).argmax(1) for i in range(0, len(val_y), 64)])
        acc = float((pred.numpy() == val_y).mean())
        history.append({'epoch': epoch + 1, 'trainLoss': loss_sum / steps, 'valAccuracy': acc,
                        'imagesPerSecond': steps * a.batch / wall, 'cpuUtilisation': cpu / wall})
    print(json.dumps({
        'runtime': f'PyTorch {torch.__version__} (threads {torch.get_num_threads()})',
        'trainImages': n, 'valImages': len(val_y), 'epochs': a.epochs, 'batch': a.batch, 'size': a.size,
        'imagesPerSecond': steps * a.batch * a.epochs / step_wall,
        'cpuUtilisation': step_cpu / step_wall,
        'stepSeconds': step_wall,
        'peakRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'finalValAccuracy': history[-1]['valAccuracy'],
        'bestValAccuracy': max(h['valAccuracy'] for h in history),
        'history': history,
    }))


if __name__ == '__main__':
    main()
