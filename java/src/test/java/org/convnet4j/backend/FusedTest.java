package org.convnet4j.backend;

import java.util.stream.Stream;

import org.convnet4j.ops.BatchNorm;
import org.convnet4j.ops.BatchNormParams;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Size2;
import org.convnet4j.reference.BatchNormReference;
import org.convnet4j.reference.ConvReference;
import org.convnet4j.reference.ElementwiseReference;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fused primitive against the unfused composition on the same backend, and against the reference:
 * conv + bias + relu; batch norm + relu (training, inference, backward); batch norm + residual add +
 * relu (training, inference, backward, where the residual's gradient is {@code dy * (y > 0)}). Each
 * run gets fresh parameters, since a training forward moves the moving statistics. Backward references
 * take the relu mask from the backend's own y, so an output within rounding of zero cannot flip it.
 */
class FusedTest extends BackendSuite {

    static Stream<Arguments> convCases() {
        return BackendCases.crossed(Stream.of(
                new Conv2dOp(Shape.nchw(2, 3, 7, 9), 4, Size2.of(3), Size2.of(1), Padding.SAME, true),
                new Conv2dOp(Shape.nchw(2, 4, 11, 11), 6, Size2.of(1), Size2.of(2), Padding.VALID, true),
                new Conv2dOp(Shape.nchw(1, 3, 15, 15), 4, Size2.of(7), Size2.of(2), Padding.SAME, true),
                new Conv2dOp(Shape.nchw(2, 3, 13, 11), 5, Size2.of(11), Size2.of(4), Padding.SAME, true),
                new Conv2dOp(Shape.nchw(2, 3, 9, 9), 4, Size2.of(3), Size2.of(1), Padding.VALID, false)));
    }

    static Stream<Arguments> batchNormCases() {
        return BackendCases.crossed(Stream.of(
                BatchNorm.of(Shape.nchw(2, 3, 7, 9)),
                BatchNorm.of(Shape.nchw(1, 8, 5, 5)),
                new BatchNorm(Shape.nchw(3, 4, 6, 5), 1e-5f, 0.5f),
                BatchNorm.of(Shape.of(6, 10))));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("convCases")
    void conv2dBiasRelu(String backend, Conv2dOp op) {
        ConvTest.Inputs in = ConvTest.Inputs.of(op);
        Tolerance tol = ConvTest.forwardTolerance(op);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor x = s.upload(op.input(), in.x());
            Tensor w = s.upload(op.weightShape(), in.w());
            Tensor b = op.bias() ? s.upload(op.biasShape(), in.bias()) : null;
            Tensor fused = s.output(op.outputShape());
            be.conv2dBiasReluForward(op, x, w, b, fused);
            Tensor unfused = s.output(op.outputShape());
            be.conv2dForward(op, x, w, b, unfused);
            be.reluForward(unfused, unfused);
            double[] y = s.download(fused);
            Compare.assertClose(op + " fused bias+relu vs conv2dForward then reluForward", op.outputShape(),
                    s.download(unfused), y, tol);
            Compare.assertClose(op + " fused bias+relu vs reference", op.outputShape(),
                    ElementwiseReference.relu(ConvReference.forward(op, in.x(), in.w(), in.bias())), y, tol);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("batchNormCases")
    void batchNormReluTraining(String backend, BatchNorm op) {
        BatchNormTest.Inputs in = BatchNormTest.Inputs.of(op);
        BatchNormReference.Training ref = in.training(op);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor x = s.upload(op.input(), in.x());
            BatchNormParams pf = BatchNormTest.upload(s, op, in);
            Tensor yf = s.output(op.input());
            Tensor savedF = s.output(op.savedShape());
            be.batchNormReluForwardTraining(op, x, pf, yf, savedF);

            BatchNormParams pu = BatchNormTest.upload(s, op, in);
            Tensor yu = s.output(op.input());
            Tensor savedU = s.output(op.savedShape());
            be.batchNormForwardTraining(op, x, pu, yu, savedU);
            be.reluForward(yu, yu);

            String what = op + " fused relu, training";
            double[] y = s.download(yf);
            Compare.assertClose(what + " vs batchNormForwardTraining then reluForward: y", op.input(),
                    s.download(yu), y, BatchNormTest.tolerance(op));
            Compare.assertClose(what + " vs unfused: saved", op.savedShape(), s.download(savedU), s.download(savedF),
                    BatchNormTest.tolerance(op));
            BatchNormTest.assertTraining(what + " vs reference", op, in, new BatchNormReference.Training(
                    ElementwiseReference.relu(ref.y()), ref.mean(), ref.variance(), ref.movingMean(),
                    ref.movingVariance()), y, s, pf, savedF);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("batchNormCases")
    void batchNormReluInference(String backend, BatchNorm op) {
        BatchNormTest.Inputs in = BatchNormTest.Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor x = s.upload(op.input(), in.x());
            BatchNormParams p = BatchNormTest.upload(s, op, in);
            Tensor yf = s.output(op.input());
            be.batchNormReluForwardInference(op, x, p, yf);
            Tensor yu = s.output(op.input());
            be.batchNormForwardInference(op, x, p, yu);
            be.reluForward(yu, yu);
            double[] y = s.download(yf);
            String what = op + " fused relu, inference";
            Compare.assertClose(what + " vs unfused y", op.input(), s.download(yu), y, Tolerance.FORMULA);
            Compare.assertClose(what + " vs reference y", op.input(), ElementwiseReference.relu(in.inference(op)), y,
                    Tolerance.FORMULA);
            Compare.assertClose(what + " moving_variance (unchanged)", op.paramShape(), in.movingVariance(),
                    s.download(p.movingVariance()), Tolerance.EXACT);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("batchNormCases")
    void batchNormReluBackward(String backend, BatchNorm op) {
        BatchNormTest.Inputs in = BatchNormTest.Inputs.of(op);
        BatchNormReference.Training ref = in.training(op);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor x = s.upload(op.input(), in.x());
            BatchNormParams p = BatchNormTest.upload(s, op, in);
            Tensor y = s.output(op.input());
            Tensor saved = s.output(op.savedShape());
            be.batchNormReluForwardTraining(op, x, p, y, saved);
            Tensor dy = s.upload(op.input(), in.r());

            Tensor dx = s.output(op.input());
            Tensor dgamma = s.output(op.paramShape());
            Tensor dbeta = s.output(op.paramShape());
            be.batchNormReluBackward(op, x, y, dy, p, saved, dx, dgamma, dbeta);

            Tensor masked = s.output(op.input());
            be.reluBackward(y, dy, masked);
            Tensor dxU = s.output(op.input());
            Tensor dgammaU = s.output(op.paramShape());
            Tensor dbetaU = s.output(op.paramShape());
            be.batchNormBackward(op, x, masked, p, saved, dxU, dgammaU, dbetaU);

            BatchNormReference.Gradients expected = BatchNormReference.backward(op, in.x(),
                    ElementwiseReference.reluBackward(s.download(y), in.r()), in.gamma(), ref.mean(), ref.variance());
            assertGradients(op + " fused relu backward", op, s, dx, dgamma, dbeta, dxU, dgammaU, dbetaU, expected);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("batchNormCases")
    void batchNormAddReluTraining(String backend, BatchNorm op) {
        BatchNormTest.Inputs in = BatchNormTest.Inputs.of(op);
        double[] residual = TestData.uniform(TestData.random("residual " + op), op.input(), -1, 1);
        BatchNormReference.Training ref = in.training(op);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor x = s.upload(op.input(), in.x());
            Tensor res = s.upload(op.input(), residual);
            BatchNormParams pf = BatchNormTest.upload(s, op, in);
            Tensor yf = s.output(op.input());
            Tensor savedF = s.output(op.savedShape());
            be.batchNormAddReluForwardTraining(op, x, res, pf, yf, savedF);

            BatchNormParams pu = BatchNormTest.upload(s, op, in);
            Tensor yu = s.output(op.input());
            Tensor savedU = s.output(op.savedShape());
            be.batchNormForwardTraining(op, x, pu, yu, savedU);
            be.add(yu, res, yu);
            be.reluForward(yu, yu);

            String what = op + " fused add+relu, training";
            double[] y = s.download(yf);
            Compare.assertClose(what + " vs batchNormForwardTraining, add, reluForward: y", op.input(),
                    s.download(yu), y, BatchNormTest.tolerance(op));
            Compare.assertClose(what + " vs unfused: saved", op.savedShape(), s.download(savedU), s.download(savedF),
                    BatchNormTest.tolerance(op));
            BatchNormTest.assertTraining(what + " vs reference", op, in, new BatchNormReference.Training(
                    ElementwiseReference.relu(ElementwiseReference.add(ref.y(), residual)), ref.mean(),
                    ref.variance(), ref.movingMean(), ref.movingVariance()), y, s, pf, savedF);
            Compare.assertClose(what + " residual (unchanged)", op.input(), residual, s.download(res), Tolerance.EXACT);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("batchNormCases")
    void batchNormAddReluInference(String backend, BatchNorm op) {
        BatchNormTest.Inputs in = BatchNormTest.Inputs.of(op);
        double[] residual = TestData.uniform(TestData.random("residual " + op), op.input(), -1, 1);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor x = s.upload(op.input(), in.x());
            Tensor res = s.upload(op.input(), residual);
            BatchNormParams p = BatchNormTest.upload(s, op, in);
            Tensor yf = s.output(op.input());
            be.batchNormAddReluForwardInference(op, x, res, p, yf);
            Tensor yu = s.output(op.input());
            be.batchNormForwardInference(op, x, p, yu);
            be.add(yu, res, yu);
            be.reluForward(yu, yu);
            double[] y = s.download(yf);
            String what = op + " fused add+relu, inference";
            Compare.assertClose(what + " vs unfused y", op.input(), s.download(yu), y, Tolerance.FORMULA);
            Compare.assertClose(what + " vs reference y", op.input(),
                    ElementwiseReference.relu(ElementwiseReference.add(in.inference(op), residual)), y,
                    Tolerance.FORMULA);
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("batchNormCases")
    void batchNormAddReluBackward(String backend, BatchNorm op) {
        BatchNormTest.Inputs in = BatchNormTest.Inputs.of(op);
        double[] residual = TestData.uniform(TestData.random("residual " + op), op.input(), -1, 1);
        BatchNormReference.Training ref = in.training(op);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor x = s.upload(op.input(), in.x());
            Tensor res = s.upload(op.input(), residual);
            BatchNormParams p = BatchNormTest.upload(s, op, in);
            Tensor y = s.output(op.input());
            Tensor saved = s.output(op.savedShape());
            be.batchNormAddReluForwardTraining(op, x, res, p, y, saved);
            Tensor dy = s.upload(op.input(), in.r());

            Tensor dx = s.output(op.input());
            Tensor dres = s.output(op.input());
            Tensor dgamma = s.output(op.paramShape());
            Tensor dbeta = s.output(op.paramShape());
            be.batchNormAddReluBackward(op, x, y, dy, p, saved, dx, dres, dgamma, dbeta);

            Tensor masked = s.output(op.input());
            be.reluBackward(y, dy, masked);
            Tensor dxU = s.output(op.input());
            Tensor dgammaU = s.output(op.paramShape());
            Tensor dbetaU = s.output(op.paramShape());
            be.batchNormBackward(op, x, masked, p, saved, dxU, dgammaU, dbetaU);

            double[] mask = ElementwiseReference.reluBackward(s.download(y), in.r());
            String what = op + " fused add+relu backward";
            Compare.assertClose(what + " dresidual vs reluBackward", op.input(), s.download(masked), s.download(dres),
                    Tolerance.EXACT);
            Compare.assertClose(what + " dresidual vs reference dy * (y > 0)", op.input(), mask, s.download(dres),
                    Tolerance.EXACT);
            BatchNormReference.Gradients expected =
                    BatchNormReference.backward(op, in.x(), mask, in.gamma(), ref.mean(), ref.variance());
            assertGradients(what, op, s, dx, dgamma, dbeta, dxU, dgammaU, dbetaU, expected);
        }
    }

    /** A fused backward's gradients against the unfused ones on the backend and against the reference. */
    private static void assertGradients(String what, BatchNorm op, TensorScope s, Tensor dx, Tensor dgamma,
                                        Tensor dbeta, Tensor dxU, Tensor dgammaU, Tensor dbetaU,
                                        BatchNormReference.Gradients expected) {
        Tolerance tol = BatchNormTest.tolerance(op);
        double[] gx = s.download(dx);
        double[] gg = s.download(dgamma);
        double[] gb = s.download(dbeta);
        Compare.assertClose(what + " dx vs unfused", op.input(), s.download(dxU), gx, tol);
        Compare.assertClose(what + " dgamma vs unfused", op.paramShape(), s.download(dgammaU), gg, tol);
        Compare.assertClose(what + " dbeta vs unfused", op.paramShape(), s.download(dbetaU), gb, tol);
        Compare.assertClose(what + " dx vs reference", op.input(), expected.dx(), gx, tol);
        Compare.assertClose(what + " dgamma vs reference", op.paramShape(), expected.dgamma(), gg, tol);
        Compare.assertClose(what + " dbeta vs reference", op.paramShape(), expected.dbeta(), gb, tol);
    }
}
