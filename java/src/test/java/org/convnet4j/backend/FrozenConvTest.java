package org.convnet4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Size2;
import org.convnet4j.reference.ConvReference;
import org.convnet4j.reference.ElementwiseReference;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Backend#freezeConv}: {@code relu?(conv(x, w) + bias + residual?)} against the float64
 * reference and against the unfused primitives, for every combination of residual and relu, with y
 * written over the residual in place, and (CPU) with activations in NHWC; then the snapshot rule
 * (later writes to w are not seen) and the argument checks.
 */
class FrozenConvTest extends BackendSuite {

    /** One case: the op, whether a residual is added, whether a relu follows. */
    record Case(Conv2dOp op, boolean residual, boolean relu) {
        @Override
        public String toString() {
            return op + (residual ? " +residual" : "") + (relu ? " relu" : "");
        }
    }

    static Stream<Arguments> cases() {
        List<Conv2dOp> ops = List.of(
                new Conv2dOp(Shape.nchw(2, 3, 7, 9), 4, Size2.of(3), Size2.of(1), Padding.SAME, true),
                new Conv2dOp(Shape.nchw(1, 16, 8, 8), 32, Size2.of(1), Size2.of(2), Padding.VALID, true),
                new Conv2dOp(Shape.nchw(1, 32, 6, 6), 16, Size2.of(3), Size2.of(1), Padding.SAME, true),
                new Conv2dOp(Shape.nchw(1, 3, 15, 15), 16, Size2.of(7), Size2.of(2), Padding.SAME, true),
                new Conv2dOp(Shape.nchw(2, 3, 9, 9), 4, Size2.of(3), Size2.of(1), Padding.VALID, false));
        List<Case> cases = new ArrayList<>();
        for (Conv2dOp op : ops) {
            for (int m = 0; m < 4; m++) {
                cases.add(new Case(op, (m & 1) != 0, (m & 2) != 0));
            }
        }
        return BackendCases.crossed(cases.stream());
    }

