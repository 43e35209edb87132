"""The convnet4j zoo in torch.nn, for benchmarking PyTorch against convnet4j.

The spec is convnet4j's own definitions (zoo/src/main/java/org/convnet4j/zoo/*.java and
docs/ZOO.md), which follow Keras. Where Keras and PyTorch differ, this file does what Keras does:
- TensorFlow 'same' padding, asymmetric when the kernel and stride call for it (`SamePad`);
  'same' average pooling averages over the valid cells only (count_include_pad=False).
- BatchNormalization: epsilon 1e-3, momentum 0.99 (PyTorch's momentum=0.01 is the same update).
  PyTorch keeps the moving mean and variance as buffers, so a model's Keras total is its trainable
  count plus 2 per batch-norm channel (`keras_counts`).
- glorot_uniform kernels (xavier_uniform_) and zero biases.
- Every model ends in a softmax. Here forward() returns the logits and the softmax is left to
  CrossEntropyLoss in training and to `probabilities` in inference, which computes the same thing.
Flatten reads NCHW (C, H, W) order where Keras reads NHWC; for a model trained from scratch that is
a fixed permutation of the next dense layer's rows, so cost and parameter count are unchanged.
"""

import math

import torch
from torch import nn
import torch.nn.functional as F

BN_EPS = 1e-3
BN_MOMENTUM = 0.01  # Keras momentum 0.99: moving = 0.99 * moving + 0.01 * batch


def same_padding(size, kernel, stride):
    """TensorFlow's 'same' padding along one axis: (before, after); the odd cell goes after."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class SamePad(nn.Module):
    """Zero-pads the input as TensorFlow's 'same' does for `kernel` and `stride`, at run time
    (the padding depends on the input size when the stride is over 1)."""

    def __init__(self, kernel, stride):
        super().__init__()
        self.kernel = kernel if isinstance(kernel, tuple) else (kernel, kernel)
        self.stride = stride if isinstance(stride, tuple) else (stride, stride)

    def forward(self, x):
        top, bottom = same_padding(x.shape[-2], self.kernel[0], self.stride[0])
        left, right = same_padding(x.shape[-1], self.kernel[1], self.stride[1])
        if not (top or bottom or left or right):
            return x
        return F.pad(x, (left, right, top, bottom))


def conv(cin, cout, kernel, stride=1, padding="valid", bias=True, relu=False):
    """Keras Conv2D(cout, kernel, stride, padding), optionally followed by relu.

    'same' with an odd kernel and stride 1 pads symmetrically, so the convolution pads itself
    (no extra copy); any other 'same' case gets an explicit, possibly asymmetric SamePad first.
    """
    k = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    layers = []
    pad = (0, 0)
    if padding == "same":
        if stride == 1 and k[0] % 2 == 1 and k[1] % 2 == 1:
            pad = (k[0] // 2, k[1] // 2)
        else:
            layers.append(SamePad(k, stride))
    elif padding != "valid":
        raise ValueError(f"Expected padding 'same' or 'valid'. Received padding={padding!r}")
    layers.append(nn.Conv2d(cin, cout, k, stride=stride, padding=pad, bias=bias))
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return layers[0] if len(layers) == 1 else nn.Sequential(*layers)


def batch_norm(channels):
    return nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)


def max_pool(size, stride=None, padding="valid"):
    """Keras MaxPooling2D. 'same' here is only ever 3x3 stride 1, which pads 1 on each side;
    PyTorch pads max pooling with -inf, which is what TensorFlow does too."""
    stride = stride or size
    if padding == "same":
        assert stride == 1 and size % 2 == 1, "only stride-1 odd-size 'same' pooling is used"
        return nn.MaxPool2d(size, stride, padding=size // 2)
    return nn.MaxPool2d(size, stride)


def avg_pool(size, stride=None, padding="valid"):
    """Keras AveragePooling2D; 'same' averages over the cells inside the image only."""
    stride = stride or size
    if padding == "same":
        assert stride == 1 and size % 2 == 1, "only stride-1 odd-size 'same' pooling is used"
        return nn.AvgPool2d(size, stride, padding=size // 2, count_include_pad=False)
    return nn.AvgPool2d(size, stride)


def dense(cin, cout, relu=False):
    if relu:
        return nn.Sequential(nn.Linear(cin, cout), nn.ReLU(inplace=True))
    return nn.Linear(cin, cout)


class BatchNormNoScale(nn.Module):
    """Keras BatchNormalization(scale=False): a trainable offset (beta), no gamma. The gamma of ones
    is a buffer, not a parameter, so that cuDNN's batch norm (which wants both) still runs."""

    def __init__(self, channels):
        super().__init__()
        self.num_features = channels
        self.bias = nn.Parameter(torch.zeros(channels))
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))
        self.register_buffer("ones", torch.ones(channels), persistent=False)

    def forward(self, x):
        return F.batch_norm(x, self.running_mean, self.running_var, self.ones, self.bias,
                            self.training, BN_MOMENTUM, BN_EPS)


