#!/usr/bin/python3
"""Keras HDF5 weight files for convnet4j's Keras import, written with h5py alone (Keras itself is not
installable here): the legacy layout of keras' save_weights_to_hdf5_group, which keras.applications'
published files use.

  apt-get install python3-h5py python3-numpy
  /usr/bin/python3 scripts/keras_fixtures.py small java/src/test/resources/org/convnet4j/keras/small_cnn.h5
      the committed fixture (KerasWeightsTest): a small CNN with every weight kind and layout
      difference, plus a group "expected" holding images and the probabilities numpy computes from
      them channels-last, as Keras would
  /usr/bin/python3 scripts/keras_fixtures.py resnet50-notop OUT.h5
      keras.applications.ResNet50(include_top=False)'s layer names and weight shapes, with random
      He-normal kernels and random batch-norm statistics (ImageNet's weights cannot be downloaded on
      these machines); 94 MB, not committed

The layout: root attributes layer_names (every layer, weights or not, as bytes), backend, keras_version;
a group per layer with attribute weight_names ("conv/kernel:0", ...; an empty float64 array for a
layer without weights); each weight a dataset at that path inside the layer's group. Conv2D kernels
are (kh, kw, in, out), Dense kernels (in, units) with rows in (H, W, C) order after a Flatten, batch
norm's weights gamma, beta, moving_mean, moving_variance (no gamma with scale=False).
"""
import sys

import h5py
import numpy as np


def write(path, layers, extra=None):
    """layers: [(name, [(weight_name, array), ...])] in model order."""
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.array([n.encode("utf8") for n, _ in layers])
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.12.0"
        for name, weights in layers:
            g = f.create_group(name)
            g.attrs["weight_names"] = np.asarray([f"{name}/{w}:0".encode("utf8") for w, _ in weights])
            for w, a in weights:
                g.create_dataset(f"{name}/{w}:0", data=a.astype(np.float32))
        for k, v in (extra or {}).items():
            f.create_dataset(k, data=v.astype(np.float32))


def conv_valid(x, k, b):
    """x N,H,W,C; k kh,kw,in,out: Keras' Conv2D, padding valid, stride 1 (a cross-correlation)."""
    n, h, w, _ = x.shape
    kh, kw, _, o = k.shape
    y = np.zeros((n, h - kh + 1, w - kw + 1, o))
    for i in range(kh):
        for j in range(kw):
            y += np.einsum("nhwc,co->nhwo", x[:, i:i + h - kh + 1, j:j + w - kw + 1, :], k[i, j])
    return y + b


def bn(x, gamma, beta, mean, var, eps):
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def small(path):
    r = np.random.default_rng(15)
    n, h, w, c = 4, 5, 7, 3      # H != W so that a transposed kernel or flatten order cannot pass
    conv_k = r.normal(0, 0.4, (3, 3, c, 4))
    conv_b = r.normal(0, 0.1, 4)
    g, b = r.uniform(0.5, 1.5, 4), r.normal(0, 0.2, 4)
    m, v = r.normal(0, 0.5, 4), r.uniform(0.01, 0.05, 4)   # small variances: epsilon 1.001e-5 vs 1e-3 shows
    fc_k = r.normal(0, 0.2, (3 * 5 * 4, 6))
    fc_b = r.normal(0, 0.1, 6)
    fb, fm, fv = r.normal(0, 0.2, 6), r.normal(0, 0.3, 6), r.uniform(0.5, 2, 6)
    out_k = r.normal(0, 0.5, (6, 3))
    out_b = r.normal(0, 0.1, 3)
    x = r.uniform(0, 1, (n, h, w, c))

    def logits(out_k, out_b):
        y = np.maximum(bn(conv_valid(x, conv_k, conv_b), g, b, m, v, 1.001e-5), 0)
        y = y.reshape(n, -1) @ fc_k + fc_b                       # Keras' Flatten: H, W, C order
        y = np.maximum(bn(y, 1.0, fb, fm, fv, 1e-3), 0)        # scale=False: no gamma
        return y @ out_k + out_b

    s = 2.0 / logits(out_k, out_b).std()                      # logits of std 2: not flat, not saturated
    out_k, out_b = out_k * s, out_b * s
    z = logits(out_k, out_b)
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    write(path, [
        ("input_1", []),
        ("conv", [("kernel", conv_k), ("bias", conv_b)]),
        ("bn", [("gamma", g), ("beta", b), ("moving_mean", m), ("moving_variance", v)]),
        ("relu", []),
        ("flatten", []),
        ("fc", [("kernel", fc_k), ("bias", fc_b)]),
        ("fc_bn", [("beta", fb), ("moving_mean", fm), ("moving_variance", fv)]),
        ("fc_relu", []),
        ("predictions", [("kernel", out_k), ("bias", out_b)]),
    ], {"expected/images_nchw": x.transpose(0, 3, 1, 2), "expected/probabilities": p})
    print(path, "probabilities max", p.max(1))


def resnet50_notop(path):
    r = np.random.default_rng(50)

    def conv(name, kh, cin, cout):
        k = r.normal(0, np.sqrt(2.0 / (kh * kh * cin)), (kh, kh, cin, cout))
        return (name, [("kernel", k), ("bias", np.zeros(cout))])

    def batchnorm(name, ch):
        return (name, [("gamma", r.uniform(0.8, 1.2, ch)), ("beta", r.normal(0, 0.05, ch)),
                       ("moving_mean", r.normal(0, 0.1, ch)), ("moving_variance", r.uniform(0.5, 1.5, ch))])

    layers = [("input_1", []), ("conv1_pad", []), conv("conv1_conv", 7, 3, 64), batchnorm("conv1_bn", 64),
              ("conv1_relu", []), ("pool1_pad", []), ("pool1_pool", [])]
    cin = 64
    for stage, filters, blocks in (("conv2", 64, 3), ("conv3", 128, 4), ("conv4", 256, 6), ("conv5", 512, 3)):
        for i in range(1, blocks + 1):
            p = f"{stage}_block{i}"
            if i == 1:
                layers += [conv(p + "_0_conv", 1, cin, 4 * filters), batchnorm(p + "_0_bn", 4 * filters)]
            layers += [conv(p + "_1_conv", 1, cin, filters), batchnorm(p + "_1_bn", filters), (p + "_1_relu", []),
                       conv(p + "_2_conv", 3, filters, filters), batchnorm(p + "_2_bn", filters), (p + "_2_relu", []),
                       conv(p + "_3_conv", 1, filters, 4 * filters), batchnorm(p + "_3_bn", 4 * filters),
                       (p + "_add", []), (p + "_out", [])]
            cin = 4 * filters
    write(path, layers)
    print(path, sum(a.size for _, ws in layers for _, a in ws), "values")


if __name__ == "__main__":
    {"small": small, "resnet50-notop": resnet50_notop}[sys.argv[1]](sys.argv[2])