    /** The reference: conv + bias, plus the residual, then relu. */
    private static double[] expected(Case c, ConvTest.Inputs in, double[] residual) {
        double[] y = ConvReference.forward(c.op(), in.x(), in.w(), in.bias());
        if (c.residual()) {
            y = ElementwiseReference.add(y, residual);
        }
        return c.relu() ? ElementwiseReference.relu(y) : y;
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void forward(String backend, Case c) {
        Conv2dOp op = c.op();
        ConvTest.Inputs in = ConvTest.Inputs.of(op);
        double[] residual = in.r();
        Tolerance tol = ConvTest.forwardTolerance(op);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor x = s.upload(op.input(), in.x());
            Tensor w = s.upload(op.weightShape(), in.w());
            Tensor b = op.bias() ? s.upload(op.biasShape(), in.bias()) : null;
            Tensor res = c.residual() ? s.upload(op.outputShape(), residual) : null;
            Tensor y = s.output(op.outputShape());
            try (FrozenConv f = be.freezeConv(op, w, b, c.residual(), c.relu())) {
                f.forward(x, res, y);
            }
            double[] got = s.download(y);
            Compare.assertClose(c + " frozen vs reference", op.outputShape(), expected(c, in, residual), got, tol);

            Tensor u = s.output(op.outputShape());
            be.conv2dForward(op, x, w, b, u);
            if (c.residual()) {
                be.accumulate(res, u);
            }
            if (c.relu()) {
                be.reluForward(u, u);
            }
            Compare.assertClose(c + " frozen vs conv2dForward, accumulate, reluForward", op.outputShape(),
                    s.download(u), got, tol);
            if (res != null) {
                Compare.assertClose(c + " residual (unchanged)", op.outputShape(), residual, s.download(res),
                        Tolerance.EXACT);
            }
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void inPlaceOverResidual(String backend, Case c) {
        Assumptions.assumeTrue(c.residual(), "only cases with a residual can write over it");
        Conv2dOp op = c.op();
        ConvTest.Inputs in = ConvTest.Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Tensor x = s.upload(op.input(), in.x());
            Tensor w = s.upload(op.weightShape(), in.w());
            Tensor b = op.bias() ? s.upload(op.biasShape(), in.bias()) : null;
            Tensor y = s.upload(op.outputShape(), in.r());
            try (FrozenConv f = s.backend().freezeConv(op, w, b, true, c.relu())) {
                f.forward(x, y, y);
            }
            Compare.assertClose(c + " in place over the residual", op.outputShape(), expected(c, in, in.r()),
                    s.download(y), ConvTest.forwardTolerance(op));
        }
    }

    /** NCHW values of a rank-4 shape reordered to NHWC (inverse = false) or back (inverse = true). */
    static double[] nhwc(Shape s, double[] v, boolean inverse) {
        int n = (int) s.dim(0);
        int ch = (int) s.dim(1);
        int h = (int) s.dim(2);
        int w = (int) s.dim(3);
        double[] out = new double[v.length];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < ch; c++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int nchw = ((i * ch + c) * h + y) * w + x;
                        int nhwc = ((i * h + y) * w + x) * ch + c;
                        if (inverse) {
                            out[nchw] = v[nhwc];
                        } else {
                            out[nhwc] = v[nchw];
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Every mix of NCHW and NHWC for x, the residual and y gives the same values. */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void layouts(String backend, Case c) {
        Conv2dOp op = c.op();
        ConvTest.Inputs in = ConvTest.Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor w = s.upload(op.weightShape(), in.w());
            Tensor b = op.bias() ? s.upload(op.biasShape(), in.bias()) : null;
            try (FrozenConv f = be.freezeConv(op, w, b, c.residual(), c.relu())) {
                Assumptions.assumeTrue(f.nativeLayout() == Layout.NHWC || backend.equals("cpu"),
                        backend + " frozen convolutions take NCHW only");
                double[] want = expected(c, in, in.r());
                for (int mask = 1; mask < 8; mask++) {
                    Layout lx = (mask & 1) != 0 ? Layout.NHWC : Layout.NCHW;
                    Layout lr = (mask & 2) != 0 ? Layout.NHWC : Layout.NCHW;
                    Layout ly = (mask & 4) != 0 ? Layout.NHWC : Layout.NCHW;
                    Tensor x = s.upload(op.input(), lx == Layout.NHWC ? nhwc(op.input(), in.x(), false) : in.x());
                    Tensor res = c.residual() ? s.upload(op.outputShape(),
                            lr == Layout.NHWC ? nhwc(op.outputShape(), in.r(), false) : in.r()) : null;
                    Tensor y = s.output(op.outputShape());
                    f.forward(x.view(lx), res == null ? null : res.view(lr), y.view(ly));
                    double[] got = s.download(y);
                    Compare.assertClose(c + " x " + lx + ", residual " + lr + ", y " + ly, op.outputShape(), want,
                            ly == Layout.NHWC ? nhwc(op.outputShape(), got, true) : got, ConvTest.forwardTolerance(op));
                }
            }
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void snapshotOfTheWeights(String backend, Case c) {
        Conv2dOp op = c.op();
        ConvTest.Inputs in = ConvTest.Inputs.of(op);
        try (TensorScope s = scope(backend)) {
            Tensor x = s.upload(op.input(), in.x());
            Tensor w = s.upload(op.weightShape(), in.w());
            Tensor b = op.bias() ? s.upload(op.biasShape(), in.bias()) : null;
            Tensor res = c.residual() ? s.upload(op.outputShape(), in.r()) : null;
            Tensor y = s.output(op.outputShape());
            try (FrozenConv f = s.backend().freezeConv(op, w, b, c.residual(), c.relu())) {
                s.set(w, new double[(int) op.weightShape().size()]);
                if (b != null) {
                    s.set(b, new double[(int) op.biasShape().size()]);
                }
                f.forward(x, res, y);
            }
            Compare.assertClose(c + " frozen before w and bias were zeroed", op.outputShape(),
                    expected(c, in, in.r()), s.download(y), ConvTest.forwardTolerance(op));
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("org.convnet4j.backend.BackendCases#names")
    void badArguments(String backend) {
        Conv2dOp op = new Conv2dOp(Shape.nchw(1, 3, 5, 5), 4, Size2.of(3), Size2.of(1), Padding.SAME, true);
        try (TensorScope s = scope(backend)) {
            Backend be = s.backend();
            Tensor w = s.output(op.weightShape());
            Tensor b = s.output(op.biasShape());
            Tensor x = s.output(op.input());
            Tensor y = s.output(op.outputShape());
            Tensor other = s.output(op.outputShape());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> be.freezeConv(op, s.output(Shape.of(4, 3, 3, 2)), b, false, false));
            assertTrue(e.getMessage().contains("w must have shape"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> be.freezeConv(op, w, null, false, false));
            try (FrozenConv plain = be.freezeConv(op, w, b, false, true);
                 FrozenConv withResidual = be.freezeConv(op, w, b, true, false)) {
                e = assertThrows(IllegalArgumentException.class, () -> plain.forward(x, other, y));
                assertTrue(e.getMessage().contains("without a residual"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> withResidual.forward(x, null, y));
                assertTrue(e.getMessage().contains("residual is null"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> plain.forward(y, null, y));
                assertTrue(e.getMessage().contains("x must have shape"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> withResidual.forward(x, other.view(Layout.NHWC), other));
                assertTrue(e.getMessage().contains("another layout") || e.getMessage().contains("NCHW order"),
                        e.getMessage());
            }
            // Outside frozen convolutions, x and y of an element-wise op must agree on the layout (the
            // CPU keeps activations channels-last, CUDA takes NCHW only).
            e = assertThrows(IllegalArgumentException.class, () -> be.reluForward(y.view(Layout.NHWC), y));
            assertTrue(e.getMessage().startsWith("relu: expected tensors in one format. Received Tensor(")
                    || e.getMessage().contains("computes FP32 in NCHW order only"), e.getMessage());
        }
    }
}