def init_keras(model):
    """glorot_uniform kernels and zero biases, as Keras initializes Conv2D and Dense."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return model


# ---------------------------------------------------------------------------------------------
# LeNet-5 (docs/ZOO.md 1): relu and 28 x 28 inputs.

def lenet5(channels=1, classes=10, **_):
    return nn.Sequential(
        conv(channels, 6, 5, padding="same", relu=True), avg_pool(2),
        conv(6, 16, 5, padding="same", relu=True), avg_pool(2),
        nn.Flatten(),
        dense(16 * 7 * 7, 120, relu=True),
        dense(120, 84, relu=True),
        dense(84, classes))


# ---------------------------------------------------------------------------------------------
# AlexNet (docs/ZOO.md 2), batch norm in place of local response normalization.

def _alexnet_classifier(features, units, classes):
    return [nn.Flatten(),
            dense(features, units, relu=True), nn.Dropout(0.5),
            dense(units, units, relu=True), nn.Dropout(0.5),
            dense(units, classes)]


def alexnet(channels=3, classes=5, **_):
    """227 x 227: conv1 11x11/4 valid -> pool -> norm; conv2 5x5 same -> pool -> norm; conv3-5; pool."""
    return nn.Sequential(
        conv(channels, 96, 11, stride=4, relu=True), max_pool(3, 2), batch_norm(96),
        conv(96, 256, 5, padding="same", relu=True), max_pool(3, 2), batch_norm(256),
        conv(256, 384, 3, padding="same", relu=True),
        conv(384, 384, 3, padding="same", relu=True),
        conv(384, 256, 3, padding="same", relu=True),
        max_pool(3, 2),
        *_alexnet_classifier(256 * 6 * 6, 4096, classes))


def alexnet8(channels=3, classes=10, **_):
    """CIFAR-10's 32 x 32: 3x3 kernels, batch norm before each of the first two pools, 2048 units."""
    return nn.Sequential(
        conv(channels, 96, 3, padding="same", relu=True), batch_norm(96), max_pool(3, 2),
        conv(96, 256, 3, padding="same", relu=True), batch_norm(256), max_pool(3, 2),
        conv(256, 384, 3, padding="same", relu=True),
        conv(384, 384, 3, padding="same", relu=True),
        conv(384, 256, 3, padding="same", relu=True),
        max_pool(3, 2),
        *_alexnet_classifier(256 * 3 * 3, 2048, classes))


# ---------------------------------------------------------------------------------------------
# VGG-16 (docs/ZOO.md 3): configuration D, and the CIFAR-10 variant.

VGG16_BLOCKS = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]


def _vgg_convs(cin, filters):
    layers = []
    for f in filters:
        layers.append(conv(cin, f, 3, padding="same", relu=True))
        cin = f
    return layers


def vgg16(channels=3, classes=5, **_):
    layers, cin = [], channels
    for block in VGG16_BLOCKS:
        layers += _vgg_convs(cin, block) + [max_pool(2)]
        cin = block[-1]
    return nn.Sequential(
        *layers, nn.Flatten(),
        dense(512 * 7 * 7, 4096, relu=True),
        dense(4096, 4096, relu=True),
        dense(4096, classes))


