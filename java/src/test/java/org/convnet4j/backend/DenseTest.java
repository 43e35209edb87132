package org.convnet4j.backend;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.convnet4j.backend.cpu.CpuBackend;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.reference.DenseReference;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * denseForward, denseBackwardData and denseBackwardWeights, with and without bias, against
 * {@link DenseReference} and finite differences. The kernel is (in, units) as in Keras: a backend that
 * read it transposed fails every case whose in and units differ.
 *
 * <p>BF16 compute (the bf16 policy's dense layers, CPU): each pass against the float64 reference
 * given the BF16-rounded inputs the kernel multiplies, within the FP32 accumulation tolerance, with
 * proof that it did round (some element lies outside FP32 tolerance of the unrounded product); and
 * against the unrounded reference (the analytic gradient that finite differences check above) within
 * BF16's written tolerance {@code |a - e| <= 2^-8 (|e| + scale) + 1e-5 sqrt(r)}, scale the largest
 * |expected| (see {@link MixedPrecisionTest}).
 */
class DenseTest extends BackendSuite {

    static Stream<Arguments> cases() {
        return BackendCases.crossed(Stream.of(
                new DenseOp(Shape.of(1, 7), 5, true),
                new DenseOp(Shape.of(3, 13), 11, false),
                new DenseOp(Shape.of(2, 9), 1, true),
                new DenseOp(Shape.of(3, 1), 4, false),
                new DenseOp(Shape.of(4, 64), 10, true),
                // Moderately sized: a classifier head.
                new DenseOp(Shape.of(8, 512), 100, true)));
    }

    record Inputs(double[] x, double[] w, double[] bias, double[] r) {
        static Inputs of(DenseOp op) {
            SplittableRandom rnd = TestData.random(op);
            return new Inputs(TestData.uniform(rnd, op.input(), -1, 1),
                    TestData.uniform(rnd, op.weightShape(), -1, 1),
                    op.bias() ? TestData.uniform(rnd, op.biasShape(), -1, 1) : null,
                    TestData.uniform(rnd, op.outputShape(), -1, 1));
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void forward(String backend, DenseOp op) {
        Inputs in = Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Tensor x = s.upload(op.input(), in.x());
            Tensor w = s.upload(op.weightShape(), in.w());
            Tensor b = op.bias() ? s.upload(op.biasShape(), in.bias()) : null;
            Tensor y = s.output(op.outputShape());
            s.backend().denseForward(op, x, w, b, y);
            Compare.assertClose(op + " y", op.outputShape(), DenseReference.forward(op, in.x(), in.w(), in.bias()),
                    s.download(y), Tolerance.reduction(op.inFeatures()));
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void backwardData(String backend, DenseOp op) {
        Inputs in = Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Tensor dy = s.upload(op.outputShape(), in.r());
            Tensor w = s.upload(op.weightShape(), in.w());
            Tensor dx = s.output(op.input());
            s.backend().denseBackwardData(op, dy, w, dx);
            Compare.assertClose(op + " dx", op.input(), DenseReference.backwardData(op, in.r(), in.w()),
                    s.download(dx), Tolerance.reduction(op.units()));
        }
    }

    /** dw and dbias sum over the batch; with dbias null only dw is written. */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void backwardWeights(String backend, DenseOp op) {
        Inputs in = Inputs.of(op);
        Tolerance tol = Tolerance.reduction(op.input().dim(0));
        double[] expectedDw = DenseReference.backwardWeights(op, in.x(), in.r());
        try (TensorScope s = scope(backend)) {
            Tensor x = s.upload(op.input(), in.x());
            Tensor dy = s.upload(op.outputShape(), in.r());
            Tensor dw = s.output(op.weightShape());
            Tensor db = op.bias() ? s.output(op.biasShape()) : null;
            s.backend().denseBackwardWeights(op, x, dy, dw, db);
            Compare.assertClose(op + " dw", op.weightShape(), expectedDw, s.download(dw), tol);
            if (op.bias()) {
                Compare.assertClose(op + " dbias", op.biasShape(), DenseReference.backwardBias(op, in.r()),
                        s.download(db), tol);
                Tensor dwOnly = s.output(op.weightShape());
                s.backend().denseBackwardWeights(op, x, dy, dwOnly, null);
                Compare.assertClose(op + " dw (dbias null)", op.weightShape(), expectedDw, s.download(dwOnly), tol);
            }
        }
    }

    /** BF16-compute passes (see the class comment); CUDA computes dense layers in FP32 and is not asked. */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void bf16Compute(String backend, DenseOp fp32) {
        Assumptions.assumeTrue(backend.equals("cpu") && CpuBackend.nativeBf16(),
                "[" + backend + "] BF16 dense compute runs on a CPU with native bfloat16 (CUDA computes FP32)");
        DenseOp op = fp32.withCompute(DType.BF16);
        Inputs in = Inputs.of(op);
        double[] x16 = FrozenDenseTest.bf16(in.x());
        double[] w16 = FrozenDenseTest.bf16(in.w());
        double[] dy16 = FrozenDenseTest.bf16(in.r());
        double rounded = 0; // the largest distance from the unrounded product, in FP32 tolerances
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor x = s.upload(op.input(), in.x());
            Tensor w = s.upload(op.weightShape(), in.w());
            Tensor b = op.bias() ? s.upload(op.biasShape(), in.bias()) : null;
            Tensor dy = s.upload(op.outputShape(), in.r());
            Tensor y = s.output(op.outputShape());
            Tensor dx = s.output(op.input());
            Tensor dw = s.output(op.weightShape());
            Tensor db = op.bias() ? s.output(op.biasShape()) : null;
            be.denseForward(op, x, w, b, y);
            be.denseBackwardData(op, dy, w, dx);
            be.denseBackwardWeights(op, x, dy, dw, db);
            rounded = Math.max(rounded, bf16Check(op + " y", op.outputShape(), op.inFeatures(), s.download(y),
                    DenseReference.forward(op, x16, w16, in.bias()), DenseReference.forward(op, in.x(), in.w(), in.bias())));
            rounded = Math.max(rounded, bf16Check(op + " dx", op.input(), op.units(), s.download(dx),
                    DenseReference.backwardData(op, dy16, w16), DenseReference.backwardData(op, in.r(), in.w())));
            rounded = Math.max(rounded, bf16Check(op + " dw", op.weightShape(), op.input().dim(0), s.download(dw),
                    DenseReference.backwardWeights(op, x16, dy16), DenseReference.backwardWeights(op, in.x(), in.r())));
            if (op.bias()) {
                // The bias gradient sums the FP32 dy: no rounding.
                Compare.assertClose(op + " dbias", op.biasShape(), DenseReference.backwardBias(op, in.r()), s.download(db),
                        Tolerance.reduction(op.input().dim(0)));
            }
        }
        assertTrue(rounded > 1, op + ": every result is within FP32 rounding of the unrounded product; was it BF16?");
    }

    /**
     * got against the reference on the rounded inputs (FP32 accumulation) and the unrounded one (BF16
     * tolerance); returns the largest distance from the unrounded one in FP32 tolerances of r terms.
     */
    private static double bf16Check(String what, Shape shape, long r, double[] got, double[] onRounded, double[] exact) {
        Tolerance fp32 = Tolerance.reduction(r);
        Compare.assertClose(what + " vs reference on the BF16-rounded inputs", shape, onRounded, got, fp32);
        double scale = 0;
        for (double e : exact) {
            scale = Math.max(scale, Math.abs(e));
        }
        Compare.assertClose(what + " vs unrounded reference", shape, exact, got,
                new Tolerance(0x1p-8 * scale + 1e-5 * Math.sqrt(r), 0x1p-8));
        double off = 0;
        for (int i = 0; i < got.length; i++) {
            off = Math.max(off, Math.abs(got[i] - exact[i]) / fp32.allowed(exact[i]));
        }
        return off;
    }

    @Test
    void theCpuRefusesFp16Compute() {
        DenseOp op = new DenseOp(Shape.of(2, 3), 4, true, DType.FP16);
        try (TensorScope s = scope("cpu")) {
            Tensor x = s.upload(op.input(), new double[6]);
            Tensor w = s.upload(op.weightShape(), new double[12]);
            Tensor b = s.upload(op.biasShape(), new double[4]);
            Tensor y = s.output(op.outputShape());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.backend().denseForward(op, x, w, b, y));
            assertTrue(e.getMessage().contains("FP16"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void finiteDifferences(String backend, DenseOp op) {
        Inputs in = Inputs.of(op);
        SplittableRandom rnd = TestData.random("fd " + op);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor x = s.upload(op.input(), in.x());
            Tensor w = s.upload(op.weightShape(), in.w());
            Tensor b = op.bias() ? s.upload(op.biasShape(), in.bias()) : null;
            Tensor y = s.output(op.outputShape());
            Tensor dy = s.upload(op.outputShape(), in.r());
            Tensor dx = s.output(op.input());
            Tensor dw = s.output(op.weightShape());
            Tensor db = op.bias() ? s.output(op.biasShape()) : null;
            be.denseBackwardData(op, dy, w, dx);
            be.denseBackwardWeights(op, x, dy, dw, db);
            FiniteDifference.Forward run = v -> {
                be.denseForward(op, x, w, b, y);
                return s.download(y);
            };
            FiniteDifference.check(op + " dx", op.input(), in.x(), s.download(dx), in.r(), v -> {
                s.set(x, v);
                return run.apply(v);
            }, rnd);
            s.set(x, in.x());
            FiniteDifference.check(op + " dw", op.weightShape(), in.w(), s.download(dw), in.r(), v -> {
                s.set(w, v);
                return run.apply(v);
            }, rnd);
            s.set(w, in.w());
            if (op.bias()) {
                FiniteDifference.check(op + " dbias", op.biasShape(), in.bias(), s.download(db), in.r(), v -> {
                    s.set(b, v);
                    return run.apply(v);
                }, rnd);
            }
        }
    }
}
