package org.convnet4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;
import org.convnet4j.graph.Precision;
import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.ops.Concat;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.Size2;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The Java glue of mixed precision on the CUDA backend against the CUDA stub (see
 * {@link StubDriver}): BF16 and FP16 activations reach cuDNN as NHWC descriptors of their type with
 * FP32-accumulating tensor-op convolutions, the typed kernels get the arguments they declare (the
 * stub emulates the conversions, so uploads and downloads are checked to the bit), FP32 master
 * weights are converted to KRSC filters and dW back, fp16 training scales the loss, and formats that
 * do not belong together are refused. What the GPU computes is not checked here (no GPU): see
 * {@code CudaMixedPrecisionTest}.
 */
@Tag("cuda-stub")
class CudaMixedPrecisionStubTest {
    private CudaBackend backend;
    private final List<Tensor> owned = new ArrayList<>();

    @BeforeAll
    static void loadStub() {
        String why = StubDriver.load();
        assumeTrue(why == null, () -> "SKIPPED [cuda-stub] " + why);
    }

    @BeforeEach
    void open() {
        StubDriver.reset();
        backend = new CudaBackend(0, false); // strict FP32: half convolutions must still get tensor cores
        StubDriver.calls();
    }

    @AfterEach
    void close() {
        owned.forEach(Tensor::close);
        owned.clear();
        if (backend != null) {
            backend.close();
        }
    }

    private Tensor image(Shape s, DType t) {
        Tensor x = backend.allocate(s, t, Layout.NHWC);
        owned.add(x);
        return x;
    }

    private Tensor plain(Shape s) {
        Tensor x = backend.allocate(s);
        owned.add(x);
        return x;
    }

    /** The 16-bit elements at a stub device address (device memory is host memory in the stub). */
    private static short[] rawShorts(Tensor t) {
        short[] out = new short[Math.toIntExact(t.size())];
        try (ShortPointer p = new ShortPointer(new Raw(t.address()))) {
            p.capacity(out.length).get(out);
        }
        return out;
    }

    /** A pointer at a raw address, for reading the stub's device memory. */
    private static final class Raw extends Pointer {
        Raw(long at) {
            address = at;
        }
    }

    @Test
    void precisionsAndLayouts() {
        for (Precision p : Precision.values()) {
            backend.checkPrecision(p);
        }
        assertEquals(Layout.NCHW, backend.activationLayout(Precision.FP32));
        assertEquals(Layout.NHWC, backend.activationLayout(Precision.BF16));
        assertEquals(Layout.NHWC, backend.activationLayout(Precision.FP16));
    }