def vgg16_cifar(channels=3, classes=10, **_):
    """Three blocks of 64, 128, 256; the third pools before its batch norm."""
    return nn.Sequential(
        *_vgg_convs(channels, [64, 64]), batch_norm(64), max_pool(2), nn.Dropout(0.4),
        *_vgg_convs(64, [128, 128]), batch_norm(128), max_pool(2), nn.Dropout(0.4),
        *_vgg_convs(128, [256, 256]), max_pool(2), batch_norm(256), nn.Dropout(0.5),
        nn.Flatten(),
        dense(256 * 4 * 4, 256, relu=True), nn.Dropout(0.5),
        dense(256, 256, relu=True), nn.Dropout(0.5),
        dense(256, classes))


# ---------------------------------------------------------------------------------------------
# GoogLeNet, Inception v1 (docs/ZOO.md 4): valid stem, nine modules, two auxiliary heads.

class Inception(nn.Module):
    """Four parallel paths concatenated along channels: 1x1; 1x1 -> 3x3; 1x1 -> 5x5; pool -> 1x1."""

    def __init__(self, cin, f1, f2a, f2b, f3a, f3b, f4):
        super().__init__()
        self.out_channels = f1 + f2b + f3b + f4
        self.p1 = conv(cin, f1, 1, padding="same", relu=True)
        self.p2 = nn.Sequential(conv(cin, f2a, 1, padding="same", relu=True),
                                conv(f2a, f2b, 3, padding="same", relu=True))
        self.p3 = nn.Sequential(conv(cin, f3a, 1, padding="same", relu=True),
                                conv(f3a, f3b, 5, padding="same", relu=True))
        self.p4 = nn.Sequential(max_pool(3, 1, padding="same"),
                                conv(cin, f4, 1, padding="same", relu=True))

    def forward(self, x):
        return torch.cat([self.p1(x), self.p2(x), self.p3(x), self.p4(x)], 1)


def _googlenet_aux(cin, spatial, classes):
    """5x5/3 average pool -> 1x1 conv 128 -> dense 1024 -> dropout 0.7 -> classes."""
    side = (spatial - 5) // 3 + 1
    return nn.Sequential(
        avg_pool(5, 3), conv(cin, 128, 1, padding="same", relu=True), nn.Flatten(),
        dense(128 * side * side, 1024, relu=True), nn.Dropout(0.7),
        dense(1024, classes))


class GoogLeNet(nn.Module):
    """Three outputs in training (main, aux 1 after 4a, aux 2 after 4d); the main one in eval."""

    # The paper's table: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj.
    MODULES = {
        "3a": (64, 96, 128, 16, 32, 32), "3b": (128, 128, 192, 32, 96, 64),
        "4a": (192, 96, 208, 16, 48, 64), "4b": (160, 112, 224, 24, 64, 64),
        "4c": (128, 128, 256, 24, 64, 64), "4d": (112, 144, 288, 32, 64, 64),
        "4e": (256, 160, 320, 32, 128, 128),
        "5a": (256, 160, 320, 32, 128, 128), "5b": (384, 192, 384, 48, 128, 128),
    }
    LOSS_WEIGHTS = (1.0, 0.3, 0.3)

    def __init__(self, channels=3, classes=5, size=224):
        super().__init__()

        def pooled(s):  # a valid 3x3/2 max pool
            return (s - 3) // 2 + 1

        s = pooled((size - 7) // 2 + 1)  # conv1 7x7/2 valid, pool1
        self.stem = nn.Sequential(
            conv(channels, 64, 7, stride=2, relu=True), max_pool(3, 2),
            conv(64, 64, 1, relu=True),
            conv(64, 192, 3, padding="same", relu=True), max_pool(3, 2))
        s = pooled(s)
        m = {}
        cin = 192
        for name, f in self.MODULES.items():
            m[name] = Inception(cin, *f)
            cin = m[name].out_channels
        self.inception_3 = nn.Sequential(m["3a"], m["3b"], max_pool(3, 2))
        s = pooled(s)
        self.inception_4a = m["4a"]
        self.aux1 = _googlenet_aux(m["4a"].out_channels, s, classes)
        self.inception_4bcd = nn.Sequential(m["4b"], m["4c"], m["4d"])
        self.aux2 = _googlenet_aux(m["4d"].out_channels, s, classes)
        self.inception_4e_5 = nn.Sequential(m["4e"], max_pool(3, 2), m["5a"], m["5b"])
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.4),
                                  dense(m["5b"].out_channels, classes))

    def forward(self, x):
        x = self.inception_4a(self.inception_3(self.stem(x)))
        aux1 = self.aux1(x) if self.training else None
        x = self.inception_4bcd(x)
        aux2 = self.aux2(x) if self.training else None
        main = self.head(self.inception_4e_5(x))
        return (main, aux1, aux2) if self.training else main


