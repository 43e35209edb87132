package org.convnet4j.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.convnet4j.onnx.proto.Onnx.AttributeProto;
import org.convnet4j.onnx.proto.Onnx.GraphProto;
import org.convnet4j.onnx.proto.Onnx.ModelProto;
import org.convnet4j.onnx.proto.Onnx.NodeProto;
import org.convnet4j.onnx.proto.Onnx.OperatorSetIdProto;
import org.convnet4j.onnx.proto.Onnx.TensorProto;
import org.convnet4j.onnx.proto.Onnx.TensorShapeProto;
import org.convnet4j.onnx.proto.Onnx.TypeProto;
import org.convnet4j.onnx.proto.Onnx.ValueInfoProto;

/**
 * Small ONNX graphs written by hand, for the ops and attributes the zoo and the PyTorch fixture do
 * not reach: input "x" N x 3 x 8 x 8, the nodes under test writing "h", then a head
 * (Flatten, Gemm to 5 classes, Softmax) writing the output "y".
 */
final class OnnxGraphs {
    static final int SIDE = 8;
    static final int CLASSES = 5;

    private OnnxGraphs() {
    }

    /** A model: the body's nodes and initializers, "h" of {@code features} values per image, then the head. */
    static ModelProto withHead(int opset, List<NodeProto> body, List<TensorProto> initializers, int features) {
        SplittableRandom r = new SplittableRandom(features);
        List<NodeProto> nodes = new ArrayList<>(body);
        List<TensorProto> inits = new ArrayList<>(initializers);
        nodes.add(node("head_flatten", "Flatten", List.of("h"), List.of("h_flat")));
        inits.add(random("head.weight", r, 10 / Math.sqrt(features), features, CLASSES));
        inits.add(random("head.bias", r, 0.1, CLASSES));
        nodes.add(node("head_gemm", "Gemm", List.of("h_flat", "head.weight", "head.bias"), List.of("logits")));
        nodes.add(node("head_softmax", "Softmax", List.of("logits"), List.of("y"), Attributes.integer("axis", 1)));
        return model(opset, nodes, inits, "y", CLASSES);
    }

    static ModelProto model(int opset, List<NodeProto> nodes, List<TensorProto> initializers, String output, long features) {
        GraphProto g = GraphProto.newBuilder().setName("handmade").addAllNode(nodes).addAllInitializer(initializers)
                .addInput(value("x", -1, 3, SIDE, SIDE)).addOutput(value(output, -1, features)).build();
        return ModelProto.newBuilder().setIrVersion(opset >= 15 ? 8 : 6).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
    }

    static NodeProto node(String name, String op, List<String> in, List<String> out, AttributeProto... attributes) {
        NodeProto.Builder b = NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(in).addAllOutput(out);
        for (AttributeProto a : attributes) {
            b.addAttribute(a);
        }
        return b.build();
    }

    /** Uniform in [-scale, scale]. */
    static TensorProto random(String name, SplittableRandom r, double scale, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (scale * (2 * r.nextDouble() - 1));
        }
        return Tensors.floats(name, dims, v);
    }

    /** A tensor of positive values in [lo, lo + 1) (variances, scales). */
    static TensorProto positive(String name, SplittableRandom r, double lo, long... dims) {
        TensorProto t = random(name, r, 0.5, dims);
        float[] v = Tensors.toFloats(t);
        for (int i = 0; i < v.length; i++) {
            v[i] += (float) (lo + 0.5);
        }
        return Tensors.floats(name, dims, v);
    }

    static TensorProto longs(String name, long... v) {
        return Tensors.longs(name, new long[] {v.length}, v);
    }

    /** A float tensor value; a dim of -1 is the symbolic batch. */
    static ValueInfoProto value(String name, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
    }
}
