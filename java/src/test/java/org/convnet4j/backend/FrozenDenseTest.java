package org.convnet4j.backend;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.convnet4j.backend.cpu.CpuBackend;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.reference.DenseReference;
import org.convnet4j.reference.ElementwiseReference;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Backend#freezeDense}: {@code relu?(x W + bias)} with the weights packed once, against the
 * float64 reference. FP32: {@link Tolerance#reduction} of the input features, as the unfrozen dense
 * op. BF16: x and W are rounded to bfloat16 (nearest even) and multiplied with FP32 accumulation, so
 * the reference is given exactly those rounded values and the tolerance is FP32's again; and the
 * result must differ from the unrounded reference by more than FP32 rounding, or it did not run in
 * BF16. Also the snapshot rule and the argument checks.
 */
class FrozenDenseTest extends BackendSuite {

    /** One case: the op, whether a relu follows, the weights' type. */
    record Case(DenseOp op, boolean relu, DType weights) {
        @Override
        public String toString() {
            return op + (relu ? " relu" : "") + " " + weights;
        }
    }

    static Stream<Arguments> cases() {
        List<Case> cases = new ArrayList<>();
        for (DenseOp op : List.of(new DenseOp(Shape.of(1, 7), 5, true), new DenseOp(Shape.of(3, 13), 11, false),
                new DenseOp(Shape.of(1, 300), 64, true), new DenseOp(Shape.of(8, 512), 100, true))) {
            for (DType t : List.of(DType.FP32, DType.BF16)) {
                cases.add(new Case(op, false, t));
                cases.add(new Case(op, true, t));
            }
        }
        return BackendCases.crossed(cases.stream());
    }

    /** v rounded to bfloat16, nearest even (as oneDNN's reorder rounds), back in double. */
    static double[] bf16(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            int bits = Float.floatToRawIntBits((float) v[i]);
            bits += 0x7FFF + ((bits >>> 16) & 1);
            r[i] = Float.intBitsToFloat(bits & 0xFFFF0000);
        }
        return r;
    }

    private static double[] expected(Case c, double[] x, double[] w, double[] bias) {
        double[] y = DenseReference.forward(c.op(), x, w, bias);
        return c.relu() ? ElementwiseReference.relu(y) : y;
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void forward(String backend, Case c) {
        if (c.weights() == DType.BF16) {
            Assumptions.assumeTrue(backend.equals("cpu") && CpuBackend.nativeBf16(),
                    "[" + backend + "] no BF16 frozen dense layers here (refusal tested below)");
        }
        DenseOp op = c.op();
        DenseTest.Inputs in = DenseTest.Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Tensor x = s.upload(op.input(), in.x());
            Tensor w = s.upload(op.weightShape(), in.w());
            Tensor b = op.bias() ? s.upload(op.biasShape(), in.bias()) : null;
            Tensor y = s.output(op.outputShape());
            try (FrozenDense f = s.backend().freezeDense(op, w, b, c.relu(), c.weights())) {
                s.set(w, new double[(int) op.weightShape().size()]); // frozen: later writes are not seen
                f.forward(x, y);
            }
            double[] got = s.download(y);
            Tolerance tol = Tolerance.reduction(op.inFeatures());
            if (c.weights() == DType.FP32) {
                Compare.assertClose(c + " frozen vs reference", op.outputShape(), expected(c, in.x(), in.w(), in.bias()),
                        got, tol);
                return;
            }
            double[] rounded = expected(c, bf16(in.x()), bf16(in.w()), in.bias());
            Compare.assertClose(c + " frozen vs reference on the BF16-rounded x and W", op.outputShape(), rounded, got, tol);
            double[] exact = expected(c, in.x(), in.w(), in.bias());
            double off = 0;
            for (int i = 0; i < got.length; i++) {
                off = Math.max(off, Math.abs(got[i] - exact[i]) / tol.allowed(exact[i]));
            }
            assertTrue(off > 1, c + ": the result is within FP32 rounding of the unrounded product; was it BF16?");
        }
    }

    /**
     * int8 ({@link Backend#freezeDenseInt8}), as {@link Int8ConvTest} checks convolutions: against an
     * integer emulation (x quantized with the calibrated scale, nearest even, saturating; W to s8 per
     * output unit; integer products exact) within FP32 rounding of the result's terms, and against the
     * float64 reference within the most quantization can move it, {@code sw[n]/2 sum|x| + sx/2
     * sum|w| + K sx sw[n] / 4} per element.
     */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void int8(String backend, Case c) {
        Assumptions.assumeTrue(c.weights() == DType.FP32, "int8 runs once per op and relu");
        Assumptions.assumeTrue(backend.equals("cpu") && CpuBackend.nativeInt8(),
                "[" + backend + "] no exact (VNNI) int8 matrix products here");
        DenseOp op = c.op();
        DenseTest.Inputs in = DenseTest.Inputs.of(op);
        for (boolean unsigned : new boolean[] {true, false}) {
            double[] x = unsigned ? java.util.Arrays.stream(in.x()).map(v -> (v + 1) / 2).toArray() : in.x();
            float min = (float) java.util.Arrays.stream(x).min().orElseThrow();
            float max = (float) java.util.Arrays.stream(x).max().orElseThrow();
            Int8Range range = new Int8Range(min, max);
            double[] got;
            try (TensorScope s = scope(backend)) {
                Tensor tx = s.upload(op.input(), x);
                Tensor w = s.upload(op.weightShape(), in.w());
                Tensor b = op.bias() ? s.upload(op.biasShape(), in.bias()) : null;
                Tensor y = s.output(op.outputShape());
                try (FrozenDense f = s.backend().freezeDenseInt8(op, w, b, c.relu(), range)) {
                    f.forward(tx, y);
                }
                got = s.download(y);
            }
            int k = op.inFeatures();
            int units = op.units();
            double sx = range.scale();
            double[] sw = new double[units];
            for (int n = 0; n < units; n++) {
                float m = 0f;
                for (int i = 0; i < k; i++) {
                    m = Math.max(m, Math.abs((float) in.w()[i * units + n]));
                }
                sw[n] = m > 0f ? m / 127f : 1f;
            }
            double[] qx = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double q = Math.rint((float) x[i] / (float) sx);
                qx[i] = unsigned ? Math.max(0, Math.min(255, q)) : Math.max(-128, Math.min(127, q));
            }
            double[] qw = new double[in.w().length];
            for (int i = 0; i < qw.length; i++) {
                qw[i] = Math.max(-127, Math.min(127, Math.round((double) (float) in.w()[i] / (float) sw[i % units])));
            }
            double[] acc = DenseReference.forward(op, qx, qw, null);
            double[] exact = DenseReference.forward(op, x, in.w(), null);
            double[] absX = java.util.Arrays.stream(x).map(Math::abs).toArray();
            double[] absW = java.util.Arrays.stream(in.w()).map(Math::abs).toArray();
            double[] ones = new double[in.w().length];
            java.util.Arrays.fill(ones, 1);
            double[] onesX = new double[x.length];
            java.util.Arrays.fill(onesX, 1);
            double[] sumAbsX = DenseReference.forward(op, absX, ones, null);
            double[] sumAbsW = DenseReference.forward(op, onesX, absW, null);
            double[] emulated = new double[acc.length];
            double[] reference = new double[acc.length];
            for (int i = 0; i < acc.length; i++) {
                int n = i % units;
                double bias = in.bias() == null ? 0 : in.bias()[n];
                double e = acc[i] * sx * sw[n] + bias;
                double r = exact[i] + bias;
                emulated[i] = c.relu() ? Math.max(0, e) : e;
                reference[i] = c.relu() ? Math.max(0, r) : r;
                double slack = Tolerance.FORMULA.allowed(Math.abs(exact[i]) + 2);
                String what = c + (unsigned ? " u8" : " s8") + " element " + i;
                assertTrue(Math.abs(got[i] - emulated[i]) <= slack, what + ": int8 " + got[i] + " vs integer emulation "
                        + emulated[i]);
                double bound = sw[n] / 2 * sumAbsX[i] + sx / 2 * sumAbsW[i] + k * sx * sw[n] / 4 + slack;
                assertTrue(Math.abs(got[i] - reference[i]) <= bound, what + ": int8 " + got[i] + " vs reference "
                        + reference[i] + ", bound " + bound);
            }
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void badArgumentsAreRefused(String backend) {
        DenseOp op = new DenseOp(Shape.of(2, 4), 3, true);
        try (TensorScope s = scope(backend)) {
            Tensor w = s.output(op.weightShape());
            Tensor b = s.output(op.biasShape());
            Tensor wrong = s.output(Shape.of(3, 4));
            assertThrows(IllegalArgumentException.class, () -> s.backend().freezeDense(op, wrong, b, false, DType.FP32));
            assertThrows(IllegalArgumentException.class, () -> s.backend().freezeDense(op, w, null, false, DType.FP32));
            assertThrows(IllegalArgumentException.class, () -> s.backend().freezeDense(op, w, b, false, DType.INT32));
            try (FrozenDense f = s.backend().freezeDense(op, w, b, false, DType.FP32)) {
                Tensor x = s.output(op.input());
                assertThrows(IllegalArgumentException.class, () -> f.forward(x, s.output(Shape.of(2, 4))));
                assertThrows(IllegalArgumentException.class, () -> f.forward(s.output(Shape.of(1, 4)), s.output(op.outputShape())));
            }
            if (!backend.equals("cpu")) {
                assertThrows(UnsupportedOperationException.class, () -> s.backend().freezeDense(op, w, b, false, DType.BF16));
            }
        }
    }
}