def googlenet(channels=3, classes=5, size=224):
    return GoogLeNet(channels, classes, size)


# ---------------------------------------------------------------------------------------------
# ResNet-50 (docs/ZOO.md 5), keras.applications.ResNet50's form: biased convolutions, the stride on
# each stage's first 1x1, a projection shortcut in each stage's first block.

class Bottleneck(nn.Module):
    def __init__(self, cin, width, out, stride, project):
        super().__init__()
        self.shortcut = (nn.Sequential(conv(cin, out, 1, stride=stride), batch_norm(out))
                         if project else nn.Identity())
        self.residual = nn.Sequential(
            conv(cin, width, 1, stride=stride), batch_norm(width), nn.ReLU(inplace=True),
            conv(width, width, 3, padding="same"), batch_norm(width), nn.ReLU(inplace=True),
            conv(width, out, 1), batch_norm(out))

    def forward(self, x):
        return F.relu(self.shortcut(x) + self.residual(x), inplace=True)


RESNET50_STAGES = [(64, 256, 3, 1), (128, 512, 4, 2), (256, 1024, 6, 2), (512, 2048, 3, 2)]


def resnet50(channels=3, classes=5, **_):
    # ZeroPadding2D(3) + a valid 7x7/2 conv is a conv padded 3. ZeroPadding2D(1) + a valid 3x3/2
    # max pool equals PyTorch's -inf-padded pool here because its input is a relu output (>= 0).
    layers = [nn.Conv2d(channels, 64, 7, stride=2, padding=3), batch_norm(64), nn.ReLU(inplace=True),
              nn.MaxPool2d(3, 2, padding=1)]
    cin = 64
    for width, out, blocks, stride in RESNET50_STAGES:
        for b in range(blocks):
            layers.append(Bottleneck(cin, width, out, stride if b == 0 else 1, b == 0))
            cin = out
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), dense(cin, classes)]
    return nn.Sequential(*layers)


# ---------------------------------------------------------------------------------------------
# Inception-v3, keras.applications.InceptionV3: every convolution is conv (no bias) -> batch norm
# (no scale) -> relu.

def conv_bn(cin, cout, kernel, stride=1, padding="same"):
    """Keras' conv2d_bn."""
    return nn.Sequential(conv(cin, cout, kernel, stride, padding, bias=False),
                         BatchNormNoScale(cout), nn.ReLU(inplace=True))


class Branches(nn.Module):
    """Parallel branches over one input, concatenated along channels."""

    def __init__(self, *branches):
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x):
        return torch.cat([b(x) for b in self.branches], 1)


def _avg_pool_same():
    return avg_pool(3, 1, padding="same")


def _block_a(cin, pool_projection):
    """mixed0-2, 35 x 35."""
    return Branches(
        conv_bn(cin, 64, 1),
        nn.Sequential(conv_bn(cin, 48, 1), conv_bn(48, 64, 5)),
        nn.Sequential(conv_bn(cin, 64, 1), conv_bn(64, 96, 3), conv_bn(96, 96, 3)),
        nn.Sequential(_avg_pool_same(), conv_bn(cin, pool_projection, 1)))


def _reduction_a(cin):
    """mixed3, 35 -> 17."""
    return Branches(
        conv_bn(cin, 384, 3, 2, "valid"),
        nn.Sequential(conv_bn(cin, 64, 1), conv_bn(64, 96, 3), conv_bn(96, 96, 3, 2, "valid")),
        max_pool(3, 2))


