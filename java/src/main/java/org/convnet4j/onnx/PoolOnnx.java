package org.convnet4j.onnx;

import java.util.List;

import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.AveragePooling2D;
import org.convnet4j.graph.layers.GlobalAveragePooling2D;
import org.convnet4j.graph.layers.MaxPooling2D;
import org.convnet4j.graph.layers.ZeroPadding2D;
import org.convnet4j.ops.Pads;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.PoolMode;
import org.convnet4j.ops.Size2;
import org.convnet4j.tensor.Shape;

/**
 * Max, average and global average pooling and ONNX's MaxPool, AveragePool and GlobalAveragePool.
 * Our average pooling never counts padded cells, which is AveragePool's count_include_pad=0; a file's
 * count_include_pad=1 imports as a ZeroPadding2D before an unpadded AveragePooling2D, which counts the
 * zeros exactly as ONNX does. GlobalAveragePooling2D outputs N x C where GlobalAveragePool outputs
 * N x C x 1 x 1, so export adds a Flatten and import takes the Flatten that follows.
 */
final class PoolOnnx {
    private PoolOnnx() {
    }

    static void write(Pool2d op, Node n, GraphWriter g) {
        GraphWriter.Chain c = g.chain(n);
        List<String> x = List.of(g.value(n.inputs().get(0)));
        if (op.mode() == PoolMode.MAX) {
            c.add("MaxPool", x, Attributes.ints("kernel_shape", op.window().h(), op.window().w()),
                    Attributes.ints("strides", op.stride().h(), op.stride().w()), OnnxPads.attribute(op.pads()));
        } else {
            c.add("AveragePool", x, Attributes.ints("kernel_shape", op.window().h(), op.window().w()),
                    Attributes.ints("strides", op.stride().h(), op.stride().w()), OnnxPads.attribute(op.pads()),
                    Attributes.integer("count_include_pad", 0));
        }
        c.end();
    }

    static void writeGlobal(Node n, GraphWriter g) {
        GraphWriter.Chain c = g.chain(n);
        String pooled = c.add("GlobalAveragePool", List.of(g.value(n.inputs().get(0))));
        c.add("Flatten", List.of(pooled), Attributes.integer("axis", 1));
        c.end();
    }

    static void readMax(OnnxNode n, ImportGraph g) {
        if (n.hasInput(1) || (n.outputCount() > 1 && g.hasConsumers(n.output(1)))) {
            throw n.error("the Indices output is not supported");
        }
        if (n.integer("storage_order", 0) != 0) {
            throw n.error("storage_order=1 is not supported");
        }
        read(n, g, PoolMode.MAX);
    }

    static void readAverage(OnnxNode n, ImportGraph g) {
        read(n, g, PoolMode.AVERAGE);
    }

    private static void read(OnnxNode n, ImportGraph g, PoolMode mode) {
        ImportGraph.Activation x = g.activation(n, 0);
        Shape in = ConvOnnx.image(n, x);
        long[] k = n.ints("kernel_shape", null);
        if (k.length != 2 || k[0] <= 0 || k[1] <= 0) {
            throw n.error("expected a 2-D kernel_shape. Received " + ImportGraph.dims(k));
        }
        Size2 window = Size2.of(Math.toIntExact(k[0]), Math.toIntExact(k[1]));
        Size2 stride = ConvOnnx.stride(n);
        ConvOnnx.ones(n, "dilations");
        Pads pads = OnnxPads.read(n, in.dim(1), in.dim(2), window, stride);
        boolean ceil = n.integer("ceil_mode", 0) != 0;
        boolean countPads = mode == PoolMode.AVERAGE && n.integer("count_include_pad", 0) != 0;
        Node input = x.node();
        String name = n.output(0);
        if (countPads && ceil) {
            throw n.error("ceil_mode=1 with count_include_pad=1 is not supported (runtimes differ on whether the"
                    + " ceiling's extra cells count)");
        }
        if (countPads && !pads.isZero()) {
            input = new ZeroPadding2D(pads).name(g.layerName(name + "/pad")).apply(input);
            pads = Pads.NONE;
            in = input.shape();
        }
        if (ceil) {
            pads = OnnxPads.ceil(n, pads, in.dim(1), in.dim(2), window, stride);
        }
        Node y = mode == PoolMode.MAX
                ? new MaxPooling2D(window).stride(stride).padding(ConvOnnx.padding(pads)).name(g.layerName(name)).apply(input)
                : new AveragePooling2D(window).stride(stride).padding(ConvOnnx.padding(pads)).name(g.layerName(name)).apply(input);
        g.define(name, y);
    }

    /** GlobalAveragePool, with the Flatten after it when that is its only reader. */
    static void readGlobal(OnnxNode n, ImportGraph g) {
        ImportGraph.Activation x = g.activation(n, 0);
        ConvOnnx.image(n, x);
        OnnxNode next = g.soleConsumer(n.output(0));
        boolean flatten = next != null && next.opType().equals("Flatten") && next.integer("axis", 1) == 1;
        if (flatten) {
            next.checkAttributesRead();
            g.absorb(next);
        }
        String name = flatten ? next.output(0) : n.output(0);
        Node y = new GlobalAveragePooling2D().name(g.layerName(name)).apply(x.node());
        g.define(name, new ImportGraph.Activation(y, flatten ? 2 : 4));
    }
}
