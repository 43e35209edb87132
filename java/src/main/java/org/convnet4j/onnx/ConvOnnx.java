package org.convnet4j.onnx;

import java.util.ArrayList;
import java.util.List;

import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Pads;
import org.convnet4j.ops.Size2;
import org.convnet4j.tensor.Shape;

/**
 * Conv2D and ONNX's Conv. Both hold the kernel as OIHW and compute a cross-correlation, so the
 * kernel is written and read as it is; padding is written as the explicit pads our rule resolved to
 * for the layer's input (TensorFlow's 'same' puts the odd row at the bottom). Import takes groups=1
 * and dilations of 1 only.
 */
final class ConvOnnx {
    private ConvOnnx() {
    }

    static void write(Conv2D layer, Node n, GraphWriter g) {
        Conv2dOp op = layer.op(1);
        List<String> inputs = new ArrayList<>(List.of(g.value(n.inputs().get(0)), g.param(n, "kernel")));
        if (op.bias()) {
            inputs.add(g.param(n, "bias"));
        }
        GraphWriter.Chain c = g.chain(n);
        String y = c.add("Conv", inputs,
                Attributes.ints("kernel_shape", op.kernel().h(), op.kernel().w()),
                Attributes.ints("strides", op.stride().h(), op.stride().w()),
                OnnxPads.attribute(op.pads()),
                Attributes.ints("dilations", 1, 1),
                Attributes.integer("group", 1));
        ActivationOnnx.append(c, layer.activation(), y);
        c.end();
    }

    static void read(OnnxNode n, ImportGraph g) {
        ImportGraph.Activation x = g.activation(n, 0);
        Shape in = image(n, x);
        ImportGraph.Constant w = g.constant(n, 1);
        long[] wd = w.dims();
        if (wd.length != 4) {
            throw n.error("expected a 4-D kernel (filters x channels x height x width). Received " + ImportGraph.dims(wd));
        }
        long group = n.integer("group", 1);
        if (group != 1) {
            throw n.error("group=" + group + " is not supported (convnet4j convolutions are dense: groups=1)");
        }
        if (wd[1] != in.dim(0)) {
            throw n.error("the kernel " + ImportGraph.dims(wd) + " expects " + wd[1] + " input channels. Received " + in.dim(0));
        }
        Size2 kernel = Size2.of(Math.toIntExact(wd[2]), Math.toIntExact(wd[3]));
        long[] ks = n.ints("kernel_shape", new long[] {wd[2], wd[3]});
        if (ks.length != 2 || ks[0] != wd[2] || ks[1] != wd[3]) {
            throw n.error("kernel_shape " + ImportGraph.dims(ks) + " does not match the kernel " + ImportGraph.dims(wd));
        }
        ones(n, "dilations");
        Size2 stride = stride(n);
        Pads pads = OnnxPads.read(n, in.dim(1), in.dim(2), kernel, stride);
        ImportGraph.Constant b = n.hasInput(2) ? g.constant(n, 2) : null;
        if (b != null && (b.dims().length != 1 || b.dims()[0] != wd[0])) {
            throw n.error("expected a bias of " + wd[0] + " values. Received dims " + ImportGraph.dims(b.dims()));
        }
        ActivationOnnx.Tail tail = ActivationOnnx.tail(n.output(0), g, false);
        Conv2D conv = new Conv2D(Math.toIntExact(wd[0]), kernel).stride(stride).padding(padding(pads))
                .useBias(b != null).activation(tail.fn()).name(g.layerName(tail.output()));
        g.param(n, conv, "kernel", w, w.floats());
        if (b != null) {
            g.param(n, conv, "bias", b, b.floats());
        }
        g.define(tail.output(), conv.apply(x.node()));
    }

    /** An image input (N x C x H x W in the file, not GlobalAveragePool's N x C x 1 x 1). */
    static Shape image(OnnxNode n, ImportGraph.Activation x) {
        if (x.collapsed() || x.node().shape().rank() != 3) {
            throw n.error("expected an N x C x H x W input. Received " + (x.collapsed()
                    ? "GlobalAveragePool's N x C x 1 x 1, which convnet4j holds as N x C" : "N x " + x.node().shape()));
        }
        return x.node().shape();
    }

    static Size2 stride(OnnxNode n) {
        long[] s = n.ints("strides", new long[] {1, 1});
        if (s.length != 2 || s[0] <= 0 || s[1] <= 0) {
            throw n.error("expected two positive strides. Received " + ImportGraph.dims(s));
        }
        return Size2.of(Math.toIntExact(s[0]), Math.toIntExact(s[1]));
    }

    /** A dilations attribute, where given, must be all ones. */
    static void ones(OnnxNode n, String attribute) {
        for (long d : n.ints(attribute, new long[] {1, 1})) {
            if (d != 1) {
                throw n.error(attribute + " other than 1 are not supported. Received " + ImportGraph.dims(n.ints(attribute, null)));
            }
        }
    }

    static Padding padding(Pads p) {
        return p.isZero() ? Padding.VALID : Padding.explicit(p.top(), p.bottom(), p.left(), p.right());
    }
}
