package org.convnet4j.onnx;

import java.util.List;

import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.ZeroPadding2D;
import org.convnet4j.ops.Pads;

/**
 * ZeroPadding2D and ONNX's Pad in constant mode with zeros, on height and width only. Pad's pads are
 * [N, C, H, W begins, then N, C, H, W ends]: an input since opset 11, an attribute before.
 */
final class PadOnnx {
    private PadOnnx() {
    }

    static void write(ZeroPadding2D layer, Node n, GraphWriter g) {
        Pads p = layer.pads();
        String pads = g.constant(layer.name() + "/pads", new long[] {8},
                new long[] {0, 0, p.top(), p.left(), 0, 0, p.bottom(), p.right()});
        GraphWriter.Chain c = g.chain(n);
        c.add("Pad", List.of(g.value(n.inputs().get(0)), pads), Attributes.string("mode", "constant"));
        c.end();
    }

    static void read(OnnxNode n, ImportGraph g) {
        ImportGraph.Activation x = g.activation(n, 0);
        ConvOnnx.image(n, x);
        String mode = n.string("mode", "constant");
        if (!mode.equals("constant")) {
            throw n.error("only mode=constant is supported. Received mode=" + mode);
        }
        long[] p;
        float value;
        if (g.opset() < 11) {
            p = n.ints("pads", null);
            value = n.real("value", 0f);
        } else {
            p = g.constant(n, 1).longs();
            value = n.hasInput(2) ? single(n, g.constant(n, 2).floats()) : 0f;
            if (n.hasInput(3)) {
                throw n.error("the axes input is not supported; give pads for all four axes");
            }
        }
        if (value != 0f) {
            throw n.error("only zero padding is supported. Received constant_value " + value);
        }
        if (p.length != 8 || p[0] != 0 || p[1] != 0 || p[4] != 0 || p[5] != 0) {
            throw n.error("expected pads on height and width only ([0, 0, top, left, 0, 0, bottom, right]). Received "
                    + ImportGraph.dims(p));
        }
        for (long v : p) {
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw n.error("negative pads (cropping) are not supported. Received " + ImportGraph.dims(p));
            }
        }
        Pads pads = new Pads((int) p[2], (int) p[6], (int) p[3], (int) p[7]);
        g.define(n.output(0), new ZeroPadding2D(pads).name(g.layerName(n.output(0))).apply(x.node()));
    }

    private static float single(OnnxNode n, float[] v) {
        if (v.length != 1) {
            throw n.error("expected one constant_value. Received " + v.length);
        }
        return v[0];
    }
}
