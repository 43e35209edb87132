#!/usr/bin/python3
"""ONNX files exported by PyTorch, for convnet4j's import tests (not run in CI).

Debian's PyTorch and torchvision (apt-get install python3-torch python3-torchvision python3-onnx),
run with Debian's interpreter:

  /usr/bin/python3 scripts/onnx_fixtures.py every-op java/src/test/resources/org/convnet4j/onnx/pytorch_every_op.onnx
      the committed fixture: a small network with every op convnet4j imports (OnnxPyTorchFixtureTest)
  /usr/bin/python3 scripts/onnx_fixtures.py torchvision DIR
      DIR/alexnet.onnx, vgg16.onnx, googlenet.onnx, resnet50.onnx, inception_v3.onnx with random
      weights, for the opt-in TorchvisionImportTest (-Dconvnet4j.onnx.torchvision=DIR)

Every file: opset 17, input "input" N x 3 x H x W with a symbolic batch N, eval mode (batch norm with
running statistics).
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

OPSET = 17


class EveryOp(nn.Module):
    """Conv (pads, strides, a 1x3 kernel, no bias), BatchNormalization (2-D and 1-D), Relu, MaxPool
    (pads, ceil_mode), AveragePool (count_include_pad both ways), GlobalAveragePool, Gemm, MatMul+Add,
    Add, Concat, Flatten, Reshape, Softmax, Pad, and (inserted after export, below) Dropout, Identity."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.pool1 = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.conv3 = nn.Conv2d(8, 8, (1, 3), padding=(0, 1))
        self.avg_counting = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=True)
        self.avg_excluding = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)
        self.pad = nn.ZeroPad2d((1, 0, 2, 1))  # left, right, top, bottom
        self.conv4 = nn.Conv2d(8, 12, 3)
        self.conv5 = nn.Conv2d(8, 12, 1, stride=2)
        self.fc = nn.Linear(24 * 5 * 5, 32)
        self.bn_fc = nn.BatchNorm1d(32)
        self.weight = nn.Parameter(torch.randn(32, 10) * 0.3)
        self.bias = nn.Parameter(torch.randn(10) * 0.1)
        self.aux = nn.Linear(24, 10)

    def forward(self, x):                                   # 3 x 32 x 32
        x = F.relu(self.conv1(x))                           # 8 x 16 x 16
        x = self.bn1(self.pool1(x))                         # 8 x 9 x 9 (ceil_mode: 8 x 8 without)
        y = self.conv3(F.relu(self.conv2(x)))
        x = x + y
        a = self.conv4(self.pad(self.avg_counting(x)))      # 12 x 10 x 8
        a = F.pad(F.max_pool2d(a, 2), (0, 1, 0, 0))         # 12 x 5 x 5
        b = self.conv5(self.avg_excluding(x))               # 12 x 3 x 3
        b = F.pad(b, (1, 1, 1, 1))                          # 12 x 5 x 5
        x = torch.cat([a, b], 1)                            # 24 x 5 x 5
        g = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)   # 24
        f = x.reshape(-1, 24 * 5 * 5)
        h = F.relu(self.bn_fc(self.fc(f)))
        main = F.softmax(torch.matmul(h, self.weight) + self.bias, dim=1)
        return main, self.aux(g)


def randomize_batch_norm(model, seed):
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            c = m.num_features
            m.weight.data = 0.5 + torch.rand(c, generator=g)
            m.bias.data = torch.rand(c, generator=g) - 0.5
            m.running_mean.data = torch.rand(c, generator=g) - 0.5
            m.running_var.data = 0.5 + torch.rand(c, generator=g)


def calibrate_batch_norm(model, size, seed):
    """Running statistics of random images, as a trained model's are of its data, so activations stay
    normalized and the logits moderate (with PyTorch's initial statistics, 0 and 1, ResNet-50's logits
    reach 1e3 and Inception-v3's 1e13, and every probability is 0 or 1)."""
    g = torch.Generator().manual_seed(seed)
    norms = [m for m in model.modules() if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d))]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average over the batches below
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model(torch.rand(4, 3, size, size, generator=g))


def export(model, size, path, outputs):
    model.eval()
    x = torch.rand(2, 3, size, size)
    axes = {"input": {0: "N"}}
    for o in outputs:
        axes[o] = {0: "N"}
    torch.onnx.export(model, x, path, opset_version=OPSET, input_names=["input"], output_names=outputs,
                      dynamic_axes=axes, do_constant_folding=True)


def add_dropout_and_identity(path):
    """PyTorch drops Dropout and Identity from an eval-mode export; put one of each back after the
    Gemm's relu (a Dropout with a ratio and no training_mode is the identity in inference), so the
    fixture holds every op convnet4j imports."""
    import onnx
    from onnx import helper, numpy_helper
    import numpy as np

    m = onnx.load(path)
    g = m.graph
    relu = next(n for n in g.node if n.op_type == "Relu" and any(
        p.op_type == "BatchNormalization" and p.output[0] == n.input[0] and len(
            [i for i in g.initializer if i.name == p.input[1] and len(i.dims) == 1 and i.dims[0] == 32]) == 1
        for p in g.node))
    out = relu.output[0]
    readers = [n for n in g.node if out in n.input]
    g.initializer.append(numpy_helper.from_array(np.array(0.25, dtype=np.float32), "dropout_ratio"))
    dropout = helper.make_node("Dropout", [out, "dropout_ratio"], [out + "_dropped"], name="dropout")
    identity = helper.make_node("Identity", [out + "_dropped"], [out + "_identity"], name="identity")
    for n in readers:
        for i, name in enumerate(n.input):
            if name == out:
                n.input[i] = out + "_identity"
    position = list(g.node).index(relu) + 1
    g.node.insert(position, identity)
    g.node.insert(position, dropout)
    onnx.checker.check_model(m)
    onnx.save(m, path)


def every_op(path):
    torch.manual_seed(17)
    model = EveryOp()
    randomize_batch_norm(model, 18)
    with torch.no_grad():
        model.aux.weight *= 10  # logits spread enough that comparing probabilities tests them
    export(model, 32, path, ["probabilities", "aux_logits"])
    add_dropout_and_identity(path)
    import onnx
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    print(path, "ops:", ", ".join(ops))


def torchvision_models(folder):
    import os
    import torchvision.models as tv

    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(0)
    specs = [("alexnet", tv.alexnet(), 224),
             ("vgg16", tv.vgg16(), 224),
             ("googlenet", tv.googlenet(aux_logits=False, init_weights=True), 224),
             ("resnet50", tv.resnet50(), 224),
             ("inception_v3", tv.inception_v3(aux_logits=False, init_weights=True), 299)]
    for name, model, size in specs:
        calibrate_batch_norm(model, size, 1)
        path = os.path.join(folder, name + ".onnx")
        export(model, size, path, ["logits"])
        print("wrote", path)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("every-op", "torchvision"):
        sys.exit(__doc__)
    if sys.argv[1] == "every-op":
        every_op(sys.argv[2])
    else:
        torchvision_models(sys.argv[2])
