package org.convnet4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.backend.cpu.CpuBackend;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Size2;
import org.convnet4j.reference.ConvReference;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Backend#freezeConvInt8}: {@code relu?(conv(x, w) + bias + residual?)} computed in 8-bit
 * integers, checked two ways.
 *
 * <p><b>Against an integer emulation</b> written here from the definition (x quantized with the
 * calibrated scale, rounding to nearest even and saturating to u8 [0, 255] or s8 [-128, 127]; w to s8
 * per output channel with {@code max |w| / 127}; products summed exactly; scaled back): the kernel
 * sums integers exactly, so what is left is FP32 rounding of the scaling, the bias and the residual,
 * {@link Tolerance#FORMULA} of the largest term. A wrong scale, rounding, saturation, compensation
 * or channel order is off by whole quantization steps, thousands of times more.
 *
 * <p><b>Against the float64 reference</b>, per element, within the error quantization can cause at
 * most: with {@code dx <= sx/2} and {@code dw <= sw[o]/2} per term, {@code |conv(x+dx, w+dw) -
 * conv(x, w)| <= sw[o]/2 * sum|x| + sx/2 * sum|w| + K sx sw[o] / 4} over the K taps inside the
 * image (relu does not widen a difference; the residual and the bias are not quantized), plus the
 * FP32 slack above. This is the tolerance int8 has, written down; it is not widened by a margin.
 *
 * <p>Both need oneDNN's exact VNNI (or AMX) int8 kernels, and skip visibly without them: elsewhere
 * oneDNN halves the weights' scale to avoid 16-bit saturation ({@link CpuBackend#nativeInt8}).
 * Backends without int8 convolutions (CUDA) must refuse with a clear message.
 */
class Int8ConvTest extends BackendSuite {

    /** One case: the op, whether x is non-negative (u8) or signed (s8), residual, relu. */
    record Case(Conv2dOp op, boolean unsigned, boolean residual, boolean relu) {
        @Override
        public String toString() {
            return op + (unsigned ? " u8" : " s8") + (residual ? " +residual" : "") + (relu ? " relu" : "");
        }
    }

    static Stream<Arguments> cases() {
        List<Conv2dOp> ops = List.of(
                new Conv2dOp(Shape.nchw(2, 3, 7, 9), 4, Size2.of(3), Size2.of(1), Padding.SAME, true),
                new Conv2dOp(Shape.nchw(1, 16, 8, 8), 32, Size2.of(1), Size2.of(2), Padding.VALID, true),
                new Conv2dOp(Shape.nchw(1, 32, 6, 6), 16, Size2.of(3), Size2.of(1), Padding.SAME, true),
                new Conv2dOp(Shape.nchw(1, 3, 15, 15), 16, Size2.of(7), Size2.of(2), Padding.SAME, true),
                new Conv2dOp(Shape.nchw(2, 64, 5, 5), 8, Size2.of(3), Size2.of(1), Padding.VALID, false));
        List<Case> cases = new ArrayList<>();
        for (Conv2dOp op : ops) {
            for (int m = 0; m < 8; m++) {
                cases.add(new Case(op, (m & 4) != 0, (m & 1) != 0, (m & 2) != 0));
            }
        }
        return BackendCases.crossed(cases.stream());
    }

    /** Inputs: x in [0, 1) (u8) or [-1, 1) (s8), w, bias and residual in [-1, 1). */
    record Inputs(double[] x, double[] w, double[] bias, double[] r, Int8Range range) {
        static Inputs of(Case c) {
            Conv2dOp op = c.op();
            SplittableRandom rnd = TestData.random(op);
            double[] x = TestData.uniform(rnd, op.input(), c.unsigned() ? 0 : -1, 1);
            double min = Arrays.stream(x).min().orElseThrow();
            double max = Arrays.stream(x).max().orElseThrow();
            return new Inputs(x, TestData.uniform(rnd, op.weightShape(), -1, 1),
                    op.bias() ? TestData.uniform(rnd, op.biasShape(), -1, 1) : null,
                    TestData.uniform(rnd, op.outputShape(), -1, 1), new Int8Range((float) min, (float) max));
        }
    }

    /** Per output channel: max |w| / 127 of the FP32 weights, as the backend computes it. */
    static double[] weightScales(Conv2dOp op, double[] w) {
        int out = (int) op.weightShape().dim(0);
        int per = w.length / out;
        double[] s = new double[out];
        for (int o = 0; o < out; o++) {
            float max = 0f;
            for (int i = o * per; i < (o + 1) * per; i++) {
                max = Math.max(max, Math.abs((float) w[i]));
            }
            s[o] = max > 0f ? max / 127f : 1f;
        }
        return s;
    }

    /** The integer emulation: quantize, multiply exactly, scale back, add bias and residual, relu. */
    static double[] emulated(Case c, Inputs in) {
        Conv2dOp op = c.op();
        double sx = in.range().scale();
        double[] qx = new double[in.x().length];
        for (int i = 0; i < qx.length; i++) {
            double q = Math.rint((float) in.x()[i] / (float) sx);
            qx[i] = c.unsigned() ? Math.max(0, Math.min(255, q)) : Math.max(-128, Math.min(127, q));
        }
        double[] sw = weightScales(op, in.w());
        int per = in.w().length / sw.length;
        double[] qw = new double[in.w().length];
        for (int i = 0; i < qw.length; i++) {
            float scale = (float) sw[i / per];
            qw[i] = Math.max(-127, Math.min(127, Math.round((double) (float) in.w()[i] / scale)));
        }
        double[] acc = ConvReference.forward(op, qx, qw, null);
        return finish(c, in, acc, sx, sw, 1.0);
    }

    /** {@code relu?(sx sw[o] acc + bias + residual?)}, with acc pre-scaled by {@code factor}. */
    private static double[] finish(Case c, Inputs in, double[] acc, double sx, double[] sw, double factor) {
        Conv2dOp op = c.op();
        Shape out = op.outputShape();
        int channels = (int) out.dim(1);
        int plane = (int) (out.dim(2) * out.dim(3));
        double[] y = new double[acc.length];
        for (int i = 0; i < y.length; i++) {
            int o = (i / plane) % channels;
            double v = acc[i] * factor * sx * sw[o] + (in.bias() == null ? 0 : in.bias()[o]);
            if (c.residual()) {
                v += in.r()[i];
            }
            y[i] = c.relu() ? Math.max(0, v) : v;
        }
        return y;
    }

    /** The float64 reference, unquantized. */
    static double[] reference(Case c, Inputs in) {
        double[] acc = ConvReference.forward(c.op(), in.x(), in.w(), null);
        double[] ones = new double[weightScales(c.op(), in.w()).length];
        Arrays.fill(ones, 1);
        return finish(c, in, acc, 1, ones, 1);
    }

    /** Per element: the most quantization can move the result (see the class comment). */
    static double[] quantizationBound(Case c, Inputs in) {
        Conv2dOp op = c.op();
        double sx = in.range().scale();
        double[] sw = weightScales(op, in.w());
        double[] absX = Arrays.stream(in.x()).map(Math::abs).toArray();
        double[] absW = Arrays.stream(in.w()).map(Math::abs).toArray();
        double[] onesX = new double[absX.length];
        Arrays.fill(onesX, 1);
        double[] onesW = new double[absW.length];
        Arrays.fill(onesW, 1);
        double[] sumAbsX = ConvReference.forward(op, absX, onesW, null);
        double[] sumAbsW = ConvReference.forward(op, onesX, absW, null);
        double[] taps = ConvReference.forward(op, onesX, onesW, null);
        Shape out = op.outputShape();
        int channels = (int) out.dim(1);
        int plane = (int) (out.dim(2) * out.dim(3));
        double[] bound = new double[sumAbsX.length];
        for (int i = 0; i < bound.length; i++) {
            double s = sw[(i / plane) % channels];
            bound[i] = s / 2 * sumAbsX[i] + sx / 2 * sumAbsW[i] + taps[i] * sx * s / 4;
        }
        return bound;
    }

    /** Fails unless |actual - expected| <= bound + FORMULA tolerance, element by element. */
    static void assertWithin(String what, double[] expected, double[] actual, double[] bound) {
        assertEquals(expected.length, actual.length, what + ": element count");
        int outside = 0;
        int worst = 0;
        double worstRatio = -1;
        for (int i = 0; i < expected.length; i++) {
            double allowed = bound[i] + Tolerance.FORMULA.allowed(expected[i]);
            double diff = Math.abs(actual[i] - expected[i]);
            if (!(diff <= allowed)) {
                outside++;
            }
            double ratio = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff / allowed;
            if (ratio > worstRatio) {
                worstRatio = ratio;
                worst = i;
            }
        }
        if (outside > 0) {
            fail(String.format("%s: %d of %d outside; worst at %d: expected %.9g, actual %.9g, allowed %.3e",
                    what, outside, expected.length, worst, expected[worst], actual[worst],
                    bound[worst] + Tolerance.FORMULA.allowed(expected[worst])));
        }
    }

    /** Runs the case frozen in int8 with x, residual and y in the given layouts; NCHW values back. */
    private double[] run(TensorScope s, Case c, Inputs in, Layout lx, Layout lr, Layout ly) {
        Conv2dOp op = c.op();
        Tensor w = s.upload(op.weightShape(), in.w());
        Tensor b = op.bias() ? s.upload(op.biasShape(), in.bias()) : null;
        Tensor x = s.upload(op.input(), lx == Layout.NHWC ? FrozenConvTest.nhwc(op.input(), in.x(), false) : in.x());
        Tensor res = c.residual() ? s.upload(op.outputShape(),
                lr == Layout.NHWC ? FrozenConvTest.nhwc(op.outputShape(), in.r(), false) : in.r()) : null;
        Tensor y = s.output(op.outputShape());
        try (FrozenConv f = s.backend().freezeConvInt8(op, w, b, c.residual(), c.relu(), in.range())) {
            assertEquals(Layout.NHWC, f.nativeLayout(), "int8 convolutions read and write NHWC natively");
            f.forward(x.view(lx), res == null ? null : res.view(lr), y.view(ly));
        }
        double[] got = s.download(y);
        return ly == Layout.NHWC ? FrozenConvTest.nhwc(op.outputShape(), got, true) : got;
    }

    private static void assumeInt8(String backend) {
        Assumptions.assumeTrue(backend.equals("cpu"), backend + " has no int8 convolutions (refusal tested below)");
        Assumptions.assumeTrue(CpuBackend.nativeInt8(), "oneDNN's ISA here (" + CpuBackend.isaName()
                + ") has no VNNI: its int8 kernels halve the weight scale, so these exact checks do not apply");
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void matchesTheIntegerEmulation(String backend, Case c) {
        assumeInt8(backend);
        Inputs in = Inputs.of(c);
        try (TensorScope s = scope(backend)) {
            double[] got = run(s, c, in, Layout.NHWC, Layout.NHWC, Layout.NHWC);
            double[] want = emulated(c, in);
            // FP32 rounding of sx sw acc + bias + residual: FORMULA of the terms' magnitudes.
            double[] magnitude = absolute(ConvReference.forward(c.op(), in.x(), in.w(), null));
            double[] slack = new double[want.length];
            for (int i = 0; i < slack.length; i++) {
                slack[i] = Tolerance.FORMULA.allowed(magnitude[i] + 2);
            }
            assertWithin(c + " int8 vs integer emulation", want, got, slack);
        }
    }

    private static double[] absolute(double[] v) {
        return Arrays.stream(v).map(Math::abs).toArray();
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void withinTheQuantizationBoundOfTheReference(String backend, Case c) {
        assumeInt8(backend);
        Inputs in = Inputs.of(c);
        try (TensorScope s = scope(backend)) {
            double[] got = run(s, c, in, Layout.NHWC, Layout.NHWC, Layout.NHWC);
            double[] want = reference(c, in);
            double[] bound = quantizationBound(c, in);
            assertWithin(c + " int8 vs float64 reference", want, got, bound);
            // And the bound is not vacuous: int8 is visibly not the FP32 result everywhere.
            double worst = 0;
            double scale = 0;
            for (int i = 0; i < got.length; i++) {
                worst = Math.max(worst, Math.abs(got[i] - want[i]));
                scale = Math.max(scale, Math.abs(want[i]));
            }
            assertTrue(worst > 1e-6 * scale, c + ": int8 equals the FP32 result to 1e-6; was it quantized at all?");
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void everyLayoutGivesTheSameValues(String backend, Case c) {
        assumeInt8(backend);
        Inputs in = Inputs.of(c);
        try (TensorScope s = scope(backend)) {
            double[] base = run(s, c, in, Layout.NHWC, Layout.NHWC, Layout.NHWC);
            for (int mask = 0; mask < 7; mask++) {
                Layout lx = (mask & 1) != 0 ? Layout.NHWC : Layout.NCHW;
                Layout lr = (mask & 2) != 0 ? Layout.NHWC : Layout.NCHW;
                Layout ly = (mask & 4) != 0 ? Layout.NHWC : Layout.NCHW;
                double[] got = run(s, c, in, lx, lr, ly);
                Compare.assertClose(c + " x " + lx + ", residual " + lr + ", y " + ly, c.op().outputShape(), base, got,
                        Tolerance.EXACT);
            }
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void inPlaceOverTheResidual(String backend, Case c) {
        assumeInt8(backend);
        Assumptions.assumeTrue(c.residual(), "only cases with a residual can write over it");
        Conv2dOp op = c.op();
        Inputs in = Inputs.of(c);
        try (TensorScope s = scope(backend)) {
            double[] base = run(s, c, in, Layout.NHWC, Layout.NHWC, Layout.NHWC);
            Tensor w = s.upload(op.weightShape(), in.w());
            Tensor b = op.bias() ? s.upload(op.biasShape(), in.bias()) : null;
            Tensor x = s.upload(op.input(), FrozenConvTest.nhwc(op.input(), in.x(), false));
            Tensor y = s.upload(op.outputShape(), FrozenConvTest.nhwc(op.outputShape(), in.r(), false));
            try (FrozenConv f = s.backend().freezeConvInt8(op, w, b, true, c.relu(), in.range())) {
                f.forward(x.view(Layout.NHWC), y.view(Layout.NHWC), y.view(Layout.NHWC));
            }
            Compare.assertClose(c + " in place over the residual", op.outputShape(), base,
                    FrozenConvTest.nhwc(op.outputShape(), s.download(y), true), Tolerance.EXACT);
        }
    }

    /** Inputs outside the calibrated range saturate at the range's end instead of wrapping around. */
    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void outOfRangeInputsSaturate(String backend) {
        assumeInt8(backend);
        Conv2dOp op = new Conv2dOp(Shape.nchw(1, 1, 1, 3), 1, Size2.of(1), Size2.of(1), Padding.VALID, false);
        try (TensorScope s = scope(backend)) {
            Tensor w = s.upload(op.weightShape(), new double[] {1});
            Tensor x = s.upload(op.input(), new double[] {0.5, 2.0, -3.0});
            Tensor y = s.output(op.outputShape());
            // One channel: NCHW and NHWC are the same bytes, and x NHWC takes our quantizing loop, NCHW oneDNN's.
            for (Layout l : Layout.values()) {
                try (FrozenConv f = s.backend().freezeConvInt8(op, w, null, false, false, new Int8Range(-1f, 1f))) {
                    f.forward(x.view(l), null, y.view(l));
                }
                double[] got = s.download(y);
                double step = 1.0 / 127;
                // 0.5 / step is 63.5 (to float rounding): 64 steps
                assertEquals(64 * step, got[0], 1e-6, l + ": in range, rounded to a step");
                assertEquals(1.0, got[1], 1e-6, l + ": above the range, saturates at 127 steps");
                assertEquals(-128 * step, got[2], 1e-6, l + ": below the range, saturates at -128 steps");
            }
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void badRangesAreRefused(String backend) {
        assertThrows(IllegalArgumentException.class, () -> new Int8Range(Float.NaN, 1f));
        assertThrows(IllegalArgumentException.class, () -> new Int8Range(0f, Float.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new Int8Range(2f, 1f));
        assertEquals(1f, new Int8Range(0f, 0f).scale(), "an all-zero range keeps scale 1");
        assertTrue(new Int8Range(0f, 3f).unsigned());
        assertEquals(3f / 255f, new Int8Range(0f, 3f).scale());
        assertEquals(4f / 127f, new Int8Range(-4f, 3f).scale());
    }

    @Test
    void cudaRefusesInt8() {
        Backend be = BackendCases.open("cuda");
        Conv2dOp op = new Conv2dOp(Shape.nchw(1, 1, 3, 3), 1, Size2.of(1), Size2.of(1), Padding.VALID, false);
        try (Tensor w = be.allocate(op.weightShape())) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> be.freezeConvInt8(op, w, null, false, false, new Int8Range(0f, 1f)));
            assertTrue(e.getMessage().contains("int8"), e.getMessage());
        } finally {
            be.close();
        }
    }
}
