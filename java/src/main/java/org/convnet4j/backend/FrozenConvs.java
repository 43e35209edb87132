package org.convnet4j.backend;

import org.convnet4j.ops.Checks;
import org.convnet4j.ops.Conv2d;
import org.convnet4j.tensor.DType;
import org.convnet4j.tensor.Layout;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;

/** The argument checks every {@link FrozenConv} makes, whichever backend built it. */
public final class FrozenConvs {
    private FrozenConvs() {
    }

    /** At freezing: w and bias (null exactly when the op has none) of the op's shapes. */
    public static void checkFreeze(Conv2d op, Tensor w, Tensor bias) {
        if (op == null) {
            throw new IllegalArgumentException("freezeConv: op is null");
        }
        Checks.tensor("freezeConv " + op, "w", w, op.weightShape());
        if (op.bias()) {
            Checks.tensor("freezeConv " + op, "bias", bias, op.biasShape());
        } else if (bias != null) {
            throw new IllegalArgumentException("freezeConv " + op + ": the op has no bias but a bias tensor was given");
        }
    }

    /**
     * At each call: x and y as a convolution's, the residual of y's shape exactly when frozen with
     * one; y not x; y the residual only in the same layout. Layouts: NCHW, or {@code allowed} too.
     */
    public static void checkForward(FrozenConv c, Tensor x, Tensor residual, Tensor y, Layout allowed) {
        Conv2d op = c.op();
        String what = "frozen conv " + op;
        check(what, "x", x, op.input(), allowed);
        check(what, "y", y, op.outputShape(), allowed);
        if (c.residual()) {
            check(what, "residual", residual, op.outputShape(), allowed);
            if (residual.address() == y.address() && residual.layout() != y.layout()) {
                throw new IllegalArgumentException(what + ": y is the residual's storage in another layout ("
                        + y.layout() + " vs " + residual.layout() + ")");
            }
        } else if (residual != null) {
            throw new IllegalArgumentException("frozen conv " + op + ": frozen without a residual but one was given");
        }
        if (x.address() == y.address()) {
            throw new IllegalArgumentException("frozen conv " + op + ": y must not alias x");
        }
    }

    private static void check(String what, String arg, Tensor t, Shape expected, Layout allowed) {
        if (t != null && t.layout() == allowed) {
            Checks.anyLayout(what, arg, t, expected, DType.FP32);
        } else {
            Checks.tensor(what, arg, t, expected);
        }
    }
}