    @Test
    void uploadAndDownloadConvertOnTheDeviceToTheBit() {
        Shape s = Shape.nchw(2, 3, 2, 2);
        float[] values = new float[24];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i - 11) * 0.3f + 1e-3f;
        }
        values[5] = 1e5f;       // beyond half's range: an infinity in fp16, kept in bf16
        values[7] = Float.NaN;
        values[9] = 2e-8f;      // below half the smallest half subnormal (2^-25): 0 in fp16
        for (DType t : new DType[] {DType.BF16, DType.FP16}) {
            Tensor x = image(s, t);
            backend.upload(values, x);
            short[] raw = rawShorts(x);
            float[] back = new float[24];
            backend.download(x, back);
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < 4; p++) {
                        int nchw = (n * 3 + c) * 4 + p;
                        int nhwc = (n * 4 + p) * 3 + c;
                        float v = values[nchw];
                        short want = t == DType.BF16 ? bf16(v) : f16(v);
                        float rounded = t == DType.BF16 ? Float.intBitsToFloat(want << 16) : f16Value(want);
                        if (Float.isNaN(v)) {
                            assertTrue(Float.isNaN(back[nchw]), t + ": NaN stays NaN");
                            continue;
                        }
                        assertEquals(want, raw[nhwc], t + " element (" + n + "," + c + "," + p + ") at its NHWC index");
                        assertEquals(rounded, back[nchw], 0f, t + " reads back rounded, in NCHW order");
                    }
                }
            }
            assertEquals(t == DType.FP16 ? Float.POSITIVE_INFINITY : 99840f, back[5], 0f, t.toString());
            assertEquals(t == DType.FP16 ? 0f : bf16Value(2e-8f), back[9], 0f, t.toString());
        }
        List<StubDriver.Launch> launches = StubDriver.launches(StubDriver.calls());
        StubDriver.Launch up = launches.stream().filter(l -> l.kernel().equals("c4j_convert_f32_bf16")).findFirst()
                .orElseThrow();
        assertEquals(List.of("L:2", "I:3", "L:4", "I:1"), up.arguments().subList(2, 6), "n, channels, hw, NCHW to NHWC");
        StubDriver.Launch down = launches.stream().filter(l -> l.kernel().equals("c4j_convert_f16_f32")).findFirst()
                .orElseThrow();
        assertEquals(List.of("L:2", "I:3", "L:4", "I:2"), down.arguments().subList(2, 6), "NHWC to NCHW");
    }

    /** bfloat16 bits of v, rounded to nearest even (v not NaN). */
    private static short bf16(float v) {
        int x = Float.floatToRawIntBits(v);
        return (short) ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16);
    }

    /** IEEE half bits of v (not NaN), rounded to nearest even, computed in double (Java 17 has no Float.floatToFloat16). */
    private static short f16(float v) {
        int sign = (Float.floatToRawIntBits(v) >>> 31) << 15;
        double a = Math.abs((double) v);
        if (a >= 65520) {
            return (short) (sign | 0x7c00);
        }
        int e = Math.max(Math.getExponent(a), -14);
        double r = Math.rint(a / Math.scalb(1.0, e - 10)) * Math.scalb(1.0, e - 10);
        if (r == 0) {
            return (short) sign;
        }
        int er = Math.getExponent(r);
        if (er < -14) {
            return (short) (sign | (int) (r / 0x1p-24));
        }
        return (short) (sign | (er + 15) << 10 | ((int) (r / Math.scalb(1.0, er - 10)) - 1024));
    }

    private static float f16Value(short h) {
        int exp = (h >> 10) & 0x1f;
        int mant = h & 0x3ff;
        double v = exp == 0 ? mant * 0x1p-24 : exp == 31 ? Double.POSITIVE_INFINITY : Math.scalb(1024.0 + mant, exp - 25);
        return (float) ((h & 0x8000) != 0 ? -v : v);
    }

    private static float bf16Value(float v) {
        return Float.intBitsToFloat(bf16(v) << 16);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"BF16", "FP16"})
    void aHalfConvolutionConvertsWeightsToKrscAndDwBackWithTensorOpsInFp32(DType t) {
        Conv2dOp op = new Conv2dOp(Shape.nchw(2, 3, 6, 6), 4, Size2.of(3), Size2.of(1), Padding.SAME, true);
        Tensor x = image(op.input(), t);
        Tensor y = image(op.outputShape(), t);
        Tensor w = plain(op.weightShape());
        Tensor b = plain(op.biasShape());
        Tensor dw = plain(op.weightShape());
        Tensor db = plain(op.biasShape());
        backend.conv2dBiasReluForward(op, x, w, b, y);
        backend.conv2dBackwardData(op, y, w, x);
        backend.conv2dBackwardFilter(op, x, y, dw, db);
        List<String> calls = StubDriver.calls();
        String text = StubDriver.text(calls);
        String type = t == DType.BF16 ? "BFLOAT16" : "HALF";
        String s = t == DType.BF16 ? "bf16" : "f16";
        assertTrue(calls.contains("cudnnSetTensor4dDescriptor format=NHWC type=" + type), text);
        assertTrue(calls.contains("cudnnSetFilter4dDescriptor format=NHWC type=" + type), "KRSC filters: " + text);
        assertFalse(calls.contains("cudnnSetTensor4dDescriptor format=NCHW type=FLOAT"), "no FP32 activation: " + text);
        assertTrue(calls.stream().anyMatch(c -> c.startsWith("cudnnSetConvolution2dDescriptor") && c.endsWith("type=0")),
                "compute type FLOAT: " + text);
        assertTrue(calls.stream().anyMatch(c -> c.startsWith("cudnnSetConvolutionMathType") && c.endsWith("math=1")),
                "tensor-op math for half data even with TF32 off: " + text);
        List<StubDriver.Launch> launches = StubDriver.launches(calls);
        List<StubDriver.Launch> toFilter = launches.stream().filter(l -> l.kernel().equals("c4j_convert_f32_" + s)).toList();
        assertEquals(2, toFilter.size(), "weights converted before forward and backward-data: " + text);
        for (StubDriver.Launch l : toFilter) {
            assertEquals("P:" + hex(w), l.arguments().get(0));
            assertEquals(List.of("L:4", "I:3", "L:9", "I:1"), l.arguments().subList(2, 6), "KCRS to KRSC: " + l);
        }
        StubDriver.Launch back = launches.stream().filter(l -> l.kernel().equals("c4j_convert_" + s + "_f32"))
                .findFirst().orElseThrow();
        assertEquals("P:" + hex(dw), back.arguments().get(1));
        assertEquals(List.of("L:4", "I:3", "L:9", "I:2"), back.arguments().subList(2, 6), "KRSC dW to KCRS: " + back);
        StubDriver.Launch bias = launches.stream().filter(l -> l.kernel().equals("c4j_bias_act_nhwc_" + s)).findFirst()
                .orElseThrow();
        assertEquals(List.of("P:" + hex(y), "P:" + hex(b), "L:" + op.outputShape().size(), "I:4", "I:1"), bias.arguments());
        StubDriver.Launch dbias = launches.stream().filter(l -> l.kernel().equals("c4j_bias_grad_nhwc_" + s))
                .findFirst().orElseThrow();
        assertEquals(List.of("P:" + hex(y), "P:" + hex(db), "L:72", "I:4"), dbias.arguments(), "rows = N*OH*OW");
        assertEquals("4,1,1", dbias.grid(), "one block per channel");
        for (StubDriver.Launch l : launches) {
            assertEquals(0, l.status(), l.toString());
            assertFalse(l.args().contains("!"), "a pointer outside device memory: " + l);
        }
    }

    @Test
    void concatInNhwcCopiesEachPixelsChannelRun() {
        Concat op = Concat.of(Shape.nchw(2, 3, 4, 4), Shape.nchw(2, 5, 4, 4));
        Tensor a = image(op.inputs().get(0), DType.BF16);
        Tensor b = image(op.inputs().get(1), DType.BF16);
        Tensor y = image(op.outputShape(), DType.BF16);
        backend.concatForward(op, List.of(a, b), y);
        List<StubDriver.Launch> launches = StubDriver.launches(StubDriver.calls());
        assertEquals(2, launches.size());
        assertEquals(List.of("P:" + hex(a), "L:3", "L:0", "P:" + hex(y), "L:8", "L:0", "L:3", "I:32"),
                launches.get(0).arguments(), "n = N*H*W pixels, runs of 3 into strides of 8");
        assertEquals(List.of("P:" + hex(b), "L:5", "L:0", "P:" + hex(y), "L:8", "L:3", "L:5", "I:32"),
                launches.get(1).arguments(), "the second input at channel offset 3");
        assertEquals("c4j_copy_channels_bf16", launches.get(0).kernel());
    }

    @Test
    void formatsThatDoNotBelongTogetherAreRefusedNamingTheOp() {
        Conv2dOp op = new Conv2dOp(Shape.nchw(1, 2, 4, 4), 2, Size2.of(3), Size2.of(1), Padding.SAME, false);
        Tensor xb = image(op.input(), DType.BF16);
        Tensor yh = image(op.outputShape(), DType.FP16);
        Tensor w = plain(op.weightShape());
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
                () -> backend.conv2dForward(op, xb, w, null, yh));
        assertTrue(mixed.getMessage().contains("conv2dForward") && mixed.getMessage().contains("one format"),
                mixed.getMessage());
        Tensor nhwc32 = backend.allocate(op.input(), DType.FP32, Layout.NHWC);
        owned.add(nhwc32);
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class,
                () -> backend.reluForward(nhwc32, nhwc32));
        assertTrue(order.getMessage().contains("FP32 NCHW, or BF16 or FP16 NHWC"), order.getMessage());
        Tensor halfWeights = backend.allocate(op.weightShape(), DType.BF16, Layout.NHWC);
        owned.add(halfWeights);
        IllegalArgumentException params = assertThrows(IllegalArgumentException.class,
                () -> backend.conv2dForward(op, xb, halfWeights, null, image(op.outputShape(), DType.BF16)));
        assertTrue(params.getMessage().contains("parameters"), params.getMessage());
        Tensor yb = image(op.outputShape(), DType.FP16);
        IllegalArgumentException pair = assertThrows(IllegalArgumentException.class, () -> backend.convert(xb, yb));
        assertTrue(pair.getMessage().contains("BF16 to FP16"), pair.getMessage());
        assertEquals(List.of(), StubDriver.launches(StubDriver.calls()), "nothing launched for refused calls");
    }

    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"BF16", "FP16"})
    void trainingAStubModelInHalfPrecisionUsesTypedKernelsAndNhwcDescriptors(Precision precision) {
        Set<String> layers = StubModel.trainEvaluatePredict(backend, precision);
        List<String> calls = StubDriver.calls();
        String text = StubDriver.text(calls);
        assertEquals(List.of(), calls.stream().filter(c -> c.contains("refused")).toList(), "calls the stub refused");
        Map<String, String> declared = CudaSources.declaredKernels();
        Set<String> launched = new TreeSet<>();
        for (StubDriver.Launch l : StubDriver.launches(calls)) {
            launched.add(l.kernel());
            assertEquals(0, l.status(), l.toString());
            assertEquals(declared.get(l.kernel()).length(), l.arguments().size(), l.toString());
            assertFalse(l.args().contains("!"), "a pointer argument outside device memory: " + l);
        }
        String s = precision == Precision.BF16 ? "bf16" : "f16";
        Set<String> expected = new TreeSet<>(List.of("c4j_convert_f32_" + s, "c4j_convert_" + s + "_f32",
                "c4j_bias_act_nhwc_" + s, "c4j_bias_grad_nhwc_" + s, "c4j_pad2d_nhwc_" + s, "c4j_crop2d_nhwc_" + s,
                "c4j_copy_channels_" + s, "c4j_relu_backward_" + s, "c4j_accumulate_" + s,
                "c4j_global_avg_pool_nhwc_" + s, "c4j_global_avg_pool_backward_nhwc_" + s,
                "c4j_softmax_xent_sparse_f32", "c4j_adam_multi_f32"));
        expected.removeAll(launched);
        assertEquals(Set.of(), expected, "typed kernels the model should have launched; it launched " + launched
                + " (layers " + layers + ")");
        for (String k : List.of("c4j_pad2d_f32", "c4j_crop2d_f32", "c4j_copy_channels_f32", "c4j_global_avg_pool_f32",
                "c4j_global_avg_pool_backward_f32")) {
            assertFalse(launched.contains(k), k + " launched on half-precision activations: " + text);
        }
        for (StubDriver.Launch l : StubDriver.launches(calls)) {
            if (l.kernel().equals("c4j_bias_act_f32")) {
                assertEquals("L:1", l.arguments().get(4), "FP32 bias only on the dense layers' features: " + l);
            }
        }
        String type = precision == Precision.BF16 ? "BFLOAT16" : "HALF";
        assertTrue(calls.contains("cudnnSetTensor4dDescriptor format=NHWC type=" + type), text);
        assertFalse(calls.contains("cudnnSetTensor4dDescriptor format=NHWC type=FLOAT"), text);
        List<StubDriver.Launch> xent = StubDriver.launches(calls).stream()
                .filter(l -> l.kernel().equals("c4j_softmax_xent_sparse_f32")).toList();
        List<StubDriver.Launch> unscale = StubDriver.launches(calls).stream()
                .filter(l -> l.kernel().equals("c4j_scale_multi_f32")).toList();
        if (precision == Precision.FP16) {
            // weight 1 / batch 4, times the loss scale 2^16 in training; the evaluation is unscaled
            assertEquals("F:16384", xent.get(0).arguments().get(4), "the scaled loss gradient: " + xent.get(0));
            assertEquals(2, unscale.size(), "each training step unscales the gradients once: " + unscale);
            assertEquals("F:1.52587891e-05", unscale.get(0).arguments().get(3), "by 2^-16");
            assertEquals("F:0.25", xent.get(xent.size() - 1).arguments().get(4), "evaluation is not scaled");
        } else {
            assertEquals("F:0.25", xent.get(0).arguments().get(4), "bf16 needs no loss scaling");
            assertEquals(List.of(), unscale);
        }
    }

    /**
     * Pooling with padding cuDNN cannot express runs the NHWC kernels (n and channels apart, then the
     * geometry); the fused batch norm, which has no half-precision kernel yet, runs its FP32 NCHW
     * kernels on converted copies (Staging): x converts in, the kernels run on the copy, the result
     * converts back into y, and the copies go back to the pool.
     */
    @Test
    void asymmetricPoolingIsNativeAndTheFusedBatchNormRunsOnConvertedCopies() {
        Pool2d pool = Pool2d.max(Shape.nchw(2, 3, 8, 8), 3).withStride(2).withPadding(Padding.SAME); // pads 0 / 1
        Tensor x = image(pool.input(), DType.BF16);
        Tensor y = image(pool.outputShape(), DType.BF16);
        Tensor dx = image(pool.input(), DType.BF16);
        backend.pool2dForward(pool, x, y);
        backend.pool2dBackward(pool, x, y, y, dx);
        List<StubDriver.Launch> launches = StubDriver.launches(StubDriver.calls());
        assertEquals(List.of("c4j_pool2d_nhwc_bf16", "c4j_pool2d_backward_nhwc_bf16"),
                launches.stream().map(StubDriver.Launch::kernel).toList());
        List<String> geometry = List.of("I:2", "I:3", "I:8", "I:8", "I:4", "I:4", "I:3", "I:3", "I:2", "I:2", "I:0",
                "I:0", "I:0");
        assertEquals(geometry, launches.get(0).arguments().subList(2, 15), "n, channels, h, w, oh, ow, window, stride,"
                + " top, left, max");
        assertEquals(List.of("P:" + hex(x), "P:" + hex(y), "P:" + hex(y), "P:" + hex(dx)),
                launches.get(1).arguments().subList(0, 4));
        assertEquals(geometry, launches.get(1).arguments().subList(4, 17));

        BatchNorm bn = BatchNorm.of(Shape.nchw(2, 4, 3, 3));
        Shape c = Shape.of(4);
        BatchNormParams p = new BatchNormParams(plain(c), plain(c), plain(c), plain(c));
        Tensor bx = image(bn.input(), DType.FP16);
        Tensor by = image(bn.input(), DType.FP16);
        Tensor saved = plain(bn.savedShape());
        long inUse = backend.pool().stats().inUseBytes();
        backend.batchNormReluForwardTraining(bn, bx, p, by, saved);
        assertEquals(inUse, backend.pool().stats().inUseBytes(), "the FP32 copies are returned");
        List<StubDriver.Launch> staged = StubDriver.launches(StubDriver.calls());
        assertEquals(List.of("c4j_convert_f16_f32", "c4j_bn_stats_f32", "c4j_bn_apply_f32", "c4j_convert_f32_f16"),
                staged.stream().map(StubDriver.Launch::kernel).toList());
        assertEquals("P:" + hex(bx), staged.get(0).arguments().get(0));
        assertEquals("I:2", staged.get(0).arguments().get(5), "x read NHWC, written NCHW");
        assertEquals(staged.get(0).arguments().get(1), staged.get(1).arguments().get(0), "the kernels read the copy");
        assertEquals("P:" + hex(by), staged.get(3).arguments().get(1), "and the result converts into y");
        assertEquals(List.of("L:2", "I:4", "L:9", "I:1"), staged.get(3).arguments().subList(2, 6));
    }

    private static String hex(Tensor t) {
        return "0x" + Long.toHexString(t.address());
    }
}