def _block_c(cin, c):
    """mixed4-7, 17 x 17, factorized 7x7 convolutions of width c."""
    return Branches(
        conv_bn(cin, 192, 1),
        nn.Sequential(conv_bn(cin, c, 1), conv_bn(c, c, (1, 7)), conv_bn(c, 192, (7, 1))),
        nn.Sequential(conv_bn(cin, c, 1), conv_bn(c, c, (7, 1)), conv_bn(c, c, (1, 7)),
                      conv_bn(c, c, (7, 1)), conv_bn(c, 192, (1, 7))),
        nn.Sequential(_avg_pool_same(), conv_bn(cin, 192, 1)))


def _reduction_b(cin):
    """mixed8, 17 -> 8."""
    return Branches(
        nn.Sequential(conv_bn(cin, 192, 1), conv_bn(192, 320, 3, 2, "valid")),
        nn.Sequential(conv_bn(cin, 192, 1), conv_bn(192, 192, (1, 7)), conv_bn(192, 192, (7, 1)),
                      conv_bn(192, 192, 3, 2, "valid")),
        max_pool(3, 2))


def _block_e(cin):
    """mixed9-10, 8 x 8, with the split 1x3 | 3x1 convolutions."""
    return Branches(
        conv_bn(cin, 320, 1),
        nn.Sequential(conv_bn(cin, 384, 1),
                      Branches(conv_bn(384, 384, (1, 3)), conv_bn(384, 384, (3, 1)))),
        nn.Sequential(conv_bn(cin, 448, 1), conv_bn(448, 384, 3),
                      Branches(conv_bn(384, 384, (1, 3)), conv_bn(384, 384, (3, 1)))),
        nn.Sequential(_avg_pool_same(), conv_bn(cin, 192, 1)))


def inception_v3(channels=3, classes=5, **_):
    return nn.Sequential(
        conv_bn(channels, 32, 3, 2, "valid"), conv_bn(32, 32, 3, 1, "valid"), conv_bn(32, 64, 3),
        max_pool(3, 2),
        conv_bn(64, 80, 1, 1, "valid"), conv_bn(80, 192, 3, 1, "valid"),
        max_pool(3, 2),
        _block_a(192, 32), _block_a(256, 64), _block_a(288, 64),   # mixed0-2: 256, 288, 288
        _reduction_a(288),                                         # mixed3: 768
        _block_c(768, 128), _block_c(768, 160), _block_c(768, 160), _block_c(768, 192),
        _reduction_b(768),                                         # mixed8: 1280
        _block_e(1280), _block_e(2048),                            # mixed9-10: 2048
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), dense(2048, classes))


# ---------------------------------------------------------------------------------------------
# The registry: name -> (builder, input H x W x C, classes), as convnet4j's Zoo.java registers them.

ZOO = {
    "lenet5": (lenet5, (28, 28, 1), 10),
    "alexnet": (alexnet, (227, 227, 3), 5),
    "alexnet8": (alexnet8, (32, 32, 3), 10),
    "vgg16": (vgg16, (224, 224, 3), 5),
    "vgg16-cifar": (vgg16_cifar, (32, 32, 3), 10),
    "googlenet": (googlenet, (224, 224, 3), 5),
    "resnet50": (resnet50, (224, 224, 3), 5),
    "inception-v3": (inception_v3, (299, 299, 3), 5),
}


def build(name, classes=None):
    """The model `name`, Keras-initialized, for its registered input and `classes` (default: the
    registered class count)."""
    if name not in ZOO:
        raise ValueError(f"Unknown model '{name}'. Known models: {', '.join(ZOO)}")
    builder, (h, w, c), k = ZOO[name]
    return init_keras(builder(channels=c, classes=classes or k, size=h))


def input_shape(name):
    """NCHW shape of one input image of `name`."""
    h, w, c = ZOO[name][1]
    return (c, h, w)


def loss_weights(name):
    return GoogLeNet.LOSS_WEIGHTS if name == "googlenet" else (1.0,)


def keras_counts(model):
    """(total, trainable, non-trainable) as Keras would count them: PyTorch's batch-norm moving
    statistics are buffers, Keras counts them as 2 non-trainable parameters per channel."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    bn_channels = sum(m.num_features for m in model.modules()
                      if isinstance(m, (nn.BatchNorm2d, BatchNormNoScale)))
    non_trainable = frozen + 2 * bn_channels
    return trainable + non_trainable, trainable, non_trainable
