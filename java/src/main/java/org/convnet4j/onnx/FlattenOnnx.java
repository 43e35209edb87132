package org.convnet4j.onnx;

import java.util.List;

import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.Flatten;
import org.convnet4j.tensor.Shape;

/**
 * Flatten, and Reshape to N x features. Our Flatten orders features C, H, W as ONNX's Flatten(axis=1)
 * does, so nothing is permuted either way. Import takes a Reshape whose constant target is 2-D and
 * keeps the batch: [0 or -1 or the file's fixed batch, -1 or C*H*W].
 */
final class FlattenOnnx {
    private FlattenOnnx() {
    }

    static void write(Node n, GraphWriter g) {
        GraphWriter.Chain c = g.chain(n);
        c.add("Flatten", List.of(g.value(n.inputs().get(0))), Attributes.integer("axis", 1));
        c.end();
    }

    static void readFlatten(OnnxNode n, ImportGraph g) {
        ImportGraph.Activation x = g.activation(n, 0);
        long axis = n.integer("axis", 1);
        if ((axis < 0 ? axis + x.onnxRank() : axis) != 1) {
            throw n.error("only Flatten(axis=1), N x features, is supported. Received axis " + axis);
        }
        flatten(n, g, x);
    }

    static void readReshape(OnnxNode n, ImportGraph g) {
        if (ConstantFolding.allConstant(n, g)) {
            ConstantFolding.reshape(n, g);
            return;
        }
        ImportGraph.Activation x = g.activation(n, 0);
        long[] target = g.constant(n, 1).longs();
        boolean allowZero = n.integer("allowzero", 0) != 0;
        long features = x.node().shape().size();
        boolean keepsBatch = target.length == 2 && !(allowZero && target[0] == 0)
                && ((target[0] == 0 || target[0] == g.fixedBatch()) && (target[1] == -1 || target[1] == features)
                    || target[0] == -1 && target[1] == features);
        if (!keepsBatch) {
            throw n.error("only a reshape to N x features (here N x " + features + ") is supported. Received shape "
                    + ImportGraph.dims(target));
        }
        flatten(n, g, x);
    }

    private static void flatten(OnnxNode n, ImportGraph g, ImportGraph.Activation x) {
        Shape s = x.node().shape();
        if (s.rank() == 1) {
            g.define(n.output(0), new ImportGraph.Activation(x.node(), 2));
            return;
        }
        g.define(n.output(0), new Flatten().name(g.layerName(n.output(0))).apply(x.node()));
    }
}
