package org.convnet4j.onnx;

import static org.convnet4j.onnx.OnnxGraphs.node;
import static org.convnet4j.onnx.OnnxGraphs.positive;
import static org.convnet4j.onnx.OnnxGraphs.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.backend.Backend;
import org.convnet4j.backend.BackendCases;
import org.convnet4j.graph.Model;
import org.convnet4j.graph.Weights;
import org.convnet4j.onnx.proto.Onnx.ModelProto;
import org.convnet4j.onnx.proto.Onnx.NodeProto;
import org.convnet4j.onnx.proto.Onnx.StringStringEntryProto;
import org.convnet4j.onnx.proto.Onnx.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Import of single ops with the attributes the zoo and the PyTorch fixture do not reach, each against
 * ONNX Runtime on the same file within 1e-5; and the errors for what import refuses, each naming the
 * node, its op type and what is supported.
 */
class OnnxImportOpsTest {
    static final int BATCH = 2;
    static final SplittableRandom R = new SplittableRandom(3);

    static TensorProto kernel(String name, long out, long in, long kh, long kw) {
        return random(name, R, 1 / Math.sqrt(in * kh * kw), out, in, kh, kw);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("Conv auto_pad SAME_UPPER, stride 2", OnnxGraphs.withHead(17, List.of(
                        node("conv", "Conv", List.of("x", "w"), List.of("h"), Attributes.string("auto_pad", "SAME_UPPER"),
                                Attributes.ints("strides", 2, 2))), List.of(kernel("w", 4, 3, 3, 3)), 4 * 4 * 4)),
                Arguments.of("Conv auto_pad SAME_LOWER, stride 2", OnnxGraphs.withHead(17, List.of(
                        node("conv", "Conv", List.of("x", "w", "b"), List.of("h"), Attributes.string("auto_pad", "SAME_LOWER"),
                                Attributes.ints("strides", 2, 2))),
                        List.of(kernel("w", 4, 3, 3, 3), random("b", R, 0.1, 4)), 4 * 4 * 4)),
                Arguments.of("Conv asymmetric pads, strides 2x1", OnnxGraphs.withHead(17, List.of(
                        node("conv", "Conv", List.of("x", "w"), List.of("c"), Attributes.ints("pads", 1, 0, 2, 1),
                                Attributes.ints("strides", 2, 1), Attributes.ints("kernel_shape", 3, 2)),
                        node("relu", "Relu", List.of("c"), List.of("h"))),
                        List.of(kernel("w", 4, 3, 3, 2)), 4 * 5 * 8)),
                Arguments.of("MaxPool ceil_mode", OnnxGraphs.withHead(17, List.of(
                        node("pool", "MaxPool", List.of("x"), List.of("h"), Attributes.ints("kernel_shape", 3, 3),
                                Attributes.ints("strides", 2, 2), Attributes.integer("ceil_mode", 1))), List.of(), 3 * 4 * 4)),
                Arguments.of("MaxPool 2x3 window, SAME_UPPER", OnnxGraphs.withHead(17, List.of(
                        node("pool", "MaxPool", List.of("x"), List.of("h"), Attributes.ints("kernel_shape", 2, 3),
                                Attributes.ints("strides", 2, 2), Attributes.string("auto_pad", "SAME_UPPER"))), List.of(), 3 * 4 * 4)),
                Arguments.of("AveragePool count_include_pad=1", OnnxGraphs.withHead(17, List.of(
                        node("pool", "AveragePool", List.of("x"), List.of("h"), Attributes.ints("kernel_shape", 3, 3),
                                Attributes.ints("pads", 1, 1, 1, 1), Attributes.integer("count_include_pad", 1))),
                        List.of(), 3 * 8 * 8)),
                Arguments.of("AveragePool count_include_pad=0, ceil_mode", OnnxGraphs.withHead(17, List.of(
                        node("pool", "AveragePool", List.of("x"), List.of("h"), Attributes.ints("kernel_shape", 3, 3),
                                Attributes.ints("strides", 2, 2), Attributes.ints("pads", 1, 1, 1, 1),
                                Attributes.integer("ceil_mode", 1))), List.of(), 3 * 5 * 5)),
                Arguments.of("BatchNormalization epsilon, then Gemm transB alpha beta", OnnxGraphs.model(17, List.of(
                        node("bn", "BatchNormalization", List.of("x", "s", "b", "m", "v"), List.of("n"),
                                Attributes.real("epsilon", 1e-3f)),
                        node("flat", "Flatten", List.of("n"), List.of("f")),
                        node("gemm", "Gemm", List.of("f", "w", "c"), List.of("l"), Attributes.integer("transB", 1),
                                Attributes.real("alpha", 0.5f), Attributes.real("beta", 2f)),
                        node("softmax", "Softmax", List.of("l"), List.of("y"))),
                        List.of(positive("s", R, 0.5, 3), random("b", R, 0.5, 3), random("m", R, 0.5, 3),
                                positive("v", R, 0.2, 3), random("w", R, 0.3, 5, 192), random("c", R, 0.5, 1, 5)),
                        "y", 5)),
                Arguments.of("GlobalAveragePool, MatMul and Add(bias, x), Softmax", OnnxGraphs.model(17, List.of(
                        node("gap", "GlobalAveragePool", List.of("x"), List.of("g")),
                        node("reshape", "Reshape", List.of("g", "shape"), List.of("f")),
                        node("matmul", "MatMul", List.of("f", "w"), List.of("p")),
                        node("bias", "Add", List.of("b", "p"), List.of("l")),
                        node("softmax", "Softmax", List.of("l"), List.of("y"))),
                        List.of(OnnxGraphs.longs("shape", 0, -1), random("w", R, 4, 3, 5), random("b", R, 0.5, 5)),
                        "y", 5)),
                Arguments.of("Constant shape, Reshape [-1, C*H*W], Identity, Dropout (opset 11), Pad (opset 11)",
                        OnnxGraphs.withHead(11, List.of(
                        node("pads", "Constant", List.of(), List.of("pads"), Attributes.tensor("value",
                                Tensors.longs("", new long[] {8}, new long[] {0, 0, 1, 0, 0, 0, 0, 2}))),
                        node("pad", "Pad", List.of("x", "pads"), List.of("p")),
                        node("shape", "Constant", List.of(), List.of("shape"), Attributes.tensor("value",
                                Tensors.longs("", new long[] {2}, new long[] {-1, 3 * 9 * 10}))),
                        node("reshape", "Reshape", List.of("p", "shape"), List.of("f")),
                        node("identity", "Identity", List.of("f"), List.of("i")),
                        node("dropout", "Dropout", List.of("i"), List.of("h"), Attributes.real("ratio", 0.2f))),
                        List.of(), 3 * 9 * 10)),
                Arguments.of("one kernel taken by two Convs", shared()),
                Arguments.of("Pad with a pads attribute (opset 10), Concat of a branch", OnnxGraphs.withHead(10, List.of(
                        node("pad", "Pad", List.of("x"), List.of("p"), Attributes.ints("pads", 0, 0, 1, 1, 0, 0, 1, 1)),
                        node("conv", "Conv", List.of("p", "w"), List.of("c")),
                        node("concat", "Concat", List.of("x", "c"), List.of("h"), Attributes.integer("axis", -3))),
                        List.of(kernel("w", 2, 3, 3, 3)), 5 * 8 * 8)));
    }

    /** Two convolutions reading one initializer, as PyTorch's export merges initializers of equal values. */
    static ModelProto shared() {
        return OnnxGraphs.withHead(17, List.of(
                node("c1", "Conv", List.of("x", "w"), List.of("a"), Attributes.ints("pads", 1, 1, 1, 1)),
                node("c2", "Conv", List.of("a", "w"), List.of("h"), Attributes.ints("pads", 1, 1, 1, 1))),
                List.of(kernel("w", 3, 3, 3, 3)), 3 * 8 * 8);
    }

    @Test
    void anInitializerTwoLayersTakeIsCopiedUnderASecondKey() {
        OnnxModel onnx = OnnxImport.read(shared().toByteArray());
        assertEquals(List.of("w", "w@c2", "head.weight", "head.bias"),
                onnx.model().params().stream().map(p -> p.key()).toList());
        assertArrayEquals(onnx.values("w"), onnx.values("w@c2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void importComputesWhatOnnxRuntimeComputes(String what, ModelProto file) {
        byte[] bytes = file.toByteArray();
        OnnxModel onnx = OnnxImport.read(bytes);
        Model m = onnx.model();
        float[] x = OnnxTestModels.images(BATCH, 3 * OnnxGraphs.SIDE * OnnxGraphs.SIDE, 4);
        float[] expected = OrtRunner.run(bytes, "x", x, BATCH, 3, OnnxGraphs.SIDE, OnnxGraphs.SIDE).get("y");
        try (Backend be = BackendCases.open("cpu"); Weights w = onnx.weights(be)) {
            OnnxTestModels.assertClose(what, expected, OnnxTestModels.predictAll(m, w, x, BATCH).get(0), 1e-5);
            OnnxTestModels.assertSpread(what, expected, OnnxGraphs.CLASSES);
        }
    }

    /** Import's error, which must name the node and its op type and hold each of {@code phrases}. */
    static void assertRefused(ModelProto file, String nodeAndOp, String... phrases) {
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxImport.read(file.toByteArray()));
        assertTrue(e.getMessage().contains(nodeAndOp), "'" + e.getMessage() + "' names " + nodeAndOp);
        for (String p : phrases) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' says " + p);
        }
    }

    static ModelProto one(NodeProto n, TensorProto... initializers) {
        return OnnxGraphs.withHead(17, List.of(n), List.of(initializers), 3 * 8 * 8);
    }

    @Test
    void anUnsupportedOpNamesTheNodeTheOpAndTheSupportedList() {
        assertRefused(one(node("act1", "Sigmoid", List.of("x"), List.of("h"))), "ONNX node 'act1' (Sigmoid)",
                "not supported", "Conv, BatchNormalization, Relu, MaxPool, AveragePool, GlobalAveragePool, Gemm, MatMul, Add,"
                        + " Concat, Flatten, Reshape, Softmax, Dropout, Pad, Identity, Constant",
                "on constants only: ConstantOfShape, Cast, Slice, Transpose, Unsqueeze, Squeeze");
        NodeProto custom = node("custom", "Relu", List.of("x"), List.of("h")).toBuilder().setDomain("com.example").build();
        assertRefused(one(custom), "'custom' (Relu)", "domain com.example");
    }

    @Test
    void attributesAndSettingsOutsideTheSupportedOnesAreRefused() {
        assertRefused(one(node("c", "Conv", List.of("x", "w"), List.of("h"), Attributes.integer("group", 3)),
                kernel("w", 3, 1, 3, 3)), "'c' (Conv)", "group=3");
        assertRefused(one(node("c", "Conv", List.of("x", "w"), List.of("h"), Attributes.ints("dilations", 2, 2)),
                kernel("w", 3, 3, 3, 3)), "'c' (Conv)", "dilations");
        assertRefused(one(node("r", "Relu", List.of("x"), List.of("h"), Attributes.real("alpha", 0.1f))),
                "'r' (Relu)", "attribute alpha not supported");
        assertRefused(one(node("p", "AveragePool", List.of("x"), List.of("h"), Attributes.ints("kernel_shape", 3, 3),
                Attributes.ints("pads", 1, 1, 1, 1), Attributes.integer("count_include_pad", 1),
                Attributes.integer("ceil_mode", 1))), "'p' (AveragePool)", "ceil_mode=1 with count_include_pad=1");
        assertRefused(one(node("p", "Pad", List.of("x", "pads"), List.of("h"), Attributes.string("mode", "reflect")),
                OnnxGraphs.longs("pads", 0, 0, 1, 1, 0, 0, 1, 1)), "'p' (Pad)", "mode=constant");
        assertRefused(one(node("s", "Reshape", List.of("x", "shape"), List.of("h")), OnnxGraphs.longs("shape", 0, 3, -1)),
                "'s' (Reshape)", "N x features");
        assertRefused(one(node("a", "Add", List.of("x", "c"), List.of("h")), random("c", R, 1, 1, 3, 1, 1)),
                "'a' (Add)", "bias right after a MatMul");
        assertRefused(one(node("d", "Dropout", List.of("x", "r", "t"), List.of("h")), Tensors.floats("r", new long[0],
                new float[] {0.5f}), TensorProto.newBuilder().setName("t").setDataType(TensorProto.DataType.BOOL_VALUE)
                .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[] {1})).build()), "'d' (Dropout)", "training_mode");
    }

    @Test
    void aSoftmaxMustWriteAGraphOutput() {
        ModelProto m = OnnxGraphs.withHead(17, List.of(node("gap", "GlobalAveragePool", List.of("x"), List.of("g")),
                node("flat", "Flatten", List.of("g"), List.of("f")),
                node("sm", "Softmax", List.of("f"), List.of("h"))), List.of(), 3);
        assertRefused(m, "'sm' (Softmax)", "graph output");
    }

    @Test
    void filesOutsideWhatImportReadsAreRefused() {
        ModelProto relu = one(node("r", "Relu", List.of("x"), List.of("h")));
        OnnxException opset = assertThrows(OnnxException.class, () -> OnnxImport.read(relu.toBuilder()
                .setOpsetImport(0, relu.getOpsetImport(0).toBuilder().setVersion(8)).build().toByteArray()));
        assertTrue(opset.getMessage().contains("opset 8"), opset.getMessage());

        TensorProto external = Tensors.floats("w", new long[] {3, 3, 3, 3}, new float[81]).toBuilder().clearRawData()
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"))
                .setDataLocation(TensorProto.DataLocation.EXTERNAL).build();
        OnnxException ext = assertThrows(OnnxException.class, () -> OnnxImport.read(
                one(node("c", "Conv", List.of("x", "w"), List.of("h")), external).toByteArray()));
        assertTrue(ext.getMessage().contains("tensor 'w'") && ext.getMessage().contains("external"), ext.getMessage());

        OnnxException garbage = assertThrows(OnnxException.class, () -> OnnxImport.read(new byte[] {8, (byte) 0x80}));
        assertTrue(garbage.getMessage().contains("not an ONNX model"), garbage.getMessage());
    }
}
