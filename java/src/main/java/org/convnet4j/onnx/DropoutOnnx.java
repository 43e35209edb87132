package org.convnet4j.onnx;

import java.util.List;

import org.convnet4j.graph.Node;
import org.convnet4j.graph.layers.Dropout;

/**
 * Dropout, and Identity. Export writes our Dropout as ONNX's Dropout with its ratio and no
 * training_mode, which is the identity in inference, so the rate survives a round trip. Import makes
 * a Dropout layer with the file's ratio (it drops in training, as the file's model did); a
 * training_mode that is not a constant false, or a used mask, is refused. Identity is an alias.
 */
final class DropoutOnnx {
    /** ONNX's default ratio. */
    private static final float DEFAULT_RATIO = 0.5f;

    private DropoutOnnx() {
    }

    static void write(Dropout layer, Node n, GraphWriter g) {
        String ratio = g.constant(layer.name() + "/ratio", new long[0], new float[] {layer.rate()});
        GraphWriter.Chain c = g.chain(n);
        c.add("Dropout", List.of(g.value(n.inputs().get(0)), ratio));
        c.end();
    }

    static void read(OnnxNode n, ImportGraph g) {
        ImportGraph.Activation x = g.activation(n, 0);
        if (n.outputCount() > 1 && g.hasConsumers(n.output(1))) {
            throw n.error("the mask output is not supported");
        }
        float ratio;
        if (g.opset() < 12) {
            ratio = n.real("ratio", DEFAULT_RATIO);
            n.integer("is_test", 0);   // before opset 7: which mode runs, as our training flag says
        } else {
            n.integer("seed", 0);   // the seed of ONNX's own random stream: ours is (seed, step)
            float[] r = n.hasInput(1) ? g.constant(n, 1).floats() : new float[] {DEFAULT_RATIO};
            if (r.length != 1) {
                throw n.error("expected one ratio. Received " + r.length + " values");
            }
            ratio = r[0];
            if (n.hasInput(2) && trainingMode(n, g)) {
                throw n.error("training_mode=true is not supported: the file would drop activations in inference");
            }
        }
        Node y = new Dropout(ratio).name(g.layerName(n.output(0))).apply(x.node());
        g.define(n.output(0), new ImportGraph.Activation(y, x.onnxRank()));
    }

    private static boolean trainingMode(OnnxNode n, ImportGraph g) {
        ImportGraph.Constant c = g.constant(n, 2);
        long[] v = c.tensor().getDataType() == org.convnet4j.onnx.proto.Onnx.TensorProto.DataType.BOOL_VALUE
                ? bools(c) : c.longs();
        return v.length != 1 || v[0] != 0;
    }

    private static long[] bools(ImportGraph.Constant c) {
        var t = c.tensor();
        if (t.hasRawData()) {
            long[] v = new long[t.getRawData().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = t.getRawData().byteAt(i);
            }
            return v;
        }
        long[] v = new long[t.getInt32DataCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.getInt32Data(i);
        }
        return v;
    }

    static void readIdentity(OnnxNode n, ImportGraph g) {
        g.define(n.output(0), g.value(n, 0));
    }
}
