package org.convnet4j.onnx;

import org.convnet4j.onnx.proto.Onnx.AttributeProto;
import org.convnet4j.onnx.proto.Onnx.TensorProto;

/**
 * ONNX's Constant node: a constant like an initializer (exporters write a Reshape's shape or a Pad's
 * pads this way), named by its output. Tensor, float, int and their lists; not strings or sparse.
 */
final class ConstantOnnx {
    private ConstantOnnx() {
    }

    static void read(OnnxNode n, ImportGraph g) {
        String name = n.output(0);
        AttributeProto value = n.tensorAttribute("value");
        TensorProto t;
        if (value != null) {
            t = value.getT().toBuilder().setName(name).build();
        } else if (n.hasAttribute("value_float")) {
            t = Tensors.floats(name, new long[0], new float[] {n.real("value_float", 0f)});
        } else if (n.hasAttribute("value_floats")) {
            AttributeProto a = n.floatsAttribute("value_floats");
            float[] v = new float[a.getFloatsCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = a.getFloats(i);
            }
            t = Tensors.floats(name, new long[] {v.length}, v);
        } else if (n.hasAttribute("value_int")) {
            t = Tensors.longs(name, new long[0], new long[] {n.integer("value_int", 0)});
        } else if (n.hasAttribute("value_ints")) {
            long[] v = n.ints("value_ints", null);
            t = Tensors.longs(name, new long[] {v.length}, v);
        } else {
            throw n.error("expected a value, value_float(s) or value_int(s) attribute");
        }
        g.define(name, new ImportGraph.Constant(name, t));
    }
}
