package org.convnet4j.onnx;

import java.util.ArrayList;
import java.util.List;

import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.Dense;

/**
 * Dense and ONNX's Gemm, or a MatMul followed by the Add of a bias. Our kernel is in x units as in
 * Keras, which is Gemm's B with transB=0, so export writes it as it is. Import folds what the file
 * asks Gemm to do to its constants into the kernel and bias: transB=1 transposes B (PyTorch's Linear
 * stores units x in), alpha and beta scale them. The folded values are the parameters, under the
 * initializers' names.
 */
final class DenseOnnx {
    private DenseOnnx() {
    }

    static void write(Dense layer, Node n, GraphWriter g) {
        List<String> inputs = new ArrayList<>(List.of(g.value(n.inputs().get(0)), g.param(n, "kernel")));
        if (layer.op(1).bias()) {
            inputs.add(g.param(n, "bias"));
        }
        GraphWriter.Chain c = g.chain(n);
        String y = c.add("Gemm", inputs);
        ActivationOnnx.append(c, layer.activation(), y);
        c.end();
    }

    static void readGemm(OnnxNode n, ImportGraph g) {
        ImportGraph.Activation a = features(n, g);
        if (n.integer("transA", 0) != 0) {
            throw n.error("transA=1 is not supported (A is the batch of activations, N x features)");
        }
        float alpha = n.real("alpha", 1f);
        float beta = n.real("beta", 1f);
        boolean transB = n.integer("transB", 0) != 0;
        ImportGraph.Constant b = g.constant(n, 1);
        long[] bd = b.dims();
        if (bd.length != 2) {
            throw n.error("expected a 2-D B. Received dims " + ImportGraph.dims(bd));
        }
        int in = Math.toIntExact(transB ? bd[1] : bd[0]);
        int units = Math.toIntExact(transB ? bd[0] : bd[1]);
        float[] kernel = b.floats();
        if (transB) {
            kernel = transpose(kernel, units, in);
        }
        scale(kernel, alpha);
        ImportGraph.Constant c = n.hasInput(2) ? g.constant(n, 2) : null;
        float[] bias = c == null ? null : bias(n, c, units);
        if (bias != null) {
            scale(bias, beta);
        }
        build(n, g, a, in, units, b, kernel, c, bias, n.output(0));
    }

    /** MatMul of the activations by a constant, with the Add of a constant bias that follows it when there is one. */
    static void readMatMul(OnnxNode n, ImportGraph g) {
        ImportGraph.Activation a = features(n, g);
        ImportGraph.Constant b = g.constant(n, 1);
        long[] bd = b.dims();
        if (bd.length != 2) {
            throw n.error("expected a 2-D constant as the second input. Received dims " + ImportGraph.dims(bd));
        }
        int units = Math.toIntExact(bd[1]);
        OnnxNode add = g.soleConsumer(n.output(0));
        ImportGraph.Constant c = null;
        if (add != null && add.opType().equals("Add")) {
            int other = add.input(0).equals(n.output(0)) ? 1 : 0;
            if (g.peek(add.input(other)) instanceof ImportGraph.Constant k) {
                c = k;
                add.checkAttributesRead();
                g.absorb(add);
            }
        }
        float[] bias = c == null ? null : bias(n, c, units);
        build(n, g, a, Math.toIntExact(bd[0]), units, b, b.floats(), c, bias, c == null ? n.output(0) : add.output(0));
    }

    private static void build(OnnxNode n, ImportGraph g, ImportGraph.Activation a, int in, int units,
                              ImportGraph.Constant kernelConstant, float[] kernel, ImportGraph.Constant biasConstant,
                              float[] bias, String value) {
        if (in != a.node().shape().dim(0)) {
            throw n.error("the weights take " + in + " features. Received " + a.node().shape().dim(0));
        }
        ActivationOnnx.Tail tail = ActivationOnnx.tail(value, g, true);
        Dense dense = new Dense(units).useBias(bias != null).activation(tail.fn()).name(g.layerName(tail.output()));
        g.param(n, dense, "kernel", kernelConstant, kernel);
        if (bias != null) {
            g.param(n, dense, "bias", biasConstant, bias);
        }
        g.define(tail.output(), dense.apply(a.node()));
    }

    /** Input 0 as N x features. */
    private static ImportGraph.Activation features(OnnxNode n, ImportGraph g) {
        ImportGraph.Activation a = g.activation(n, 0);
        if (a.onnxRank() != 2 || a.node().shape().rank() != 1) {
            throw n.error("expected an N x features input; flatten first. Received rank " + a.onnxRank());
        }
        return a;
    }

    /** A bias of {@code units} values, or one value for every unit (a broadcast scalar). */
    private static float[] bias(OnnxNode n, ImportGraph.Constant c, int units) {
        long[] d = c.dims();
        float[] v = c.floats();
        boolean row = (d.length == 1 && d[0] == units) || (d.length == 2 && d[0] == 1 && d[1] == units);
        if (row) {
            return v;
        }
        if (v.length == 1) {
            float[] all = new float[units];
            java.util.Arrays.fill(all, v[0]);
            return all;
        }
        throw n.error("expected a bias of " + units + " values. Received dims " + ImportGraph.dims(d));
    }

    private static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }

    private static void scale(float[] v, float s) {
        if (s != 1f) {
            for (int i = 0; i < v.length; i++) {
                v[i] *= s;
            }
        }
    }
}
