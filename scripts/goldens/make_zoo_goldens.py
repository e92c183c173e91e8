"""Writes packages/core/test/goldens/zoo-torchvision.json: logits of torchvision's own
ResNet and MobileNetV2 loaded with the weights of XAI-QC's zoo builders.

Run from the repository root with Debian's interpreter (torch 1.13, torchvision 0.14, onnx 1.12):

    /usr/bin/python3 scripts/goldens/make_zoo_goldens.py

For each config it builds the zoo model in TypeScript (scripts/goldens/zoo-export.ts),
copies every weight into the torchvision module (ResNet by state_dict name, MobileNetV2
by parameter order, shapes checked), overwrites every BatchNorm's scale, shift and
running statistics with a fixed formula of the channel index (so BN placement matters;
the test applies the same formula), and records the float64 logits for a fixed input.
Matching logits mean the zoo graph is the torchvision topology: strides, paddings,
shortcut placement, channel rounding, ReLU6 and the head.
"""
import json
import math
import pathlib
import subprocess
import tempfile

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn
from torchvision.models.mobilenetv2 import MobileNetV2
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "packages/core/test/goldens/zoo-torchvision.json"
BATCH = 2
SIZE = 64

CONFIGS = [
    {"key": "resnet18_w16", "builder": "resnet", "options": {"depth": 18, "width": 16, "numClasses": 10, "inputSize": SIZE, "seed": 11}},
    {"key": "resnet50_w16", "builder": "resnet", "options": {"depth": 50, "width": 16, "numClasses": 10, "inputSize": SIZE, "seed": 12}},
    {"key": "mobilenet_v2_x0.25", "builder": "mobilenetV2", "options": {"widthMult": 0.25, "numClasses": 10, "inputSize": SIZE, "seed": 13}},
]


class WidthResNet(ResNet):
    """torchvision ResNet with stage widths width * (1, 2, 4, 8); the rest is torchvision's."""

    def __init__(self, block, layers, width, num_classes):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = width
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, width, layers[0])
        self.layer2 = self._make_layer(block, width * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(block, width * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(block, width * 8, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width * 8 * block.expansion, num_classes)


def torch_model(cfg):
    o = cfg["options"]
    if cfg["builder"] == "resnet":
        block, layers = {18: (BasicBlock, [2, 2, 2, 2]), 50: (Bottleneck, [3, 4, 6, 3])}[o["depth"]]
        return WidthResNet(block, layers, o["width"], o["numClasses"])
    return MobileNetV2(num_classes=o["numClasses"], width_mult=o["widthMult"])


def load_weights(module, cfg, path):
    inits = [(t.name, numpy_helper.to_array(t)) for t in onnx.load(str(path)).graph.initializer]
    # Zoo-only constants (Clip bounds, dropout ratio) have no torch counterpart.
    inits = [(n, a) for n, a in inits if not n.startswith("clip.") and not n.endswith(".ratio")]
    state = {k: v for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}
    assert len(inits) == len(state), (len(inits), len(state))
    new_state = {}
    for (name, array), (key, ref) in zip(inits, state.items()):
        if cfg["builder"] == "resnet":
            assert name == key, (name, key)
        assert tuple(array.shape) == tuple(ref.shape), (name, key, array.shape, ref.shape)
        new_state[key] = torch.from_numpy(array.copy())
    module.load_state_dict(new_state, strict=False)


def set_batchnorm(module):
    """The same formula as the test's: c is the channel index."""
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = np.arange(m.num_features, dtype=np.float64)
            vals = {
                "weight": 1 + 0.25 * np.sin(1.3 * c + 0.5),
                "bias": 0.1 * np.cos(0.7 * c),
                "running_mean": 0.1 * np.sin(0.9 * c + 1),
                "running_var": 0.5 + 0.5 * np.cos(0.3 * c) ** 2,
            }
            for k, v in vals.items():
                getattr(m, k).data.copy_(torch.from_numpy(v.astype(np.float32)))


def main():
    n = BATCH * 3 * SIZE * SIZE
    x = np.sin(np.arange(n, dtype=np.float64) * 0.37 + 0.1).astype(np.float32).reshape(BATCH, 3, SIZE, SIZE)
    result = {
        "input": {"dims": [BATCH, 3, SIZE, SIZE], "formula": "float32(sin(0.37 i + 0.1)), i the flat index"},
        "batchnorm": "weight 1+0.25 sin(1.3c+0.5), bias 0.1 cos(0.7c), mean 0.1 sin(0.9c+1), var 0.5+0.5 cos(0.3c)^2",
        "models": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npx", "tsx", "scripts/goldens/zoo-export.ts", tmp, json.dumps(CONFIGS)], cwd=ROOT, check=True)
        for cfg in CONFIGS:
            module = torch_model(cfg)
            load_weights(module, cfg, pathlib.Path(tmp) / f"{cfg['key']}.onnx")
            set_batchnorm(module)
            module = module.double().eval()
            with torch.no_grad():
                logits = module(torch.from_numpy(x).double()).numpy()
            assert np.all(np.isfinite(logits)) and math.isfinite(float(np.abs(logits).max()))
            result["models"].append({**cfg, "logits": [float(v) for v in logits.reshape(-1)], "dims": list(logits.shape)})
            print(cfg["key"], "max |logit|", float(np.abs(logits).max()))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
